//! Features of a word for the tagger, shared by inference and training so they cannot drift apart.
//!
//! Every feature is a 64-bit hash of (template, value); the model maps feature hashes to one weight
//! per label. Values are hashes too (of lower-case words, affixes, shapes, separators), so computing
//! features allocates nothing.

use crate::doc::{Doc, Word, hash_lower, shape};
use crate::entity::EntityType;

use super::gazetteer::{self, Gazetteer};

/// The tagger's labels: IO tagging, one label per entity type plus "outside".
pub(crate) const LABELS: [Option<EntityType>; 10] = [
    None,
    Some(EntityType::Person),
    Some(EntityType::Location),
    Some(EntityType::Organization),
    Some(EntityType::StreetAddress),
    Some(EntityType::Nrp),
    Some(EntityType::Title),
    Some(EntityType::DateTime),
    Some(EntityType::Age),
    Some(EntityType::ZipCode),
];
pub(crate) const N_LABELS: usize = LABELS.len();
pub(crate) const OUTSIDE: u8 = 0;

/// The label index of an entity type, if the tagger has it.
#[cfg_attr(
    not(feature = "train"),
    allow(dead_code, reason = "used by the trainer")
)]
pub(crate) fn label_of(entity: &EntityType) -> Option<u8> {
    LABELS
        .iter()
        .position(|l| l.as_ref() == Some(entity))
        .and_then(|i| u8::try_from(i).ok())
}

/// What the tagger knows about one word before tagging.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub(crate) hash: u64,
    pub(crate) gaz: u32,
    pub(crate) shape: u64,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) sep_before: u64,
    pub(crate) flags: u16,
    /// Worth scoring even after an untagged word.
    pub(crate) candidate: bool,
}

const BOUNDARY: u64 = 0x5eed_0000_0000_0001;

/// Prepares the tokens of `doc`.
pub(crate) fn tokens(doc: &Doc<'_>, gaz: &Gazetteer, out: &mut Vec<Token>) {
    out.clear();
    out.reserve(doc.words.len());
    let mut prev_end = 0usize;
    for word in &doc.words {
        let text = doc.word_text(word);
        let flags_gaz = gaz.get(word.hash);
        let start = word.start as usize;
        let sep_before = separator(doc.text.get(prev_end..start).unwrap_or(""));
        let candidate = is_candidate(word, flags_gaz, prev_end == 0 || sentence_start(sep_before));
        out.push(Token {
            hash: word.hash,
            gaz: flags_gaz,
            shape: shape_hash(text, word),
            start: word.start,
            end: word.end,
            sep_before,
            flags: word.flags,
            candidate,
        });
        prev_end = word.end as usize;
    }
}

/// Whether a word could start an entity: capitalised, numeric, non-Latin without case, or a listed
/// name, place, nationality, title or date word that is not an ordinary English word. Everything else
/// is only scored when it continues an entity.
/// A capitalised ordinary English word at the start of a sentence ("The", "Please") or the pronoun
/// "I" is not a candidate either.
fn is_candidate(word: &Word, gaz: u32, sentence_start: bool) -> bool {
    use gazetteer::*;
    if word.has(shape::DIGIT) {
        return true;
    }
    if word.has(shape::UPPER) {
        let plain = gaz & COMMON != 0 && gaz & ENTITY == 0;
        return !(plain && (sentence_start || word.len() == 1));
    }
    if word.has(shape::NON_ASCII) && !word.has(shape::LOWER) && word.len() >= 4 {
        return true;
    }
    const ALWAYS: u32 = NRP | DATE_WORD | TITLE;
    const UNLESS_COMMON: u32 = FIRST | LAST | CITY | REGION | COUNTRY;
    gaz & ALWAYS != 0 || gaz & UNLESS_COMMON != 0 && gaz & COMMON == 0
}

/// Whether a separator ends a sentence or a line.
fn sentence_start(sep: u64) -> bool {
    SENTENCE_SEPARATORS.contains(&sep)
}

static SENTENCE_SEPARATORS: std::sync::LazyLock<[u64; 8]> =
    std::sync::LazyLock::new(|| [". ", "! ", "? ", "\n", ".\n", ": ", "- ", "> "].map(separator));

/// A collapsed shape: `Xx`, `X.`, `d4`, `Xxd` … plus the digit count for numbers.
fn shape_hash(text: &str, word: &Word) -> u64 {
    if word.is_number() {
        return mix(1, text.len().min(8) as u64);
    }
    let mut h = 0x51u64;
    let mut last = 0u8;
    let mut n = 0;
    for ch in text.chars() {
        let c = if ch.is_uppercase() {
            b'X'
        } else if ch.is_lowercase() {
            b'x'
        } else if ch.is_numeric() {
            b'd'
        } else {
            b'o'
        };
        if c != last {
            h = mix(h, u64::from(c));
            last = c;
            n += 1;
            if n == 4 {
                break;
            }
        }
    }
    let long = match text.len() {
        0..=1 => 1,
        2..=3 => 2,
        4..=8 => 3,
        _ => 4,
    };
    mix(h, long)
}

/// Hash of the first or last three characters, lower-cased; 0 for short words.
fn affix(text: &str, prefix: bool) -> u64 {
    let mut chars = text.char_indices();
    let cut = if prefix {
        chars.nth(3).map(|(i, _)| &text[..i])
    } else {
        let n = text.chars().count();
        if n > 3 {
            text.char_indices().nth(n - 3).map(|(i, _)| &text[i..])
        } else {
            None
        }
    };
    cut.map_or(0, hash_lower)
}

