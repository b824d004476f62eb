//! The key store end to end, on SQLite files in temporary directories: create, authenticate,
//! revoke from a second handle (as the CLI does while the gateway runs), expiry, pepper custody,
//! migrations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use sqlx::Row;
use warden_store::{
    Authentication, DATABASE_FILE, Error, KeyId, KeyLimits, KeyRecord, NewKey, PEPPER_FILE, Pepper,
    PlaintextKey, RevokeOutcome, Role, Store, StoreOptions, Timestamp,
};

const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

fn at(offset_millis: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0.unix_millis() + offset_millis)
}

fn new_key(name: &str) -> NewKey {
    NewKey {
        name: name.to_owned(),
        roles: vec![Role::parse("user").unwrap()],
        expires_at: None,
        allowed_models: None,
        limits: KeyLimits::default(),
    }
}

async fn open(dir: &Path) -> Store {
    Store::open(StoreOptions::in_dir(dir)).await.unwrap()
}

/// A store in `dir` holding one key named "ci", made at `T0`.
async fn store_with_key(dir: &Path) -> (Store, KeyRecord, PlaintextKey) {
    let store = open(dir).await;
    let (record, key) = store.create_key(new_key("ci"), T0).await.unwrap();
    (store, record, key)
}

async fn is_valid(store: &Store, key: &str, now: Timestamp) -> bool {
    matches!(
        store.authenticate(key, now).await.unwrap(),
        Authentication::Valid(_)
    )
}

/// A raw connection to the store's database, for looking at what is on disk.
async fn raw(dir: &Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join(DATABASE_FILE))
        .connect()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_created_key_authenticates_as_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut request = new_key("ci");
    request.roles.push(Role::parse("admin").unwrap());
    request.allowed_models = Some(vec!["gpt-4o-mini".into()]);
    request.limits = KeyLimits {
        requests_per_minute: Some(60),
        tokens_per_minute: Some(10_000),
        tokens_per_day: Some(1_000_000),
    };
    let (record, key) = store.create_key(request, T0).await.unwrap();
    assert_eq!(record.created_at, T0);
    assert_eq!(record.revoked_at, None);

    let answer = store
        .authenticate(key.expose_secret(), at(1))
        .await
        .unwrap();
    assert_eq!(answer, Authentication::Valid(record.clone()));
    assert_eq!(store.list_keys().await.unwrap(), [record]);
}

#[tokio::test]
async fn a_tampered_key_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, key) = store_with_key(dir.path()).await;
    let text = key.expose_secret();
    for position in [4, 20, text.len() - 1] {
        let mut tampered = text.as_bytes().to_vec();
        tampered[position] = if tampered[position] == b'x' {
            b'y'
        } else {
            b'x'
        };
        let tampered = String::from_utf8(tampered).unwrap();
        let answer = store.authenticate(&tampered, T0).await.unwrap();
        assert_eq!(answer, Authentication::Unknown, "changed at {position}");
    }
}

#[tokio::test]
async fn malformed_keys_are_answered_without_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, key) = store_with_key(dir.path()).await;
    store.close().await;
    // With the pool closed, any query fails: a `Malformed` answer proves none was made.
    for malformed in ["", "wdn_", "Bearer wdn_x", &key.expose_secret()[..46]] {
        let answer = store.authenticate(malformed, T0).await.unwrap();
        assert_eq!(answer, Authentication::Malformed, "{malformed:?}");
    }
    assert!(store.authenticate(key.expose_secret(), T0).await.is_err());
}

#[tokio::test]
async fn a_revocation_by_another_handle_holds_on_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let (gateway, record, key) = store_with_key(dir.path()).await;
    assert!(is_valid(&gateway, key.expose_secret(), at(1)).await);

    // The CLI: its own process, its own pool, the same file.
    let cli = open(dir.path()).await;
    let outcome = cli.revoke_key(&record.id, at(2)).await.unwrap();
    assert_eq!(outcome, RevokeOutcome::Revoked { at: at(2) });
    cli.close().await;

    let answer = gateway
        .authenticate(key.expose_secret(), at(3))
        .await
        .unwrap();
    assert_eq!(answer, Authentication::Revoked);
    let listed = gateway.list_keys().await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(at(2)));
}

#[tokio::test]
async fn revoking_twice_keeps_the_first_time_and_unknown_ids_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (store, record, _) = store_with_key(dir.path()).await;
    store.revoke_key(&record.id, at(1)).await.unwrap();
    let again = store.revoke_key(&record.id, at(2)).await.unwrap();
    assert_eq!(again, RevokeOutcome::AlreadyRevoked { at: at(1) });

    let unknown = KeyId::parse("key_0000000000000000").unwrap();
    let error = store.revoke_key(&unknown, at(3)).await.unwrap_err();
    assert!(matches!(&error, Error::NotFound(id) if *id == unknown));
    assert_eq!(error.to_string(), "unknown key id key_0000000000000000");
}

#[tokio::test]
async fn keys_expire_at_their_expiry_and_revocation_wins() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut request = new_key("temp");
    request.expires_at = Some(at(1000));
    let (record, key) = store.create_key(request, T0).await.unwrap();
    let key = key.expose_secret();

    assert!(is_valid(&store, key, at(999)).await);
    assert_eq!(
        store.authenticate(key, at(1000)).await.unwrap(),
        Authentication::Expired
    );
    store.revoke_key(&record.id, at(2000)).await.unwrap();
    assert_eq!(
        store.authenticate(key, at(3000)).await.unwrap(),
        Authentication::Revoked
    );
}

