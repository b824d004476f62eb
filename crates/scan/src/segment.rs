//! Deterministic segmentation: cuts a raw text into sentence-like segments that are scanned one by one.
//!
//! Whole-text scanning and stream scanning share this segmenter, which is what makes them agree on
//! every input and every chunking *by construction*: [`Scanner::scan`](crate::Scanner::scan) cuts the
//! text into segments and scans each on its own; the stream scanner releases a segment as soon as its
//! end is decided and scans it the same way. A segment's end depends only on the text from the
//! segment's start up to a bounded distance, so a stream can decide it without the rest of the text,
//! and decides it exactly as the whole-text path does.
//!
//! # The rules
//!
//! Segmentation runs left to right over the caller's text (not the normalised copy). From a segment
//! start, the *window* is the next `holdback` characters ([`StreamOptions::holdback_chars`], at
//! least [`MIN_HOLDBACK_CHARS`]), or [`PEM_BLOCK_MAX_CHARS`] in a private-key block. Every rule reads
//! only the window: what lies beyond it is treated as unknown, which never makes a boundary. The
//! segment ends at the first of:
//!
//! 1. **A private-key marker**: right before a `-----BEGIN <LABEL>-----` line whose label holds
//!    `PRIVATE KEY` (the same header the private-key detector accepts: a space after `BEGIN`, at
//!    most 48 upper-case letters, digits and spaces, five dashes), unless it is the segment start.
//! 2. **A whitespace run** (Unicode white space) that does not start the segment and is followed,
//!    inside the window, by a non-space character, when one of these holds. The boundary is at the
//!    end of the run: white space stays with the text before it.
//!    - the run is longer than [`LONG_WHITESPACE`] characters;
//!    - the segment is at least [`MIN_SENTENCE_BYTES`] long where the run starts, and a sentence
//!      ends before the run and one starts after it: before the run, `.`, `!` or `?`, then
//!      at most three closing quotes or brackets; after it, a letter that is not lower-case (upper-
//!      or title-case, or a script without case) or an opening quote — never a digit. A `.` does not
//!      end a sentence after an abbreviation (`Mr`, `Dr`, `St`, `Inc`, `e.g`, `Jan` … see
//!      [`ABBREVIATIONS`]), after a single letter (`J. Smith`, `U.S.`), or after a one- to
//!      three-digit number that starts its line (a list item, `1. Install`). A period inside a token
//!      (domain, decimal, version) is never followed by white space, so never ends a sentence.
//! 3. **The cap**: when the window is full (it holds `holdback` characters) and none of the above
//!    fired inside it, the segment is cut inside the window, preferring, in order: right before a
//!    private-key marker the window cuts short (`-----BE`, `-----BEGIN RSA PRIV`); after the last
//!    whitespace run holding a line break, if it lies in the window's second half; after the last
//!    whitespace run not touching an ASCII digit (so spaced numbers, `4111 1111 1111 1111`, stay
//!    whole); after the last whitespace run; at the window end (a character boundary), when the
//!    window has no white space at all.
//! 4. **The end of the text**, when the window is not full.
//!
//! # Private-key blocks
//!
//! A segment that starts with a private-key header is a block: it ends right after the closing
//! dashes of the first `-----END` line (searched for within 54 bytes after `-----END`; without
//! them, right after `-----END`), and nothing else ends it but the end of the text and the block cap,
//! [`PEM_BLOCK_MAX_CHARS`]. The cap bounds what a hostile stream can make the gateway hold: a
//! block that reaches it is cut by rule 3 in both paths alike. It is larger than the detector's
//! own search limit for the END line (64 KiB), so every block the detector matches fits.
//!
//! # Why it is deterministic
//!
//! Each decision reads the text from the segment start up to a bounded lookahead inside the window.
//! The cursor that finds a segment's end answers "not yet" when the text it has been given ends
//! before the lookahead does,
//! and the caller (the stream scanner) calls again with more text; with the whole text (or at the
//! end of a stream) it treats the end as the end. A window that is full is the same whatever follows
//! it, so the cap decision is the same too.

use std::ops::Range;

use memchr::memmem;

use crate::stream::StreamOptions;

