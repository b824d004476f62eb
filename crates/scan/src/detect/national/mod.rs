//! Government, health, tax and vehicle identifiers of 18 countries (Presidio's country recognizers).
//!
//! All of them are short runs of letters and digits, often cut into groups by spaces, dashes, dots or
//! slashes (`078-05-1120`, `AA 12 34 56 B`, `DE 136 695 976`, `B AB 1234`). One detector reads them
//! all in a single pass, so that ~60 formats cost one walk over the words of a text:
//!
//! 1. Only words containing a digit start a candidate (every format here has a digit), and a text
//!    without digits is skipped at once.
//! 2. From such a word, up to two short letter-only words joined before it (`HRB`, `B AB`) and up to
//!    [`MAX_GROUPS`] words joined after it by exactly one separator are gathered into a [`Value`]:
//!    the upper-cased characters without separators, plus where the separators were.
//! 3. The value's length picks the formats that can have it; each format's `parse` checks shape,
//!    grouping and checksum and returns a base score, or nothing.
//! 4. A candidate must stand on its own: the words next to it may only be joined by a space or a colon
//!    (a value glued by a dash or a dot to more text is part of something longer), and a number grouped
//!    by spaces must not continue with more digit groups (`1234 5678 9012 3456` is not an Aadhaar).
//! 5. Context words near the candidate raise its score (Presidio's rule, [`boost`]).
//!
//! Every step looks at a bounded number of words and bytes around the digit word, so detection stays
//! linear and local. Words with non-ASCII characters are not joined to others; inside them, ASCII runs
//! next to a script written without spaces (Korean, Chinese, Japanese, Thai …) are tried on their own
//! (`여권번호는 M789C1234입니다`).
//!
//! Scores follow one policy, documented per country file and in `docs/parts/national-ids.md`: a passing
//! checksum on a distinctive format scores high (0.85–1.0); a one-digit checksum on a bare number, which
//! one random number in ten passes (phone and card numbers included), scores 0.3 alone and 0.5 when
//! grouped the official way, so a plain number needs a context word to pass the default threshold
//! (0.4); formats without a checksum keep Presidio's weak scores, below 0.4 unless the shape is
//! distinctive.

mod au;
mod ca;
mod de;
mod es;
mod fi;
mod india;
mod it;
mod kr;
mod ng;
mod ph;
mod pl;
mod se;
mod sg;
mod th;
mod tr;
mod uk;
mod us;
mod za;

use std::ops::RangeInclusive;

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::{Doc, Word, shape};
use crate::entity::EntityType;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(NationalIds::new())]
}

/// The longest value, in characters without separators (a US driver's licence of a letter and 18
/// digits is the longest format).
const MAX_VALUE: usize = 20;
/// The most groups a value is written in (`1-2345-67890-12-3`).
const MAX_GROUPS: usize = 6;
/// Letter-only groups that may lead a value: two (`B AB 1234`), each at most three letters.
const MAX_LEAD_GROUPS: usize = 2;
const MAX_LEAD_LEN: usize = 3;
/// Bytes that join the groups of a value. Exactly one of them must sit between two groups.
const SEPARATORS: &[u8] = b" -./:_+";
/// Separators that may also sit between a value and the text around it.
const FREE_SEPARATORS: &[u8] = b" :";

/// One identifier format.
#[derive(Debug)]
pub(super) struct Format {
    pub(super) entity: EntityType,
    /// Reported as the finding's detector.
    pub(super) name: &'static str,
    /// Lengths of the value without separators.
    pub(super) lens: RangeInclusive<usize>,
    /// Also tried on the end of a word with a short lower-case prefix (`is030594W903B`); only for
    /// formats whose checksum makes that safe.
    pub(super) glued: bool,
    /// Words and phrases that raise the score when near.
    pub(super) context: &'static [&'static str],
    /// The base score of a value, or `None` if it is not of this format.
    pub(super) parse: fn(&Value<'_>) -> Option<f32>,
}

