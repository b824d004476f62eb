//! Data-protection duties in the store (SPEC §8), on SQLite and (with `WARDEN_TEST_PG_URL`) on
//! PostgreSQL: consent and the opt-out, the subject's export, erasure by crypto-shredding (a copy
//! taken before can no longer be decrypted; other subjects untouched; the chain still verifies),
//! incidents with deduplication, and audit retention with a signed checkpoint.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::path::Path;

use warden_store::{
    AuditEvent, Error, MasterKey, NewConversation, NewIncident, Pepper, Store, StoreOptions,
    Timestamp,
};

const T0: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);

fn conversation(subject: &str, n: usize) -> NewConversation {
    NewConversation {
        subject: subject.to_owned(),
        principal: Some("key_0123456789abcdef".to_owned()),
        request_id: format!("req_{subject}_{n}"),
        model: Some("m".to_owned()),
        prompt: format!("[{{\"role\":\"user\",\"content\":\"hello {n} from {subject}\"}}]"),
        answer: format!("hi {subject}"),
    }
}

fn subject_event(store: &Store, subject: &str, n: u64) -> AuditEvent {
    AuditEvent {
        subject: Some(store.subject_ref(subject)),
        ..support::event(n)
    }
}

/// Where a test's store lives: SQLite in a directory, or PostgreSQL (data and keyring databases).
#[derive(Clone)]
enum Backend {
    Sqlite,
    Postgres { url: String, keyring: String },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    fn options(&self, dir: &Path, master: &MasterKey) -> StoreOptions {
        match self {
            Backend::Sqlite => StoreOptions {
                master_key: Some(master.clone()),
                ..StoreOptions::in_dir(dir.join("sqlite"))
            },
            Backend::Postgres { url, keyring } => StoreOptions {
                url: Some(url.clone()),
                keyring_url: Some(keyring.clone()),
                pepper: Some(Pepper::from_bytes(&[9; 32]).unwrap()),
                master_key: Some(master.clone()),
                ..StoreOptions::in_dir(dir.join("pg"))
            },
        }
    }
}

/// Both backends: SQLite, and PostgreSQL when the test server is there.
async fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    match warden_testkit::postgres::fresh_database("warden_privacy").await {
        Some(url) => {
            let keyring = warden_testkit::postgres::fresh_database("warden_privacy_keys")
                .await
                .unwrap();
            all.push(Backend::Postgres { url, keyring });
        }
        None => eprintln!("PostgreSQL part skipped: WARDEN_TEST_PG_URL is not set"),
    }
    all
}

#[tokio::test]
async fn consent_export_and_erasure_by_crypto_shredding() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    for which in backends().await {
        let backend = which.name();
        let store = Store::open(which.options(dir.path(), &master))
            .await
            .unwrap();
        // Two subjects with conversations, consent, an opt-out, audit events and an incident.
        for n in 0..3 {
            store
                .save_conversation(conversation("alice", n), T0, None)
                .await
                .unwrap();
        }
        store
            .save_conversation(conversation("bob", 0), T0, None)
            .await
            .unwrap();
        store
            .set_consent("alice", "analytics", true, T0)
            .await
            .unwrap();
        store
            .set_consent("alice", "marketing", true, T0)
            .await
            .unwrap();
        store
            .set_consent("alice", "marketing", false, T0)
            .await
            .unwrap();
        store.set_do_not_share("alice", true, T0).await.unwrap();
        assert!(matches!(
            store.set_consent("alice", "bad purpose!", true, T0).await,
            Err(Error::InvalidPurpose)
        ));
        store
            .append_audit_batch(&[
                subject_event(&store, "alice", 1),
                subject_event(&store, "bob", 2),
                subject_event(&store, "alice", 3),
            ])
            .await
            .unwrap();
        store
            .record_incident(
                NewIncident {
                    kind: "output_leak_blocked".into(),
                    severity: "high".into(),
                    summary: "a secret was removed from an answer".into(),
                    principals: vec!["key_0123456789abcdef".into()],
                    subjects: vec!["alice".into()],
                    request_ids: vec!["req_1".into()],
                    dedup: None,
                },
                T0,
            )
            .await
            .unwrap();

        // Export: everything about alice, nothing about bob.
        let export = store.export_subject("alice", T0).await.unwrap();
        assert_eq!(export.subject_ref, store.subject_ref("alice"));
        assert_eq!(export.conversations.len(), 3, "{backend}");
        assert!(export.conversations.iter().all(|c| c.answer == "hi alice"));
        let consents: Vec<(&str, bool)> = export
            .consents
            .iter()
            .map(|c| (c.purpose.as_str(), c.granted))
            .collect();
        assert_eq!(consents, [("analytics", true), ("marketing", false)]);
        assert!(export.do_not_share);
        let seqs: Vec<i64> = export.audit_events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 3], "{backend}");
        assert_eq!(export.incidents.len(), 1);
        let text = serde_json::to_string(&export).unwrap();
        assert!(!text.contains("hi bob"));
        // An unknown subject: an empty export, not an error; odd ids are just ids.
        for unknown in ["nobody", "\u{0}<script>", &"x".repeat(10_000)] {
            let empty = store.export_subject(unknown, T0).await.unwrap();
            assert!(empty.conversations.is_empty() && empty.consents.is_empty());
            assert!(empty.audit_events.is_empty() && empty.incidents.is_empty());
            assert!(!empty.do_not_share);
        }

        // A copy of everything taken before the erasure (SQLite: the files).
        let copy = dir.path().join(format!("{backend}-copy"));
        if backend == "sqlite" {
            std::fs::create_dir_all(&copy).unwrap();
            for entry in std::fs::read_dir(dir.path().join("sqlite")).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
            }
        }

        let erased = store.erase_subject("alice").await.unwrap();
        assert!(erased.key_destroyed);
        assert_eq!(erased.conversations, 3);
        assert_eq!(erased.consents, 3, "two consents and the settings row");
        let after = store.export_subject("alice", T0).await.unwrap();
        assert!(after.conversations.is_empty() && after.consents.is_empty());
        assert!(!after.do_not_share);
        // Erasing twice is harmless.
        let again = store.erase_subject("alice").await.unwrap();
        assert!(!again.key_destroyed);
        assert_eq!((again.conversations, again.consents), (0, 0));
        // Bob is untouched; the chain still verifies.
        assert_eq!(store.conversations_of("bob").await.unwrap().len(), 1);
        let verification = store.verify_audit().await.unwrap();
        assert_eq!(verification.first_bad, None);
        assert_eq!(verification.checked, 3);
        store.close().await;

        if backend == "sqlite" {
            // The old data database beside today's keyring: alice's rows are there, unreadable.
            let keyring_now = dir.path().join("sqlite").join(warden_store::KEYRING_FILE);
            std::fs::copy(&keyring_now, copy.join(warden_store::KEYRING_FILE)).unwrap();
            for suffix in ["-wal", "-shm"] {
                let from = dir
                    .path()
                    .join("sqlite")
                    .join(format!("{}{suffix}", warden_store::KEYRING_FILE));
                let to = copy.join(format!("{}{suffix}", warden_store::KEYRING_FILE));
                let _ = std::fs::remove_file(&to);
                if from.exists() {
                    std::fs::copy(&from, &to).unwrap();
                }
            }
            let restored = Store::open(StoreOptions {
                master_key: Some(master.clone()),
                ..StoreOptions::in_dir(&copy)
            })
            .await
            .unwrap();
            let error = restored.conversations_of("alice").await.unwrap_err();
            assert!(matches!(error, Error::Decrypt { .. }), "{error}");
            assert_eq!(restored.conversations_of("bob").await.unwrap().len(), 1);
            restored.close().await;
        }
    }
}