/// Holdback values below this are raised to it: every rule needs some room to look ahead.
pub const MIN_HOLDBACK_CHARS: usize = 128;

/// The longest private-key block held as one segment, in characters: the header, the detector's
/// 64 KiB search limit for the END line, and the END line itself, with room to spare.
pub const PEM_BLOCK_MAX_CHARS: usize = 66 * 1024;

/// A sentence end does not end a segment shorter than this (in bytes): a short sentence stays with
/// the next, which keeps context words such as "Please charge my credit card. Number is …" with the
/// value, and spares the cost of scanning many tiny segments.
pub const MIN_SENTENCE_BYTES: usize = 100;

/// A whitespace run longer than this (in characters) ends a segment.
pub const LONG_WHITESPACE: usize = 64;

/// Words after which a `.` does not end a sentence (compared without case, except `No`).
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "st", "ave", "rd", "blvd", "apt", "ste", "inc", "corp",
    "co", "ltd", "llc", "jr", "sr", "vs", "etc", "e.g", "i.e", "cf", "al", "approx", "dept",
    "univ", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "gov", "sen", "rep", "fig", "vol",
    "mt", "ft", "esq", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec",
];

/// `-----BEGIN ` + at most 48 label bytes + `-----`.
const PEM_HEADER_MAX: usize = 11 + 48 + 5;
const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END";
/// After `-----END`: a space, a label of at most 48 bytes, five dashes.
const END_TAIL_MAX: usize = 1 + 48 + 5;

/// The segments of a whole text, as byte ranges, in order; they cover the text exactly.
pub fn segments<'a>(text: &'a str, options: &StreamOptions) -> Segments<'a> {
    Segments {
        text,
        at: 0,
        holdback: options.effective_holdback(),
    }
}

/// Iterator over the segments of a text; see [`segments`].
#[derive(Clone, Debug)]
pub struct Segments<'a> {
    text: &'a str,
    at: usize,
    holdback: usize,
}

impl Iterator for Segments<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let rest = self.text.get(self.at..)?;
        if rest.is_empty() {
            return None;
        }
        // With the whole text the cursor always decides; the fallback (the rest as one segment)
        // only keeps this total.
        let len = Cursor::new(self.holdback)
            .next(rest, true)
            .unwrap_or(rest.len());
        let start = self.at;
        self.at += len;
        Some(start..self.at)
    }
}

/// Finds the end of one segment, over text that may arrive in pieces.
///
/// Call [`Cursor::next`] with the text from the segment start (all of it each time, growing);
/// it remembers how far it has decided and resumes there.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    holdback: usize,
    mode: Mode,
    /// No boundary lies before this byte (other than the ones already returned).
    resume: usize,
    /// `counted_chars` characters lie in `..counted_bytes`; counting stops at the window size.
    counted_bytes: usize,
    counted_chars: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Not yet known whether the segment starts with a private-key header.
    Start,
    Prose,
    PrivateKey,
}

/// What lies past the window's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Horizon {
    /// The window is full: whatever follows is treated as unknown.
    Cut,
    /// The text ends there.
    End,
    /// More text may come.
    More,
}

/// Whether a private-key header starts at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    /// Yes; the header ends at this byte.
    Yes(usize),
    No,
    /// The bytes run out before it is known.
    Incomplete,
}

impl Cursor {
    pub(crate) fn new(holdback: usize) -> Cursor {
        Cursor {
            holdback,
            mode: Mode::Start,
            resume: 0,
            counted_bytes: 0,
            counted_chars: 0,
        }
    }

