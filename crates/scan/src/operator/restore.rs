//! Putting original values back: recognising a table's placeholders and fakes in a model's answer.
//!
//! Models do not always echo a placeholder byte for byte. Accepted forms of an issued `<PERSON_1>`:
//!
//! - brackets `<…>`, `[…]`, `{…}` or HTML-escaped `&lt;…&gt;` (opening and closing must pair up);
//! - up to two spaces inside the brackets on each side: `< PERSON_1 >`;
//! - the label in any letter case, its underscores written as `_`, `-` or one space:
//!   `<person_1>`, `<Email Address_2>`;
//! - between label and number `_`, `-`, one space or nothing: `<PERSON 1>`, `<PERSON-1>`, `<PERSON1>`;
//! - the bare form exactly as issued, on word boundaries: `PERSON_1` (models drop brackets in tables
//!   and code), but not `person_1` or `PERSON 1` bare, which are too likely to be ordinary text.
//!
//! Never restored: numbers with leading zeros (`<PERSON_01>`), mismatched brackets (`<PERSON_1]`),
//! and anything that is not one of this table's issued placeholders (`<PERSON_9>` when only one person
//! was seen stays as it is). Fakes are found case-insensitively (ASCII) on word boundaries: a fake
//! that starts or ends with a letter, digit or `_` must not be glued to another one.
//!
//! The text is read left to right; at each position the longest placeholder or fake that starts there
//! wins, and reading resumes after it. Every decision depends only on a bounded window after the
//! position and the one character before it, which is what lets [`crate::StreamRestorer`] hold back
//! only a short tail and still produce exactly the whole-text result.

use std::collections::HashMap;

/// Longest text between brackets that can be a placeholder: a 64-byte label, a joiner, ten digits and
/// spaces, with room to spare.
pub(crate) const MAX_CONTENT: usize = 80;
/// The largest number a placeholder can carry (bounds both parsing and what [`reserve`] records).
pub(crate) const MAX_NUMBER: u32 = 99_999_999;

const BRACKETS: [(&[u8], &[u8]); 4] =
    [(b"<", b">"), (b"[", b"]"), (b"{", b"}"), (b"&lt;", b"&gt;")];

/// What reading at one position found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A placeholder or fake of `len` bytes, to be replaced by original value `value`.
    Match { len: usize, value: usize },
    /// Nothing starts here.
    NoMatch,
    /// The text ends inside something that may still become a match: wait for more.
    NeedMore,
}

/// A literal to find: a fake (caseless) or a bare placeholder (exact).
#[derive(Clone, Debug)]
struct Literal {
    text: String,
    caseless: bool,
    value: usize,
}

/// A compiled view of a pseudonym table for restoring.
#[derive(Clone)]
pub(crate) struct Restorer {
    values: Vec<String>,
    placeholders: HashMap<(String, u32), usize>,
    literals: Vec<Literal>,
    /// Indices into `literals` by lower-cased first byte.
    buckets: HashMap<u8, Vec<usize>>,
    longest_literal: usize,
}

impl Restorer {
    /// `entries`: (label, number if a placeholder was issued, fake if one was issued, original value).
    pub(crate) fn new<'a>(
        entries: impl Iterator<Item = (&'a str, Option<u32>, Option<&'a str>, &'a str)>,
    ) -> Restorer {
        let mut restorer = Restorer {
            values: Vec::new(),
            placeholders: HashMap::new(),
            literals: Vec::new(),
            buckets: HashMap::new(),
            longest_literal: 0,
        };
        for (label, number, fake, value) in entries {
            let index = restorer.values.len();
            restorer.values.push(value.to_owned());
            if let Some(number) = number {
                restorer
                    .placeholders
                    .insert((label.to_ascii_uppercase(), number), index);
                restorer.add_literal(format!("{label}_{number}"), false, index);
            }
            if let Some(fake) = fake.filter(|f| !f.is_empty()) {
                restorer.add_literal(fake.to_owned(), true, index);
            }
        }
        restorer
    }