#[tokio::test]
async fn incidents_are_listed_by_time_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    for which in backends().await {
        let backend = which.name();
        let store = Store::open(which.options(dir.path(), &master))
            .await
            .unwrap();
        let broken = |n: i64| NewIncident {
            kind: "audit_chain_broken".into(),
            severity: "critical".into(),
            summary: format!("the audit chain breaks at event {n}"),
            dedup: Some(format!("audit_chain_broken:{n}")),
            ..NewIncident::default()
        };
        assert!(
            store
                .record_incident(broken(7), T0)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .record_incident(broken(7), T0)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        let later = Timestamp::from_unix_millis(T0.unix_millis() + 1_000);
        let second = store
            .record_incident(broken(9), later)
            .await
            .unwrap()
            .unwrap();
        assert!(second.id.starts_with("inc_"));
        let all = store
            .incidents(Timestamp::from_unix_millis(0), None)
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].summary.ends_with('7'));
        let recent = store.incidents(later, None).await.unwrap();
        assert_eq!(recent.len(), 1);
        store.close().await;
    }
}

#[tokio::test]
async fn purging_the_head_of_the_audit_trail_leaves_a_signed_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate().unwrap();
    for which in backends().await {
        let backend = which.name();
        let store = Store::open(which.options(dir.path(), &master))
            .await
            .unwrap();
        let events: Vec<AuditEvent> = (1..=100).map(support::event).collect();
        store.append_audit_batch(&events).await.unwrap();
        // Events 1..=40 are older than the cut.
        let cut = Timestamp::from_unix_millis(support::event(41).time_ms);
        let purge = store.purge_audit(cut, T0).await.unwrap();
        assert_eq!(
            (purge.deleted, purge.checkpoint_seq),
            (40, Some(40)),
            "{backend}"
        );
        let verification = store.verify_audit().await.unwrap();
        assert_eq!(verification.first_bad, None, "{backend}");
        assert_eq!(
            (verification.checked, verification.last_seq),
            (60, Some(100))
        );
        // Appends continue the chain; a second purge moves the checkpoint.
        store.append_audit(support::event(101)).await.unwrap();
        let purge = store
            .purge_audit(Timestamp::from_unix_millis(support::event(51).time_ms), T0)
            .await
            .unwrap();
        assert_eq!(purge.deleted, 10);
        assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
        // Everything old: the tail event stays (the next append chains from it).
        let purge = store
            .purge_audit(Timestamp::from_unix_millis(i64::MAX), T0)
            .await
            .unwrap();
        assert_eq!(purge.deleted, 50);
        store.append_audit(support::event(102)).await.unwrap();
        let verification = store.verify_audit().await.unwrap();
        assert_eq!(verification.first_bad, None);
        assert_eq!(
            (verification.checked, verification.last_seq),
            (2, Some(102))
        );
        // Nothing to purge: nothing happens.
        let none = store
            .purge_audit(Timestamp::from_unix_millis(0), T0)
            .await
            .unwrap();
        assert_eq!(none.deleted, 0);
        store.close().await;

        if backend == "sqlite" {
            // A forged checkpoint (moved forward to hide events) is named by verify.
            let db = dir.path().join("sqlite").join(warden_store::DATABASE_FILE);
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            sqlx::raw_sql("UPDATE audit_checkpoints SET purged_before_ms = purged_before_ms - 1")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let store = Store::open(which.options(dir.path(), &master))
                .await
                .unwrap();
            let verification = store.verify_audit().await.unwrap();
            let bad = verification
                .first_bad
                .expect("a forged checkpoint is found");
            assert!(bad.reason.contains("checkpoint"), "{}", bad.reason);
            store.close().await;
        }
    }
}
