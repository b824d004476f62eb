//! An incremental parser for server-sent events (the upstream's `text/event-stream`).
//!
//! Bytes go in as they arrive, in any split (a frame, a line or a UTF-8 character may be cut
//! anywhere); complete events come out. Follows the WHATWG event-stream rules that matter here: lines
//! end with LF, CRLF or CR; `:` starts a comment; `data` lines of one event are joined with LF; an
//! empty line dispatches the event; an event without data is dropped; a leading BOM is skipped. A line
//! longer than [`MAX_LINE_BYTES`] or one that is not UTF-8 is an error: the gateway then ends the
//! client's stream instead of guessing.

/// The longest line accepted (a data line carries one JSON chunk).
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// One dispatched event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event` field, if any.
    pub event: Option<String>,
    /// The `data` lines joined with `\n`.
    pub data: String,
}

/// Why the stream could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A line over [`MAX_LINE_BYTES`].
    #[error("an event-stream line is longer than {MAX_LINE_BYTES} bytes")]
    LineTooLong,
    /// A line that is not UTF-8.
    #[error("an event-stream line is not UTF-8")]
    InvalidUtf8,
}

/// The parser state between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The last byte was a CR (so an LF right after it ends nothing).
    after_cr: bool,
    /// A first line has ended (so a byte-order mark is no longer expected).
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Feeds `bytes`; returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Event>, SseError> {
        let mut events = Vec::new();
        for &byte in bytes {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    self.end_line(&mut events)?;
                }
                _ => {
                    self.after_cr = false;
                    if self.line.len() >= MAX_LINE_BYTES {
                        return Err(SseError::LineTooLong);
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(events)
    }

    /// Whether bytes of an unfinished event are pending (the stream ended mid-event if so).
    pub fn has_pending(&self) -> bool {
        !self.line.is_empty() || self.has_data
    }

    fn end_line(&mut self, events: &mut Vec<Event>) -> Result<(), SseError> {
        let mut line = std::mem::take(&mut self.line);
        // A byte-order mark may open the stream (split across reads or not): drop it from the
        // first line.
        if !self.started {
            self.started = true;
            if line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
        }
        if line.is_empty() {
            if self.has_data {
                events.push(Event {
                    event: self.event.take(),
                    data: std::mem::take(&mut self.data),
                });
            }
            self.event = None;
            self.has_data = false;
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        let line = String::from_utf8(line).map_err(|_| SseError::InvalidUtf8)?;
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut parser = SseParser::default();
        chunks
            .iter()
            .flat_map(|c| parser.push(c).unwrap())
            .collect()
    }

    fn data(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn frames_and_line_endings() {
        let events = parse_all(&[b"data: {\"a\":1}\n\ndata: x\r\n\r\ndata: y\r\rdata: [DONE]\n\n"]);
        assert_eq!(data(&events), ["{\"a\":1}", "x", "y", "[DONE]"]);
    }

    #[test]
    fn comments_multiline_and_event_names() {
        let events = parse_all(&[b": keep-alive\n\nevent: error\ndata: a\ndata: b\nid: 7\n\n"]);
        assert_eq!(
            events,
            [Event {
                event: Some("error".into()),
                data: "a\nb".into()
            }]
        );
    }

    #[test]
    fn split_anywhere_including_utf8() {
        let text = "data: héllo wörld 😀\r\n\r\ndata:second\n\n".as_bytes();
        let whole = parse_all(&[text]);
        for cut in 0..text.len() {
            assert_eq!(
                parse_all(&[&text[..cut], &text[cut..]]),
                whole,
                "cut at {cut}"
            );
        }
        assert_eq!(data(&whole), ["héllo wörld 😀", "second"]);
    }

    #[test]
    fn a_split_byte_order_mark_is_dropped() {
        let text = b"\xEF\xBB\xBF: comment \x8a\ndata: x\n\n";
        for cut in 0..text.len() {
            assert_eq!(
                data(&parse_all(&[&text[..cut], &text[cut..]])),
                ["x"],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut parser = SseParser::default();
        assert_eq!(parser.push(b"data: \xff\n"), Err(SseError::InvalidUtf8));
    }

    #[test]
    fn pending_reports_a_cut_event() {
        let mut parser = SseParser::default();
        parser.push(b"data: {\"par").unwrap();
        assert!(parser.has_pending());
        parser.push(b"tial\"}\n\n").unwrap();
        assert!(!parser.has_pending());
    }

    proptest! {
        #[test]
        fn chunking_never_changes_events(
            frames in proptest::collection::vec("[a-z{}\":, é]{0,20}", 0..8),
            cuts in proptest::collection::vec(0usize..400, 0..10),
            crlf in any::<bool>(),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text: String = frames.iter().map(|f| format!("data: {f}{eol}{eol}")).collect();
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut parser = SseParser::default();
            let mut events = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                events.extend(parser.push(&bytes[from..cut]).unwrap());
                from = cut;
            }
            let got: Vec<String> = events.into_iter().map(|e| e.data).collect();
            prop_assert_eq!(got, frames);
        }
    }
}