/// Where a separator cut a value: before character `at`, by byte `sep`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Break {
    pub(super) at: usize,
    pub(super) sep: u8,
}

/// A candidate as formats see it.
#[derive(Debug)]
pub(super) struct Value<'a> {
    /// Upper-cased ASCII letters and digits, separators removed.
    pub(super) chars: &'a [u8],
    /// The separators that cut it, in order.
    pub(super) breaks: &'a [Break],
    /// It was written with lower-case letters.
    pub(super) lower: bool,
    /// It was cut from the end of a longer word.
    pub(super) glued: bool,
}

impl Value<'_> {
    /// Written in one piece.
    pub(super) fn plain(&self) -> bool {
        self.breaks.is_empty()
    }

    /// Cut exactly before the characters `at`, every time by the same separator, one of `seps`.
    pub(super) fn grouped(&self, at: &[usize], seps: &[u8]) -> bool {
        self.breaks.len() == at.len()
            && self.breaks.iter().zip(at).all(|(b, &a)| b.at == a)
            && self.breaks.iter().all(|b| b.sep == self.breaks[0].sep)
            && self.breaks.iter().all(|b| seps.contains(&b.sep))
    }

    /// Cut, if at all, only before characters in `at`, by separators in `seps` (mixing allowed).
    pub(super) fn cut_within(&self, at: &[usize], seps: &[u8]) -> bool {
        self.breaks
            .iter()
            .all(|b| at.contains(&b.at) && seps.contains(&b.sep))
    }

    /// Only digits.
    pub(super) fn digits(&self) -> bool {
        crate::validate::national::all_digits(self.chars)
    }

    /// The groups as written, split at the breaks.
    pub(super) fn group(&self, index: usize) -> &[u8] {
        let start = match index {
            0 => 0,
            _ => self
                .breaks
                .get(index - 1)
                .map_or(self.chars.len(), |b| b.at),
        };
        let end = self.breaks.get(index).map_or(self.chars.len(), |b| b.at);
        self.chars.get(start..end).unwrap_or(&[])
    }
}

/// True if `chars` has the shape `pattern`: `d` a digit, `l` a letter, `x` either, anything else
/// itself.
pub(super) fn shaped(chars: &[u8], pattern: &[u8]) -> bool {
    chars.len() == pattern.len()
        && chars.iter().zip(pattern).all(|(&b, &p)| match p {
            b'd' => b.is_ascii_digit(),
            b'l' => b.is_ascii_uppercase(),
            b'x' => b.is_ascii_alphanumeric(),
            _ => b == p,
        })
}

/// Alternating runs of letters (`l`) and digits (`d`), for formats described as run lengths
/// (`[A-Z]{2}[0-9]{3,7}`).
pub(super) struct Runs {
    kinds: [u8; MAX_VALUE],
    lens: [usize; MAX_VALUE],
    n: usize,
}

impl Runs {
    pub(super) fn of(chars: &[u8]) -> Runs {
        let mut runs = Runs {
            kinds: [0; MAX_VALUE],
            lens: [0; MAX_VALUE],
            n: 0,
        };
        for &b in chars.iter().take(MAX_VALUE) {
            let kind = if b.is_ascii_digit() { b'd' } else { b'l' };
            if runs.n > 0 && runs.kinds[runs.n - 1] == kind {
                runs.lens[runs.n - 1] += 1;
            } else {
                runs.kinds[runs.n] = kind;
                runs.lens[runs.n] = 1;
                runs.n += 1;
            }
        }
        runs
    }

    /// True if the runs are exactly `spec`: (kind, fewest, most) per run.
    pub(super) fn are(&self, spec: &[(u8, usize, usize)]) -> bool {
        self.n == spec.len()
            && spec.iter().enumerate().all(|(i, &(kind, lo, hi))| {
                self.kinds[i] == kind && (lo..=hi).contains(&self.lens[i])
            })
    }
}

