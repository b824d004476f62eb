//! Text in, findings out, in bounded memory: bytes are read with a fixed-size buffer, decoded as UTF-8
//! (a character split across reads is rejoined; invalid bytes become U+FFFD, as
//! `String::from_utf8_lossy` does) and fed to a scanner that releases text with its findings.
//!
//! Offsets in findings count the decoded text: for valid UTF-8 they are offsets into the input; after
//! an invalid sequence they count its U+FFFD replacement (3 bytes, 1 code point) instead of its bytes.
//!
//! [`text_stream`] is the one place that chooses how a stream is scanned. Until the engine's
//! incremental `StreamScanner` exists, [`ChunkScanner`] stands in with the same interface: it scans
//! chunks of at least [`DEFAULT_CHUNK_SIZE`] bytes cut at a blank line, else at a line end, else (in a
//! run of twice that size without a line end) after whitespace, and never inside a PEM block shorter
//! than the chunk size. A value cut by such a fallback cut can be missed; a value on one line never is.

use std::io::{self, Read};
use std::sync::Arc;

use warden_scan::{Finding, Scanner};

/// Bytes asked of the reader at a time.
pub(crate) const DEFAULT_READ_BUFFER: usize = 64 * 1024;

/// Bytes of text the interim chunk scanner gathers before it scans.
pub(crate) const DEFAULT_CHUNK_SIZE: usize = 4 * 1024 * 1024;

/// Hidden options that size the buffers, so tests can split values across reads and chunks.
#[derive(Debug, clap::Args)]
pub(crate) struct Tuning {
    /// Bytes per read.
    #[arg(long, hide = true, default_value_t = DEFAULT_READ_BUFFER, value_parser = parse_size)]
    pub(crate) read_buffer: usize,
    /// Bytes of text scanned at a time by the interim chunk scanner.
    #[arg(long, hide = true, default_value_t = DEFAULT_CHUNK_SIZE, value_parser = parse_size)]
    pub(crate) chunk_size: usize,
}

fn parse_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(size) if size > 0 => Ok(size),
        _ => Err(format!("`{text}` is not a positive number of bytes")),
    }
}

/// Text whose scanning is final, with its findings: the shape of the engine's stream scanner output.
#[derive(Debug, Default)]
pub(crate) struct Released {
    /// The released text.
    pub(crate) text: String,
    /// Code points of the stream before `text`.
    pub(crate) start: usize,
    /// Bytes of the stream before `text`.
    pub(crate) byte_start: usize,
    /// Findings in `text`, with offsets counted from the start of the stream.
    pub(crate) findings: Vec<Finding>,
}

impl Released {
    /// The findings with byte offsets into `self.text` instead of into the stream, for `apply`.
    pub(crate) fn local_findings(&self) -> Vec<Finding> {
        self.findings
            .iter()
            .map(|finding| {
                let mut local = finding.clone();
                local.byte_start = finding.byte_start.saturating_sub(self.byte_start);
                local.byte_end = finding.byte_end.saturating_sub(self.byte_start);
                local.start = finding.start.saturating_sub(self.start);
                local.end = finding.end.saturating_sub(self.start);
                local
            })
            .collect()
    }
}

/// The scanner for one stream of text. Switching to the engine's stream scanner changes this body.
pub(crate) fn text_stream(scanner: Arc<Scanner>, chunk_size: usize) -> ChunkScanner {
    ChunkScanner::new(scanner, chunk_size)
}

/// Interim stream scanner: gathers text and scans it whole, chunk by chunk (see the module docs).
#[derive(Debug)]
pub(crate) struct ChunkScanner {
    scanner: Arc<Scanner>,
    chunk_size: usize,
    buffer: String,
    chars_released: usize,
    bytes_released: usize,
}

impl ChunkScanner {
    fn new(scanner: Arc<Scanner>, chunk_size: usize) -> ChunkScanner {
        ChunkScanner {
            scanner,
            chunk_size: chunk_size.max(1),
            buffer: String::new(),
            chars_released: 0,
            bytes_released: 0,
        }
    }

    /// Adds `chunk`; returns the text (possibly none) that is now scanned.
    pub(crate) fn push(&mut self, chunk: &str) -> Released {
        self.buffer.push_str(chunk);
        if self.buffer.len() < self.chunk_size {
            return self.release(0);
        }
        let cut = cut_point(&self.buffer, self.chunk_size);
        let cut = outside_pem_block(&self.buffer, cut, self.chunk_size);
        self.release(cut)
    }

    /// Ends the stream: scans and returns whatever is left.
    pub(crate) fn finish(&mut self) -> Released {
        self.release(self.buffer.len())
    }

