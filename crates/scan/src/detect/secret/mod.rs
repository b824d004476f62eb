//! Secrets: provider tokens, private keys, JWTs, credentials in URLs and commands, and values
//! assigned to keys that name a secret (`password = …`, `"api_key": …`).
//!
//! Two linear passes, both cheap on prose:
//! 1. An Aho-Corasick automaton, built once, finds *key words* in three spellings (`password`,
//!    `Password`, `PASSWORD`, …), a few provider names used as keys, and *markers* (`://`,
//!    `-----BEGIN`, `Q~`, ` -u`, `_mmk`). The set stays under 64 patterns so the automaton's SIMD
//!    prefilter applies: it skips prose at several GB/s. Each hit hands its position to a
//!    hand-written parser; most hits in prose are rejected after a byte or two.
//! 2. The document's words (runs of letters and digits, lexed once for every detector) are walked
//!    once: a word that starts a provider prefix (`ghp` + `_`, `xoxb` + `-`, `AKIA…`, `eyJ…`) is
//!    parsed as that token; other formats are recognised by shape (Discord, Twilio, Telegram …).
//!    Prose words are short and followed by a space, so almost all are dismissed on two checks.
//!
//! Token prefixes are not in the automaton (except `_mmk`, which ends its token) because they start
//! with nearly every letter: a 148-pattern automaton ran at about 600 MB/s on chat texts, the
//! 54-pattern one at 3 GB/s.
//!
//! Locality (the stream scanner relies on it): a finding spans at most [`MAX_SPAN_BYTES`] and its
//! parser looks at most [`LOOK_BEHIND`] bytes before it and a bounded distance after it, except a
//! PEM private key, which runs from its `BEGIN` line to its `END` line (or, if that is missing, to
//! the end of the base64 body that follows).
//!
//! Submodules: [`value`] (what a secret looks like), [`token`] (prefix formats), [`shape`] (the word
//! pass), [`keyword`] (assignments), [`slot`] (keys that name a provider credential), [`url`]
//! (credentials and secrets in URLs), [`http`] (Authorization headers, `curl -u`), [`pem`], [`jwt`].

mod http;
mod jwt;
mod keyword;
mod pem;
mod shape;
mod slot;
pub(crate) mod token;
mod url;
pub(crate) mod value;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::detect::{Detector, MAX_SPAN_BYTES, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

pub(crate) use token::subtype;

/// How far before a finding any secret parser looks (key names, `curl`, the id before `.atlasv1.`).
pub(crate) const LOOK_BEHIND: usize = 200;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    match Secrets::new() {
        Some(secrets) => vec![Box::new(secrets)],
        // The pattern set is static and a unit test builds it, so this cannot happen in practice;
        // scanning must still never fail.
        None => Vec::new(),
    }
}

/// What a trigger found by the automaton is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    /// A word that names a secret, or a provider whose credentials sit in named slots.
    Keyword,
    /// `://`: a URL that may carry credentials or be a secret itself (webhooks).
    Scheme,
    /// `-----BEGIN`.
    Pem,
    /// A digit and `Q~`: the fixed middle of Azure AD client secrets.
    AzureSecret,
    /// ` -u` or `--u(ser)`: credentials on a curl command line.
    CurlUser,
    /// A token format whose marker ends the token instead of starting it (`…_mmk`); the index is
    /// into [`token::FORMATS`].
    Suffix(usize),
}

/// Key words, each in lower, capitalised and upper case: identifiers are written `db_password`,
/// `dbPassword` and `DB_PASSWORD`, and anything else is rare enough to leave. Every pattern has at
/// least three bytes, which lets the automaton's prefilter match on three-byte fingerprints.
const KEY_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "creds",
];

/// Other triggers of key names: `pw` only after an underscore (`clou_pw`; a bare `pw` is too short
/// to search for), and provider names whose credentials live in slots without a generic key word
/// (`SONAR_LOGIN`, `SUMO_ACCESS_ID`, `MessageBirdClientID`, `sourcegraph: …`).
const OTHER_KEY_TRIGGERS: &[&str] = &[
    "_pw",
    "_PW",
    "sonar",
    "Sonar",
    "SONAR",
    "sumo",
    "Sumo",
    "SUMO",
    "CONTRIBSYS",
    "messagebird",
    "MessageBird",
    "MESSAGEBIRD",
    "sourcegraph",
    "clou",
];

