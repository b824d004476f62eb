//! Restoring a streamed answer chunk by chunk, with the same result as restoring the whole answer.
//!
//! The restorer reads the text it has with the whole-text algorithm and stops at the first position
//! whose outcome depends on text not yet received: the start of what may still become a placeholder
//! or a fake, or a fake that needs the next character to prove it ends on a word boundary. Everything
//! before that position is final and emitted; the rest (at most [`StreamRestorer::max_holdback`]
//! bytes) waits for the next chunk or [`StreamRestorer::finish`].

use crate::operator::restore::Restorer;

/// Restores placeholders and fakes in a stream of answer chunks.
///
/// ```
/// use warden_scan::{EntityType, PseudonymTable};
/// let mut table = PseudonymTable::default();
/// table.placeholder(&EntityType::Person, "Jane Doe");
/// let mut stream = table.stream_restorer();
/// let mut out = stream.push("Dear <PER");
/// out += &stream.push("SON_1>, thanks");
/// out += &stream.finish();
/// assert_eq!(out, "Dear Jane Doe, thanks");
/// ```
#[derive(Clone)]
pub struct StreamRestorer {
    restorer: Restorer,
    /// Received but not yet emitted.
    pending: String,
    /// The last character of the input before `pending` (for word-boundary checks).
    prev: Option<char>,
}

impl StreamRestorer {
    pub(crate) fn new(restorer: Restorer) -> StreamRestorer {
        StreamRestorer {
            restorer,
            pending: String::new(),
            prev: None,
        }
    }

    /// Takes the next chunk and returns the text that is now final, restored.
    pub fn push(&mut self, chunk: &str) -> String {
        if self.restorer.is_empty() {
            return chunk.to_owned();
        }
        self.pending.push_str(chunk);
        self.drain(false)
    }

    /// Ends the stream: returns everything still held back, restored. The restorer can then be
    /// reused for another stream of the same table.
    pub fn finish(&mut self) -> String {
        let out = self.drain(true);
        self.pending.clear();
        self.prev = None;
        out
    }

    /// The most bytes ever held back between calls.
    pub fn max_holdback(&self) -> usize {
        self.restorer.max_holdback()
    }

    /// Bytes currently held back.
    pub fn held_back(&self) -> usize {
        self.pending.len()
    }

    fn drain(&mut self, at_end: bool) -> String {
        let mut out = String::with_capacity(self.pending.len());
        let consumed = self
            .restorer
            .run(&self.pending, &mut self.prev, at_end, &mut out);
        self.pending.drain(..consumed.min(self.pending.len()));
        out
    }
}