    fn add_literal(&mut self, text: String, caseless: bool, value: usize) {
        let Some(&first) = text.as_bytes().first() else {
            return;
        };
        self.longest_literal = self.longest_literal.max(text.len());
        self.buckets
            .entry(first.to_ascii_lowercase())
            .or_default()
            .push(self.literals.len());
        self.literals.push(Literal {
            text,
            caseless,
            value,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The most bytes a stream restorer ever holds back: the longest match plus one character of
    /// look-ahead for the word-boundary check.
    pub(crate) fn max_holdback(&self) -> usize {
        let bracketed = 4 + MAX_CONTENT + 4;
        bracketed.max(self.longest_literal) + 4
    }

    /// The original value number `index`.
    pub(crate) fn value(&self, index: usize) -> &str {
        self.values.get(index).map_or("", String::as_str)
    }

    /// Restores a whole text.
    pub(crate) fn restore(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut prev = None;
        let consumed = self.run(text, &mut prev, true, &mut out);
        // With `at_end` nothing is held back; this is only a guard.
        out.push_str(text.get(consumed..).unwrap_or(""));
        out
    }

    /// Reads `text` from the start, appending restored output to `out`, until the end or (unless
    /// `at_end`) a position that needs more text. Returns the bytes consumed.
    pub(crate) fn run(
        &self,
        text: &str,
        prev: &mut Option<char>,
        at_end: bool,
        out: &mut String,
    ) -> usize {
        let mut pos = 0;
        while pos < text.len() {
            match self.step(text, pos, *prev, at_end) {
                Step::NeedMore => break,
                Step::Match { len, value } => {
                    out.push_str(self.value(value));
                    *prev = text.get(..pos + len).and_then(|t| t.chars().next_back());
                    pos += len;
                }
                Step::NoMatch => {
                    let Some(c) = text.get(pos..).and_then(|t| t.chars().next()) else {
                        break;
                    };
                    out.push(c);
                    *prev = Some(c);
                    pos += c.len_utf8();
                }
            }
        }
        pos
    }

    /// What starts at byte `pos` of `text` (a char boundary); `prev` is the character before it.
    pub(crate) fn step(&self, text: &str, pos: usize, prev: Option<char>, at_end: bool) -> Step {
        let rest = &text.as_bytes()[pos.min(text.len())..];
        let Some(&first) = rest.first() else {
            return Step::NoMatch;
        };
        let mut best: Option<(usize, usize)> = None;
        let mut need_more = false;
        match self.bracketed(rest, at_end) {
            Step::Match { len, value } => best = Some((len, value)),
            Step::NeedMore => need_more = true,
            Step::NoMatch => {}
        }
        let prev_is_word = prev.is_some_and(is_word);
        for &index in self
            .buckets
            .get(&first.to_ascii_lowercase())
            .into_iter()
            .flatten()
        {
            let literal = &self.literals[index];
            let pattern = literal.text.as_bytes();
            if starts_with_word(&literal.text) && prev_is_word {
                continue;
            }
            let n = rest.len().min(pattern.len());
            let same = if literal.caseless {
                rest[..n].eq_ignore_ascii_case(&pattern[..n])
            } else {
                rest[..n] == pattern[..n]
            };
            if !same {
                continue;
            }
            if rest.len() < pattern.len() {
                need_more |= !at_end;
                continue;
            }
            if ends_with_word(&literal.text) {
                match text
                    .get(pos + pattern.len()..)
                    .and_then(|t| t.chars().next())
                {
                    None if !at_end => {
                        need_more = true;
                        continue;
                    }
                    Some(next) if is_word(next) => continue,
                    _ => {}
                }
            }
            if best.is_none_or(|(len, _)| pattern.len() > len) {
                best = Some((pattern.len(), literal.value));
            }
        }
        if need_more {
            return Step::NeedMore;
        }
        match best {
            Some((len, value)) => Step::Match { len, value },
            None => Step::NoMatch,
        }
    }

    /// A bracketed placeholder of this table at the start of `rest`.
    fn bracketed(&self, rest: &[u8], at_end: bool) -> Step {
        if self.placeholders.is_empty() {
            return Step::NoMatch;
        }
        match bracketed_content(rest, at_end) {
            Bracketed::Found { inner, len } => {
                match parse_inner(inner).find_map(|key| self.placeholders.get(&key).copied()) {
                    Some(value) => Step::Match { len, value },
                    None => Step::NoMatch,
                }
            }
            Bracketed::NeedMore => Step::NeedMore,
            Bracketed::None => Step::NoMatch,
        }
    }
}

/// How a placeholder-shaped token was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// In brackets, any variant.
    Bracketed,
    /// Bare `LABEL_N` at the start of a run of `[A-Z0-9_]`.
    Bare,
    /// Bare `LABEL_N` inside a longer run (`XPERSON_1`, `PERSON_1B`); such a token becomes a bare
    /// placeholder if the value glued to it is pseudonymised, so it is reported too.
    Glued,
}

/// Calls `found(label, number, form)` for every placeholder-shaped token in `text`, whatever table it
/// might belong to. Used to keep a table from issuing a placeholder that the user typed (see
/// `PseudonymTable::reserve`) and to refuse fakes that look like placeholders.
///
/// Bare tokens are reported without word-boundary checks, and every `_digits` inside a run of
/// `[A-Z0-9_]` counts: once a neighbouring value is replaced by a `<…>` placeholder, `PERSON_1Bob`
/// becomes `PERSON_1<PERSON_2>`, where `PERSON_1` stands alone.
pub(crate) fn placeholder_like(text: &str, mut found: impl FnMut(String, u32, Form)) {
    let bytes = text.as_bytes();
    let is_run_byte = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_';
    for (pos, _) in text.char_indices() {
        let rest = &bytes[pos..];
        if let Bracketed::Found { inner, .. } = bracketed_content(rest, true) {
            for (label, number) in parse_inner(inner) {
                found(label, number, Form::Bracketed);
            }
        }
        if !rest[0].is_ascii_uppercase() {
            continue;
        }
        let run_start = pos == 0 || !is_run_byte(bytes[pos - 1]);
        let run = &rest[..rest
            .iter()
            .take_while(|&&b| is_run_byte(b))
            .count()
            .min(MAX_CONTENT)];
        for (underscore, _) in run.iter().enumerate().filter(|(_, b)| **b == b'_') {
            let digits = &run[underscore + 1..];
            let digits = &digits[..digits.iter().take_while(|b| b.is_ascii_digit()).count()];
            let label = &run[..underscore];
            let Some(number) = parse_number(digits) else {
                continue;
            };
            if label.last() == Some(&b'_') {
                continue;
            }
            let label = String::from_utf8_lossy(label).into_owned();
            found(
                label,
                number,
                if run_start { Form::Bare } else { Form::Glued },
            );
        }
    }
}

enum Bracketed<'a> {
    Found { inner: &'a [u8], len: usize },
    NeedMore,
    None,
}

/// The text between a pair of brackets at the start of `rest`, if it is made of placeholder characters.
fn bracketed_content(rest: &[u8], at_end: bool) -> Bracketed<'_> {
    let wait = if at_end {
        Bracketed::None
    } else {
        Bracketed::NeedMore
    };
    for (open, close) in BRACKETS {
        if rest.len() < open.len() {
            if open.starts_with(rest) {
                return wait;
            }
            continue;
        }
        if !rest.starts_with(open) {
            continue;
        }
        let start = open.len();
        let mut end = start;
        while end < rest.len() && end - start < MAX_CONTENT && is_content(rest[end]) {
            end += 1;
        }
        if end == rest.len() {
            return wait;
        }
        if end - start >= MAX_CONTENT {
            return Bracketed::None;
        }
        let after = &rest[end..];
        if after.len() < close.len() && close.starts_with(after) {
            return wait;
        }
        if !after.starts_with(close) {
            return Bracketed::None;
        }
        return Bracketed::Found {
            inner: &rest[start..end],
            len: end + close.len(),
        };
    }
    Bracketed::None
}

fn is_content(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' ')
}