/// Markers.
const MARKERS: &[(&str, Trigger)] = &[
    ("://", Trigger::Scheme),
    ("-----BEGIN", Trigger::Pem),
    (" -u", Trigger::CurlUser),
    ("\t-u", Trigger::CurlUser),
    ("--u", Trigger::CurlUser),
];

/// The secret detectors, sharing one trigger search and one prefix index.
#[derive(Debug)]
pub(crate) struct Secrets {
    triggers_search: TriggerSearch,
    triggers: Vec<Trigger>,
    prefixes: token::PrefixIndex,
}

/// Finds the triggers, leftmost first, without overlaps.
///
/// Teddy (SIMD over three-byte fingerprints, then a check of the few patterns in the bucket) where
/// the CPU has it: an automaton would walk byte by byte through most of an English text, whose
/// letters nearly all start some key word, and cost as much as lexing it. Elsewhere a DFA, with the
/// same matches.
#[derive(Debug)]
enum TriggerSearch {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl TriggerSearch {
    fn new(patterns: &[String]) -> Option<TriggerSearch> {
        TriggerSearch::packed(patterns).or_else(|| TriggerSearch::automaton(patterns))
    }

    fn packed(patterns: &[String]) -> Option<TriggerSearch> {
        aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(patterns)
            .build()
            .map(TriggerSearch::Packed)
    }

    fn automaton(patterns: &[String]) -> Option<TriggerSearch> {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(patterns)
            .ok()
            .map(TriggerSearch::Automaton)
    }

    /// Each match as (start, end, pattern index).
    fn find_iter<'h>(&'h self, haystack: &'h [u8]) -> TriggerMatches<'h> {
        match self {
            TriggerSearch::Packed(searcher) => TriggerMatches::Packed(searcher.find_iter(haystack)),
            TriggerSearch::Automaton(automaton) => {
                TriggerMatches::Automaton(automaton.find_iter(haystack))
            }
        }
    }
}

/// The matches of a [`TriggerSearch`].
enum TriggerMatches<'h> {
    Packed(aho_corasick::packed::FindIter<'h, 'h>),
    Automaton(aho_corasick::FindIter<'h, 'h>),
}

impl Iterator for TriggerMatches<'_> {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<(usize, usize, usize)> {
        let found = match self {
            TriggerMatches::Packed(matches) => matches.next()?,
            TriggerMatches::Automaton(matches) => matches.next()?,
        };
        Some((found.start(), found.end(), found.pattern().as_usize()))
    }
}

impl Secrets {
    fn new() -> Option<Secrets> {
        let (patterns, triggers) = patterns();
        Some(Secrets {
            triggers_search: TriggerSearch::new(&patterns)?,
            triggers,
            prefixes: token::PrefixIndex::new(),
        })
    }
}

fn patterns() -> (Vec<String>, Vec<Trigger>) {
    let mut patterns = Vec::new();
    let mut triggers = Vec::new();
    for word in KEY_WORDS {
        let mut capital = word.to_string();
        capital[..1].make_ascii_uppercase();
        for spelling in [word.to_string(), capital, word.to_ascii_uppercase()] {
            patterns.push(spelling);
            triggers.push(Trigger::Keyword);
        }
    }
    for word in OTHER_KEY_TRIGGERS {
        patterns.push((*word).to_owned());
        triggers.push(Trigger::Keyword);
    }
    for (marker, trigger) in MARKERS {
        patterns.push((*marker).to_owned());
        triggers.push(*trigger);
    }
    for digit in b'0'..=b'9' {
        patterns.push(format!("{}Q~", char::from(digit)));
        triggers.push(Trigger::AzureSecret);
    }
    for (i, format) in token::FORMATS.iter().enumerate() {
        if format.prefix == "_mmk" {
            patterns.push(format.prefix.to_owned());
            triggers.push(Trigger::Suffix(i));
        }
    }
    (patterns, triggers)
}

