//! Encryption at rest (SPEC §7): conversations sealed under per-subject data keys, the master key's
//! custody and check, rotation that re-wraps without re-encrypting, retention purge; and no
//! planted value in plaintext anywhere on disk, on SQLite and (with `WARDEN_TEST_PG_URL`) in a
//! `pg_dump` of PostgreSQL.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::Path;
use std::time::Duration;

use warden_store::{
    Error, MASTER_KEY_FILE, MasterKey, NewConversation, Pepper, Store, StoreOptions, Timestamp,
};

const T0: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);
/// Values planted in prompts and answers; none may appear on disk.
const PLANTED: [&str; 4] = [
    "Zebediah Quarrington",
    "4929 8361 0012 4471",
    "sk-proj-PLANTEDsecretVALUE0123456789abcdef",
    "zebediah.quarrington@example.org",
];

fn conversation(subject: &str, n: usize) -> NewConversation {
    NewConversation {
        subject: subject.to_owned(),
        principal: Some("key_0123456789abcdef".to_owned()),
        request_id: format!("req_{n}"),
        model: Some("gpt-4o-mini".to_owned()),
        prompt: format!(
            "[{{\"role\":\"user\",\"content\":\"I am {} (card {}), key {}\"}}]",
            PLANTED[0], PLANTED[1], PLANTED[2]
        ),
        answer: format!("Noted, {}. Write to {}.", PLANTED[0], PLANTED[3]),
    }
}

fn options(dir: &Path, master: Option<&MasterKey>) -> StoreOptions {
    StoreOptions {
        master_key: master.cloned(),
        ..StoreOptions::in_dir(dir)
    }
}

/// Every byte under `dir`, file by file.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    files
}

fn assert_nothing_planted(label: &str, bytes: &[u8]) {
    for planted in PLANTED {
        // Also the distinctive part alone, in case of a different encoding of the rest.
        for needle in [planted, &planted[..planted.len().min(12)]] {
            assert!(
                !bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes()),
                "{label} holds {needle:?} in plaintext"
            );
        }
    }
}

#[tokio::test]
async fn conversations_round_trip_and_never_touch_the_disk_in_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let first = store
        .save_conversation(conversation("alice@example.com", 1), T0, None)
        .await
        .unwrap();
    let later = Timestamp::from_unix_millis(T0.unix_millis() + 1);
    store
        .save_conversation(conversation("alice@example.com", 2), later, None)
        .await
        .unwrap();
    store
        .save_conversation(conversation("bob", 3), T0, None)
        .await
        .unwrap();
    let alice = store.conversations_of("alice@example.com").await.unwrap();
    assert_eq!(alice.len(), 2);
    assert_eq!(alice[0].id, first);
    assert_eq!(alice[0].request_id, "req_1");
    assert!(alice[0].prompt.contains(PLANTED[1]));
    assert!(alice[0].answer.contains(PLANTED[3]));
    assert_eq!(alice[0].subject_ref, store.subject_ref("alice@example.com"));
    assert!(alice[0].subject_ref.starts_with("subj_"));
    assert_eq!(store.conversations_of("bob").await.unwrap().len(), 1);
    assert!(store.conversations_of("nobody").await.unwrap().is_empty());
    store.close().await;

    let files = files_under(dir.path());
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names.iter().any(|name| name.ends_with("keyring.db")),
        "{names:?}"
    );
    for (name, bytes) in &files {
        assert_nothing_planted(name, bytes);
        // Nor the subject's raw id.
        assert!(
            !bytes.windows(17).any(|w| w == b"alice@example.com"),
            "{name} holds the subject id"
        );
    }
}

#[tokio::test]
async fn the_master_key_file_is_private_made_once_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let created = store.created_master_key_file().unwrap().to_owned();
    assert_eq!(created, dir.path().join(MASTER_KEY_FILE));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&created).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let id = store.master_key_id();
    store.close().await;
    let again = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    assert!(again.created_master_key_file().is_none());
    assert_eq!(again.master_key_id(), id);
}

#[tokio::test]
async fn a_wrong_master_key_is_refused_before_anything_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let right = MasterKey::generate().unwrap();
    let store = Store::open(options(dir.path(), Some(&right)))
        .await
        .unwrap();
    store
        .save_conversation(conversation("alice", 1), T0, None)
        .await
        .unwrap();
    store.close().await;
    // SQLite's shared-memory index (`-shm`) is rewritten by any reader; the rest must not change.
    let snapshot = || -> Vec<(String, Vec<u8>)> {
        files_under(dir.path())
            .into_iter()
            .filter(|(name, _)| !name.ends_with("-shm"))
            .collect()
    };
    let before = snapshot();

    let wrong = MasterKey::generate().unwrap();
    let error = Store::open(options(dir.path(), Some(&wrong)))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::WrongMasterKey { .. }), "{message}");
    assert!(message.contains(&right.id()), "{message}");
    assert!(message.contains(&wrong.id()), "{message}");
    let after = snapshot();
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(
        names(&after),
        names(&before),
        "a refused open made or removed files"
    );
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        assert!(old == new, "a refused open changed {name}");
    }

    // Without any key given, no new master.key is made over an existing keyring.
    let error = Store::open(StoreOptions::in_dir(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongMasterKey { .. }), "{error}");
    assert!(error.to_string().contains("no master key given"), "{error}");
    assert!(!dir.path().join(MASTER_KEY_FILE).exists());
}

