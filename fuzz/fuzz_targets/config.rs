//! Scanner configuration from JSON: deserialising and building never panic; a built scanner scans.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_scan::{Scanner, ScannerConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<ScannerConfig>(data) else {
        return;
    };
    let Ok(scanner) = Scanner::new(&config) else {
        return;
    };
    let text = "Jane Doe, jane.doe@example.com, 4111 1111 1111 1111, SSN 078-05-1120.";
    for finding in scanner.scan(text) {
        assert!(finding.byte_end <= text.len());
        assert!(finding.score >= config.min_score - 0.001);
    }
});