/// Where parsers put findings; keeps spans on character boundaries and within the length limit.
pub(crate) struct Out<'d, 's, 'a> {
    doc: &'d Doc<'a>,
    sink: &'d mut Sink<'s>,
    /// Findings end here or before: triggers inside an accepted token are not parsed again.
    covered_until: usize,
    /// Values already judged as the value of a key, reported or not, in order: the detector for
    /// unkeyed strings leaves them alone (`public_key = "…"` stays unreported).
    judged: Vec<(usize, usize)>,
    /// Spans of the first pass's whole-token findings (private keys, URLs), in order: the word pass
    /// does not look inside them.
    covered: Vec<(usize, usize)>,
}

impl Out<'_, '_, '_> {
    pub(crate) fn emit(
        &mut self,
        start: usize,
        end: usize,
        subtype: &'static str,
        score: f32,
        detector: &'static str,
    ) {
        let text = self.doc.text;
        if start >= end || end > text.len() {
            return;
        }
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return;
        }
        if end - start > MAX_SPAN_BYTES && subtype != subtype::PRIVATE_KEY {
            return;
        }
        self.sink.push_secret(start, end, subtype, score, detector);
    }

    /// Marks `start..end` as one token: triggers and words inside it are not parsed again.
    pub(crate) fn cover(&mut self, start: usize, end: usize) {
        self.covered_until = self.covered_until.max(end);
        self.covered.push((start, end));
    }

    /// Records that `start..end` was judged as a key's value.
    pub(crate) fn judged(&mut self, start: usize, end: usize) {
        self.judged.push((start, end));
    }

    /// True if `start..end` overlaps a value judged as a key's value.
    pub(crate) fn was_judged(&self, start: usize, end: usize) -> bool {
        let at = self.judged.partition_point(|&(_, e)| e <= start);
        self.judged.get(at).is_some_and(|&(s, _)| s < end)
    }
}