    /// The byte length of the segment starting at `rest`, or `None` if it is not decided yet.
    /// `at_end` says that `rest` runs to the end of the text. After `Some`, the cursor is ready
    /// for the next segment (call it with the text after the returned length).
    pub(crate) fn next(&mut self, rest: &str, at_end: bool) -> Option<usize> {
        if rest.is_empty() {
            return None;
        }
        if self.mode == Mode::Start {
            match pem_header(rest.as_bytes(), 0) {
                Marker::Incomplete if !at_end => return None,
                Marker::Yes(header_end) => {
                    self.mode = Mode::PrivateKey;
                    self.resume = header_end;
                }
                _ => self.mode = Mode::Prose,
            }
        }
        let window_chars = match self.mode {
            Mode::PrivateKey => PEM_BLOCK_MAX_CHARS,
            _ => self.holdback,
        };
        // A first pass needs no character count: the next `room` bytes past what was counted hold
        // at most `room` characters, so they lie inside the window. Most segments end there.
        if self.counted_chars < window_chars {
            let room = window_chars - self.counted_chars;
            let sure = floor_char_boundary(rest, self.counted_bytes.saturating_add(room));
            if sure < rest.len()
                && let Some(end) = self.find(&rest[..sure], Horizon::More)
            {
                *self = Cursor::new(self.holdback);
                return Some(end);
            }
        }
        let limit = self.window_end(rest, window_chars);
        let horizon = if self.counted_chars >= window_chars {
            Horizon::Cut
        } else if at_end {
            Horizon::End
        } else {
            Horizon::More
        };
        let window = rest.get(..limit).unwrap_or(rest);
        let decided = self.find(window, horizon).or(match horizon {
            Horizon::Cut => Some(cap_cut(window)),
            Horizon::End => Some(window.len()),
            Horizon::More => None,
        });
        if decided.is_some() {
            *self = Cursor::new(self.holdback);
        }
        decided
    }

    fn find(&mut self, window: &str, horizon: Horizon) -> Option<usize> {
        match self.mode {
            Mode::PrivateKey => self.block_end(window, horizon),
            _ => self.prose_end(window, horizon),
        }
    }

    /// The byte end of the window (`window_chars` characters from the start, or all of `rest`),
    /// counting only characters not counted before.
    fn window_end(&mut self, rest: &str, window_chars: usize) -> usize {
        if self.counted_chars < window_chars {
            let uncounted = rest.get(self.counted_bytes..).unwrap_or("");
            let room = window_chars - self.counted_chars;
            if uncounted.len() < room {
                // Fewer bytes than room, so fewer characters: the window is not full, and there
                // is nothing to count yet.
                return rest.len();
            }
            if let Some((at, _)) = uncounted.char_indices().nth(room) {
                self.counted_bytes += at;
                self.counted_chars = window_chars;
            } else {
                self.counted_bytes = rest.len();
                self.counted_chars += uncounted.chars().count();
            }
        }
        self.counted_bytes.min(rest.len())
    }

    /// The first boundary of prose in `window`, from `resume`; `None` if there is none or it is
    /// not decided yet (then `resume` is where to look again).
    ///
    /// Only a few bytes stop the scan, found eight at a time: punctuation, dashes, white space
    /// other than the space, and lead bytes of non-ASCII white space. Spaces do not: a single space
    /// between words cannot end a segment (the sentence rule is checked from the punctuation before
    /// it), and a run of more than [`LONG_WHITESPACE`] spaces is found by an eight-byte step that
    /// lands wholly inside it. Every run is judged from its start by [`run_ends_segment`], however
    /// it was reached, so the order in which runs are found does not change the result.
    fn prose_end(&mut self, window: &str, horizon: Horizon) -> Option<usize> {
        let bytes = window.as_bytes();
        let limit = bytes.len();
        let stops_here = horizon != Horizon::More;
        let mut i = self.resume;
        // Where the last few bytes (fewer than eight) began to be read one at a time. A stream
        // resumes there, not at the end, so that a run of spaces arriving a byte at a time is
        // still stepped over in whole words, and found.
        let mut tail_start = None;
        while i < limit {
            if let Some(word) = bytes.get(i..i + 8) {
                if word == b"        " {
                    // Inside a run of spaces; judge it below from its start.
                } else if word
                    .iter()
                    .fold(SKIP, |any, &b| any | CLASS[usize::from(b)])
                    == SKIP
                {
                    i += 8;
                    continue;
                } else {
                    while CLASS[usize::from(bytes[i])] == SKIP {
                        i += 1;
                    }
                }
            } else {
                tail_start.get_or_insert(i);
                if CLASS[usize::from(bytes[i])] == SKIP {
                    i += 1;
                    continue;
                }
            }
            // `i` is at an event: a space run, white space, punctuation or a dash.
            let run_start = match CLASS[usize::from(bytes[i])] {
                SKIP | WHITE => run_start(bytes, i),
                MAYBE_WHITE => match window.get(i..).and_then(|s| s.chars().next()) {
                    Some(ch) if ch.is_whitespace() => run_start(bytes, i),
                    Some(ch) => {
                        i += ch.len_utf8();
                        continue;
                    }
                    None => {
                        i += 1;
                        continue;
                    }
                },
                PUNCT => match after_closers(window, i + 1) {
                    // Punctuation, closers, then white space: judge that run.
                    Some(at) if window[at..].starts_with(char::is_whitespace) => at,
                    Some(at) => {
                        i = at;
                        continue;
                    }
                    // The closers reach the end of what is there.
                    None if stops_here => break,
                    None => {
                        self.resume = i;
                        return None;
                    }
                },
                _ => {
                    // DASH: a private-key header ends the segment before it.
                    if i > 0 {
                        match pem_header(bytes, i) {
                            Marker::Yes(_) => return Some(i),
                            Marker::Incomplete if !stops_here => {
                                self.resume = i;
                                return None;
                            }
                            _ => {}
                        }
                    }
                    i += 1;
                    continue;
                }
            };
            let run = Run::at(window, run_start);
            if run.end == limit {
                if stops_here {
                    break;
                }
                self.resume = run_start.min(i);
                return None;
            }
            if run_ends_segment(window, run_start, &run) {
                return Some(run.end);
            }
            i = run.end;
        }
        self.resume = tail_start.map_or(limit, |tail| tail.min(limit));
        None
    }

