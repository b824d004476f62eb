//! Natural-language entities: names, places, organisations, addresses, titles, nationalities, ages,
//! dates.
//!
//! Regular expressions cannot find "Szabina Gelencsér" or "Davis, Reynolds and Williamson". This is a
//! compact statistical tagger, in pure Rust and offline:
//! - **words** come from the shared [`Doc`] lexer; each gets gazetteer flags ([`gazetteer`]: first and
//!   last names, cities, regions, countries, street words, company suffixes, jobs, nationalities,
//!   titles, month names, the English dictionary);
//! - an **averaged perceptron** ([`model`]) scores one label per word (IO tags over nine entity types)
//!   from about thirty hashed features ([`features`]: the word, its affixes and shape, gazetteer flags,
//!   neighbouring words and shapes, the punctuation between words, and the two previous labels);
//! - decoding is **greedy**, left to right, and only words that could start an entity (capitalised,
//!   numeric, or listed) or continue one are scored, so most words of ordinary prose cost nothing;
//! - runs of words with the same label become one finding.
//!
//! The weights are trained by `scripts/data/build_ner_model.sh` on a corpus generated from templates
//! written for Warden (never on evaluation data) and shipped in `data/ner/model.bin`; see docs/DATA.md.

mod features;
pub(crate) mod gazetteer;
mod model;
#[cfg(feature = "train")]
pub mod train;

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

use features::{LABELS, N_LABELS, OUTSIDE, Token};
use model::{Model, Weights};

static MODEL_BYTES: &[u8] = include_bytes!("../../data/ner/model.bin");

/// The shipped model, parsed on first use.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    // A malformed model file is a build defect caught by the `shipped_model_loads` test; at run time
    // the tagger then finds nothing rather than failing scans.
    MODEL.get_or_init(|| Model::parse(MODEL_BYTES).unwrap_or_default())
}

/// The tagger as a detector.
pub(crate) fn detector() -> Box<dyn Detector> {
    Box::new(Tagger)
}

const ENTITIES: [EntityType; 9] = [
    EntityType::Person,
    EntityType::Location,
    EntityType::Organization,
    EntityType::StreetAddress,
    EntityType::Nrp,
    EntityType::Title,
    EntityType::DateTime,
    EntityType::Age,
    EntityType::ZipCode,
];

#[derive(Debug)]
struct Tagger;

impl Detector for Tagger {
    fn entities(&self) -> &[EntityType] {
        &ENTITIES
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if doc.words.is_empty() {
            return;
        }
        let mut tokens = Vec::new();
        features::tokens(doc, gazetteer::gazetteer(), &mut tokens);
        // Words inside values that pattern detectors already found (a phone number after an address,
        // an e-mail in a signature) are not part of a natural-language entity.
        let mut claimed = vec![false; tokens.len()];
        for c in sink.out.iter() {
            let first = doc.word_index_containing(c.start);
            for slot in claimed
                .iter_mut()
                .take(doc.word_index_at(c.end))
                .skip(first)
            {
                *slot = true;
            }
        }
        let mut labels = Vec::new();
        let mut margins = Vec::new();
        tag(
            doc.text,
            &tokens,
            &claimed,
            model(),
            &mut labels,
            &mut margins,
        );
        for span in spans(doc, &labels, &margins) {
            if let Some(Some(entity)) = LABELS.get(usize::from(span.label)) {
                sink.push_full(
                    span.start,
                    span.end,
                    entity.clone(),
                    None,
                    span.score,
                    Cow::Borrowed("ner"),
                );
            }
        }
    }
}

/// Tags every token greedily. `margins` gets the winning score minus the runner-up per token;
/// `claimed` words (found by other detectors) are outside; it may be empty.
fn tag(
    text: &str,
    tokens: &[Token],
    claimed: &[bool],
    weights: &impl Weights,
    labels: &mut Vec<u8>,
    margins: &mut Vec<f32>,
) {
    labels.clear();
    margins.clear();
    let mut feats = Vec::with_capacity(48);
    for i in 0..tokens.len() {
        let prev = i.checked_sub(1).map_or(OUTSIDE, |j| labels[j]);
        let prev2 = i.checked_sub(2).map_or(OUTSIDE, |j| labels[j]);
        if !tokens[i].candidate && prev == OUTSIDE || claimed.get(i).copied().unwrap_or(false) {
            labels.push(OUTSIDE);
            margins.push(0.0);
            continue;
        }
        features::features(text, tokens, i, prev, prev2, &mut feats);
        let mut scores = score(&feats, weights);
        if !tokens[i].candidate {
            continuation_only(&mut scores, prev);
        }
        let (best, margin) = argmax(&scores);
        labels.push(best);
        margins.push(margin);
    }
}

