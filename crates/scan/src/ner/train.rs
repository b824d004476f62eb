//! Training the tagger (cargo feature `train`; used by `examples/train_ner.rs`, never at run time).
//!
//! A standard averaged perceptron with greedy decoding: for each word that inference would score, the
//! features are computed exactly as at run time (with the labels the current weights predicted for the
//! previous words), and on a mistake the gold label's weights go up and the predicted label's go down.
//! Weights are averaged over all updates (lazily), pruned and quantised by [`model::write`].

use std::collections::HashMap;

use crate::doc::Doc;
use crate::entity::EntityType;
use crate::text::Normalized;

use super::features::{self, N_LABELS, OUTSIDE, Token};
use super::gazetteer::gazetteer;
use super::model::{self, Weights};

/// One training text with its entity spans (byte offsets into `text`).
#[derive(Clone, Debug)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Entity spans: start byte, end byte, type.
    pub spans: Vec<(usize, usize, EntityType)>,
}

/// Training settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Passes over the corpus.
    pub epochs: usize,
    /// Averaged weights smaller than this (in absolute value, on every label) are dropped.
    pub min_weight: f32,
    /// Seed of the shuffle between epochs.
    pub seed: u64,
}

#[derive(Clone, Default)]
struct Entry {
    w: [f32; N_LABELS],
    total: [f32; N_LABELS],
    stamp: [u32; N_LABELS],
}

struct Perceptron {
    entries: HashMap<u64, Entry>,
    time: u32,
}

impl Weights for Perceptron {
    fn add(&self, feature: u64, scores: &mut [f32; N_LABELS]) {
        if let Some(e) = self.entries.get(&feature) {
            for (s, w) in scores.iter_mut().zip(&e.w) {
                *s += w;
            }
        }
    }
}

impl Perceptron {
    fn update(&mut self, feats: &[u64], gold: u8, guess: u8) {
        let t = self.time;
        for &f in feats {
            let e = self.entries.entry(f).or_default();
            for (label, delta) in [(usize::from(gold), 1.0f32), (usize::from(guess), -1.0)] {
                e.total[label] += (t - e.stamp[label]) as f32 * e.w[label];
                e.stamp[label] = t;
                e.w[label] += delta;
            }
        }
    }

    fn averaged(&self) -> HashMap<u64, [f32; N_LABELS]> {
        let t = self.time.max(1);
        self.entries
            .iter()
            .map(|(k, e)| {
                let mut avg = [0f32; N_LABELS];
                for (l, a) in avg.iter_mut().enumerate() {
                    let total = e.total[l] + (t - e.stamp[l]) as f32 * e.w[l];
                    *a = total / t as f32;
                }
                (*k, avg)
            })
            .collect()
    }
}

/// A prepared example: tokens and the gold label of each.
struct Prepared {
    text: String,
    tokens: Vec<Token>,
    gold: Vec<u8>,
}

fn prepare(example: &Example) -> Prepared {
    let normalized = Normalized::new(&example.text);
    let doc = Doc::new(normalized.text());
    let mut tokens = Vec::new();
    features::tokens(&doc, gazetteer(), &mut tokens);
    let gold = doc
        .words
        .iter()
        .map(|w| {
            let (start, _) = normalized.original_span(w.start as usize, w.end as usize);
            example
                .spans
                .iter()
                .find(|(s, e, _)| *s <= start && start < *e)
                .and_then(|(_, _, t)| features::label_of(t))
                .unwrap_or(OUTSIDE)
        })
        .collect();
    Prepared {
        text: normalized.text().to_owned(),
        tokens,
        gold,
    }
}

/// Trains on `examples` and returns the model file. `log` gets one line per epoch.
pub fn train(examples: &[Example], settings: &Settings, log: &mut dyn FnMut(String)) -> Vec<u8> {
    let prepared: Vec<Prepared> = examples.iter().map(prepare).collect();
    let unreachable: usize = prepared
        .iter()
        .map(|p| {
            p.gold
                .iter()
                .enumerate()
                .filter(|(i, g)| {
                    **g != OUTSIDE
                        && !p.tokens[*i].candidate
                        && (*i == 0 || p.gold[*i - 1] == OUTSIDE)
                })
                .count()
        })
        .sum();
    log(format!(
        "{} examples; {} entity words the tagger never scores",
        prepared.len(),
        unreachable
    ));
    let mut p = Perceptron {
        entries: HashMap::new(),
        time: 0,
    };
    let mut order: Vec<usize> = (0..prepared.len()).collect();
    let mut rng = settings.seed | 1;
    let mut feats = Vec::with_capacity(64);
    let mut labels = Vec::new();
    for epoch in 0..settings.epochs {
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let (mut seen, mut wrong) = (0usize, 0usize);
        for &k in &order {
            let ex = &prepared[k];
            labels.clear();
            for i in 0..ex.tokens.len() {
                let prev = i.checked_sub(1).map_or(OUTSIDE, |j| labels[j]);
                let prev2 = i.checked_sub(2).map_or(OUTSIDE, |j| labels[j]);
                if !ex.tokens[i].candidate && prev == OUTSIDE {
                    labels.push(OUTSIDE);
                    continue;
                }
                features::features(&ex.text, &ex.tokens, i, prev, prev2, &mut feats);
                let mut scores = super::score(&feats, &p);
                if !ex.tokens[i].candidate {
                    super::continuation_only(&mut scores, prev);
                }
                let (guess, _) = super::argmax(&scores);
                p.time += 1;
                seen += 1;
                let gold = ex.gold[i];
                // A continuation word can only continue or end the previous entity: a gold label
                // outside that choice cannot be learned here.
                let reachable = ex.tokens[i].candidate || gold == OUTSIDE || gold == prev;
                if guess != gold && reachable {
                    wrong += 1;
                    p.update(&feats, gold, guess);
                }
                labels.push(guess);
            }
        }
        log(format!(
            "epoch {}: {} scored words, {:.2}% wrong",
            epoch + 1,
            seen,
            100.0 * wrong as f64 / seen.max(1) as f64
        ));
    }
    model::write(&p.averaged(), settings.min_weight)
}