    /// Scans and releases `self.buffer[..cut]`.
    fn release(&mut self, cut: usize) -> Released {
        if cut == 0 {
            return Released {
                start: self.chars_released,
                byte_start: self.bytes_released,
                ..Released::default()
            };
        }
        let rest = self.buffer.split_off(cut);
        let text = std::mem::replace(&mut self.buffer, rest);
        let mut findings = self.scanner.scan(&text);
        for finding in &mut findings {
            finding.start += self.chars_released;
            finding.end += self.chars_released;
            finding.byte_start += self.bytes_released;
            finding.byte_end += self.bytes_released;
        }
        let released = Released {
            start: self.chars_released,
            byte_start: self.bytes_released,
            findings,
            text,
        };
        self.chars_released += released.text.chars().count();
        self.bytes_released += released.text.len();
        released
    }
}

/// Where to cut a buffer of at least `chunk_size` bytes: after the last blank line or line end in its
/// second half; failing both, once it has twice that size, after its last whitespace or at its end;
/// otherwise 0 (wait for more text). Always a character boundary.
fn cut_point(buffer: &str, chunk_size: usize) -> usize {
    let mut from = chunk_size / 2;
    while !buffer.is_char_boundary(from) {
        from -= 1;
    }
    let tail = &buffer.as_bytes()[from..];
    if let Some(at) = memchr::memmem::rfind(tail, b"\n\n") {
        return from + at + 2;
    }
    if let Some(at) = memchr::memrchr(b'\n', tail) {
        return from + at + 1;
    }
    if buffer.len() < 2 * chunk_size {
        return 0;
    }
    match buffer[from..].rfind(char::is_whitespace) {
        Some(at) => {
            let width = buffer[from + at..].chars().next().map_or(1, char::len_utf8);
            from + at + width
        }
        None => buffer.len(),
    }
}

/// `cut`, or the start of the line of a PEM block that begins before `cut` and does not end before
/// it, so the block is scanned whole (0, wait for more, unless the buffer is already twice the chunk
/// size: a marker without an end must not make memory grow).
fn outside_pem_block(buffer: &str, cut: usize, chunk_size: usize) -> usize {
    let head = &buffer.as_bytes()[..cut];
    let Some(begin) = memchr::memmem::rfind(head, b"-----BEGIN") else {
        return cut;
    };
    if memchr::memmem::find(&head[begin..], b"-----END").is_some() {
        return cut;
    }
    let line_start = memchr::memrchr(b'\n', &head[..begin]).map_or(0, |at| at + 1);
    if line_start == 0 && buffer.len() >= 2 * chunk_size {
        return cut;
    }
    line_start
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
    fn cuts_prefer_blank_lines_then_line_ends() {
        assert_eq!(cut_point("aaaa\n\nbb\ncc", 8), 6);
        assert_eq!(cut_point("aaaaaa\nbbbbbb", 8), 7);
        assert_eq!(cut_point("aaaaaaaaaaaa", 8), 0);
        assert_eq!(cut_point("aaaaaaa bbbbbbbbbb", 8), 8);
        assert_eq!(cut_point("aaaaaaaaaaaaaaaaaa", 8), 18);
    }

    #[test]
    fn cuts_keep_pem_blocks_whole() {
        let pem =
            "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n\nxyz\n-----END RSA PRIVATE KEY-----\n";
        let open_at = pem.find("\n\n").unwrap() + 2;
        assert_eq!(outside_pem_block(pem, open_at, 16), 5);
        assert_eq!(outside_pem_block(pem, pem.len(), 16), pem.len());
        let at_start = &pem[5..];
        assert_eq!(outside_pem_block(at_start, 20, 64), 0);
        assert_eq!(outside_pem_block(at_start, 20, 8), 20, "bounded");
    }

    #[test]
    fn findings_carry_stream_offsets() {
        let scanner = Arc::new(Scanner::default());
        let mut stream = text_stream(scanner, 8);
        assert!(stream.push("é line").text.is_empty());
        let first = stream.push(" one\n\n");
        assert_eq!(first.text, "é line one\n\n");
        let second = stream.push("mail jane.doe@example.com\n");
        assert_eq!(second.start, 12);
        assert_eq!(second.byte_start, 13);
        let finding = &second.findings[0];
        assert_eq!((finding.start, finding.end), (17, 37));
        assert_eq!((finding.byte_start, finding.byte_end), (18, 38));
        let local = second.local_findings();
        assert_eq!(local[0].value(&second.text), "jane.doe@example.com");
        assert!(stream.finish().text.is_empty());
    }
}
