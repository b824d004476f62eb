//! The incremental scanner: scans text that arrives in chunks (a model's streamed answer) and
//! releases it as soon as it is safe, with exactly the findings the whole-text scanner reports.
//!
//! # The guarantee
//!
//! For every text and every way of cutting it into chunks, the released texts concatenate to the
//! input, and the released findings concatenate to [`Scanner::scan`] of the whole input: same
//! types, spans, scores and detectors. So no character of a finding the whole-text scanner reports
//! reaches a client unredacted, however the text was split.
//!
//! It holds by construction. Whole-text scanning cuts the text into segments (see
//! [`segment`](crate::segment)) and scans each segment on its own; the stream scanner uses the
//! same segmenter, which decides each segment end from a bounded lookahead, and releases a segment,
//! scanned the same way, as soon as its end is decided. Nothing a detector sees depends on how the
//! text was chunked.
//!
//! # What is held back
//!
//! Outside a private-key block, the text held after [`StreamScanner::push`] returns is shorter than
//! [`StreamOptions::holdback_chars`] characters: once the held text fills a segment window, its end
//! is decided. A private-key block (`-----BEGIN … PRIVATE KEY-----`) is held from its BEGIN line
//! until its END line, the end of the stream, or [`PEM_BLOCK_MAX_CHARS`](crate::segment::PEM_BLOCK_MAX_CHARS).
//!
//! The default, 1024 characters (about 250 tokens), is a few sentences: prose is released sentence
//! by sentence long before it, so the cap only delays text without sentence ends or blank lines
//! (code, tables, long tokens). It is also the longest value that is never cut: a token longer
//! than the cap without white space (some JWTs are) is split, and its pieces are scanned apart.

use std::sync::Arc;

use crate::finding::Finding;
use crate::scanner::Scanner;
use crate::segment::{Cursor, MIN_HOLDBACK_CHARS};

/// The default [`StreamOptions::holdback_chars`].
pub const DEFAULT_HOLDBACK_CHARS: usize = 1024;

/// How text is segmented, in whole-text and stream scanning alike.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamOptions {
    /// The longest segment outside a private-key block, in characters: the most text a stream holds
    /// back. Values below [`MIN_HOLDBACK_CHARS`] are raised to it.
    pub holdback_chars: usize,
}

impl Default for StreamOptions {
    fn default() -> StreamOptions {
        StreamOptions {
            holdback_chars: DEFAULT_HOLDBACK_CHARS,
        }
    }
}

impl StreamOptions {
    /// The holdback in force: `holdback_chars`, at least [`MIN_HOLDBACK_CHARS`].
    pub fn effective_holdback(&self) -> usize {
        self.holdback_chars.max(MIN_HOLDBACK_CHARS)
    }
}

/// Scans a stream of text chunks. One per stream (per choice of a streamed answer).
///
/// ```
/// use std::sync::Arc;
/// use warden_scan::{Scanner, StreamOptions, StreamScanner};
///
/// let scanner = Arc::new(Scanner::default());
/// let mut stream = StreamScanner::new(Arc::clone(&scanner), StreamOptions::default());
/// let mut out = String::new();
/// let mut findings = Vec::new();
/// for chunk in ["Mail jane.do", "e@example.com today. ", "Thanks!"] {
///     let released = stream.push(chunk);
///     out.push_str(&released.text);
///     findings.extend(released.findings);
/// }
/// let released = stream.finish();
/// out.push_str(&released.text);
/// findings.extend(released.findings);
/// let whole = "Mail jane.doe@example.com today. Thanks!";
/// assert_eq!(out, whole);
/// assert_eq!(findings, scanner.scan(whole));
/// ```
#[derive(Debug)]
pub struct StreamScanner {
    scanner: Arc<Scanner>,
    options: StreamOptions,
    /// Text received and not yet released; it starts at a segment start.
    held: String,
    cursor: Cursor,
    /// Offsets of `held` in the stream.
    byte_offset: usize,
    char_offset: usize,
}

/// Text that is safe to pass on, with its findings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Released {
    /// The released text, in order: consecutive `Released` texts concatenate to the stream.
    pub text: String,
    /// Where `text` starts in the stream, in code points.
    pub start: usize,
    /// Where `text` starts in the stream, in bytes.
    pub byte_start: usize,
    /// Findings in `text`, with offsets (code points and bytes) from the stream start: equal to the
    /// offsets the whole-text scanner reports.
    pub findings: Vec<Finding>,
}

impl Released {
    /// True if nothing was released.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The findings with offsets relative to `text`, for rewriting it on its own (`apply`).
    pub fn local_findings(&self) -> Vec<Finding> {
        self.findings
            .iter()
            .map(|finding| Finding {
                start: finding.start - self.start,
                end: finding.end - self.start,
                byte_start: finding.byte_start - self.byte_start,
                byte_end: finding.byte_end - self.byte_start,
                ..finding.clone()
            })
            .collect()
    }
}

impl StreamScanner {
    /// A scanner for one stream.
    pub fn new(scanner: Arc<Scanner>, options: StreamOptions) -> StreamScanner {
        let cursor = Cursor::new(options.effective_holdback());
        StreamScanner {
            scanner,
            options,
            held: String::new(),
            cursor,
            byte_offset: 0,
            char_offset: 0,
        }
    }

    /// Feeds a chunk; returns the text now safe to release with its findings (often empty).
    pub fn push(&mut self, chunk: &str) -> Released {
        self.held.push_str(chunk);
        self.release(false)
    }

    /// Ends the stream: releases everything held. The scanner is then empty, ready for a new
    /// stream whose offsets start at 0.
    pub fn finish(&mut self) -> Released {
        let released = self.release(true);
        self.held = String::new();
        self.cursor = Cursor::new(self.options.effective_holdback());
        self.byte_offset = 0;
        self.char_offset = 0;
        released
    }

    /// Characters received and not yet released.
    pub fn held_chars(&self) -> usize {
        self.held.chars().count()
    }

    /// The options this scanner segments with.
    pub fn options(&self) -> &StreamOptions {
        &self.options
    }

    /// Releases every segment whose end is decided.
    fn release(&mut self, at_end: bool) -> Released {
        let mut released = Released {
            text: String::new(),
            start: self.char_offset,
            byte_start: self.byte_offset,
            findings: Vec::new(),
        };
        let mut consumed = 0;
        while let Some(rest) = self.held.get(consumed..)
            && let Some(len) = self.cursor.next(rest, at_end)
        {
            let segment = &rest[..len];
            let char_offset = self.char_offset;
            self.scanner.scan_segment_into(
                segment,
                self.byte_offset,
                || char_offset,
                &mut released.findings,
            );
            released.text.push_str(segment);
            self.byte_offset += len;
            self.char_offset += segment.chars().count();
            consumed += len;
        }
        self.held.drain(..consumed);
        released
    }
}
