//! What the store's test files share.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use warden_store::AuditEvent;

/// The `n`th event of a test chain: distinct request id, time and counts.
pub fn event(n: u64) -> AuditEvent {
    AuditEvent {
        v: 1,
        time_ms: 1_700_000_000_000 + n as i64,
        request_id: format!("req_{n}"),
        principal: Some("key_0123456789abcdef".to_owned()),
        action: "chat".to_owned(),
        route: Some("/v1/chat/completions".to_owned()),
        model: Some("gpt-4o-mini".to_owned()),
        decision: "allowed".to_owned(),
        status: 200,
        entities_in: BTreeMap::from([("PERSON".to_owned(), n)]),
        latency_us: 420,
        ..AuditEvent::default()
    }
}