    /// The end of a private-key block in `window`: just after its first END line.
    fn block_end(&mut self, window: &str, horizon: Horizon) -> Option<usize> {
        let bytes = window.as_bytes();
        let limit = bytes.len();
        let from = self.resume.min(limit);
        let Some(found) = memmem::find(&bytes[from..], END) else {
            // A marker cut by the end of what is there is found by the next search.
            self.resume = limit.saturating_sub(END.len() - 1).max(from);
            return None;
        };
        let end_at = from + found;
        let tail_start = end_at + END.len();
        let tail_end = (tail_start + END_TAIL_MAX).min(limit);
        if let Some(dashes) = memmem::find(&bytes[tail_start..tail_end], b"-----") {
            return Some(tail_start + dashes + 5);
        }
        if tail_end < tail_start + END_TAIL_MAX && horizon == Horizon::More {
            self.resume = end_at;
            return None;
        }
        Some(tail_start)
    }
}

/// Byte classes for the prose scan: most bytes, the space among them, are skipped.
const SKIP: u8 = 0;
/// ASCII white space other than the space.
const WHITE: u8 = 1;
/// Lead bytes of non-ASCII white space: U+0085, U+00A0 (C2), U+1680 (E1), U+2000–U+200A, U+2028,
/// U+2029, U+202F, U+205F (E2), U+3000 (E3). Decoded and checked.
const MAYBE_WHITE: u8 = 2;
/// `.`, `!`, `?`.
const PUNCT: u8 = 4;
const DASH: u8 = 8;

static CLASS: [u8; 256] = {
    let mut table = [SKIP; 256];
    table[b'\t' as usize] = WHITE;
    table[b'\n' as usize] = WHITE;
    table[0x0B] = WHITE;
    table[0x0C] = WHITE;
    table[b'\r' as usize] = WHITE;
    table[b'.' as usize] = PUNCT;
    table[b'!' as usize] = PUNCT;
    table[b'?' as usize] = PUNCT;
    table[b'-' as usize] = DASH;
    table[0xC2] = MAYBE_WHITE;
    table[0xE1] = MAYBE_WHITE;
    table[0xE2] = MAYBE_WHITE;
    table[0xE3] = MAYBE_WHITE;
    table
};

/// True if the whitespace run `run`, starting at `start` and followed by a character inside
/// `window`, ends a segment (rule 2 of the module docs). A pure function of the run's position.
fn run_ends_segment(window: &str, start: usize, run: &Run) -> bool {
    start > 0
        && (run.chars > LONG_WHITESPACE
            || (start >= MIN_SENTENCE_BYTES
                && ends_sentence(&window[..start])
                && starts_sentence(&window[run.end..])))
}

