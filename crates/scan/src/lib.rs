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
//! - Every detector is local: a finding depends on a bounded neighbourhood of text, which is what lets
//!   the stream scanner agree with the whole-text scanner.

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
mod text;
pub mod validate;

pub use config::{CustomDetector, DEFAULT_MIN_SCORE, DenyList, ScannerConfig};
pub use entity::{Category, EntityType};
pub use error::Error;
pub use finding::Finding;
pub use operator::{
    EncryptMode, Keys, NonceSource, Operator, OperatorKey, OperatorRewriter, PseudonymStyle,
    PseudonymTable, Resources, Rewriter, StreamRestorer, apply,
};
pub use scanner::Scanner;

/// The tagger trainer (feature `train`), for `examples/train_ner.rs`.
#[cfg(feature = "train")]
#[doc(hidden)]
pub use ner::train as ner_train;
