//! Line and column of findings, counted as text is released: lines split at `\n` (a `\r` before it
//! is a character of the line), both numbers from 1, columns in code points.

use warden_scan::Finding;

use crate::text_stream::Released;

/// A place in the text, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Where a finding starts and where it ends (the position just after its last character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: Position,
    pub(crate) end: Position,
}

/// Tracks the position of the next released character of one input.
#[derive(Debug)]
pub(crate) struct LineCounter {
    next: Position,
}

impl Default for LineCounter {
    fn default() -> LineCounter {
        LineCounter {
            next: Position { line: 1, column: 1 },
        }
    }
}

impl LineCounter {
    /// The spans of `released.findings`, in order; then moves past `released.text`.
    ///
    /// Findings are expected sorted and inside the released text, as scanners return them; one that
    /// is not is placed at the nearest position that is (never panics, never goes backwards).
    pub(crate) fn locate(&mut self, released: &Released) -> Vec<Span> {
        let text = released.text.as_str();
        let mut cursor = 0;
        let mut spans = Vec::with_capacity(released.findings.len());
        for finding in &released.findings {
            let (start, end) = local_span(finding, released);
            cursor = self.advance(text, cursor, start);
            let start = self.next;
            cursor = self.advance(text, cursor, end);
            spans.push(Span {
                start,
                end: self.next,
            });
        }
        self.advance(text, cursor, text.len());
        spans
    }

    /// Moves from byte `from` to byte `to` of `text` (clamped to `from..=text.len()` and to a
    /// character boundary); returns the new cursor.
    fn advance(&mut self, text: &str, from: usize, to: usize) -> usize {
        let mut to = to.clamp(from, text.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let passed = text.get(from..to).unwrap_or_default();
        match memchr::memrchr(b'\n', passed.as_bytes()) {
            Some(last_newline) => {
                self.next.line += memchr::memchr_iter(b'\n', passed.as_bytes()).count();
                self.next.column = 1 + passed[last_newline + 1..].chars().count();
            }
            None => self.next.column += passed.chars().count(),
        }
        to
    }
}

/// The finding's byte span relative to the released text.
fn local_span(finding: &Finding, released: &Released) -> (usize, usize) {
    (
        finding.byte_start.saturating_sub(released.byte_start),
        finding.byte_end.saturating_sub(released.byte_start),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use warden_scan::{EntityType, Scanner, ScannerConfig};

    use super::*;
    use crate::text_stream::text_stream;

    /// Positions computed the slow way over the whole text.
    fn naive(text: &str, byte: usize) -> Position {
        let before = &text[..byte];
        let line = 1 + before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = 1 + before[line_start..].chars().count();
        Position { line, column }
    }

    #[test]
    fn positions_across_lines_and_wide_characters() {
        let text = "first line\r\nZoë: jane.doe@example.com\n\n東京 card 4111 1111 1111 1111\n";
        let config = ScannerConfig {
            entities: vec![EntityType::EmailAddress, EntityType::CreditCard],
            ..ScannerConfig::default()
        };
        let scanner = Arc::new(Scanner::new(&config).unwrap());
        let mut stream = text_stream(scanner, usize::MAX);
        let mut counter = LineCounter::default();
        assert!(counter.locate(&stream.push(text)).is_empty());
        let spans = counter.locate(&stream.finish());
        let expect = [
            Span {
                start: Position { line: 2, column: 6 },
                end: Position {
                    line: 2,
                    column: 26,
                },
            },
            Span {
                start: Position { line: 4, column: 9 },
                end: Position {
                    line: 4,
                    column: 28,
                },
            },
        ];
        assert_eq!(spans, expect);
    }

    proptest! {
        #[test]
        fn streamed_positions_equal_whole_text_positions(
            lines in proptest::collection::vec("(é|東|a| ){0,12}( jane@example[.]com )?(x| ){0,4}", 1..12),
            chunk in 1usize..64,
        ) {
            let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
            let mut stream = text_stream(Arc::new(Scanner::default()), chunk);
            let mut counter = LineCounter::default();
            let mut spans = Vec::new();
            let mut findings = Vec::new();
            let mut locate = |released: Released| {
                spans.extend(counter.locate(&released));
                findings.extend(released.findings);
            };
            for line in &lines {
                locate(stream.push(line));
                locate(stream.push("\n"));
            }
            locate(stream.finish());
            let expect: Vec<Span> = findings
                .iter()
                .map(|f| Span { start: naive(&text, f.byte_start), end: naive(&text, f.byte_end) })
                .collect();
            prop_assert!(!lines.iter().any(|l| l.contains('@')) || !findings.is_empty());
            prop_assert_eq!(spans, expect);
        }
    }
}
