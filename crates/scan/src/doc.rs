//! The lexed view of a normalised text that detectors share: words with their shape and a hash of
//! their lower-case form, computed once per scan.

/// A word: a maximal run of letters, digits and combining marks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Word {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) flags: u16,
    /// Hash of the lower-case form (see [`hash_lower`]).
    pub(crate) hash: u64,
}

/// Word shape flags.
pub(crate) mod shape {
    /// Contains an ASCII or Unicode decimal digit.
    pub(crate) const DIGIT: u16 = 1;
    /// Contains a letter.
    pub(crate) const ALPHA: u16 = 1 << 1;
    /// Contains an upper-case letter.
    pub(crate) const UPPER: u16 = 1 << 2;
    /// Contains a lower-case letter.
    pub(crate) const LOWER: u16 = 1 << 3;
    /// Starts with an upper-case letter.
    pub(crate) const INITIAL_UPPER: u16 = 1 << 4;
    /// Contains a non-ASCII character.
    pub(crate) const NON_ASCII: u16 = 1 << 5;
}

impl Word {
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub(crate) fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// Only digits.
    pub(crate) fn is_number(&self) -> bool {
        self.flags & (shape::DIGIT | shape::ALPHA) == shape::DIGIT
    }

    /// Only letters.
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn is_alpha(&self) -> bool {
        self.flags & (shape::DIGIT | shape::ALPHA) == shape::ALPHA
    }

    /// Starts with a capital and has lower case after (`Smith`), or is a single capital.
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn is_capitalised(&self) -> bool {
        self.has(shape::INITIAL_UPPER)
    }
}

/// A text with its words.
pub(crate) struct Doc<'a> {
    pub(crate) text: &'a str,
    pub(crate) bytes: &'a [u8],
    pub(crate) words: Vec<Word>,
    /// Bytes of interest present anywhere in the text, so detectors can skip whole texts.
    pub(crate) present: Present,
    /// The ASCII text smuggled in Unicode tag characters of the original (before normalisation
    /// removed them), for the injection detector; usually empty.
    pub(crate) smuggled: String,
    /// Indices into `words` of the words that contain a digit, in order. Number detectors walk this
    /// short list instead of every word: a word scan per detector costs more than the detector.
    pub(crate) digit_words: Vec<u32>,
    /// The word index [`Doc::word_index_at`] found last: detectors ask about nearby offsets in
    /// order, and a search from there touches a few words instead of a binary search over a large
    /// document's words (each step a cache miss).
    finger: std::cell::Cell<usize>,
}

/// Which marker bytes a text contains.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Present {
    pub(crate) digit: bool,
    pub(crate) at: bool,
    pub(crate) dot: bool,
    pub(crate) colon: bool,
    pub(crate) dash: bool,
}

// Byte classes. The letter bits are the shape bits of the same name, and `UPPER << 3` is the bit that
// makes an ASCII capital lower-case (0x20).
const WORD: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
// Marker bytes of non-word bytes, collected into `Present`.
const MARK_AT: u8 = 16;
const MARK_DOT: u8 = 32;
const MARK_COLON: u8 = 64;
const MARK_DASH: u8 = 128;

const _: () = assert!(UPPER as u16 == shape::UPPER && LOWER as u16 == shape::LOWER);
const _: () = assert!(UPPER << 3 == b'a' - b'A');

/// The class of every byte; bytes of non-ASCII characters have none (0), like other non-word bytes.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() {
            WORD | DIGIT
        } else if c.is_ascii_uppercase() {
            WORD | UPPER
        } else if c.is_ascii_lowercase() {
            WORD | LOWER
        } else {
            match c {
                b'@' => MARK_AT,
                b'.' => MARK_DOT,
                b':' => MARK_COLON,
                b'-' => MARK_DASH,
                _ => 0,
            }
        };
        b += 1;
    }
    table
};

const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;
const HASH_MUL: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over the lower-cased UTF-8 of `s`: the key for context words and gazetteers.
#[allow(dead_code, reason = "shared helper for detectors on other branches")]
pub(crate) fn hash_lower(s: &str) -> u64 {
    let mut h = HASH_SEED;
    for ch in s.chars() {
        if ch.is_ascii() {
            h = (h ^ u64::from(ch.to_ascii_lowercase() as u8)).wrapping_mul(HASH_MUL);
        } else {
            for lower in ch.to_lowercase() {
                let mut buf = [0u8; 4];
                for &b in lower.encode_utf8(&mut buf).as_bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(HASH_MUL);
                }
            }
        }
    }
    h
}

