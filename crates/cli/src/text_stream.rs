//! Text in, findings out, in bounded memory: bytes are read with a fixed-size buffer, decoded as UTF-8
//! (a character split across reads is rejoined; invalid bytes become U+FFFD, as
//! `String::from_utf8_lossy` does) and fed to a scanner that releases text with its findings.
//!
//! Offsets in findings count the decoded text: for valid UTF-8 they are offsets into the input; after
//! an invalid sequence they count its U+FFFD replacement (3 bytes, 1 code point) instead of its bytes.
//!
//! [`text_stream`] is the one place that chooses how a stream is scanned: the engine's incremental
//! [`StreamScanner`], whose findings equal the whole-text scanner's however the text is read, with
//! at most its holdback (1,024 characters by default; a private-key block up to its END line) held.

use std::io::{self, Read};
use std::sync::Arc;

use warden_scan::{Scanner, StreamOptions, StreamScanner};

pub(crate) use warden_scan::Released;

/// Bytes asked of the reader at a time.
pub(crate) const DEFAULT_READ_BUFFER: usize = 64 * 1024;

/// Hidden options that size the buffers, so tests can split values across reads and chunks.
#[derive(Debug, clap::Args)]
pub(crate) struct Tuning {
    /// Bytes per read.
    #[arg(long, hide = true, default_value_t = DEFAULT_READ_BUFFER, value_parser = parse_size)]
    pub(crate) read_buffer: usize,
    /// Holdback of the stream scanner, in characters (at least 128; 0 = the engine's default).
    #[arg(long, hide = true, default_value_t = 0)]
    pub(crate) chunk_size: usize,
}

fn parse_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(size) if size > 0 => Ok(size),
        _ => Err(format!("`{text}` is not a positive number of bytes")),
    }
}

/// The scanner for one stream of text; `holdback` 0 keeps the engine's default.
pub(crate) fn text_stream(scanner: Arc<Scanner>, holdback: usize) -> StreamScanner {
    let mut options = StreamOptions::default();
    if holdback > 0 {
        options.holdback_chars = holdback;
    }
    StreamScanner::new(scanner, options)
}

/// Reads UTF-8 text from a byte reader, a fixed number of bytes at a time.
#[derive(Debug)]
pub(crate) struct Decoder<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The start of a character whose remaining bytes were not read yet (at most 3 bytes).
    pending: Vec<u8>,
    replaced_invalid: bool,
    done: bool,
}

impl<R: Read> Decoder<R> {
    pub(crate) fn new(reader: R, buffer_size: usize) -> Decoder<R> {
        Decoder {
            reader,
            buffer: vec![0; buffer_size.max(1)],
            pending: Vec::with_capacity(4),
            replaced_invalid: false,
            done: false,
        }
    }

    /// Whether invalid UTF-8 has been replaced so far.
    pub(crate) fn replaced_invalid(&self) -> bool {
        self.replaced_invalid
    }