/// Every format, in a fixed order.
fn all_formats() -> impl Iterator<Item = &'static Format> {
    [
        us::FORMATS,
        uk::FORMATS,
        es::FORMATS,
        it::FORMATS,
        india::FORMATS,
        au::FORMATS,
        sg::FORMATS,
        ca::FORMATS,
        de::FORMATS,
        fi::FORMATS,
        kr::FORMATS,
        ng::FORMATS,
        ph::FORMATS,
        pl::FORMATS,
        se::FORMATS,
        th::FORMATS,
        tr::FORMATS,
        za::FORMATS,
    ]
    .into_iter()
    .flatten()
}

#[derive(Debug)]
struct Prepared {
    format: &'static Format,
    context: ContextWords,
}

/// The detector of every national identifier.
#[derive(Debug)]
struct NationalIds {
    formats: Vec<Prepared>,
    /// Indices of the formats that accept each value length.
    by_len: Vec<Vec<usize>>,
    /// Value lengths (with a glued prefix) worth trying glued formats on.
    glued_lens: std::ops::Range<usize>,
    entities: Vec<EntityType>,
}

impl NationalIds {
    fn new() -> NationalIds {
        let formats: Vec<Prepared> = all_formats()
            .map(|format| Prepared {
                format,
                context: ContextWords::new(format.context),
            })
            .collect();
        let mut by_len = vec![Vec::new(); MAX_VALUE + 1];
        for (index, prepared) in formats.iter().enumerate() {
            for len in prepared.format.lens.clone() {
                if let Some(slot) = by_len.get_mut(len) {
                    slot.push(index);
                }
            }
        }
        let mut entities: Vec<EntityType> = Vec::new();
        for prepared in &formats {
            if !entities.contains(&prepared.format.entity) {
                entities.push(prepared.format.entity.clone());
            }
        }
        // A glued value is the format's length plus a prefix of one to three letters.
        let glued = formats
            .iter()
            .filter(|p| p.format.glued)
            .map(|p| &p.format.lens);
        let shortest = glued
            .clone()
            .map(|lens| *lens.start() + 1)
            .min()
            .unwrap_or(0);
        let longest = glued
            .map(|lens| *lens.end() + MAX_LEAD_LEN)
            .max()
            .unwrap_or(0);
        let glued_lens = shortest..longest + 1;
        NationalIds {
            formats,
            by_len,
            glued_lens,
            entities,
        }
    }

    /// Tries every value that starts at word `start` and reaches the digit word `digit`.
    fn scan_from(&self, scan: &mut Scan<'_, '_, '_>, start: usize, digit: usize) {
        let words = &scan.doc.words;
        let mut chars = [0u8; MAX_VALUE];
        let mut len = 0;
        let mut breaks = [Break::default(); MAX_GROUPS];
        let mut n_breaks = 0;
        let mut lower = false;
        let last = (start + MAX_GROUPS).min(words.len());
        for j in start..last {
            let word = words[j];
            if j > start {
                let Some(sep) = joined(scan.doc, j - 1) else {
                    break;
                };
                // No format continues with a non-ASCII word or an ordinary word of prose (only
                // GSTIN has a longer letter group, five capitals).
                let prose = word.is_alpha()
                    && (word.len() > 5 || (word.len() > 3 && word.has(shape::LOWER)));
                if word.has(shape::NON_ASCII) || prose {
                    break;
                }
                breaks[n_breaks] = Break { at: len, sep };
                n_breaks += 1;
            }
            let Some(bytes) = scan.doc.bytes.get(word.range()) else {
                break;
            };
            if len + bytes.len() > MAX_VALUE {
                break;
            }
            for &b in bytes {
                chars[len] = b.to_ascii_uppercase();
                len += 1;
            }
            lower |= word.has(shape::LOWER);
            if j < digit {
                continue;
            }
            let may_glue = start == digit && self.glued_lens.contains(&len);
            if self.by_len[len].is_empty() && !may_glue {
                continue;
            }
            let value = Value {
                chars: &chars[..len],
                breaks: &breaks[..n_breaks],
                lower,
                glued: false,
            };
            let span = (words[start].start as usize, word.end as usize);
            if stands_alone_before(scan.doc, start, &value)
                && stands_alone_after(scan.doc, j, &value)
            {
                self.dispatch(scan, &value, span, false);
            }
            if may_glue {
                self.glued(scan, &value, j, span);
            }
        }
    }