/// A word scored only because it follows a tagged word ("of" in "Bank of X") may continue that
/// entity or end it, nothing else.
fn continuation_only(scores: &mut [f32; N_LABELS], prev: u8) {
    for (label, s) in scores.iter_mut().enumerate() {
        if label != usize::from(OUTSIDE) && label != usize::from(prev) {
            *s = f32::NEG_INFINITY;
        }
    }
}

fn score(feats: &[u64], weights: &impl Weights) -> [f32; N_LABELS] {
    let mut scores = [0f32; N_LABELS];
    for &f in feats {
        weights.add(f, &mut scores);
    }
    scores
}

/// The best label (lowest index on ties) and its lead over the second best.
fn argmax(scores: &[f32; N_LABELS]) -> (u8, f32) {
    let mut best = 0usize;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    let second = scores
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .fold(f32::NEG_INFINITY, |m, (_, s)| m.max(*s));
    (best as u8, scores[best] - second)
}

struct Span {
    start: usize,
    end: usize,
    label: u8,
    score: f32,
}

/// The longest natural-language entity: a long address block fits; a run of thousands of tagged
/// numbers is cut into pieces.
const MAX_ENTITY_BYTES: usize = 512;

/// Joins runs of words with the same label; a blank line, a long gap or [`MAX_ENTITY_BYTES`] ends a
/// run.
fn spans(doc: &Doc<'_>, labels: &[u8], margins: &[f32]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut run_margin = 0f32;
    let mut run_len = 0f32;
    let mut open = false;
    for (i, (&label, word)) in labels.iter().zip(&doc.words).enumerate() {
        let continues = open
            && out.last().is_some_and(|s| {
                s.label == label
                    && word.end as usize - s.start <= MAX_ENTITY_BYTES
                    && joinable(doc.text.get(s.end..word.start as usize).unwrap_or(""))
            });
        if label == OUTSIDE {
            open = false;
            continue;
        }
        if continues {
            if let Some(last) = out.last_mut() {
                last.end = word.end as usize;
            }
            run_margin += margins[i];
            run_len += 1.0;
        } else {
            close(&mut out, run_margin, run_len);
            out.push(Span {
                start: word.start as usize,
                end: word.end as usize,
                label,
                score: 0.0,
            });
            run_margin = margins[i];
            run_len = 1.0;
            open = true;
        }
    }
    close(&mut out, run_margin, run_len);
    out
}

fn close(out: &mut [Span], margin: f32, len: f32) {
    if let Some(last) = out.last_mut()
        && last.score == 0.0
    {
        let m = (margin / len.max(1.0)).max(0.0);
        last.score = 0.5 + 0.45 * m / (m + 4.0);
    }
}

fn joinable(between: &str) -> bool {
    between.len() <= 8 && !between.contains("\n\n") && !between.contains("\\n\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scanner;

    #[test]
    fn shipped_model_loads() {
        assert!(Model::parse(MODEL_BYTES).is_some());
        assert!(model().len() > 1000);
    }

    fn found(text: &str) -> Vec<(String, EntityType)> {
        Scanner::default()
            .scan(text)
            .into_iter()
            .map(|f| (text[f.byte_start..f.byte_end].to_owned(), f.entity_type))
            .collect()
    }

    #[test]
    fn finds_names_places_and_organisations() {
        let f = found("Hi, my name is Johanna Varvio and I live in Tampere, Finland.");
        assert!(
            f.contains(&("Johanna Varvio".to_owned(), EntityType::Person)),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|(v, e)| v.contains("Tampere") && *e == EntityType::Location),
            "{f:?}"
        );
    }

    #[test]
    fn ordinary_prose_has_no_entities() {
        let f = found("How can I request a new credit card pin? The app keeps crashing.");
        assert!(f.is_empty(), "{f:?}");
    }
}
