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
    /// Indices into `words` of the words that contain a digit, in order. Number detectors walk this
    /// short list instead of every word: a word scan per detector costs more than the detector.
    pub(crate) digit_words: Vec<u32>,
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

const WORD: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;

static CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
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
            0
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
    ch.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&ch)
}

impl<'a> Doc<'a> {
    pub(crate) fn new(text: &'a str) -> Doc<'a> {
        let bytes = text.as_bytes();
        let mut words = Vec::with_capacity(bytes.len() / 5 + 1);
        let mut present = Present::default();
        let mut digit_words = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                let class = CLASS[b as usize];
                if class & WORD == 0 {
                    match b {
                        b'@' => present.at = true,
                        b'.' => present.dot = true,
                        b':' => present.colon = true,
                        b'-' => present.dash = true,
                        _ => {}
                    }
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
            // A word starts at i.
            let start = i;
            let mut flags = 0u16;
            let mut hash = HASH_SEED;
            let mut first = true;
            while i < bytes.len() {
                let b = bytes[i];
                if b < 0x80 {
                    let class = CLASS[b as usize];
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
            if flags & shape::DIGIT != 0 {
                present.digit = true;
                digit_words.push(words.len() as u32);
            }
            words.push(Word {
                start: start as u32,
                end: i as u32,
                flags,
                hash,
            });
        }
        Doc {
            text,
            bytes,
            words,
            present,
            digit_words,
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
        self.words.partition_point(|w| (w.start as usize) < byte)
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

    #[test]
    fn literal_escapes_do_not_glue_to_the_next_word() {
        let doc = Doc::new(r"Drive\nMobile: 730\nabla");
        let texts: Vec<&str> = doc.words.iter().map(|w| doc.word_text(w)).collect();
        assert_eq!(texts, ["Drive", "Mobile", "730", "nabla"]);
    }
}