    /// Tries formats that allow it on a value with a short lower-case prefix glued to its first word
    /// (`code is030594W903B`): the prefix is left out of the value and the span.
    fn glued(
        &self,
        scan: &mut Scan<'_, '_, '_>,
        value: &Value<'_>,
        last_word: usize,
        span: (usize, usize),
    ) {
        let lead = value
            .chars
            .iter()
            .take_while(|b| b.is_ascii_uppercase())
            .count();
        let first = value.breaks.first().map_or(value.chars.len(), |b| b.at);
        if lead == 0 || lead > MAX_LEAD_LEN || lead >= first {
            return;
        }
        let Some(prefix) = scan.doc.bytes.get(span.0..span.0 + lead) else {
            return;
        };
        if !prefix.iter().all(u8::is_ascii_lowercase)
            || !stands_alone_after(scan.doc, last_word, value)
        {
            return;
        }
        let mut breaks = [Break::default(); MAX_GROUPS];
        for (slot, b) in breaks.iter_mut().zip(value.breaks) {
            *slot = Break {
                at: b.at - lead,
                sep: b.sep,
            };
        }
        let rest = Value {
            chars: &value.chars[lead..],
            breaks: &breaks[..value.breaks.len()],
            lower: value.lower,
            glued: true,
        };
        self.dispatch(scan, &rest, (span.0 + lead, span.1), true);
    }

    /// Tries ASCII runs inside a word with non-ASCII characters, where the run touches the word's
    /// edges or a script written without spaces.
    fn inside_word(&self, scan: &mut Scan<'_, '_, '_>, word: &Word) {
        let Some(text) = scan.doc.text.get(word.range()) else {
            return;
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let run_start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let run = &bytes[run_start..i];
            if run.len() > MAX_VALUE || !run.iter().any(u8::is_ascii_digit) {
                continue;
            }
            let left_ok = text[..run_start]
                .chars()
                .next_back()
                .is_none_or(is_spaceless_script);
            let right_ok = text[i..].chars().next().is_none_or(is_spaceless_script);
            if !(left_ok && right_ok) {
                continue;
            }
            let mut chars = [0u8; MAX_VALUE];
            for (slot, &b) in chars.iter_mut().zip(run) {
                *slot = b.to_ascii_uppercase();
            }
            let value = Value {
                chars: &chars[..run.len()],
                breaks: &[],
                lower: run.iter().any(u8::is_ascii_lowercase),
                glued: false,
            };
            let start = word.start as usize + run_start;
            self.dispatch(scan, &value, (start, start + run.len()), false);
        }
    }

    /// Runs the formats of the value's length and proposes what they accept.
    fn dispatch(
        &self,
        scan: &mut Scan<'_, '_, '_>,
        value: &Value<'_>,
        (start, end): (usize, usize),
        glued_only: bool,
    ) {
        let Some(indices) = self.by_len.get(value.chars.len()) else {
            return;
        };
        for &index in indices {
            let prepared = &self.formats[index];
            let format = prepared.format;
            if glued_only && !format.glued {
                continue;
            }
            let Some(score) = (format.parse)(value) else {
                continue;
            };
            // Asked only for the rare values that parse: a scanner limited to a few types pays a
            // list lookup per candidate, not per format and text.
            if !scan.sink.wants(&format.entity) {
                continue;
            }
            let score = if score < 1.0 && prepared.context.near(scan.doc, start, end) {
                boost(score)
            } else {
                score
            };
            scan.sink
                .push(start, end, format.entity.clone(), score, format.name);
        }
    }
}

