//! How fast `verify_audit` walks the chain: appends N events (default 200,000) to a fresh store in
//! a temporary directory, then times a full verification.
//!
//! `cargo run --release -p warden-store --example audit_verify -- 1000000`

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use warden_store::{AuditEvent, Store, StoreOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(200_000, |n| n.parse().expect("a number"));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..n {
        batch.push(AuditEvent {
            v: 1,
            time_ms: 1_700_000_000_000 + i as i64,
            request_id: format!("req_{i:032x}"),
            principal: Some("key_0123456789abcdef".to_owned()),
            action: "chat".to_owned(),
            route: Some("/v1/chat/completions".to_owned()),
            model: Some("gpt-4o-mini".to_owned()),
            upstream: Some("openai".to_owned()),
            decision: "allowed".to_owned(),
            status: 200,
            entities_in: BTreeMap::from([
                ("EMAIL_ADDRESS".to_owned(), 1),
                ("PERSON".to_owned(), 2),
            ]),
            entities_out: BTreeMap::from([("PERSON".to_owned(), 2)]),
            latency_us: 640,
            ..AuditEvent::default()
        });
        if batch.len() == 5_000 {
            store.append_audit_batch(&batch).await.unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.append_audit_batch(&batch).await.unwrap();
    }
    let appended = started.elapsed();
    let started = Instant::now();
    let verification = store.verify_audit().await.unwrap();
    let verified = started.elapsed();
    assert_eq!(verification.checked, n);
    assert!(verification.first_bad.is_none());
    println!(
        "{n} events: appended in {:.1} s ({:.0}/s), verified in {:.2} s ({:.0} events/s, {:.1} s per million)",
        appended.as_secs_f64(),
        n as f64 / appended.as_secs_f64(),
        verified.as_secs_f64(),
        n as f64 / verified.as_secs_f64(),
        verified.as_secs_f64() * 1e6 / n as f64,
    );
}
