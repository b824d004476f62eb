//! The normalised view of a text that detectors read, and the way back to the caller's offsets.
//!
//! Detection must not be defeated by look-alike characters: full-width digits (`４１１１`), non-breaking
//! and other exotic spaces, Unicode dashes, and invisible characters (zero-width space, joiners, soft
//! hyphen, bidi controls, the tag block used for "ASCII smuggling") placed inside a value. Detectors
//! therefore see a normalised copy: compatibility forms folded to ASCII where one exists, exotic spaces
//! and dashes made plain, invisible characters removed. Every byte of the copy remembers the original
//! character it came from, so findings are mapped back onto the caller's text, covering any invisible
//! characters that sat inside the value.
//!
//! Pure ASCII text without control characters is used as is (the common case costs nothing).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// A text prepared for detection.
pub(crate) struct Normalized<'a> {
    original: &'a str,
    text: Cow<'a, str>,
    /// For every byte of `text`: the byte offset in `original` of the character that produced it.
    /// Empty when `text` borrows `original` unchanged.
    origin: Vec<u32>,
}

/// What normalisation does with one character.
enum Fold {
    Keep,
    Drop,
    Ascii(u8),
    Compat,
}

impl<'a> Normalized<'a> {
    /// Prepares `original`. Texts over 4 GiB are not supported by the offset map; callers split them.
    pub(crate) fn new(original: &'a str) -> Normalized<'a> {
        let needs_work = original.bytes().any(|b| b >= 0x80);
        if !needs_work {
            return Normalized {
                original,
                text: Cow::Borrowed(original),
                origin: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (offset, ch) in original.char_indices() {
            let before = text.len();
            match fold(ch) {
                Fold::Keep => text.push(ch),
                Fold::Drop => {}
                Fold::Ascii(b) => text.push(b as char),
                Fold::Compat => {
                    for folded in std::iter::once(ch).nfkc() {
                        // NFKC can produce invisible characters of its own; drop them too.
                        if !matches!(fold(folded), Fold::Drop) {
                            text.push(folded);
                        }
                    }
                }
            }
            let offset = u32::try_from(offset).unwrap_or(u32::MAX);
            origin.resize(origin.len() + (text.len() - before), offset);
        }
        Normalized {
            original,
            text: Cow::Owned(text),
            origin,
        }
    }

    /// The normalised text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Maps a byte span of the normalised text back to a byte span of the original text.
    pub(crate) fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.origin.is_empty() {
            return (start, end);
        }
        if start >= end || end > self.origin.len() {
            let at = self
                .origin
                .get(start)
                .map_or(self.original.len(), |&o| o as usize);
            return (at, at);
        }
        let first = self.origin[start] as usize;
        let last_char_start = self.origin[end - 1] as usize;
        let last_len = self.original[last_char_start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        (first, last_char_start + last_len)
    }
}

fn fold(ch: char) -> Fold {
    match ch {
        // Invisible: zero-width space/joiners, word joiner, invisible operators, BOM, soft hyphen,
        // Mongolian vowel separator, bidi marks and embeddings/isolates, variation selectors, tags.
        '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{180E}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}' => Fold::Drop,
        // Spaces that look like a space.
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Fold::Ascii(b' '),
        // Dashes and minus signs.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
            Fold::Ascii(b'-')
        }
        // Decimal digits of other scripts.
        '\u{0660}'..='\u{0669}' => Fold::Ascii(b'0' + (ch as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => Fold::Ascii(b'0' + (ch as u32 - 0x06F0) as u8),
        '\u{0966}'..='\u{096F}' => Fold::Ascii(b'0' + (ch as u32 - 0x0966) as u8),
        '\u{09E6}'..='\u{09EF}' => Fold::Ascii(b'0' + (ch as u32 - 0x09E6) as u8),
        // Compatibility forms with an ASCII (or simpler) equivalent: full-width forms, mathematical
        // alphanumerics, enclosed and super/subscript digits, ligatures.
        '\u{FF01}'..='\u{FF5E}'
        | '\u{1D400}'..='\u{1D7FF}'
        | '\u{2460}'..='\u{24FF}'
        | '\u{2070}'..='\u{209F}'
        | '\u{00B2}'
        | '\u{00B3}'
        | '\u{00B9}'
        | '\u{FB00}'..='\u{FB06}'
        | '\u{2100}'..='\u{214F}' => Fold::Compat,
        _ => Fold::Keep,
    }
}

/// Converts byte offsets of `text` to code point offsets, for many offsets at once.
pub(crate) struct CharCounter<'a> {
    text: &'a str,
    ascii: bool,
}

impl<'a> CharCounter<'a> {
    pub(crate) fn new(text: &'a str) -> CharCounter<'a> {
        CharCounter {
            text,
            ascii: text.is_ascii(),
        }
    }

    /// Fills `chars[i]` with the code point offset of `bytes[i]`; `bytes` need not be sorted.
    pub(crate) fn convert(&self, bytes: &[usize]) -> Vec<usize> {
        if self.ascii {
            return bytes.to_vec();
        }
        let mut order: Vec<usize> = (0..bytes.len()).collect();
        order.sort_unstable_by_key(|&i| bytes[i]);
        let mut out = vec![0; bytes.len()];
        let (mut at_byte, mut at_char) = (0usize, 0usize);
        for i in order {
            let target = bytes[i].min(self.text.len());
            if target > at_byte {
                at_char += self.text[at_byte..target].chars().count();
                at_byte = target;
            }
            out[i] = at_char;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect_text: &str) {
        let n = Normalized::new(input);
        assert_eq!(n.text(), expect_text);
    }

    #[test]
    fn folds_lookalikes_and_drops_invisibles() {
        check("plain ascii", "plain ascii");
        check("４１１１", "4111");
        check("a\u{00A0}b", "a b");
        check("41\u{200B}11", "4111");
        check("x\u{E0041}y", "xy");
        check("555\u{2013}1234", "555-1234");
        check("caf\u{00E9}", "caf\u{00E9}");
    }

    #[test]
    fn maps_spans_back_over_dropped_characters() {
        let input = "card ４１\u{200B}１１ end";
        let n = Normalized::new(input);
        let start = n.text().find("4111").unwrap();
        let (s, e) = n.original_span(start, start + 4);
        assert_eq!(&input[s..e], "４１\u{200B}１１");
    }

    #[test]
    fn counts_code_points() {
        let text = "héllo wörld";
        let counter = CharCounter::new(text);
        let w = text.find('w').unwrap();
        assert_eq!(counter.convert(&[w, 0, text.len()]), vec![6, 0, 11]);
    }
}