/// The (LABEL, number) readings of a placeholder's inner text, e.g. ` person 1 ` → (`PERSON`, 1).
/// A label may end in digits (`ID_V2`), so every split of the trailing digits is offered.
fn parse_inner(inner: &[u8]) -> impl Iterator<Item = (String, u32)> + '_ {
    let lead = inner.iter().take_while(|&&b| b == b' ').count();
    let trail = inner.iter().rev().take_while(|&&b| b == b' ').count();
    let core = if lead <= 2 && trail <= 2 && lead + trail < inner.len() {
        &inner[lead..inner.len() - trail]
    } else {
        &inner[..0]
    };
    let well_formed = core.first().is_some_and(u8::is_ascii_alphabetic)
        && !core.windows(2).any(|w| is_joiner(w[0]) && is_joiner(w[1]));
    let digits_start = core.len() - core.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let splits = if well_formed {
        digits_start..core.len()
    } else {
        0..0
    };
    splits.filter_map(move |split| {
        let number = parse_number(&core[split..])?;
        let mut label = &core[..split];
        if let Some((&last, head)) = label.split_last()
            && is_joiner(last)
        {
            label = head;
        }
        if label.is_empty() || label.last().is_some_and(|&b| is_joiner(b)) {
            return None;
        }
        let label: String = label
            .iter()
            .map(|&b| match b {
                b' ' | b'-' => '_',
                _ => char::from(b.to_ascii_uppercase()),
            })
            .collect();
        Some((label, number))
    })
}

fn is_joiner(b: u8) -> bool {
    matches!(b, b'_' | b'-' | b' ')
}

/// A decimal number without leading zeros, at most [`MAX_NUMBER`].
fn parse_number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty()
        || digits[0] == b'0'
        || digits.len() > 8
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    (n <= MAX_NUMBER).then_some(n)
}

pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn starts_with_word(s: &str) -> bool {
    s.chars().next().is_some_and(is_word)
}

