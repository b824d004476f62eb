//! Secrets: provider tokens, private keys, JWTs, credentials in URLs and commands, and values
//! assigned to keys that name a secret (`password = …`, `"api_key": …`).
//!
//! One pass of an Aho-Corasick automaton, built once, finds every *trigger* in the text: token
//! prefixes (`ghp_`, `xoxb`, `AKIA`, … case-sensitive, as the formats are), key words in three
//! spellings (`password`, `Password`, `PASSWORD`, …), and markers (`://`, `-----BEGIN`, `eyJ`,
//! `Q~`, ` -u`). Each trigger hands its position to a hand-written parser; most triggers in prose
//! are rejected after a byte or two. A second, cheaper pass over the document's words finds the few
//! formats without a usable prefix (Discord, Twilio, Telegram, Mailchimp …).
//!
//! Locality (the stream scanner relies on it): a finding spans at most [`MAX_SPAN_BYTES`] and its
//! parser looks at most [`LOOK_BEHIND`] bytes before it and a bounded distance after it, except a
//! PEM private key, which runs from its `BEGIN` line to its `END` line (or, if that is missing, to
//! the end of the base64 body that follows).
//!
//! Submodules: [`value`] (what a secret looks like), [`token`] (prefix formats), [`shape`] (formats
//! found by shape), [`keyword`] (assignments), [`slot`] (keys that name a provider credential),
//! [`url`] (credentials and secrets in URLs), [`http`] (Authorization headers, `curl -u`), [`pem`],
//! [`jwt`].

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
    /// Index into [`token::FORMATS`].
    Token(usize),
    /// A word that names a secret, or a provider whose credentials sit in named slots.
    Keyword,
    /// `://`: a URL that may carry credentials or be a secret itself (webhooks).
    Scheme,
    /// `-----BEGIN`.
    Pem,
    /// `eyJ`: base64 of `{"`, how every JWT starts.
    Jwt,
    /// `Q~`: the fixed middle of Azure AD client secrets.
    AzureSecret,
    /// ` -u` / `--user`: credentials on a curl command line.
    CurlUser,
}

/// Key words, each in lower, capitalised and upper case: identifiers are written `db_password`,
/// `dbPassword` and `DB_PASSWORD`, and anything else is rare enough to leave.
const KEY_WORDS: &[&str] = &[
    "pass",
    "pw",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "creds",
];

/// Provider names whose credentials live in slots without a generic key word
/// (`SONAR_LOGIN`, `SUMO_ACCESS_ID`, `MessageBirdClientID`, `sourcegraph: …`, `clou_pw`).
const PROVIDER_WORDS: &[&str] = &[
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
    ("eyJ", Trigger::Jwt),
    ("Q~", Trigger::AzureSecret),
    (" -u", Trigger::CurlUser),
    ("\t-u", Trigger::CurlUser),
    ("--user", Trigger::CurlUser),
];

/// The secret detectors, sharing one automaton.
#[derive(Debug)]
pub(crate) struct Secrets {
    automaton: AhoCorasick,
    triggers: Vec<Trigger>,
}

impl Secrets {
    fn new() -> Option<Secrets> {
        let (patterns, triggers) = patterns();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok()?;
        Some(Secrets {
            automaton,
            triggers,
        })
    }
}

fn patterns() -> (Vec<String>, Vec<Trigger>) {
    let mut patterns = Vec::new();
    let mut triggers = Vec::new();
    for (i, format) in token::FORMATS.iter().enumerate() {
        patterns.push(format.prefix.to_owned());
        triggers.push(Trigger::Token(i));
    }
    for word in KEY_WORDS {
        let mut capital = word.to_string();
        capital[..1].make_ascii_uppercase();
        for spelling in [word.to_string(), capital, word.to_ascii_uppercase()] {
            patterns.push(spelling);
            triggers.push(Trigger::Keyword);
        }
    }
    for word in PROVIDER_WORDS {
        patterns.push((*word).to_owned());
        triggers.push(Trigger::Keyword);
    }
    for (marker, trigger) in MARKERS {
        patterns.push((*marker).to_owned());
        triggers.push(*trigger);
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

    /// Marks `..end` as inside a token so triggers there are skipped.
    pub(crate) fn cover(&mut self, end: usize) {
        self.covered_until = self.covered_until.max(end);
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
        };
        let mut keywords = keyword::State::default();
        let mut pem = pem::State::default();
        for found in self.automaton.find_iter(bytes) {
            let (at, end) = (found.start(), found.end());
            if at < out.covered_until {
                continue;
            }
            let Some(&trigger) = self.triggers.get(found.pattern().as_usize()) else {
                continue;
            };
            match trigger {
                Trigger::Token(index) => {
                    if let Some((parsed, score)) = token::parse(bytes, index, at) {
                        let start = token::span_start(index, at);
                        out.emit(start, parsed.end, parsed.subtype, score, "secret-token");
                        out.cover(parsed.end);
                    }
                }
                Trigger::Keyword => keyword::at_keyword(&mut out, &mut keywords, at, end),
                Trigger::Scheme => url::at_scheme(&mut out, at),
                Trigger::Pem => pem::at_begin(&mut out, &mut pem, at),
                Trigger::Jwt => jwt::at_header(&mut out, at),
                Trigger::AzureSecret => shape::azure_client_secret(&mut out, at),
                Trigger::CurlUser => http::curl_user(&mut out, at, end),
            }
        }
        shape::scan_words(&mut out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automaton_builds_and_no_pattern_hides_another() {
        assert!(Secrets::new().is_some());
        let (patterns, _) = patterns();
        for (i, a) in patterns.iter().enumerate() {
            for (j, b) in patterns.iter().enumerate() {
                if i != j {
                    assert!(!b.starts_with(a.as_str()), "{a:?} hides {b:?}");
                }
            }
        }
    }
}