/// What one scan carries around.
struct Scan<'d, 's, 'o> {
    doc: &'d Doc<'d>,
    sink: &'s mut Sink<'o>,
}

impl Detector for NationalIds {
    fn entities(&self) -> &[EntityType] {
        &self.entities
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        let mut scan = Scan { doc, sink };
        for (digit, &word) in doc.digit_words() {
            if word.has(shape::NON_ASCII) {
                self.inside_word(&mut scan, &word);
                continue;
            }
            // The value may start at the digit word or at one or two short letter words before it.
            let mut start = digit;
            loop {
                self.scan_from(&mut scan, start, digit);
                if digit - start >= MAX_LEAD_GROUPS || start == 0 {
                    break;
                }
                let previous = doc.words[start - 1];
                let leads = joined(doc, start - 1).is_some()
                    && previous.is_alpha()
                    && !previous.has(shape::NON_ASCII)
                    && previous.len() <= MAX_LEAD_LEN;
                if !leads {
                    break;
                }
                start -= 1;
            }
        }
    }
}

/// The separator between word `left` and the next word, if exactly one separator byte joins them.
fn joined(doc: &Doc<'_>, left: usize) -> Option<u8> {
    let a = doc.words.get(left)?;
    let b = doc.words.get(left + 1)?;
    let between = doc.bytes.get(a.end as usize)?;
    (b.start == a.end + 1 && SEPARATORS.contains(between)).then_some(*between)
}

/// The value that starts at word `start` is not the tail of something longer.
fn stands_alone_before(doc: &Doc<'_>, start: usize, value: &Value<'_>) -> bool {
    if start == 0 {
        return true;
    }
    neighbour_allows(doc, start - 1, joined(doc, start - 1), value)
}

/// The value that ends at word `end` is not the head of something longer.
fn stands_alone_after(doc: &Doc<'_>, end: usize, value: &Value<'_>) -> bool {
    neighbour_allows(doc, end + 1, joined(doc, end), value)
}

fn neighbour_allows(doc: &Doc<'_>, neighbour: usize, sep: Option<u8>, value: &Value<'_>) -> bool {
    let Some(sep) = sep else {
        return true;
    };
    if !FREE_SEPARATORS.contains(&sep) {
        return false;
    }
    // A number grouped by spaces that goes on with another digit group is a longer number.
    let grouped_by_sep = value.breaks.iter().any(|b| b.sep == sep);
    !(grouped_by_sep && doc.words.get(neighbour).is_some_and(Word::is_number))
}

/// Scripts written without spaces between words, where an identifier may touch the text around it.
fn is_spaceless_script(ch: char) -> bool {
    matches!(ch,
        '\u{0E00}'..='\u{0EFF}'   // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1100}'..='\u{11FF}' // Hangul Jamo
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3000}'..='\u{30FF}' // CJK punctuation, Hiragana, Katakana
        | '\u{3130}'..='\u{318F}' // Hangul compatibility Jamo
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
    )
}

#[cfg(test)]
pub(super) mod testing {
    //! Helpers for the country files' tests.

    use crate::{EntityType, Scanner, ScannerConfig};

    /// Values of `entity` found in `text` with every score kept, with their scores.
    pub(in crate::detect::national) fn found(entity: EntityType, text: &str) -> Vec<(String, f32)> {
        scan(entity, text, 0.0)
    }

    /// Values of `entity` reported by a scanner at the default threshold.
    pub(in crate::detect::national) fn reported(entity: EntityType, text: &str) -> Vec<String> {
        scan(entity, text, crate::DEFAULT_MIN_SCORE)
            .into_iter()
            .map(|(v, _)| v)
            .collect()
    }

