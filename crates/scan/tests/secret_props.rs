//! Property: on any text, and in particular on texts dense in the characters secret parsers look at
//! (`=`, `:`, quotes, base64, hex, key words, token prefixes, PEM markers, other scripts), the default
//! scanner does not panic and returns findings that are sorted, do not overlap, lie on character
//! boundaries, and agree in code points and bytes.

use proptest::prelude::*;
use warden_scan::{EntityType, Scanner};

const FRAGMENTS: &[&str] = &[
    "=",
    ":",
    ":=",
    "=>",
    "==",
    "\"",
    "'",
    "`",
    " ",
    "  ",
    "\n",
    "\\n",
    "\t",
    ";",
    ",",
    "&",
    "?",
    "@",
    "/",
    "//",
    "://",
    "-",
    "--",
    "_",
    ".",
    "~",
    "|",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "{{",
    "${",
    "<",
    ">",
    "#",
    "*",
    "password",
    "Password",
    "PASSWORD",
    "pwd",
    "_pw",
    "secret",
    "key",
    "Key",
    "token",
    "auth",
    "Authorization: Bearer ",
    "Basic ",
    "credentials",
    "api_key",
    "apikey",
    "AccountKey=",
    "Server=db;Password=",
    "curl ",
    " -u ",
    " --user ",
    "is ",
    "https://",
    "postgres://",
    "hooks.slack.com/services/",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9",
    "ghp_",
    "github_pat_",
    "xox",
    "xoxb-",
    "xoxe.xoxp-1-",
    "AKIA",
    "A3T",
    "sk-",
    "sk-ant-api03-",
    "sk-proj-",
    "sk_live_",
    "AIzaSy",
    "glpat-",
    "hf_",
    "npm_",
    "pypi-AgEIcHlwaS5vcmc",
    "SG.",
    "dapi",
    "hvs.",
    ".atlasv1.",
    "_mmk",
    "AKC",
    "AP6",
    "SK",
    "AC",
    "Q~",
    "8Q~",
    ":AA",
    "-us1",
    "s.",
    "0",
    "1",
    "7",
    "9",
    "a",
    "f",
    "Z",
    "x",
    "xxxx",
    "XXXX",
    "deadbeef",
    "0123456789abcdef",
    "QmVkcm9ja0FQSUtleS1",
    "Zm9vYmFy==",
    "é",
    "ñ",
    "密钥",
    "🔑",
    "\u{200B}",
    "\u{301}",
    "\u{FEFF}",
    "Ａ",
    "１",
    "\u{E0041}",
    "ﬁ",
];

fn fragment_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
            2 => "[A-Za-z0-9+/=_-]{1,48}",
            1 => "[0-9a-f]{8,64}",
            1 => any::<String>(),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

fn check_findings(scanner: &Scanner, text: &str) -> Result<(), TestCaseError> {
    let findings = scanner.scan(text);
    let mut last_end = 0usize;
    let mut last_byte_end = 0usize;
    for f in &findings {
        prop_assert!(f.start < f.end, "empty finding {f:?}");
        prop_assert!(f.byte_start < f.byte_end);
        prop_assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end));
        prop_assert!(f.byte_end <= text.len());
        prop_assert!(f.start >= last_end, "overlap or unsorted: {findings:?}");
        prop_assert!(f.byte_start >= last_byte_end);
        prop_assert_eq!(text[..f.byte_start].chars().count(), f.start);
        prop_assert_eq!(text[..f.byte_end].chars().count(), f.end);
        prop_assert!(!f.value(text).is_empty());
        prop_assert!((0.0..=1.0).contains(&f.score));
        if f.entity_type == EntityType::Secret {
            prop_assert!(f.subtype.is_some());
        }
        last_end = f.end;
        last_byte_end = f.byte_end;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn findings_are_well_formed_on_secret_like_text(text in fragment_text()) {
        check_findings(scanner(), &text)?;
    }

    #[test]
    fn findings_are_well_formed_on_any_text(text in any::<String>()) {
        check_findings(scanner(), &text)?;
    }
}

fn scanner() -> &'static Scanner {
    static SCANNER: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
    SCANNER.get_or_init(Scanner::default)
}

/// 2000 cases by default; `PROPTEST_CASES` raises it for a longer soak.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}
