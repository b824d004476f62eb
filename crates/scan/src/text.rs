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
//! Text that normalisation leaves unchanged (all ASCII text, and most other text) is used as is: the
//! common case costs one pass over the bytes and no allocation. Otherwise the way back is a short
//! list of pieces (one per folded character), not a map entry per byte.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// A text prepared for detection.
pub(crate) struct Normalized<'a> {
    original: &'a str,
    text: Cow<'a, str>,
    /// Where each piece of `text` comes from, sorted by `at`; empty when `text` borrows `original`.
    /// Between folded characters the normalised text is a verbatim copy of the original, so the map
    /// needs one entry per fold, not one per byte.
    pieces: Vec<Piece>,
}

/// A piece of the normalised text: its bytes from `at` up to the next piece come from `original`
/// from byte `from` on.
#[derive(Clone, Copy, Debug)]
struct Piece {
    at: u32,
    from: u32,
    /// A folded character: every byte of the piece comes from the one character at `from`.
    /// Otherwise the piece is a verbatim copy, byte for byte.
    folded: bool,
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
    ///
    /// Text that normalisation leaves unchanged (all ASCII text, and most other text: accented
    /// letters and other scripts are kept) is borrowed, without a copy or an offset map.
    pub(crate) fn new(original: &'a str) -> Normalized<'a> {
        let bytes = original.as_bytes();
        let mut text = String::new();
        let mut pieces = Vec::new();
        // Start of the original bytes not yet copied into `text`.
        let mut verbatim_from = 0;
        let mut i = 0;
        while i < bytes.len() {
            i += ascii_run(&bytes[i..]);
            let Some(ch) = original.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            let fold = fold(ch);
            let at = i;
            i += ch.len_utf8();
            if matches!(fold, Fold::Keep) {
                continue;
            }
            if pieces.is_empty() {
                text.reserve(original.len());
            }
            if verbatim_from < at {
                pieces.push(Piece {
                    at: offset(text.len()),
                    from: offset(verbatim_from),
                    folded: false,
                });
                text.push_str(&original[verbatim_from..at]);
            }
            verbatim_from = i;
            let before = text.len();
            match fold {
                Fold::Keep | Fold::Drop => {}
                Fold::Ascii(b) => text.push(char::from(b)),
                Fold::Compat => {
                    for folded in std::iter::once(ch).nfkc() {
                        // NFKC can produce invisible characters of its own; drop them too.
                        if !matches!(self::fold(folded), Fold::Drop) {
                            text.push(folded);
                        }
                    }
                }
            }
            if text.len() > before || pieces.is_empty() {
                // A dropped character leaves a piece too when it is the first change: an empty
                // `pieces` means "borrowed". An empty piece is never looked up: the next piece
                // starts at the same byte, and the lookup takes the last piece starting there.
                pieces.push(Piece {
                    at: offset(before),
                    from: offset(at),
                    folded: true,
                });
            }
        }
        if pieces.is_empty() {
            return Normalized {
                original,
                text: Cow::Borrowed(original),
                pieces,
            };
        }
        if verbatim_from < original.len() {
            pieces.push(Piece {
                at: offset(text.len()),
                from: offset(verbatim_from),
                folded: false,
            });
            text.push_str(&original[verbatim_from..]);
        }
        Normalized {
            original,
            text: Cow::Owned(text),
            pieces,
        }
    }

    /// The normalised text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Maps a byte span of the normalised text back to a byte span of the original text.
    pub(crate) fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.pieces.is_empty() {
            return (start, end);
        }
        if start >= end || end > self.text.len() {
            let at = if start < self.text.len() {
                self.origin(start)
            } else {
                self.original.len()
            };
            return (at, at);
        }
        let first = self.origin(start);
        let last_char_start = self.origin(end - 1);
        let last_len = self.original[last_char_start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        (first, last_char_start + last_len)
    }

    /// The byte offset in `original` of the character that produced byte `at` of the normalised
    /// text (`at` < its length).
    fn origin(&self, at: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|p| p.at as usize <= at)
            .saturating_sub(1);
        let Some(piece) = self.pieces.get(index) else {
            return 0;
        };
        if piece.folded {
            return piece.from as usize;
        }
        let mut from = piece.from as usize + (at - piece.at as usize);
        while from > 0 && !self.original.is_char_boundary(from) {
            from -= 1;
        }
        from
    }
}

/// The length of the run of ASCII bytes at the start of `bytes`, eight bytes at a time.
fn ascii_run(bytes: &[u8]) -> usize {
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|b| b.is_ascii()).count()
}

fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
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

    /// The per-byte origin map normalisation used to build: the reference the pieces must agree with.
    fn reference(original: &str) -> (String, Vec<usize>) {
        let mut text = String::new();
        let mut origin = Vec::new();
        for (offset, ch) in original.char_indices() {
            let before = text.len();
            match fold(ch) {
                Fold::Keep => text.push(ch),
                Fold::Drop => {}
                Fold::Ascii(b) => text.push(b as char),
                Fold::Compat => text.extend(
                    std::iter::once(ch)
                        .nfkc()
                        .filter(|&c| !matches!(fold(c), Fold::Drop)),
                ),
            }
            origin.resize(origin.len() + (text.len() - before), offset);
        }
        (text, origin)
    }

    proptest::proptest! {
        #[test]
        fn pieces_map_back_like_a_per_byte_map(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "4", " ", "é", "ж", "\u{00A0}", "\u{200B}", "\u{E0041}", "４", "\u{2013}",
                    "\u{FB01}", "\u{2474}", "\u{0663}", "𝐀", "\u{00B2}", "€", "\u{2122}",
                ]),
                0..40,
            )
        ) {
            let input: String = parts.concat();
            let n = Normalized::new(&input);
            let (text, origin) = reference(&input);
            proptest::prop_assert_eq!(n.text(), text.as_str());
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            for &start in &bounds {
                for &end in bounds.iter().filter(|&&e| e > start) {
                    let last = origin[end - 1];
                    let last_len = input[last..].chars().next().map_or(0, char::len_utf8);
                    let expect = if origin.len() == input.len() && text == input {
                        (start, end)
                    } else {
                        (origin[start], last + last_len)
                    };
                    proptest::prop_assert_eq!(n.original_span(start, end), expect);
                }
            }
        }
    }

    #[test]
    fn counts_code_points() {
        let text = "héllo wörld";
        let counter = CharCounter::new(text);
        let w = text.find('w').unwrap();
        assert_eq!(counter.convert(&[w, 0, text.len()]), vec![6, 0, 11]);
    }
}
