//! The scanner: runs every wanted detector over a normalised text and returns resolved findings.

use std::borrow::Cow;

use crate::config::ScannerConfig;
use crate::detect::{self, Candidate, Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::error::Error;
use crate::finding::Finding;
use crate::resolve::resolve;
use crate::segment;
use crate::stream::StreamOptions;
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
            detect::builtin(crate::config::DEFAULT_INJECTION_THRESHOLD),
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
        if !(0.0..=1.0).contains(&config.injection_threshold) {
            return Err(Error::InvalidScore {
                owner: "injection_threshold".to_owned(),
                score: config.injection_threshold,
            });
        }
        let mut detectors = detect::builtin(config.injection_threshold);
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

    /// Reports `PROMPT_INJECTION` for segments whose injection confidence is at least `threshold`
    /// (default [`DEFAULT_INJECTION_THRESHOLD`](crate::DEFAULT_INJECTION_THRESHOLD)). Findings
    /// below the scanner's `min_score` are still dropped. Fails if `threshold` is outside [0, 1].
    pub fn with_injection_threshold(mut self, threshold: f32) -> Result<Scanner, Error> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::InvalidScore {
                owner: "injection_threshold".to_owned(),
                score: threshold,
            });
        }
        for detector in &mut self.detectors {
            detector.set_injection_threshold(threshold);
        }
        Ok(self)
    }

    /// Judges text for injection as `context` (default [`InjectionContext::Prompt`]): requests
    /// to a model, or documents and tool results a model reads.
    #[must_use]
    pub fn with_injection_context(mut self, context: crate::InjectionContext) -> Scanner {
        for detector in &mut self.detectors {
            detector.set_injection_context(context);
        }
        self
    }

    /// This scanner without the `PROMPT_INJECTION` detector, for text where an injection finding
    /// would change nothing (answers, whose default action for it is `allow`): the detector is
    /// about half the cost of scanning chat text.
    #[must_use]
    pub fn without_injection(mut self) -> Scanner {
        self.detectors.retain(|detector| {
            detector
                .entities()
                .iter()
                .any(|entity| *entity != EntityType::PromptInjection)
        });
        self
    }

    /// The score below which findings are dropped.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    /// Scans `text`; findings are sorted by start and never overlap.
    ///
    /// The text is cut into sentence-like segments (see [`segment`](crate::segment)) with the
    /// default [`StreamOptions`], and each segment is scanned on its own, exactly as the
    /// [`StreamScanner`](crate::StreamScanner) does.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        self.scan_with(text, &StreamOptions::default())
    }

    /// Scans `text` segmented with `options` (the stream holdback in force), so that the findings
    /// equal those of a [`StreamScanner`](crate::StreamScanner) built with the same options.
    pub fn scan_with(&self, text: &str, options: &StreamOptions) -> Vec<Finding> {
        let mut segments = segment::segments(text, options);
        let Some(first) = segments.next() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        if first.end == text.len() {
            // One segment, the common case for short texts: no offsets to shift.
            self.scan_segment_into(text, 0, || 0, &mut findings);
            return findings;
        }
        // Code points before each segment, counted only for segments with findings.
        let (mut counted_bytes, mut counted_chars) = (0, 0);
        for range in std::iter::once(first).chain(segments) {
            let char_offset = || {
                counted_chars += text[counted_bytes..range.start].chars().count();
                counted_bytes = range.start;
                counted_chars
            };
            self.scan_segment_into(
                &text[range.clone()],
                range.start,
                char_offset,
                &mut findings,
            );
        }
        findings
    }

    /// Scans one segment and appends its findings, shifted by the segment's offsets in the whole
    /// text: `byte_offset` bytes, and `char_offset()` code points (asked only if there are findings).
    pub(crate) fn scan_segment_into(
        &self,
        segment: &str,
        byte_offset: usize,
        char_offset: impl FnOnce() -> usize,
        findings: &mut Vec<Finding>,
    ) {
        let normalized = Normalized::new(segment);
        let mut doc = Doc::new(normalized.text());
        doc.smuggled = detect::injection::decode::tag_text(segment);
        let candidates = self.candidates(&doc);
        if candidates.is_empty() {
            return;
        }
        let first = findings.len();
        let mut byte_spans = Vec::with_capacity(2 * candidates.len());
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
                byte_start: byte_offset + byte_start,
                byte_end: byte_offset + byte_end,
            });
        }
        let chars = CharCounter::new(segment).convert(&byte_spans);
        let char_offset = char_offset();
        for (finding, span) in findings[first..].iter_mut().zip(chars.chunks_exact(2)) {
            finding.start = char_offset + span[0];
            finding.end = char_offset + span[1];
        }
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