#[tokio::test]
async fn listing_shows_no_key_material_and_the_disk_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let pepper = [9_u8; 32];
    let options = StoreOptions {
        pepper: Some(Pepper::from_bytes(&pepper).unwrap()),
        ..StoreOptions::in_dir(dir.path())
    };
    let store = Store::open(options).await.unwrap();
    let (_, key) = store.create_key(new_key("ci"), T0).await.unwrap();
    let key = key.expose_secret().to_owned();
    let hash = {
        let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &pepper);
        hex::encode(aws_lc_rs::hmac::sign(&hmac_key, key.as_bytes()).as_ref())
    };

    let listed = store.list_keys().await.unwrap();
    for shown in [
        format!("{listed:?}"),
        serde_json::to_string(&listed).unwrap(),
    ] {
        assert!(!shown.contains(&key[4..]), "{shown}");
        assert!(!shown.contains(&hash), "{shown}");
    }
    // The hash is what is stored (so the test above looked for the right thing) ...
    let mut raw = raw(dir.path()).await;
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM client_keys")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(stored, hash);
    // ... and the key itself is nowhere on disk: database, write-ahead log, anything.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!contains(&bytes, key.as_bytes()));
        assert!(!contains(&bytes, &key.as_bytes()[4..]));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn the_pepper_file_is_private_and_reused_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, key) = store_with_key(dir.path()).await;
    store.close().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join(PEPPER_FILE)), 0o600);
    }
    let pepper_before = std::fs::read(dir.path().join(PEPPER_FILE)).unwrap();
    let reopened = open(dir.path()).await;
    assert!(is_valid(&reopened, key.expose_secret(), T0).await);
    assert_eq!(
        std::fs::read(dir.path().join(PEPPER_FILE)).unwrap(),
        pepper_before
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("nested").join("warden-data");
    let _store = open(&data_dir).await;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data_dir), 0o700);
    for file in [DATABASE_FILE, "warden.db-wal", "warden.db-shm"] {
        assert_eq!(mode(&data_dir.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn another_pepper_makes_old_keys_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, _, key) = store_with_key(dir.path()).await;
    let other = StoreOptions {
        pepper: Some(Pepper::from_bytes(&[1; 32]).unwrap()),
        ..StoreOptions::in_dir(dir.path())
    };
    let other = Store::open(other).await.unwrap();
    let answer = other.authenticate(key.expose_secret(), T0).await.unwrap();
    assert_eq!(answer, Authentication::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_apply_once_across_reopens_and_concurrent_opens() {
    let dir = tempfile::tempdir().unwrap();
    let opens = (0..8).map(|_| {
        let path = dir.path().to_owned();
        async move { open(&path).await }
    });
    let stores = futures_join_all(opens).await;
    let (_, key) = stores[0].create_key(new_key("ci"), T0).await.unwrap();
    for store in &stores {
        store.migrate().await.unwrap();
        store.close().await;
    }
    let reopened = open(dir.path()).await;
    reopened.migrate().await.unwrap();
    assert!(is_valid(&reopened, key.expose_secret(), T0).await);

    let mut raw = raw(dir.path()).await;
    let versions: Vec<i64> = sqlx::query("SELECT version FROM warden_schema ORDER BY version")
        .fetch_all(&mut raw)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("version"))
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

/// Runs the futures concurrently on the test's runtime (tasks, so the opens really interleave).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<Store>
where
    F: std::future::Future<Output = Store> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut stores = Vec::new();
    for handle in handles {
        stores.push(handle.await.unwrap());
    }
    stores
}

#[tokio::test]
async fn a_database_from_a_newer_warden_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path()).await.close().await;
    let mut raw = raw(dir.path()).await;
    sqlx::query(
        "INSERT INTO warden_schema (version, name, checksum, applied_at) VALUES (99, 'x', 'y', 0)",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    let error = Store::open(StoreOptions::in_dir(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::SchemaTooNew {
                found: 99,
                known: 4
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_explicit_sqlite_url_is_used_and_its_directory_made() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("elsewhere").join("keys.db");
    let options = StoreOptions {
        url: Some(format!("sqlite://{}", database.display())),
        ..StoreOptions::in_dir(dir.path().join("data"))
    };
    let store = Store::open(options).await.unwrap();
    let (_, key) = store.create_key(new_key("ci"), T0).await.unwrap();
    assert!(database.exists());
    assert!(dir.path().join("data").join(PEPPER_FILE).exists());
    assert!(!dir.path().join("data").join(DATABASE_FILE).exists());
    assert!(is_valid(&store, key.expose_secret(), T0).await);
}

#[tokio::test]
async fn invalid_requests_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut no_roles = new_key("ci");
    no_roles.roles.clear();
    assert!(matches!(
        store.create_key(no_roles, T0).await,
        Err(Error::NoRoles)
    ));
    assert!(matches!(
        store.create_key(new_key(""), T0).await,
        Err(Error::InvalidName)
    ));
    assert!(store.list_keys().await.unwrap().is_empty());
}