/// The start of the whitespace run holding the white space at `at`: spaces before it are part
/// of the run (the scan skips spaces, so it may reach a run past its start).
fn run_start(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && bytes[at - 1] == b' ' {
        at -= 1;
    }
    at
}

/// Skips at most three closing quotes or brackets from `at`; `None` if they reach the end of
/// `window` (what follows them is not known yet).
fn after_closers(window: &str, mut at: usize) -> Option<usize> {
    for _ in 0..3 {
        let ch = window.get(at..)?.chars().next()?;
        if !is_closer(ch) {
            return Some(at);
        }
        at += ch.len_utf8();
    }
    window.get(at..).filter(|rest| !rest.is_empty()).map(|_| at)
}

/// A maximal whitespace run.
struct Run {
    end: usize,
    chars: usize,
}

impl Run {
    /// The run starting at byte `start` of `text` (a whitespace character).
    fn at(text: &str, start: usize) -> Run {
        let mut run = Run {
            end: start,
            chars: 0,
        };
        for ch in text.get(start..).unwrap_or("").chars() {
            if !ch.is_whitespace() {
                break;
            }
            run.chars += 1;
            run.end += ch.len_utf8();
        }
        run
    }
}

/// Whether a private-key header (as the private-key detector accepts it) starts at `at`.
fn pem_header(bytes: &[u8], at: usize) -> Marker {
    let available = bytes.get(at..).unwrap_or(&[]);
    let n = available.len().min(BEGIN.len());
    if available[..n] != BEGIN[..n] {
        return Marker::No;
    }
    if n < BEGIN.len() {
        return Marker::Incomplete;
    }
    let label = &available[BEGIN.len()..];
    let label_len = label
        .iter()
        .take(48)
        .take_while(|&&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
        .count();
    if label_len < 48 && label_len == label.len() {
        return Marker::Incomplete;
    }
    let dashes = &label[label_len..];
    let n = dashes.len().min(5);
    if dashes[..n] != b"-----"[..n] {
        return Marker::No;
    }
    if n < 5 {
        return Marker::Incomplete;
    }
    if label[..label_len].windows(11).any(|w| w == b"PRIVATE KEY") {
        Marker::Yes(at + BEGIN.len() + label_len + 5)
    } else {
        Marker::No
    }
}

/// Closing quotes and brackets allowed between a sentence's final punctuation and the white space.
fn is_closer(ch: char) -> bool {
    matches!(
        ch,
        '"' | '\'' | ')' | ']' | '}' | '\u{201D}' | '\u{2019}' | '\u{BB}' | '*' | '_'
    )
}

/// Opening quotes a sentence may start with; they (and opening brackets) may precede an
/// abbreviation too.
fn is_opener(ch: char) -> bool {
    matches!(
        ch,
        '"' | '\'' | '\u{201C}' | '\u{2018}' | '\u{AB}' | '\u{201E}'
    )
}

/// True if the text before a whitespace run ends a sentence.
fn ends_sentence(before: &str) -> bool {
    // Only the last few bytes matter: the punctuation, closers and the token before them.
    let mut from = before.len().saturating_sub(48);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let text = &before[from..];
    let mut trimmed = text;
    for _ in 0..3 {
        match trimmed.chars().next_back() {
            Some(ch) if is_closer(ch) => trimmed = &trimmed[..trimmed.len() - ch.len_utf8()],
            _ => break,
        }
    }
    match trimmed.chars().next_back() {
        Some('!' | '?') => true,
        Some('.') => {
            let body = &trimmed[..trimmed.len() - 1];
            let token_start = body
                .char_indices()
                .rev()
                .find(|&(_, ch)| ch.is_whitespace())
                .map(|(at, ch)| at + ch.len_utf8());
            let starts_line = match token_start {
                Some(at) => matches!(body[..at].chars().next_back(), Some('\n' | '\r')),
                None => from == 0,
            };
            if token_start.is_none() && from > 0 {
                // A token longer than the look-back: no abbreviation is that long.
                return true;
            }
            let token = body[token_start.unwrap_or(0)..]
                .trim_start_matches(|ch| is_opener(ch) || ch == '(' || ch == '[');
            !is_abbreviation(token, starts_line)
        }
        _ => false,
    }
}

/// True if `token` (before a `.`) is an abbreviation, an initial, or a list number at a line start.
fn is_abbreviation(token: &str, starts_line: bool) -> bool {
    if token.is_empty() || token.ends_with('.') {
        return false;
    }
    let last_part = token.rsplit('.').next().unwrap_or(token);
    let mut letters = last_part.chars();
    if let (Some(first), None) = (letters.next(), letters.next())
        && first.is_alphabetic()
    {
        return true;
    }
    if starts_line && token.len() <= 3 && token.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if token == "No" || token == "NO" {
        return true;
    }
    ABBREVIATIONS
        .iter()
        .any(|abbreviation| token.eq_ignore_ascii_case(abbreviation))
}

/// True if `after` (the text after a whitespace run) starts a sentence: its first character is a
/// letter that is not lower-case, or an opening quote. One character of lookahead, no more.
fn starts_sentence(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_some_and(|first| (first.is_alphabetic() && !first.is_lowercase()) || is_opener(first))
}

/// The largest character boundary of `text` at or below `at` (clamped to its length).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where a full window is cut when no rule fired inside it; see the module docs.
fn cap_cut(window: &str) -> usize {
    let bytes = window.as_bytes();
    let limit = bytes.len();
    // A marker the window cuts short (`-----BE`, `-----BEGIN RSA PRIV`) goes to the next segment
    // whole, where it can start a block.
    let tail_start = limit.saturating_sub(PEM_HEADER_MAX);
    if let Some(at) = (tail_start.max(1)..limit)
        .find(|&at| bytes[at] == b'-' && pem_header(bytes, at) == Marker::Incomplete)
    {
        return at;
    }
    let mut last_line_break = None;
    let mut last_clear = None;
    let mut last_any = None;
    let mut i = 0;
    while i < limit {
        if bytes[i] != b' ' && CLASS[usize::from(bytes[i])] & (WHITE | MAYBE_WHITE) == 0 {
            i += 1;
            continue;
        }
        let Some(first) = window.get(i..).and_then(|s| s.chars().next()) else {
            i += 1;
            continue;
        };
        if !first.is_whitespace() {
            i += first.len_utf8();
            continue;
        }
        let run = Run::at(window, i);
        let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
        let digit_after = bytes.get(run.end).is_some_and(u8::is_ascii_digit);
        let has_break = window[i..run.end].contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']);
        if has_break && run.end * 2 >= limit {
            last_line_break = Some(run.end);
        }
        if !digit_before && !digit_after {
            last_clear = Some(run.end);
        }
        last_any = Some(run.end);
        i = run.end;
    }
    last_line_break.or(last_clear).or(last_any).unwrap_or(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        split_with(text, 1024)
    }

    fn split_with(text: &str, holdback: usize) -> Vec<&str> {
        let options = StreamOptions {
            holdback_chars: holdback,
        };
        segments(text, &options).map(|r| &text[r]).collect()
    }

    #[track_caller]
    fn check(text: &str, expect: &[&str]) {
        assert_eq!(split(text), expect, "segments of {text:?}");
    }

    /// 100 bytes without a sentence end: what follows may end the first segment.
    const LEAD: &str = "word word word word word word word word word word word word word word word word word word word word ";

    /// `LEAD + before + after` is cut between `before` and `after` (`cut`), or not at all.
    #[track_caller]
    fn check_sentence(before: &str, after: &str, cut: bool) {
        let first = format!("{LEAD}{before}");
        let text = format!("{first}{after}");
        let expect: Vec<&str> = if cut {
            vec![&first, after]
        } else {
            vec![&text]
        };
        check(&text, &expect);
    }

    #[test]
    fn sentences_end_before_a_capital_or_a_quote() {
        check_sentence("Call me today. ", "My number is 555-0100!", true);
        check_sentence("My number is 555-0100! ", "Is that ok?", true);
        check_sentence("Is that ok? ", "\"Yes\" she said.", true);
        check_sentence("He left (for good.) ", "Then it rained.", true);
        check_sentence("He said \u{201C}go.\u{201D}  ", "Then he left.", true);
        check_sentence("Il pleut. ", "\u{00C9}t\u{00E9} fini.", true);
        check_sentence("Done.\u{00A0}", "Next one.", true);
        check_sentence("Done.\n", "Next one.", true);
        check_sentence("\u{6771}\u{4EAC}. ", "\u{5927}\u{962A}.", true);
    }

    #[test]
    fn not_a_sentence_end() {
        for (before, after) in [
            ("Ask Mr. ", "Smith and Dr. Jones at 4 Main St. Springfield."),
            ("Meet J. ", "R. Smith in the U.S. Army."),
            ("Amounts e.g. ", "Fifty and i.e. Ten."),
            ("It costs 3.50 dollars. ", "and more"),
            ("see example.com. ", "now"),
            ("Page 4. ", "5 more pages."),
            ("On Jan. ", "First we go."),
            ("It is No. ", "One."),
            ("Acme Inc. ", "Holdings."),
            ("end.))))", " Next"),
            ("\n1. ", "Install it"),
        ] {
            check_sentence(before, after, false);
        }
        // A number before a period mid-line: a sentence end.
        check_sentence("Take 12. ", "Then go.", true);
        // A segment shorter than `MIN_SENTENCE_BYTES` goes on past a sentence end.
        check(
            "Please charge my credit card. Number is 4111111111111111.",
            &["Please charge my credit card. Number is 4111111111111111."],
        );
    }

    #[test]
    fn blank_lines_alone_do_not_cut_but_long_white_space_does() {
        // A signature or an address block keeps its blank lines: the tagger needs the lines
        // around a job title or a city.
        check(
            "Jane Roe\n\nNurse\n\nPhone:",
            &["Jane Roe\n\nNurse\n\nPhone:"],
        );
        check(
            "line one\nline two\n\nnext",
            &["line one\nline two\n\nnext"],
        );
        check("a\nb", &["a\nb"]);
        let wide = format!("a{}b", " ".repeat(65));
        check(&wide, &[&wide[..66], "b"]);
        let narrow = format!("a{}b", " ".repeat(64));
        check(&narrow, &[&narrow]);
        // White space that starts a segment never ends it.
        check("\n\nHello.", &["\n\nHello."]);
    }

    #[test]
    fn the_cap_cuts_at_white_space_and_keeps_spaced_numbers() {
        let words = "word ".repeat(60);
        let segments = split_with(&words, 128);
        assert!(segments.iter().all(|s| s.chars().count() <= 128));
        assert!(segments.iter().all(|s| s.ends_with(' ')), "{segments:?}");
        assert_eq!(segments.concat(), words);
        // The cut avoids the spaces inside a card number.
        let text = format!("{} card 4111 1111 1111 1111 end", "x".repeat(100));
        let segments = split_with(&text, 128);
        assert_eq!(segments[1], "card 4111 1111 1111 1111 end", "{segments:?}");
        // No white space at all: cut at the cap, on a character boundary.
        let text = "\u{00E9}".repeat(300);
        let segments = split_with(&text, 128);
        assert_eq!(
            segments
                .iter()
                .map(|s| s.chars().count())
                .collect::<Vec<_>>(),
            [128, 128, 44]
        );
        // A line break in the window's second half is preferred.
        let text = format!("{}\n{}", "a ".repeat(40), "b ".repeat(60));
        assert_eq!(split_with(&text, 128)[0], format!("{}\n", "a ".repeat(40)));
    }

    #[test]
    fn holdback_has_a_floor() {
        let words = "word ".repeat(60);
        let segments = split_with(&words, 1);
        assert!(
            segments
                .iter()
                .all(|s| s.chars().count() <= MIN_HOLDBACK_CHARS)
        );
        assert!(segments.len() > 1);
    }

    const BODY: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFc\n";

    #[test]
    fn private_key_blocks_are_one_segment() {
        let block = format!("-----BEGIN RSA PRIVATE KEY-----\n{BODY}-----END RSA PRIVATE KEY-----");
        let text = format!("Here it is: {block}\n\nThanks. Bye.");
        check(&text, &["Here it is: ", &block, "\n\nThanks. Bye."]);
        // Blank lines and sentence ends inside the block do not cut it.
        let block = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nVersion: X. Y\n\n{BODY}-----END PGP PRIVATE KEY BLOCK-----"
        );
        check(&format!("k{block}"), &["k", &block]);
        // Without an END line the block runs to the end of the text.
        let open = format!("-----BEGIN PRIVATE KEY-----\n{BODY}\n\nMore text. And more.");
        check(&format!("Key. {open}"), &["Key. ", &open]);
        // A public key is prose.
        check(
            "-----BEGIN PUBLIC KEY-----\nabc\n\nNext",
            &["-----BEGIN PUBLIC KEY-----\nabc\n\nNext"],
        );
    }

    #[test]
    fn a_private_key_block_is_capped() {
        let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\n";
        let body = line.repeat(PEM_BLOCK_MAX_CHARS / line.len() + 10);
        let text = format!("-----BEGIN PRIVATE KEY-----\n{body}");
        let segments = split(&text);
        assert!(segments[0].chars().count() <= PEM_BLOCK_MAX_CHARS);
        assert!(segments[0].chars().count() > PEM_BLOCK_MAX_CHARS - line.len());
        assert!(segments[0].ends_with('\n'));
        assert_eq!(segments.concat(), text);
    }

    #[test]
    fn a_header_cut_by_the_cap_starts_the_next_segment() {
        let lead = "x ".repeat(55);
        let text =
            format!("{lead}-----BEGIN RSA PRIVATE KEY-----\n{BODY}-----END RSA PRIVATE KEY-----");
        let segments = split_with(&text, 128);
        assert_eq!(segments[0], lead);
        assert!(segments[1].starts_with("-----BEGIN RSA") && segments[1].ends_with("KEY-----"));
    }

    /// The segments a stream finds when the text arrives `chunk` bytes at a time.
    fn stream_split(text: &str, holdback: usize, chunk: usize) -> Vec<&str> {
        let mut out = Vec::new();
        let (mut start, mut received) = (0, 0);
        let mut cursor = Cursor::new(holdback);
        while start < text.len() {
            let at_end = received == text.len();
            match cursor.next(&text[start..received], at_end) {
                Some(len) => {
                    out.push(&text[start..start + len]);
                    start += len;
                }
                None if at_end => break,
                None => {
                    received = (received + chunk).min(text.len());
                    while !text.is_char_boundary(received) {
                        received += 1;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_stream_finds_what_the_whole_text_finds() {
        let spaces = " ".repeat(94);
        let texts = [
            format!("{LEAD}key{spaces}more text here"),
            format!("short{spaces}x"),
            format!("a{}b{}c", " ".repeat(65), "\t".repeat(70)),
            format!("{LEAD}Done. Next one. \u{00A0}\u{00A0}Then.\n\nEnd"),
            format!("x -----BEGIN EC PRIVATE KEY-----\n{BODY}-----END EC PRIVATE KEY----- after"),
        ];
        for text in &texts {
            for holdback in [128, 362, 1024] {
                let whole = split_with(text, holdback);
                for chunk in [1, 2, 3, 7, 8, 9, 64] {
                    assert_eq!(
                        stream_split(text, holdback, chunk),
                        whole,
                        "{text:?} {holdback} {chunk}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_cursor_waits_for_its_lookahead() {
        let mut cursor = Cursor::new(1024);
        let text = format!("{LEAD}Hello there.  W");
        let end = LEAD.len() + 14;
        for cut in [LEAD.len() + 12, end - 2, end - 1, end] {
            assert_eq!(cursor.next(&text[..cut], false), None, "{cut}");
        }
        assert_eq!(cursor.next(&text, false), Some(end));
        let mut cursor = Cursor::new(1024);
        assert_eq!(cursor.next("abc -----BEGIN RSA PRIV", false), None);
        assert_eq!(
            cursor.next("abc -----BEGIN RSA PRIVATE KEY-----", false),
            Some(4)
        );
        let mut cursor = Cursor::new(1024);
        assert_eq!(
            cursor.next("-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC", false),
            None
        );
        assert_eq!(
            cursor.next(
                "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----",
                false
            ),
            Some(63)
        );
        assert_eq!(cursor.next("tail", true), Some(4));
    }
}