fn is_word_char(ch: char) -> bool {
    if let Some(letter) = latin1_letter(ch) {
        return letter.is_some();
    }
    ch.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&ch)
}

/// The letters of Latin-1 (U+00C0 to U+00FF), most of the non-ASCII letters of European text,
/// answered without the Unicode tables: `None` outside the block, `Some(None)` for `×` and `÷`, else
/// `Some(Some(lower))` with the lower-case form (`É` → `é`; lower-case letters map to themselves).
/// A test checks every character of the block against the standard library.
fn latin1_letter(ch: char) -> Option<Option<char>> {
    match ch {
        '\u{D7}' | '\u{F7}' => Some(None),
        '\u{C0}'..='\u{DE}' => Some(char::from_u32(u32::from(ch) + 0x20)),
        '\u{DF}'..='\u{FF}' => Some(Some(ch)),
        _ => None,
    }
}

impl<'a> Doc<'a> {
    pub(crate) fn new(text: &'a str) -> Doc<'a> {
        let bytes = text.as_bytes();
        let mut words = Vec::with_capacity(bytes.len() / 5 + 1);
        let mut marks = 0u8;
        let mut digit_words = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                let class = CLASS[usize::from(b)];
                if class & WORD == 0 {
                    marks |= class;
                    // A literal escape in dumped text ("Street\nPhone: …") ends a line: its letter
                    // is not part of the next word, so "Phone" is still seen as "Phone".
                    if b == b'\\' && is_escape_before_word(bytes, i) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    continue;
                }
            } else if !text[i..].chars().next().is_some_and(is_word_char) {
                i += utf8_len(b);
                continue;
            }
            // A word starts at i: most are ASCII, lexed by the tight loop; a word with another
            // character is lexed again, character by character.
            let (end, flags, hash) = match ascii_word(bytes, i) {
                Some(word) => word,
                None => unicode_word(text, i),
            };
            if flags & shape::DIGIT != 0 {
                digit_words.push(words.len() as u32);
            }
            words.push(Word {
                start: i as u32,
                end: end as u32,
                flags,
                hash,
            });
            i = end;
        }
        let present = Present {
            digit: !digit_words.is_empty(),
            at: marks & MARK_AT != 0,
            dot: marks & MARK_DOT != 0,
            colon: marks & MARK_COLON != 0,
            dash: marks & MARK_DASH != 0,
        };
        Doc {
            text,
            bytes,
            words,
            present,
            smuggled: String::new(),
            digit_words,
            finger: std::cell::Cell::new(0),
        }
    }

    /// The words that contain a digit, with their indices in `words`.
    pub(crate) fn digit_words(&self) -> impl Iterator<Item = (usize, &Word)> + '_ {
        self.digit_words
            .iter()
            .filter_map(|&i| self.words.get(i as usize).map(|w| (i as usize, w)))
    }

    /// The text of a word.
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn word_text(&self, word: &Word) -> &'a str {
        &self.text[word.range()]
    }

    /// Index of the first word that starts at or after `byte`.
    pub(crate) fn word_index_at(&self, byte: usize) -> usize {
        let before = |w: &Word| (w.start as usize) < byte;
        let n = self.words.len();
        let finger = self.finger.get().min(n);
        // Gallop from the last answer to a range that holds the partition point, then search it.
        let (mut lo, mut hi) = (finger, finger);
        let mut step = 1;
        if self.words.get(finger).is_some_and(before) {
            // The point lies after `finger`.
            lo = finger + 1;
            hi = lo;
            while hi < n && before(&self.words[hi]) {
                lo = hi + 1;
                hi = (hi + step).min(n);
                step *= 2;
            }
        } else {
            // The point lies at or before `finger`.
            while lo > 0 && !before(&self.words[lo - 1]) {
                hi = lo - 1;
                lo = lo.saturating_sub(step);
                step *= 2;
            }
        }
        let index = lo + self.words[lo..hi].partition_point(before);
        self.finger.set(index);
        index
    }

    /// Index of the first word that ends after `byte` (the word containing `byte`, or the next one).
    pub(crate) fn word_index_containing(&self, byte: usize) -> usize {
        self.words.partition_point(|w| (w.end as usize) <= byte)
    }

    /// True if no word character ends right before byte `at` (start of text, space, punctuation).
    /// A literal `\n`, `\r` or `\t` escape in dumped text counts as a boundary too.
    pub(crate) fn boundary_before(&self, at: usize) -> bool {
        if at >= 2
            && self.bytes.get(at - 2) == Some(&b'\\')
            && matches!(self.bytes.get(at - 1), Some(b'n' | b'r' | b't'))
        {
            return true;
        }
        match self.text.get(..at).and_then(|s| s.chars().next_back()) {
            None => true,
            Some(ch) => !(is_word_char(ch) || ch == '_'),
        }
    }

    /// True if no word character starts at byte `at` (end of text, space, punctuation).
    pub(crate) fn boundary_after(&self, at: usize) -> bool {
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            None => true,
            Some(ch) => !(is_word_char(ch) || ch == '_'),
        }
    }

    /// The byte before `at`, if any.
    pub(crate) fn byte_before(&self, at: usize) -> Option<u8> {
        at.checked_sub(1).map(|i| self.bytes[i])
    }

    /// The byte at `at`, if any.
    pub(crate) fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }
}

