//! The audit chain on SQLite: group-committed appends, and `verify` naming the first bad event for
//! every kind of tampering.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use sqlx::sqlite::SqlitePoolOptions;
mod support;

use support::event;
use warden_store::{AuditEvent, Store, StoreOptions};

async fn store_with(n: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let events: Vec<AuditEvent> = (1..=n).map(event).collect();
    store.append_audit_batch(&events).await.unwrap();
    (dir, store)
}

async fn tamper(dir: &tempfile::TempDir, sql: &'static str) {
    let url = format!("sqlite://{}", dir.path().join("warden.db").display());
    let pool = SqlitePoolOptions::new().connect(&url).await.unwrap();
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_form_one_gap_free_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.append_audit(event(n)).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
    let verification = store.verify_audit().await.unwrap();
    assert_eq!(verification.checked, 200);
    assert_eq!(verification.first_bad, None);
    // A second process (another Store on the same directory) continues the same chain.
    let other = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    assert_eq!(
        other.append_audit_batch(&[event(999)]).await.unwrap(),
        vec![201]
    );
    assert_eq!(store.verify_audit().await.unwrap().checked, 201);
    // The first store's writer remembered tail 200; the other moved it, so the writer's next
    // append must notice (the insert of seq 201 conflicts), re-read the tail and chain after 201.
    assert_eq!(store.append_audit(event(1000)).await.unwrap(), 202);
    // And both keep taking turns while appending at the same time.
    let mut tasks = Vec::new();
    for n in 0..100 {
        let (store, other) = (store.clone(), other.clone());
        tasks.push(tokio::spawn(async move {
            if n % 2 == 0 {
                vec![store.append_audit(event(2000 + n)).await.unwrap()]
            } else {
                other.append_audit_batch(&[event(2000 + n)]).await.unwrap()
            }
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.extend(task.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (203..=302).collect::<Vec<i64>>());
    let verification = other.verify_audit().await.unwrap();
    assert_eq!((verification.checked, verification.first_bad), (302, None));
}

#[tokio::test]
async fn an_empty_trail_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let verification = store.verify_audit().await.unwrap();
    assert_eq!((verification.checked, verification.first_bad), (0, None));
}

#[tokio::test]
async fn every_kind_of_tampering_names_the_first_bad_event() {
    let cases: [(&'static str, i64, &str); 6] = [
        (
            "UPDATE audit_events SET event = replace(event, '\"status\":200', '\"status\":201') WHERE seq = 5",
            5,
            "altered",
        ),
        (
            "UPDATE audit_events SET mac = '00' || substr(mac, 3) WHERE seq = 8",
            8,
            "altered",
        ),
        ("DELETE FROM audit_events WHERE seq = 7", 7, "missing"),
        (
            "UPDATE audit_events SET seq = -seq WHERE seq IN (3, 4); UPDATE audit_events SET seq = 4 WHERE seq = -3; UPDATE audit_events SET seq = 3 WHERE seq = -4",
            3,
            "altered",
        ),
        (
            "INSERT INTO audit_events (seq, time_ms, event, mac) SELECT 11, time_ms, event, mac FROM audit_events WHERE seq = 10",
            11,
            "altered",
        ),
        (
            "UPDATE audit_events SET event = '{\"not\":\"an event\"}' WHERE seq = 2",
            2,
            "not a valid",
        ),
    ];
    for (sql, seq, reason) in cases {
        let (dir, store) = store_with(10).await;
        tamper(&dir, sql).await;
        let verification = store.verify_audit().await.unwrap();
        let bad = verification
            .first_bad
            .unwrap_or_else(|| panic!("not detected: {sql}"));
        assert_eq!(bad.seq, seq, "{sql}: {}", bad.reason);
        assert!(bad.reason.contains(reason), "{sql}: {}", bad.reason);
        assert_eq!(verification.checked as i64, seq - 1);
    }
}

#[tokio::test]
async fn export_filters_by_time_in_order() {
    let (_dir, store) = store_with(20).await;
    let page = store
        .export_audit(0, 1_700_000_000_005, 1_700_000_000_010, 100)
        .await
        .unwrap();
    let seqs: Vec<i64> = page.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, vec![5, 6, 7, 8, 9]);
    let parsed: AuditEvent = serde_json::from_str(&page[0].1).unwrap();
    assert_eq!(parsed, event(5));
}