fn ends_with_word(s: &str) -> bool {
    s.chars().next_back().is_some_and(is_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restorer() -> Restorer {
        let entries = [
            ("PERSON", Some(1), None, "Jane Doe"),
            ("PERSON", Some(2), None, "John Roe"),
            ("EMAIL_ADDRESS", Some(1), None, "jane@corp.example"),
            ("ID_V2", Some(1), None, "v2-one"),
            ("ID_V", Some(21), None, "v-twentyone"),
            ("PERSON", None, Some("Mary Smith"), "Alice Liddell"),
            ("PERSON", None, Some("Mary"), "Alice"),
            (
                "CREDIT_CARD",
                None,
                Some("4111-2222-3333-4444"),
                "5500-0000-0000-0004",
            ),
        ];
        Restorer::new(entries.into_iter())
    }

    #[test]
    fn restores_placeholder_variants() {
        let r = restorer();
        let cases = [
            ("<PERSON_1>", "Jane Doe"),
            ("<person_1>", "Jane Doe"),
            ("< PERSON_1 >", "Jane Doe"),
            ("<  PERSON_2  >", "John Roe"),
            ("<PERSON 1>", "Jane Doe"),
            ("<PERSON-1>", "Jane Doe"),
            ("<PERSON1>", "Jane Doe"),
            ("[PERSON_1]", "Jane Doe"),
            ("{PERSON_1}", "Jane Doe"),
            ("&lt;PERSON_1&gt;", "Jane Doe"),
            ("<Email Address_1>", "jane@corp.example"),
            ("<email-address-1>", "jane@corp.example"),
            ("<ID_V2_1>", "v2-one"),
            ("<ID_V21>", "v-twentyone"),
            ("PERSON_1", "Jane Doe"),
            ("(PERSON_2).", "(John Roe)."),
            (
                "Hi <PERSON_1>, meet <PERSON_2>!",
                "Hi Jane Doe, meet John Roe!",
            ),
            ("<PERSON_1><PERSON_2>", "Jane DoeJohn Roe"),
        ];
        for (text, expect) in cases {
            assert_eq!(r.restore(text), expect, "{text:?}");
        }
    }

    #[test]
    fn leaves_everything_else_alone() {
        let r = restorer();
        for text in [
            "<PERSON_3>",
            "<PERSON_01>",
            "<PERSON__1>",
            "<PERSON  1>",
            "<LOCATION_1>",
            "<person_1]",
            "<person 1",
            "<   person_1>",
            "person_1",
            "PERSON 1",
            "XPERSON_1",
            "PERSON_12",
            "PERSON_1x",
            "<PERSON_>",
            "<_1>",
            "<1>",
            "<>",
            "Marys",
            "Smith Mary2",
            "",
        ] {
            assert_eq!(r.restore(text), text, "{text:?}");
        }
        // A malformed bracket around the exact bare form: the bare form alone is restored.
        for (text, expect) in [
            ("<PERSON_1]", "<Jane Doe]"),
            ("&lt;PERSON_1>", "&lt;Jane Doe>"),
            ("<   PERSON_1>", "<   Jane Doe>"),
        ] {
            assert_eq!(r.restore(text), expect, "{text:?}");
        }
    }

    #[test]
    fn fakes_are_found_caselessly_on_word_boundaries() {
        let r = restorer();
        let cases = [
            ("Mary Smith called", "Alice Liddell called"),
            ("MARY SMITH called", "Alice Liddell called"),
            ("mary smith's", "Alice Liddell's"),
            ("Mary Smithers", "Alice Smithers"),
            ("Mary", "Alice"),
            ("card 4111-2222-3333-4444.", "card 5500-0000-0000-0004."),
            ("card 14111-2222-3333-4444", "card 14111-2222-3333-4444"),
        ];
        for (text, expect) in cases {
            assert_eq!(r.restore(text), expect, "{text:?}");
        }
    }

    #[test]
    fn finds_placeholder_like_tokens() {
        let mut seen = Vec::new();
        placeholder_like(
            "a <person_3> b [EMAIL ADDRESS 2] PERSON_7 c person_8 X_1y <ID_V21> ORG_2BOB",
            |l, n, form| seen.push((l, n, form)),
        );
        let bare: Vec<(&str, u32, Form)> =
            seen.iter().map(|(l, n, f)| (l.as_str(), *n, *f)).collect();
        let expect = [
            ("PERSON", 3, Form::Bracketed),
            ("EMAIL_ADDRESS", 2, Form::Bracketed),
            ("PERSON", 7, Form::Bare),
            ("ERSON", 7, Form::Glued),
            ("RSON", 7, Form::Glued),
            ("SON", 7, Form::Glued),
            ("ON", 7, Form::Glued),
            ("N", 7, Form::Glued),
            ("X", 1, Form::Bare),
            ("ID_V", 21, Form::Bracketed),
            ("ID_V2", 1, Form::Bracketed),
            ("ORG", 2, Form::Bare),
            ("RG", 2, Form::Glued),
            ("G", 2, Form::Glued),
        ];
        assert_eq!(bare, expect);
    }
}
