//! Property tests for the default scanner on text full of the characters contact and finance
//! detectors react to: digits, separators, `@`, `.`, `:`, `+`, brackets, letters and Unicode.

use proptest::prelude::*;
use warden_scan::Scanner;

/// Characters that start or continue candidates, plus Unicode that must be handled on char
/// boundaries (multi-byte letters, full-width digits, invisible and exotic space characters).
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,6}",
        2 => "[ .:@/+()\\[\\]%#x-]{1,3}",
        2 => "[a-fA-F]{1,4}",
        1 => "(http|https|ftp|www|bc1|0x|GB82|DE|ext|Tel|phone|card|iban|::ffff|::)",
        1 => "(\\.com|\\.co\\.uk|\\.рф|@example\\.org|\\.py)",
        1 => "[éüßЖж中文ЛΩ]{1,2}",
        1 => "[\u{FF10}-\u{FF19}\u{FF0B}\u{FF0E}\u{200B}\u{00A0}\u{2013}]{1,3}",
        1 => "\\PC{1,3}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn findings_are_sorted_disjoint_and_on_char_boundaries(input in text()) {
        let scanner = Scanner::default();
        let findings = scanner.scan(&input);
        let n_chars = input.chars().count();
        let mut last_end = 0;
        for f in &findings {
            prop_assert!(f.byte_start < f.byte_end, "empty finding {:?}", f);
            prop_assert!(input.is_char_boundary(f.byte_start) && input.is_char_boundary(f.byte_end));
            prop_assert!(f.byte_start >= last_end, "overlap or unsorted: {:?}", findings);
            prop_assert!(f.start < f.end && f.end <= n_chars);
            prop_assert_eq!(input[..f.byte_start].chars().count(), f.start);
            prop_assert_eq!(input[..f.byte_end].chars().count(), f.end);
            prop_assert!((0.0..=1.0).contains(&f.score));
            last_end = f.byte_end;
        }
    }
}

#[test]
fn long_adversarial_runs_stay_fast_and_bounded() {
    let scanner = Scanner::default();
    for unit in [
        "1 ",
        "1-",
        "1.",
        "a:",
        "::",
        "a.",
        "@a.",
        "+1 ",
        "(1)",
        "x@y.z ",
        "http://a.com/",
    ] {
        let input = unit.repeat(50_000);
        let findings = scanner.scan(&input);
        assert!(
            findings.iter().all(|f| f.byte_end - f.byte_start <= 4096),
            "{unit}"
        );
    }
}
