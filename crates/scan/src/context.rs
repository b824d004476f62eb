//! Context words: words near a candidate that make it more (or less) likely to be what it looks like.
//!
//! "SSN 078-05-1120" is a social security number; "order 078-05-1120" probably is not. A context set is a
//! list of words and short phrases; a candidate has context when one of them occurs within a few words
//! before it (or, less often, just after it). The window is bounded in words and bytes, which keeps
//! detection local (see `stream`).

use crate::doc::{Doc, hash_lower};

/// Words looked for before a candidate.
pub(crate) const WORDS_BEFORE: usize = 6;
/// Words looked for after a candidate.
pub(crate) const WORDS_AFTER: usize = 3;
/// How far, in bytes, context may be from the candidate.
pub(crate) const MAX_CONTEXT_BYTES: usize = 96;

/// A set of context words and phrases, matched case-insensitively on whole words.
#[derive(Clone, Debug, Default)]
pub(crate) struct ContextWords {
    /// Each phrase as the hashes of its words.
    phrases: Vec<Vec<u64>>,
    /// Bit `h % 64` set for the hash `h` of every phrase's first word: most words are rejected with
    /// one test instead of a comparison per phrase.
    first_words: u64,
}

impl ContextWords {
    pub(crate) fn new<S: AsRef<str>>(phrases: &[S]) -> ContextWords {
        let phrases = phrases
            .iter()
            .map(|p| {
                let doc = Doc::new(p.as_ref());
                doc.words.iter().map(|w| w.hash).collect::<Vec<u64>>()
            })
            .filter(|p| !p.is_empty())
            .collect::<Vec<Vec<u64>>>();
        let first_words = phrases.iter().fold(0u64, |bits, p| bits | 1 << (p[0] % 64));
        ContextWords {
            phrases,
            first_words,
        }
    }

    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// True if the first word of some phrase occurs anywhere in `doc`: when false, no candidate of
    /// `doc` has context, and a detector that needs context can skip the text.
    pub(crate) fn may_occur_in(&self, doc: &Doc<'_>) -> bool {
        doc.words.iter().any(|word| {
            self.first_words & (1 << (word.hash % 64)) != 0
                && self.phrases.iter().any(|phrase| phrase[0] == word.hash)
        })
    }

    /// True if a phrase occurs within the window around the byte span `start..end`.
    pub(crate) fn near(&self, doc: &Doc<'_>, start: usize, end: usize) -> bool {
        self.near_window(doc, start, end, WORDS_BEFORE, WORDS_AFTER)
    }

    /// True if a phrase occurs in the `before` words before `start` or the `after` words after `end`.
    pub(crate) fn near_window(
        &self,
        doc: &Doc<'_>,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> bool {
        if self.phrases.is_empty() {
            return false;
        }
        let first = doc.word_index_at(start);
        let lo = first.saturating_sub(before);
        for i in lo..first {
            if doc.words[i].start as usize + MAX_CONTEXT_BYTES < start {
                continue;
            }
            if self.phrase_at(doc, i) {
                return true;
            }
        }
        let after_first = doc.word_index_at(end);
        let hi = (after_first + after).min(doc.words.len());
        for i in after_first..hi {
            if doc.words[i].end as usize > end + MAX_CONTEXT_BYTES {
                break;
            }
            if self.phrase_at(doc, i) {
                return true;
            }
        }
        false
    }

    fn phrase_at(&self, doc: &Doc<'_>, i: usize) -> bool {
        let hash = doc.words[i].hash;
        if self.first_words & (1 << (hash % 64)) == 0 {
            return false;
        }
        self.phrases.iter().any(|phrase| {
            phrase[0] == hash
                && phrase.len() <= doc.words.len() - i
                && phrase
                    .iter()
                    .zip(&doc.words[i..])
                    .all(|(h, w)| *h == w.hash)
        })
    }

    /// True if `word` is one of the single-word entries.
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn contains_word(&self, word: &str) -> bool {
        let hash = hash_lower(word);
        self.phrases.iter().any(|p| p.len() == 1 && p[0] == hash)
    }
}

/// Presidio's rule for a supported candidate: raise by 0.35, to at least 0.4, at most 1.
pub(crate) fn boost(score: f32) -> f32 {
    (score + 0.35).clamp(0.4, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_and_phrases_in_the_window() {
        let ctx = ContextWords::new(&["ssn", "social security"]);
        let text = "my Social Security number is 078-05-1120 ok";
        let doc = Doc::new(text);
        let start = text.find("078").unwrap();
        assert!(ctx.near(&doc, start, start + 11));
        let text = "an order with number 078-05-1120";
        let doc = Doc::new(text);
        let start = text.find("078").unwrap();
        assert!(!ctx.near(&doc, start, start + 11));
        assert!(ctx.contains_word("SSN"));
        assert!(ctx.may_occur_in(&Doc::new("the Social club")));
        assert!(!ctx.may_occur_in(&Doc::new("an order with number 078-05-1120")));
    }
}