/// Lexes the word starting at `start` if it is all ASCII: its end, shape flags and hash. `None` when
/// a non-ASCII byte follows the ASCII letters and digits (the word may go on).
fn ascii_word(bytes: &[u8], start: usize) -> Option<(usize, u16, u64)> {
    let mut seen = 0u8;
    let mut hash = HASH_SEED;
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        let class = CLASS[usize::from(b)];
        if class & WORD == 0 {
            break;
        }
        seen |= class;
        // One multiply per byte and no branch on the class: FNV-1a's chain sets the pace.
        let lower = b | ((class & UPPER) << 3);
        hash = (hash ^ u64::from(lower)).wrapping_mul(HASH_MUL);
        i += 1;
    }
    if i == start || bytes.get(i).is_some_and(|&b| b >= 0x80) {
        return None;
    }
    let mut flags = u16::from(seen & (UPPER | LOWER));
    if seen & DIGIT != 0 {
        flags |= shape::DIGIT;
    }
    if seen & (UPPER | LOWER) != 0 {
        flags |= shape::ALPHA;
    }
    if CLASS[usize::from(bytes[start])] & UPPER != 0 {
        flags |= shape::INITIAL_UPPER;
    }
    Some((i, flags, hash))
}

/// Lexes the word starting at `start` character by character: its end, shape flags and hash.
fn unicode_word(text: &str, start: usize) -> (usize, u16, u64) {
    let bytes = text.as_bytes();
    let mut flags = 0u16;
    let mut hash = HASH_SEED;
    let mut first = true;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            let class = CLASS[usize::from(b)];
            if class & WORD == 0 {
                break;
            }
            if class & DIGIT != 0 {
                flags |= shape::DIGIT;
            } else {
                flags |= shape::ALPHA;
                if class & UPPER != 0 {
                    flags |= shape::UPPER;
                    if first {
                        flags |= shape::INITIAL_UPPER;
                    }
                } else {
                    flags |= shape::LOWER;
                }
            }
            hash = (hash ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(HASH_MUL);
            i += 1;
        } else {
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            if let Some(letter) = latin1_letter(ch) {
                let Some(lower) = letter else {
                    break;
                };
                flags |= shape::NON_ASCII | shape::ALPHA;
                if lower == ch {
                    flags |= shape::LOWER;
                } else {
                    flags |= shape::UPPER;
                    if first {
                        flags |= shape::INITIAL_UPPER;
                    }
                }
                let mut buf = [0u8; 4];
                for &lb in lower.encode_utf8(&mut buf).as_bytes() {
                    hash = (hash ^ u64::from(lb)).wrapping_mul(HASH_MUL);
                }
                i += ch.len_utf8();
                first = false;
                continue;
            }
            if !is_word_char(ch) {
                break;
            }
            flags |= shape::NON_ASCII;
            if ch.is_numeric() {
                flags |= shape::DIGIT;
            } else if ch.is_alphabetic() {
                flags |= shape::ALPHA;
                if ch.is_uppercase() {
                    flags |= shape::UPPER;
                    if first {
                        flags |= shape::INITIAL_UPPER;
                    }
                } else if ch.is_lowercase() {
                    flags |= shape::LOWER;
                }
            }
            for lower in ch.to_lowercase() {
                let mut buf = [0u8; 4];
                for &lb in lower.encode_utf8(&mut buf).as_bytes() {
                    hash = (hash ^ u64::from(lb)).wrapping_mul(HASH_MUL);
                }
            }
            i += ch.len_utf8();
        }
        first = false;
    }
    (i, flags, hash)
}

