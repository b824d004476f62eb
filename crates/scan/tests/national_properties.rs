//! Property tests: scanning any text never panics and returns well-formed findings, with the national
//! identifier detectors' favourite inputs (digit groups, letters, separators, look-alike Unicode) mixed
//! in.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use warden_scan::{Finding, Scanner, ScannerConfig};

/// Asserts the scanner's output contract on `text`.
fn assert_well_formed(text: &str, findings: &[Finding]) {
    let mut previous_end = 0;
    for finding in findings {
        assert!(
            finding.byte_start < finding.byte_end,
            "empty finding {finding:?}"
        );
        assert!(text.is_char_boundary(finding.byte_start), "{finding:?}");
        assert!(text.is_char_boundary(finding.byte_end), "{finding:?}");
        assert!(finding.byte_end <= text.len());
        assert!(
            finding.byte_start >= previous_end,
            "overlap or unsorted at {finding:?}"
        );
        previous_end = finding.byte_end;
        // Code point offsets agree with byte offsets.
        assert_eq!(finding.start, text[..finding.byte_start].chars().count());
        assert_eq!(finding.end, text[..finding.byte_end].chars().count());
        assert!((0.0..=1.0).contains(&finding.score));
    }
}

/// Pieces that identifiers are made of, and pieces that look like them.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,14}",
        "[A-Za-z]{1,4}",
        "[A-Z]{1,3}[0-9]{1,9}[A-Z]{0,3}",
        "[ \\-./:_+,;()\n]",
        Just("０７８－０５－１１２３".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("여권".to_owned()),
        Just("é".to_owned()),
        Just("🙂".to_owned()),
        Just("SSN".to_owned()),
        Just("DE".to_owned()),
        Just("HRB".to_owned()),
        any::<char>().prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(piece(), 0..24).prop_map(|pieces| pieces.concat()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn default_scanner_returns_well_formed_findings(text in text()) {
        let findings = Scanner::default().scan(&text);
        assert_well_formed(&text, &findings);
    }

    #[test]
    fn every_candidate_scanner_returns_well_formed_findings(text in text()) {
        let scanner = Scanner::new(&ScannerConfig { min_score: 0.0, ..ScannerConfig::default() }).unwrap();
        let findings = scanner.scan(&text);
        assert_well_formed(&text, &findings);
    }
}