    /// Replaces `out` with the next piece of text; `false` at the end of the input.
    pub(crate) fn next_piece(&mut self, out: &mut String) -> io::Result<bool> {
        out.clear();
        while out.is_empty() {
            if self.done {
                return Ok(false);
            }
            let n_read = match self.reader.read(&mut self.buffer) {
                Ok(n_read) => n_read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if n_read == 0 {
                self.done = true;
                if !self.pending.is_empty() {
                    // A character cut short by the end of the input.
                    self.pending.clear();
                    self.replaced_invalid = true;
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                continue;
            }
            let mut bytes = std::mem::take(&mut self.pending);
            bytes.extend_from_slice(&self.buffer[..n_read]);
            self.decode(&bytes, out);
        }
        Ok(true)
    }

    /// Appends the text of `bytes` to `out`, keeping an incomplete last character in `pending`.
    fn decode(&mut self, mut bytes: &[u8], out: &mut String) {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    out.push_str(text);
                    return;
                }
                Err(error) => {
                    let (valid, rest) = bytes.split_at(error.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match error.error_len() {
                        Some(invalid) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.replaced_invalid = true;
                            bytes = rest.get(invalid..).unwrap_or_default();
                        }
                        None => {
                            self.pending.extend_from_slice(rest);
                            return;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn decode_all(bytes: &[u8], step: usize, buffer: usize) -> (String, bool) {
        let mut decoder = Decoder::new(Trickle { bytes, step }, buffer);
        let mut all = String::new();
        let mut piece = String::new();
        while decoder.next_piece(&mut piece).unwrap() {
            assert!(!piece.is_empty());
            all.push_str(&piece);
        }
        (all, decoder.replaced_invalid())
    }

    #[test]
    fn rejoins_characters_split_across_reads() {
        let text = "Zoë Ångström — 東京 🦀 end";
        for step in 1..8 {
            for buffer in 1..8 {
                assert_eq!(
                    decode_all(text.as_bytes(), step, buffer),
                    (text.to_owned(), false)
                );
            }
        }
    }

    #[test]
    fn replaces_invalid_bytes_like_from_utf8_lossy() {
        let cases: [&[u8]; 5] = [
            b"a\xffb",
            b"caf\xc3",
            b"\xe6\x9d",
            b"x\xf0\x9f\xa6y\xc0\xafz",
            b"\xed\xa0\x80 surrogate",
        ];
        for bytes in cases {
            for step in 1..5 {
                let expect = String::from_utf8_lossy(bytes).into_owned();
                assert_eq!(decode_all(bytes, step, 3), (expect, true), "{bytes:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn decoding_matches_from_utf8_lossy(bytes in proptest::collection::vec(any::<u8>(), 0..64),
                                            step in 1usize..9, buffer in 1usize..9) {
            let expect = String::from_utf8_lossy(&bytes).into_owned();
            let (text, replaced) = decode_all(&bytes, step, buffer);
            prop_assert_eq!(replaced, std::str::from_utf8(&bytes).is_err());
            prop_assert_eq!(text, expect);
        }

        #[test]
        fn chunks_cover_the_text_on_char_boundaries(text in "[a\n é東 ]{0,200}", chunk in 1usize..40) {
            let scanner = Arc::new(Scanner::default());
            let mut stream = text_stream(scanner, chunk);
            let mut joined = String::new();
            let mut chars = 0;
            let mut pieces = text.char_indices().map(|(i, c)| &text[i..i + c.len_utf8()]).collect::<Vec<_>>();
            pieces.push("");
            for piece in pieces {
                let released = stream.push(piece);
                prop_assert_eq!(released.byte_start, joined.len());
                prop_assert_eq!(released.start, chars);
                chars += released.text.chars().count();
                joined.push_str(&released.text);
            }
            let last = stream.finish();
            prop_assert_eq!(last.byte_start, joined.len());
            joined.push_str(&last.text);
            prop_assert_eq!(joined, text);
        }
    }

    #[test]
    fn findings_carry_stream_offsets() {
        let scanner = Arc::new(Scanner::default());
        let mut stream = text_stream(scanner, 0);
        let mut released = vec![
            stream.push("é line one.\n\n"),
            stream.push("mail jane.doe@exa"),
        ];
        released.push(stream.push("mple.com\n"));
        released.push(stream.finish());
        let text: String = released.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "é line one.\n\nmail jane.doe@example.com\n");
        let email: Vec<_> = released
            .iter()
            .flat_map(|r| r.local_findings().into_iter().map(move |f| (r, f)))
            .filter(|(_, f)| f.entity_type == warden_scan::EntityType::EmailAddress)
            .collect();
        assert_eq!(email.len(), 1);
        let (piece, local) = &email[0];
        assert_eq!(local.value(&piece.text), "jane.doe@example.com");
        let whole = &piece
            .findings
            .iter()
            .find(|f| f.entity_type == warden_scan::EntityType::EmailAddress)
            .unwrap();
        assert_eq!((whole.start, whole.end), (18, 38));
        assert_eq!((whole.byte_start, whole.byte_end), (19, 39));
    }
}