/// The text between two words, reduced to its class: spaces collapse, newlines count once, other
/// punctuation is kept (up to three marks).
fn separator(between: &str) -> u64 {
    let mut h = 0x5e9u64;
    let mut n = 0;
    let mut last = 0u8;
    for &b in between.as_bytes() {
        let c = match b {
            b' ' | b'\t' => b' ',
            b'\n' | b'\r' => b'n',
            b'\\' => continue,
            b if b >= 0x80 => b'u',
            b => b,
        };
        if c == last && (c == b' ' || c == b'n') {
            continue;
        }
        last = c;
        h = mix(h, u64::from(c));
        n += 1;
        if n == 4 {
            break;
        }
    }
    h
}

/// Mixes two values into a feature hash.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let h = (a ^ b.rotate_left(23)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53) ^ b
}

/// Feature templates.
mod t {
    pub(super) const BIAS: u64 = 1;
    pub(super) const WORD: u64 = 2;
    pub(super) const PREFIX: u64 = 3;
    pub(super) const SUFFIX: u64 = 4;
    pub(super) const SHAPE: u64 = 5;
    pub(super) const GAZ: u64 = 6;
    pub(super) const GAZ_SHAPE: u64 = 7;
    pub(super) const PREV_WORD: u64 = 8;
    pub(super) const NEXT_WORD: u64 = 9;
    pub(super) const PREV2_WORD: u64 = 10;
    pub(super) const NEXT2_WORD: u64 = 11;
    pub(super) const PREV_SHAPE: u64 = 12;
    pub(super) const NEXT_SHAPE: u64 = 13;
    pub(super) const SEP_BEFORE: u64 = 14;
    pub(super) const SEP_AFTER: u64 = 15;
    pub(super) const PREV_LABEL: u64 = 16;
    pub(super) const PREV_LABELS: u64 = 17;
    pub(super) const LABEL_SHAPE: u64 = 18;
    pub(super) const PREV_GAZ: u64 = 19;
    pub(super) const NEXT_GAZ: u64 = 20;
    pub(super) const PREV_WORD_SHAPE: u64 = 21;
    pub(super) const NEXT_WORD_SHAPE: u64 = 22;
    pub(super) const LABEL_SEP: u64 = 23;
    pub(super) const FIRST: u64 = 24;
    pub(super) const PREV_SEP_WORD: u64 = 25;
}

/// Appends the features of token `i` given the two previous labels.
pub(crate) fn features(
    text: &str,
    tokens: &[Token],
    i: usize,
    prev: u8,
    prev2: u8,
    out: &mut Vec<u64>,
) {
    out.clear();
    let tok = &tokens[i];
    let word = text.get(tok.start as usize..tok.end as usize).unwrap_or("");
    let (prefix, suffix) = (affix(word, true), affix(word, false));
    let word = |j: Option<usize>| j.and_then(|j| tokens.get(j)).map_or(BOUNDARY, |t| t.hash);
    let shp = |j: Option<usize>| j.and_then(|j| tokens.get(j)).map_or(BOUNDARY, |t| t.shape);
    let p1 = i.checked_sub(1);
    let p2 = i.checked_sub(2);
    let n1 = Some(i + 1);
    let n2 = Some(i + 2);
    out.push(t::BIAS);
    out.push(mix(t::WORD, tok.hash));
    if prefix != 0 {
        out.push(mix(t::PREFIX, prefix));
    }
    if suffix != 0 {
        out.push(mix(t::SUFFIX, suffix));
    }
    out.push(mix(t::SHAPE, tok.shape));
    let cap = u64::from(tok.flags & shape::INITIAL_UPPER != 0);
    let mut gaz = tok.gaz;
    while gaz != 0 {
        let bit = u64::from(gaz.trailing_zeros());
        gaz &= gaz - 1;
        out.push(mix(t::GAZ, bit));
        out.push(mix(mix(t::GAZ_SHAPE, bit), cap));
    }
    out.push(mix(t::PREV_WORD, word(p1)));
    out.push(mix(t::NEXT_WORD, word(n1)));
    out.push(mix(t::PREV2_WORD, word(p2)));
    out.push(mix(t::NEXT2_WORD, word(n2)));
    out.push(mix(t::PREV_SHAPE, shp(p1)));
    out.push(mix(t::NEXT_SHAPE, shp(n1)));
    out.push(mix(mix(t::PREV_WORD_SHAPE, word(p1)), tok.shape));
    out.push(mix(mix(t::NEXT_WORD_SHAPE, word(n1)), tok.shape));
    out.push(mix(t::SEP_BEFORE, tok.sep_before));
    let sep_after = tokens.get(i + 1).map_or(BOUNDARY, |t| t.sep_before);
    out.push(mix(t::SEP_AFTER, sep_after));
    out.push(mix(mix(t::PREV_SEP_WORD, tok.sep_before), word(p1)));
    out.push(mix(t::PREV_LABEL, u64::from(prev)));
    out.push(mix(t::PREV_LABELS, u64::from(prev) << 8 | u64::from(prev2)));
    out.push(mix(mix(t::LABEL_SHAPE, u64::from(prev)), tok.shape));
    out.push(mix(mix(t::LABEL_SEP, u64::from(prev)), tok.sep_before));
    for (template, j) in [(t::PREV_GAZ, p1), (t::NEXT_GAZ, n1)] {
        let mut g = j.and_then(|j| tokens.get(j)).map_or(0, |t| t.gaz & 0xffff);
        while g != 0 {
            let bit = u64::from(g.trailing_zeros());
            g &= g - 1;
            out.push(mix(template, bit));
        }
    }
    if i == 0 {
        out.push(t::FIRST);
    }
}