impl Detector for Secrets {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::Secret]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !sink.wants(&EntityType::Secret) {
            return;
        }
        let bytes = doc.bytes;
        let mut out = Out {
            doc,
            sink,
            covered_until: 0,
            judged: Vec::new(),
            covered: Vec::new(),
        };
        let mut keywords = keyword::State::default();
        let mut pem = pem::State::default();
        for (at, end, pattern) in self.triggers_search.find_iter(bytes) {
            if at < out.covered_until {
                continue;
            }
            let Some(&trigger) = self.triggers.get(pattern) else {
                continue;
            };
            match trigger {
                Trigger::Keyword => keyword::at_keyword(&mut out, &mut keywords, at, end),
                Trigger::Scheme => url::at_scheme(&mut out, at),
                Trigger::Pem => pem::at_begin(&mut out, &mut pem, at),
                Trigger::AzureSecret => shape::azure_client_secret(&mut out, at + 1),
                Trigger::CurlUser => http::curl_user(&mut out, at),
                Trigger::Suffix(index) => {
                    if let Some((parsed, score)) = token::parse(bytes, index, at) {
                        let start = token::span_start(index, at);
                        out.emit(start, parsed.end, parsed.subtype, score, "secret-token");
                    }
                }
            }
        }
        shape::scan_words(&mut out, &self.prefixes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teddy_and_the_automaton_find_the_same_triggers() {
        let (patterns, _) = patterns();
        let (Some(packed), Some(automaton)) = (
            TriggerSearch::packed(&patterns),
            TriggerSearch::automaton(&patterns),
        ) else {
            // No SIMD here: the automaton is the only searcher, nothing to compare.
            return;
        };
        let long = "db_password = 'x'; Token: -----BEGIN KEY https://a:b@h.io 7Q~abc curl -u me SONAR_LOGIN "
            .repeat(20);
        for text in [
            "",
            "pass",
            "my PASSWORD is",
            "x_pw=1 and 5Q~ and xyz_mmk and --user",
            "the passenger's key to the author's secret",
            long.as_str(),
        ] {
            let a: Vec<_> = packed.find_iter(text.as_bytes()).collect();
            let b: Vec<_> = automaton.find_iter(text.as_bytes()).collect();
            assert_eq!(a, b, "in {text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn teddy_and_the_automaton_agree_on_any_mix_of_triggers(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "pass", "Pas", "KEY", "ke", "y", "tok", "en", "_pw", "://", "-----BEGIN", "--", "-u",
                    " ", "\t", "7", "Q~", "_mmk", "sonar", "Sumo", "clou", "a", "é", "\n",
                ]),
                0..60,
            )
        ) {
            let (patterns, _) = patterns();
            if let (Some(packed), Some(automaton)) =
                (TriggerSearch::packed(&patterns), TriggerSearch::automaton(&patterns))
            {
                let text: String = parts.concat();
                let a: Vec<_> = packed.find_iter(text.as_bytes()).collect();
                let b: Vec<_> = automaton.find_iter(text.as_bytes()).collect();
                proptest::prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn the_automaton_builds_small_and_no_pattern_hides_another() {
        assert!(Secrets::new().is_some());
        let (patterns, _) = patterns();
        // Above 64 patterns the automaton loses its SIMD prefilter and runs several times slower;
        // patterns shorter than 3 bytes weaken the prefilter.
        assert!(patterns.len() <= 64, "{} patterns", patterns.len());
        assert!(
            patterns.iter().all(|p| p.len() >= 3),
            "a pattern under 3 bytes"
        );
        for (i, a) in patterns.iter().enumerate() {
            for (j, b) in patterns.iter().enumerate() {
                if i != j {
                    assert!(!b.starts_with(a.as_str()), "{a:?} hides {b:?}");
                }
            }
        }
    }
}

/// What the data-driven tests of every secret module use.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::OnceLock;

    use crate::{EntityType, Finding, Scanner, ScannerConfig};

    /// A scanner for secrets only, built once.
    pub(crate) fn scanner() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| {
            Scanner::new(&ScannerConfig {
                entities: vec![EntityType::Secret],
                ner: false,
                ..ScannerConfig::default()
            })
            .unwrap()
        })
    }

    pub(crate) fn scan(text: &str) -> Vec<Finding> {
        scanner().scan(text)
    }

    /// Asserts the secrets found in `text`, in order, as (subtype, matched text).
    #[track_caller]
    pub(crate) fn check(text: &str, expect: &[(&str, &str)]) {
        let found: Vec<(&str, &str)> = scan(text)
            .iter()
            .map(|f| (f.subtype.unwrap_or("?"), f.value(text)))
            .collect();
        assert_eq!(found, expect, "in {text:?}");
    }

    /// Asserts that nothing is found in each of `texts`.
    #[track_caller]
    pub(crate) fn none(texts: &[&str]) {
        for text in texts {
            check(text, &[]);
        }
    }

    /// The score of the only finding in `text`.
    #[track_caller]
    pub(crate) fn score(text: &str) -> f32 {
        let found = scan(text);
        assert_eq!(found.len(), 1, "in {text:?}: {found:?}");
        found[0].score
    }
}

#[cfg(test)]
mod unicode_tests {
    use super::testing::{check, scan};

    const TOKEN: &str = "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";

    #[test]
    fn tokens_glued_to_other_scripts_are_found_with_code_point_offsets() {
        for (before, after) in [
            ("密钥是", "，请保密"),
            ("🔑", "🙈"),
            ("ключ: ", " — спасибо"),
            ("e\u{301} ", " n\u{303}"),
            ("مفتاح ", " هنا"),
        ] {
            let text = format!("{before}{TOKEN}{after}");
            let found = scan(&text);
            assert_eq!(found.len(), 1, "{text:?}");
            let start = before.chars().count();
            assert_eq!(
                (found[0].start, found[0].end),
                (start, start + TOKEN.len()),
                "{text:?}"
            );
            assert_eq!(found[0].value(&text), TOKEN);
        }
    }

    #[test]
    fn invisible_characters_inside_a_token_do_not_hide_it() {
        // A zero-width space in the middle: normalisation removes it, the finding covers it.
        let text = format!("token {}\u{200B}{}", &TOKEN[..10], &TOKEN[10..]);
        let found = scan(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value(&text).replace('\u{200B}', ""), TOKEN);
    }

    #[test]
    fn passwords_with_non_ascii_characters() {
        check(
            "password = \"contraseña-Ñandú-42\"",
            &[("PASSWORD_ASSIGNMENT", "contraseña-Ñandú-42")],
        );
        check(
            "пароль: \"x\", password: Zürich#2024!",
            &[("PASSWORD_ASSIGNMENT", "Zürich#2024!")],
        );
    }
}