    fn scan(entity: EntityType, text: &str, min_score: f32) -> Vec<(String, f32)> {
        let scanner = Scanner::new(&ScannerConfig {
            entities: vec![entity],
            min_score,
            ner: false,
            ..ScannerConfig::default()
        })
        .unwrap();
        scanner
            .scan(text)
            .into_iter()
            .map(|f| (f.value(text).to_owned(), f.score))
            .collect()
    }

    /// Asserts that exactly the values `expect` of `entity` are found in `text` (any score).
    pub(in crate::detect::national) fn check(entity: EntityType, text: &str, expect: &[&str]) {
        let values: Vec<String> = found(entity.clone(), text)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(values, expect, "{entity} in {text:?}");
    }

    /// Asserts the score of the single value found in `text`.
    pub(in crate::detect::national) fn check_score(entity: EntityType, text: &str, score: f32) {
        let found = found(entity.clone(), text);
        assert_eq!(found.len(), 1, "{entity} in {text:?}: {found:?}");
        assert!(
            (found[0].1 - score).abs() < 1e-3,
            "{entity} in {text:?}: {found:?}, want {score}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{check, reported};
    use super::*;
    use crate::{Scanner, ScannerConfig};

    #[test]
    fn formats_fit_the_bit_set_and_every_entity_is_covered() {
        let ids = NationalIds::new();
        assert_eq!(ids.formats.len(), all_formats().count());
        assert_eq!(ids.entities.len(), 63);
        for prepared in &ids.formats {
            assert!(
                *prepared.format.lens.end() <= MAX_VALUE,
                "{}",
                prepared.format.name
            );
        }
    }

    #[test]
    fn groups_are_joined_by_one_separator_and_values_stand_alone() {
        check(EntityType::UsSsn, "ssn 078-05-1123.", &["078-05-1123"]);
        check(EntityType::UsSsn, "ssn 078--05-1123", &[]);
        check(EntityType::UsSsn, "x-078-05-1123", &[]);
        check(EntityType::UsSsn, "078-05-1123-4", &[]);
        check(EntityType::UsSsn, "ref:078-05-1123", &["078-05-1123"]);
        check(EntityType::InAadhaar, "card 3123 4567 8909 1111", &[]);
        check(
            EntityType::InAadhaar,
            "aadhaar 3123 4567 8909 ok",
            &["3123 4567 8909"],
        );
    }

    #[test]
    fn values_inside_longer_words_are_not_matched() {
        check(EntityType::UsSsn, "abc078051123", &[]);
        check(EntityType::UsSsn, "078051123abc", &[]);
        check(EntityType::UsSsn, "é078051123", &[]);
        check(EntityType::SgNricFin, "xS2740116C", &[]);
        check(EntityType::UkNhs, "401-023-2137x", &[]);
    }

    #[test]
    fn spaceless_scripts_may_touch_a_value() {
        check(
            EntityType::KrPassport,
            "여권번호는 M789C1234입니다",
            &["M789C1234"],
        );
        check(EntityType::ThTnin, "เลข3456789012347ค่ะ", &["3456789012347"]);
        check(EntityType::KrPassport, "passé M789C1234ü", &[]);
    }

    #[test]
    fn unicode_around_values_does_not_panic_and_maps_offsets() {
        let text = "🙂 Ünïcødé SSN：０７８－０５－１１２３ ✓ 田中 AA 12 34 56 B";
        let scanner = Scanner::new(&ScannerConfig {
            min_score: 0.0,
            ..ScannerConfig::default()
        })
        .unwrap();
        for finding in scanner.scan(text) {
            assert!(text.is_char_boundary(finding.byte_start));
            assert!(text.is_char_boundary(finding.byte_end));
        }
        assert_eq!(
            reported(EntityType::UsSsn, text),
            ["０７８－０５－１１２３"]
        );
    }

    #[test]
    fn texts_without_digits_find_nothing() {
        check(EntityType::UkPostcode, "no digits here at all", &[]);
    }
}
