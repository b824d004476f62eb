//! Warden's detection engine: finds personal data and secrets in text, rewrites them with operators,
//! and does both incrementally over streams.
//!
//! The engine is pure: no IO, no async, no clock, no environment, no randomness. Building a
//! [`Scanner`] can fail on bad configuration; scanning never fails and never panics. A scanner is
//! `Send + Sync`: build it once and share it.
//!
//! ```
//! use warden_scan::{Scanner, EntityType};
//! let scanner = Scanner::default();
//! let findings = scanner.scan("write to jane.doe@example.com");
//! assert_eq!(findings[0].entity_type, EntityType::EmailAddress);
//! assert_eq!((findings[0].start, findings[0].end), (9, 29));
//! ```
//!
//! Design notes:
//! - Detectors read a normalised copy of the text (full-width digits folded, invisible characters
//!   removed) and report spans that are mapped back to the caller's text, in code points.
//! - Pattern detectors are hand-written parsers over words and marker bytes, with checksums and
//!   context words; natural-language entities come from a compact averaged-perceptron tagger with
//!   gazetteer features (see `ner`). Matching is linear in the input.
//! - Overlaps are resolved greedily by rank (score, length, position), see `resolve`.
//! - Text is cut into sentence-like segments by a deterministic segmenter (see [`segment`]) and each
//!   segment is scanned on its own; the stream scanner ([`StreamScanner`]) uses the same segmenter,
//!   which is why streamed and whole-text findings agree on every chunking.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod context;
mod detect;
mod doc;
mod entity;
mod error;
mod finding;
mod ner;
pub mod operator;
mod resolve;
mod scanner;
pub mod segment;
mod stream;
#[cfg(test)]
mod testing;
mod text;
pub mod validate;

pub use config::{
    CustomDetector, DEFAULT_INJECTION_THRESHOLD, DEFAULT_MIN_SCORE, DenyList, ScannerConfig,
};
pub use entity::{Category, EntityType};
pub use error::Error;
pub use finding::Finding;
pub use operator::{
    EncryptMode, Keys, NonceSource, Operator, OperatorKey, OperatorRewriter, PseudonymStyle,
    PseudonymTable, Resources, Rewriter, StreamRestorer, apply,
};
pub use scanner::Scanner;
pub use segment::{Segments, segments};
pub use stream::{DEFAULT_HOLDBACK_CHARS, Released, StreamOptions, StreamScanner};

/// The injection classifier's trainer (feature `train`), for `examples/train_injection.rs`.
#[cfg(feature = "train")]
#[doc(hidden)]
pub use detect::injection::train as injection_train;
pub use detect::injection::{InjectionContext, injection_split};
/// The tagger trainer (feature `train`), for `examples/train_ner.rs`.
#[cfg(feature = "train")]
#[doc(hidden)]
pub use ner::train as ner_train;