/// `\n`, `\r` or `\t` at `at`, followed by a capital letter or a digit (a new line or field).
fn is_escape_before_word(bytes: &[u8], at: usize) -> bool {
    matches!(bytes.get(at + 1), Some(b'n' | b'r' | b't'))
        && bytes
            .get(at + 2)
            .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_hashes_lower_case() {
        let doc = Doc::new("Hello, Wörld 42x!");
        let texts: Vec<&str> = doc.words.iter().map(|w| doc.word_text(w)).collect();
        assert_eq!(texts, ["Hello", "Wörld", "42x"]);
        assert_eq!(doc.words[0].hash, hash_lower("hello"));
        assert_eq!(doc.words[1].hash, hash_lower("WÖRLD"));
        assert!(doc.words[0].is_capitalised());
        assert!(doc.words[2].has(shape::DIGIT) && doc.words[2].has(shape::ALPHA));
        assert!(!doc.present.at);
        let digit: Vec<usize> = doc.digit_words().map(|(i, _)| i).collect();
        assert_eq!(digit, [2]);
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_lexes_like_the_character_loop(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Z", "7", " ", "-", ".", "@", ":", "_", "\\n", "é", "Ö", "٣", "\u{0301}", "€", "ß", "İ",
                ]),
                0..40,
            )
        ) {
            let text: String = parts.concat();
            let doc = Doc::new(&text);
            for word in &doc.words {
                let (end, flags, hash) = unicode_word(&text, word.start as usize);
                proptest::prop_assert_eq!((word.end, word.flags, word.hash), (end as u32, flags, hash));
            }
            let mut words = doc.words.iter().map(|w| w.range());
            proptest::prop_assert!(words.all(|r| !r.is_empty()));
            proptest::prop_assert_eq!(doc.present.at, text.contains('@'));
            proptest::prop_assert_eq!(doc.present.digit, doc.words.iter().any(|w| w.has(shape::DIGIT)));
        }
    }

    proptest::proptest! {
        #[test]
        fn word_index_at_agrees_with_a_binary_search(
            text in "[a-z0-9 .]{0,80}",
            queries in proptest::collection::vec(0usize..90, 0..20),
        ) {
            let doc = Doc::new(&text);
            for byte in queries {
                let expect = doc.words.partition_point(|w| (w.start as usize) < byte);
                proptest::prop_assert_eq!(doc.word_index_at(byte), expect);
            }
        }
    }

    #[test]
    fn latin1_letters_agree_with_the_unicode_tables() {
        for ch in '\u{C0}'..='\u{FF}' {
            let Some(letter) = latin1_letter(ch) else {
                panic!("{ch:?} is in the block");
            };
            assert_eq!(letter.is_some(), ch.is_alphanumeric(), "{ch:?}");
            assert!(!ch.is_numeric(), "{ch:?}");
            if let Some(lower) = letter {
                assert_eq!(
                    ch.to_lowercase().collect::<String>(),
                    lower.to_string(),
                    "{ch:?}"
                );
                assert_eq!(lower != ch, ch.is_uppercase(), "{ch:?}");
                assert_eq!(lower == ch, ch.is_lowercase(), "{ch:?}");
            }
        }
        assert_eq!(latin1_letter('\u{BF}'), None);
        assert_eq!(latin1_letter('\u{100}'), None);
    }

    #[test]
    fn literal_escapes_do_not_glue_to_the_next_word() {
        let doc = Doc::new(r"Drive\nMobile: 730\nabla");
        let texts: Vec<&str> = doc.words.iter().map(|w| doc.word_text(w)).collect();
        assert_eq!(texts, ["Drive", "Mobile", "730", "nabla"]);
    }
}
