//! The scanner: runs every wanted detector over a normalised text and returns resolved findings.

use std::borrow::Cow;

use crate::config::ScannerConfig;
use crate::detect::{self, Candidate, Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::error::Error;
use crate::finding::Finding;
use crate::resolve::resolve;
use crate::text::{CharCounter, Normalized};

/// Which entity types a scanner reports.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntityFilter {
    /// Empty means all.
    only: Vec<EntityType>,
}

impl EntityFilter {
    pub(crate) fn contains(&self, entity: &EntityType) -> bool {
        self.only.is_empty() || self.only.contains(entity)
    }

    fn any_of(&self, entities: &[EntityType]) -> bool {
        entities.iter().any(|e| self.contains(e))
    }
}

/// Finds sensitive values in text. Cheap to share across threads (`Send + Sync`); build once.
///
/// Scanning is pure: no IO, no clock, no randomness, and it never fails. Building can fail on a bad
/// configuration (an invalid custom regex, an unknown validator).
#[derive(Debug)]
pub struct Scanner {
    detectors: Vec<Box<dyn Detector>>,
    filter: EntityFilter,
    min_score: f32,
    allow: detect::lists::Allow,
}

impl Default for Scanner {
    /// Every built-in detector at the default threshold.
    fn default() -> Scanner {
        Scanner::with_detectors(
            detect::builtin(),
            EntityFilter::default(),
            crate::config::DEFAULT_MIN_SCORE,
            true,
        )
    }
}

impl Scanner {
    /// Builds a scanner from configuration.
    pub fn new(config: &ScannerConfig) -> Result<Scanner, Error> {
        if !(0.0..=1.0).contains(&config.min_score) {
            return Err(Error::InvalidScore {
                owner: "min_score".to_owned(),
                score: config.min_score,
            });
        }
        let mut detectors = detect::builtin();
        for list in &config.deny {
            detectors.push(Box::new(detect::lists::Deny::new(list)?));
        }
        for custom in &config.detectors {
            detectors.push(Box::new(detect::custom::Custom::new(custom)?));
        }
        let filter = EntityFilter {
            only: config.entities.clone(),
        };
        let mut scanner = Scanner::with_detectors(detectors, filter, config.min_score, config.ner);
        scanner.allow = detect::lists::Allow::new(&config.allow, &config.allow_patterns)?;
        Ok(scanner)
    }

    fn with_detectors(
        detectors: Vec<Box<dyn Detector>>,
        filter: EntityFilter,
        min_score: f32,
        ner: bool,
    ) -> Scanner {
        let mut detectors: Vec<Box<dyn Detector>> = detectors
            .into_iter()
            .filter(|d| filter.any_of(d.entities()))
            .collect();
        if ner {
            let tagger = crate::ner::detector();
            if filter.any_of(tagger.entities()) {
                detectors.push(tagger);
            }
        }
        Scanner {
            detectors,
            filter,
            min_score,
            allow: detect::lists::Allow::default(),
        }
    }

    /// The score below which findings are dropped.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    /// Scans `text`; findings are sorted by start and never overlap.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let normalized = Normalized::new(text);
        let doc = Doc::new(normalized.text());
        let candidates = self.candidates(&doc);
        let mut byte_spans = Vec::with_capacity(candidates.len());
        let mut findings = Vec::with_capacity(candidates.len());
        let mut last_end = 0;
        for candidate in candidates {
            let (byte_start, byte_end) = normalized.original_span(candidate.start, candidate.end);
            // One original character can fold into several ("℀" → "a/c"); two findings inside it
            // would overlap in the caller's text: the first keeps the character.
            if byte_start < last_end {
                continue;
            }
            last_end = byte_end;
            byte_spans.push(byte_start);
            byte_spans.push(byte_end);
            findings.push(Finding {
                entity_type: candidate.entity,
                subtype: candidate.subtype,
                start: 0,
                end: 0,
                score: round_score(candidate.score),
                detector: candidate.detector,
                byte_start,
                byte_end,
            });
        }
        let chars = CharCounter::new(text).convert(&byte_spans);
        for (i, finding) in findings.iter_mut().enumerate() {
            finding.start = chars[2 * i];
            finding.end = chars[2 * i + 1];
        }
        findings
    }

    /// Resolved candidates in normalised byte offsets.
    pub(crate) fn candidates(&self, doc: &Doc<'_>) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut sink = Sink {
            out: &mut out,
            wanted: &self.filter,
            min_score: self.min_score,
        };
        for detector in &self.detectors {
            detector.detect(doc, &mut sink);
        }
        if !self.allow.is_empty() {
            out.retain(|c| !self.allow.allows(&doc.text[c.start..c.end]));
        }
        resolve(out)
    }
}

/// Scores are reported with 3 decimals so that output is stable across platforms.
fn round_score(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

/// A finding built by hand, for operators and tests.
impl Finding {
    /// A finding of `entity_type` over the byte span `byte_start..byte_end` of `text`.
    pub fn from_bytes(
        text: &str,
        entity_type: EntityType,
        byte_start: usize,
        byte_end: usize,
        score: f32,
    ) -> Finding {
        let chars = CharCounter::new(text).convert(&[byte_start, byte_end]);
        Finding {
            entity_type,
            subtype: None,
            start: chars[0],
            end: chars[1],
            score,
            detector: Cow::Borrowed("manual"),
            byte_start,
            byte_end,
        }
    }
}
