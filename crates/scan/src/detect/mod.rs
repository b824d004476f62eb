//! Detectors: each reads a [`Doc`] and proposes candidates; the scanner filters, scores and resolves them.
//!
//! A detector is plain code over the lexed text (words with shapes, marker bytes), not a bag of
//! regexes: each one looks only where its format can occur (a digit, an `@`, a known prefix), parses
//! the value by hand, validates its checksum, and weighs context words. This keeps scanning linear and
//! fast, and keeps every detector local: a candidate depends on at most [`MAX_SPAN_BYTES`] of text plus
//! its context window, which the stream scanner relies on.

use std::borrow::Cow;

use crate::doc::Doc;
use crate::entity::EntityType;

pub(crate) mod contact;
pub(crate) mod custom;
pub(crate) mod finance;
pub(crate) mod injection;
pub(crate) mod lists;
pub(crate) mod national;
pub(crate) mod secret;
pub(crate) mod tables;

/// The longest span any built-in single-line detector reports, in bytes of normalised text.
/// Longer runs without whitespace are cut into pieces of this size by detectors that read tokens.
pub(crate) const MAX_SPAN_BYTES: usize = 4096;

/// A proposed finding, in byte offsets of the normalised text.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) entity: EntityType,
    pub(crate) subtype: Option<&'static str>,
    pub(crate) score: f32,
    pub(crate) detector: Cow<'static, str>,
}

/// A source of candidates.
pub(crate) trait Detector: Send + Sync + std::fmt::Debug {
    /// The entity types this detector can report; used to skip it when none is wanted.
    fn entities(&self) -> &[EntityType];

    /// Appends candidates found in `doc` to `sink`. Must not panic on any input.
    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>);

    /// Sets the injection threshold; only the injection detector has one.
    fn set_injection_threshold(&mut self, _threshold: f32) {}

    /// Sets what kind of text is judged for injection; only the injection detector cares.
    fn set_injection_context(&mut self, _context: crate::InjectionContext) {}
}

/// Where detectors put candidates; drops those of unwanted types or below the minimum score.
pub(crate) struct Sink<'a> {
    pub(crate) out: &'a mut Vec<Candidate>,
    pub(crate) wanted: &'a crate::scanner::EntityFilter,
    pub(crate) min_score: f32,
}

impl Sink<'_> {
    /// Proposes `start..end` (normalised bytes) as `entity` with `score`, found by `detector`.
    pub(crate) fn push(
        &mut self,
        start: usize,
        end: usize,
        entity: EntityType,
        score: f32,
        detector: &'static str,
    ) {
        self.push_full(start, end, entity, None, score, Cow::Borrowed(detector));
    }

    /// Proposes a secret of `subtype`.
    #[allow(dead_code, reason = "shared helper for detectors on other branches")]
    pub(crate) fn push_secret(
        &mut self,
        start: usize,
        end: usize,
        subtype: &'static str,
        score: f32,
        detector: &'static str,
    ) {
        self.push_full(
            start,
            end,
            EntityType::Secret,
            Some(subtype),
            score,
            Cow::Borrowed(detector),
        );
    }

    /// True if candidates of `entity` are kept; detectors may use it to skip work.
    pub(crate) fn wants(&self, entity: &EntityType) -> bool {
        self.wanted.contains(entity)
    }

    pub(crate) fn push_full(
        &mut self,
        start: usize,
        end: usize,
        entity: EntityType,
        subtype: Option<&'static str>,
        score: f32,
        detector: Cow<'static, str>,
    ) {
        if start >= end || score < self.min_score || !self.wanted.contains(&entity) {
            return;
        }
        self.out.push(Candidate {
            start,
            end,
            entity,
            subtype,
            score: score.clamp(0.0, 1.0),
            detector,
        });
    }
}

/// Every built-in pattern detector, in priority order (earlier wins exact ties).
pub(crate) fn builtin(injection_threshold: f32) -> Vec<Box<dyn Detector>> {
    let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
    detectors.extend(secret::detectors());
    detectors.extend(contact::detectors());
    detectors.extend(finance::detectors());
    detectors.extend(national::detectors());
    detectors.push(Box::new(injection::Injection::new(injection_threshold)));
    detectors
}
