//! Any bytes, read as (lossy) UTF-8: scanning never panics, and findings are sorted, disjoint, in
//! bounds, on character boundaries, with code point offsets that match the byte offsets.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use warden_scan::{Finding, Scanner};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(Scanner::default)
}

fn check(text: &str, findings: &[Finding]) {
    let mut last_end = 0;
    for finding in findings {
        assert!(finding.byte_start < finding.byte_end);
        assert!(
            finding.byte_start >= last_end,
            "findings overlap or are unsorted"
        );
        assert!(finding.byte_end <= text.len());
        assert!(text.is_char_boundary(finding.byte_start));
        assert!(text.is_char_boundary(finding.byte_end));
        assert_eq!(finding.start, text[..finding.byte_start].chars().count());
        assert_eq!(finding.end, text[..finding.byte_end].chars().count());
        assert!((0.0..=1.0).contains(&finding.score));
        last_end = finding.byte_end;
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let findings = scanner().scan(&text);
    check(&text, &findings);
});
