//! The store on a real PostgreSQL server (SPEC §7, §14): the same migrations, keys and audit chain
//! as on SQLite, shared by several replicas. Each test gets a database of its own on the server
//! named by `WARDEN_TEST_PG_URL` (`./scripts/test` starts one on loopback); without it the tests
//! say so and pass.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use sqlx::Row;
use sqlx::postgres::PgPoolOptions;
use support::event;
use warden_store::{
    AuditEvent, Authentication, Error, KeyLimits, NewKey, Pepper, RevokeOutcome, Role, Store,
    StoreOptions, Timestamp,
};

const T0: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);

/// A new, empty database on the test server, as a URL; `None` (with a message) without a server.
async fn fresh_database() -> Option<String> {
    let url = warden_testkit::postgres::fresh_database("warden_store").await;
    if url.is_none() {
        eprintln!("skipped: WARDEN_TEST_PG_URL is not set (./scripts/test sets it)");
    }
    url
}

/// A replica: its own handle (and pool) on the shared database, with the shared pepper.
async fn replica(url: &str, dir: &tempfile::TempDir) -> Store {
    Store::open(StoreOptions {
        url: Some(url.to_owned()),
        pepper: Some(Pepper::from_bytes(&[7; 32]).unwrap()),
        ..StoreOptions::in_dir(dir.path())
    })
    .await
    .unwrap()
}

fn new_key(name: &str) -> NewKey {
    NewKey {
        name: name.to_owned(),
        roles: vec![Role::parse("user").unwrap()],
        expires_at: Some(Timestamp::from_unix_millis(T0.unix_millis() + 60_000)),
        allowed_models: Some(vec!["gpt-4o-mini".to_owned()]),
        limits: KeyLimits {
            requests_per_minute: Some(60),
            ..KeyLimits::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_made_on_one_replica_authenticate_and_revoke_on_another() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = replica(&url, &dir).await;
    let second = replica(&url, &dir).await;
    let (record, key) = first.create_key(new_key("ci"), T0).await.unwrap();
    match second.authenticate(key.expose_secret(), T0).await.unwrap() {
        Authentication::Valid(found) => assert_eq!(found, record),
        other => panic!("{other:?}"),
    }
    let listed = second.list_keys().await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&record));

    // Revoked on the second replica: the first sees it on its very next call (no cache).
    let outcome = second.revoke_key(&record.id, T0).await.unwrap();
    assert_eq!(outcome, RevokeOutcome::Revoked { at: T0 });
    assert_eq!(
        first.authenticate(key.expose_secret(), T0).await.unwrap(),
        Authentication::Revoked
    );
    let again = first
        .revoke_key(
            &record.id,
            Timestamp::from_unix_millis(T0.unix_millis() + 5),
        )
        .await
        .unwrap();
    assert_eq!(again, RevokeOutcome::AlreadyRevoked { at: T0 });

    // Expiry and unknown keys behave as on SQLite.
    let (_, later) = first.create_key(new_key("later"), T0).await.unwrap();
    let after_expiry = Timestamp::from_unix_millis(T0.unix_millis() + 60_000);
    assert_eq!(
        second
            .authenticate(later.expose_secret(), after_expiry)
            .await
            .unwrap(),
        Authentication::Expired
    );
    let forged = format!("wdn_{}", "A".repeat(43));
    assert_eq!(
        second.authenticate(&forged, T0).await.unwrap(),
        Authentication::Unknown
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_appending_at_once_build_one_gap_free_chain() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let replicas = [replica(&url, &dir).await, replica(&url, &dir).await];
    let mut tasks = Vec::new();
    for n in 0..300u64 {
        let store = replicas[(n % 2) as usize].clone();
        tasks.push(tokio::spawn(async move {
            store.append_audit(event(n)).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=300).collect::<Vec<i64>>());
    for store in &replicas {
        let verification = store.verify_audit().await.unwrap();
        assert_eq!(verification.checked, 300);
        assert!(verification.first_bad.is_none(), "{verification:?}");
    }
    let page = replicas[0]
        .export_audit(0, 1_700_000_000_010, 1_700_000_000_020, 1_000)
        .await
        .unwrap();
    assert_eq!(page.len(), 10);
}

#[tokio::test]
async fn tampering_on_postgres_names_the_first_bad_event() {
    let cases: [(&str, i64, &str); 4] = [
        (
            "UPDATE audit_events SET event = replace(event, '\"status\":200', '\"status\":500') WHERE seq = 4",
            4,
            "altered",
        ),
        ("DELETE FROM audit_events WHERE seq = 6", 6, "missing"),
        (
            "UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3); UPDATE audit_events SET seq = 3 WHERE seq = -2; UPDATE audit_events SET seq = 2 WHERE seq = -3",
            2,
            "altered",
        ),
        (
            "INSERT INTO audit_events (seq, time_ms, event, mac) SELECT 9, time_ms, event, mac FROM audit_events WHERE seq = 8",
            9,
            "altered",
        ),
    ];
    for (sql, seq, reason) in cases {
        let Some(url) = fresh_database().await else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = replica(&url, &dir).await;
        let events: Vec<AuditEvent> = (1..=8).map(event).collect();
        store.append_audit_batch(&events).await.unwrap();
        let raw = PgPoolOptions::new().connect(&url).await.unwrap();
        sqlx::raw_sql(sql).execute(&raw).await.unwrap();
        raw.close().await;
        let verification = store.verify_audit().await.unwrap();
        let bad = verification
            .first_bad
            .unwrap_or_else(|| panic!("not detected: {sql}"));
        assert_eq!(bad.seq, seq, "{sql}: {}", bad.reason);
        assert!(bad.reason.contains(reason), "{sql}: {}", bad.reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_together_apply_each_migration_once() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut opens = Vec::new();
    for _ in 0..6 {
        let url = url.clone();
        let path = dir.path().to_owned();
        opens.push(tokio::spawn(async move {
            Store::open(StoreOptions {
                url: Some(url),
                pepper: Some(Pepper::from_bytes(&[7; 32]).unwrap()),
                ..StoreOptions::in_dir(path)
            })
            .await
            .unwrap()
        }));
    }
    for open in opens {
        let store = open.await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
    }
    let raw = PgPoolOptions::new().connect(&url).await.unwrap();
    let versions: Vec<i64> = sqlx::query("SELECT version FROM warden_schema ORDER BY version")
        .fetch_all(&raw)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("version"))
        .collect();
    let expected: Vec<i64> = (1..=versions.len() as i64).collect();
    assert!(!versions.is_empty());
    assert_eq!(versions, expected, "each migration recorded once, in order");
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let error = Store::open(StoreOptions {
        url: Some("postgres://warden:hunter2@127.0.0.1:1/warden".to_owned()),
        pepper: Some(Pepper::from_bytes(&[7; 32]).unwrap()),
        ..StoreOptions::in_dir(dir.path())
    })
    .await
    .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::Connect { .. }), "{message}");
    assert_eq!(
        message,
        "cannot connect to PostgreSQL at 127.0.0.1:1/warden"
    );
    let chain = format!("{error:?}");
    assert!(!chain.contains("hunter2"), "{chain}");
}