impl std::fmt::Debug for StreamRestorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamRestorer")
            .field("held_back", &self.pending.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::entity::EntityType;
    use crate::operator::key::{Keys, OperatorKey};
    use crate::operator::pseudonym::PseudonymTable;

    fn table() -> PseudonymTable {
        let keys = Keys::derive(&OperatorKey::from_bytes([2; 32]).unwrap()).unwrap();
        let mut t = PseudonymTable::default();
        t.placeholder(&EntityType::Person, "Jane Doe");
        t.placeholder(&EntityType::Person, "John Roe");
        t.placeholder(&EntityType::EmailAddress, "jane@corp.example");
        t.fake(&keys, &EntityType::Person, "Alice Liddell");
        t.fake(&keys, &EntityType::Person, "Bob");
        t.fake(&keys, &EntityType::CreditCard, "4111 1111 1111 1111");
        t.fake(&keys, &EntityType::PhoneNumber, "+44 20 7946 0958");
        t
    }

    /// Splits `text` at the given char positions.
    fn chunks(text: &str, cuts: &[usize]) -> Vec<String> {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let mut points: Vec<usize> = cuts
            .iter()
            .map(|c| boundaries[c % boundaries.len()])
            .collect();
        points.push(0);
        points.push(text.len());
        points.sort_unstable();
        points.dedup();
        points
            .windows(2)
            .map(|w| text[w[0]..w[1]].to_owned())
            .collect()
    }

    fn streamed(t: &PseudonymTable, parts: &[String]) -> (String, usize) {
        let mut stream = t.stream_restorer();
        let mut out = String::new();
        let mut most_held = 0;
        for part in parts {
            out += &stream.push(part);
            most_held = most_held.max(stream.held_back());
        }
        out += &stream.finish();
        (out, most_held)
    }

    #[test]
    fn every_split_of_a_placeholder_and_a_fake() {
        let t = table();
        let mut fakes = Vec::new();
        let fake_text = {
            let keys = Keys::derive(&OperatorKey::from_bytes([2; 32]).unwrap()).unwrap();
            let mut t2 = t.clone();
            fakes.push(t2.fake(&keys, &EntityType::Person, "Alice Liddell"));
            fakes.push(t2.fake(&keys, &EntityType::CreditCard, "4111 1111 1111 1111"));
            format!(
                "Dear < person_1 >, {} paid with {}. [PERSON 2]!",
                fakes[0], fakes[1]
            )
        };
        let whole = t.restore(&fake_text);
        assert_eq!(
            whole,
            "Dear Jane Doe, Alice Liddell paid with 4111 1111 1111 1111. John Roe!"
        );
        let n = fake_text.chars().count();
        for a in 0..=n {
            for b in a..=n {
                let (out, _) = streamed(&t, &chunks(&fake_text, &[a, b]));
                assert_eq!(out, whole, "cuts at {a}, {b}");
            }
        }
    }

    #[test]
    fn holds_back_only_a_possible_partial() {
        let t = table();
        let mut stream = t.stream_restorer();
        assert_eq!(stream.push("Hello "), "Hello ");
        assert_eq!(stream.push("<PERS"), "");
        assert_eq!(stream.held_back(), 5);
        assert_eq!(stream.push("ON_1> and <b>bold"), "Jane Doe and <b>bold");
        assert_eq!(stream.push(" x <"), " x ");
        assert_eq!(stream.finish(), "<");
        let empty = PseudonymTable::default();
        let mut passthrough = empty.stream_restorer();
        assert_eq!(passthrough.push("<PERS"), "<PERS");
    }

    fn arbitrary_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("<PERSON_1>".to_owned()),
            Just("< person 2 >".to_owned()),
            Just("[EMAIL_ADDRESS_1]".to_owned()),
            Just("&lt;PERSON_2&gt;".to_owned()),
            Just("PERSON_1".to_owned()),
            Just("<PERSON_3>".to_owned()),
            Just("<".to_owned()),
            Just("&".to_owned()),
            Just("_".to_owned()),
            Just("PERSON".to_owned()),
            "[a-zA-Z0-9 <>\\[\\]_&;.é]{0,6}",
            "\\PC{0,3}",
        ];
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn streamed_restore_equals_whole_restore(
            text in arbitrary_text(),
            fake_at in prop::collection::vec(0usize..4, 0..4),
            cuts in prop::collection::vec(0usize..400, 0..8),
        ) {
            let t = table();
            // Sprinkle in the table's fakes, in varying case.
            let keys = Keys::derive(&OperatorKey::from_bytes([2; 32]).unwrap()).unwrap();
            let mut t2 = t.clone();
            let fakes = [
                t2.fake(&keys, &EntityType::Person, "Alice Liddell"),
                t2.fake(&keys, &EntityType::Person, "Bob").to_uppercase(),
                t2.fake(&keys, &EntityType::CreditCard, "4111 1111 1111 1111"),
                t2.fake(&keys, &EntityType::PhoneNumber, "+44 20 7946 0958"),
            ];
            let mut text = text;
            for (i, &f) in fake_at.iter().enumerate() {
                let at = text.char_indices().map(|(i, _)| i).nth(i * 3).unwrap_or(text.len());
                text.insert_str(at, &fakes[f]);
            }
            let whole = t.restore(&text);
            let (out, most_held) = streamed(&t, &chunks(&text, &cuts));
            prop_assert_eq!(out, whole);
            prop_assert!(most_held <= t.stream_restorer().max_holdback());
        }
    }
}