#[tokio::test]
async fn rotation_rewraps_data_keys_and_old_data_still_decrypts() {
    let dir = tempfile::tempdir().unwrap();
    let old = MasterKey::generate().unwrap();
    let store = Store::open(options(dir.path(), Some(&old))).await.unwrap();
    for (n, subject) in ["alice", "bob", "carol"].iter().enumerate() {
        store
            .save_conversation(conversation(subject, n), T0, None)
            .await
            .unwrap();
    }
    let before = store.conversations_of("bob").await.unwrap();
    let new = MasterKey::generate().unwrap();
    assert_eq!(store.rotate_master_key(&new, T0).await.unwrap(), 3);
    // This handle's key is stale now: making a new subject's key is refused (fail closed).
    let stale = store
        .save_conversation(conversation("dave", 9), T0, None)
        .await
        .unwrap_err();
    assert!(matches!(stale, Error::WrongMasterKey { .. }), "{stale}");
    store.close().await;

    let rotated = Store::open(options(dir.path(), Some(&new))).await.unwrap();
    assert_eq!(rotated.conversations_of("bob").await.unwrap(), before);
    assert_eq!(rotated.conversations_of("alice").await.unwrap().len(), 1);
    rotated
        .save_conversation(conversation("dave", 9), T0, None)
        .await
        .unwrap();
    rotated.close().await;
    let error = Store::open(options(dir.path(), Some(&old)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongMasterKey { .. }), "{error}");
}

#[tokio::test]
async fn retention_purges_only_what_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let day = Duration::from_secs(86_400);
    store
        .save_conversation(conversation("alice", 1), T0, Some(day))
        .await
        .unwrap();
    store
        .save_conversation(conversation("alice", 2), T0, Some(30 * day))
        .await
        .unwrap();
    store
        .save_conversation(
            conversation("alice", 3),
            Timestamp::from_unix_millis(T0.unix_millis() + 1),
            None,
        )
        .await
        .unwrap();
    let later = Timestamp::from_unix_millis(T0.unix_millis() + 2 * 86_400_000);
    assert_eq!(store.purge_conversations(T0).await.unwrap(), 0);
    assert_eq!(store.purge_conversations(later).await.unwrap(), 1);
    let left: Vec<String> = store
        .conversations_of("alice")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.request_id)
        .collect();
    assert_eq!(left, ["req_2", "req_3"]);
}

#[tokio::test]
async fn an_altered_sealed_row_is_an_error_not_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    store
        .save_conversation(conversation("alice", 1), T0, None)
        .await
        .unwrap();
    store
        .save_conversation(conversation("bob", 2), T0, None)
        .await
        .unwrap();
    let url = format!("sqlite://{}", dir.path().join("warden.db").display());
    let raw = sqlx::sqlite::SqlitePoolOptions::new()
        .connect(&url)
        .await
        .unwrap();
    // Bob's sealed body moved onto Alice's row: bound to its row and subject, it does not open.
    sqlx::raw_sql(
        "UPDATE conversations SET body = (SELECT body FROM conversations WHERE request_id = 'req_2') \
         WHERE request_id = 'req_1'",
    )
    .execute(&raw)
    .await
    .unwrap();
    raw.close().await;
    let error = store.conversations_of("alice").await.unwrap_err();
    assert!(matches!(error, Error::Decrypt { .. }), "{error}");
}

/// `pg_dump` of the newest PostgreSQL installed from Debian packages, if any.
fn pg_dump() -> Option<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin/pg_dump")))
        .filter(|path| path.exists())
        .collect();
    found.sort();
    found.pop()
}

#[tokio::test]
async fn on_postgres_conversations_rotate_and_a_dump_holds_no_plaintext() {
    let Some(url) = warden_testkit::postgres::fresh_database("warden_crypto").await else {
        eprintln!("skipped: WARDEN_TEST_PG_URL is not set (./scripts/test sets it)");
        return;
    };
    let keyring_url = warden_testkit::postgres::fresh_database("warden_keyring")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let old = MasterKey::generate().unwrap();
    let open = |master: &MasterKey| StoreOptions {
        url: Some(url.clone()),
        keyring_url: Some(keyring_url.clone()),
        pepper: Some(Pepper::from_bytes(&[3; 32]).unwrap()),
        master_key: Some(master.clone()),
        ..StoreOptions::in_dir(dir.path())
    };
    let store = Store::open(open(&old)).await.unwrap();
    store
        .save_conversation(conversation("alice", 1), T0, None)
        .await
        .unwrap();
    let before = store.conversations_of("alice").await.unwrap();
    assert!(before[0].answer.contains(PLANTED[3]));
    let new = MasterKey::generate().unwrap();
    assert_eq!(store.rotate_master_key(&new, T0).await.unwrap(), 1);
    store.close().await;
    let rotated = Store::open(open(&new)).await.unwrap();
    assert_eq!(rotated.conversations_of("alice").await.unwrap(), before);
    let error = Store::open(open(&old)).await.unwrap_err();
    assert!(matches!(error, Error::WrongMasterKey { .. }), "{error}");

    let Some(pg_dump) = pg_dump() else {
        eprintln!("skipped the dump: no pg_dump under /usr/lib/postgresql");
        return;
    };
    for database in [&url, &keyring_url] {
        let dump = std::process::Command::new(&pg_dump)
            .arg(database)
            .output()
            .unwrap();
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        assert!(dump.stdout.len() > 1_000, "an empty dump proves nothing");
        assert_nothing_planted("pg_dump", &dump.stdout);
        assert!(!dump.stdout.windows(5).any(|w| w == b"alice"));
    }
}
