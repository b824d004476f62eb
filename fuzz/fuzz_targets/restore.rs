//! Pseudonym restoration on arbitrary text. The input is `values` NUL `answer`: each line of
//! `values` is pseudonymised (placeholders, and fakes for every other line), then `answer` is
//! restored whole and streamed in chunks; both must agree, and an issued placeholder restores to
//! the value it was first issued for (values equal under their type's comparison, such as phone
//! numbers with the same digits, share one).
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use warden_scan::{EntityType, Keys, OperatorKey, PseudonymTable};

const TYPES: [EntityType; 4] = [
    EntityType::Person,
    EntityType::EmailAddress,
    EntityType::PhoneNumber,
    EntityType::Location,
];

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = OperatorKey::from_bytes([7; 32]).ok();
        key.and_then(|key| Keys::derive(&key).ok())
            .unwrap_or_else(|| std::process::abort())
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (values, answer) = text.split_once('\0').unwrap_or((&text, ""));
    let mut table = PseudonymTable::default();
    table.reserve(answer);
    let mut placeholders = HashMap::new();
    for (n, value) in values.lines().take(16).enumerate() {
        let entity = &TYPES[n % TYPES.len()];
        if n % 2 == 0 {
            let placeholder = table.placeholder(entity, value);
            placeholders.entry(placeholder).or_insert(value);
        } else {
            let _ = table.fake(keys(), entity, value);
        }
    }
    let whole = table.restore(answer);
    let mut restorer = table.stream_restorer();
    let mut streamed = String::new();
    let chunk = 1 + answer.len() % 7;
    let mut at = 0;
    while at < answer.len() {
        let mut end = (at + chunk).min(answer.len());
        while !answer.is_char_boundary(end) {
            end += 1;
        }
        streamed.push_str(&restorer.push(&answer[at..end]));
        at = end;
    }
    streamed.push_str(&restorer.finish());
    assert!(
        streamed == whole,
        "streamed restoration differs from whole-text restoration"
    );
    // A placeholder alone between spaces restores to its value.
    for (placeholder, value) in placeholders {
        if value.trim().is_empty() || value.contains(['<', '>']) {
            continue;
        }
        let restored = table.restore(&format!(" {placeholder} "));
        assert!(restored.contains(value), "a placeholder did not restore");
    }
});
