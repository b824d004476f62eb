//! The statistical half: hashed byte n-grams and word n-grams scored by logistic regression.
//!
//! Features of a text (the same function serves training and inference, so they cannot drift):
//! the text is lower-cased and its white-space runs collapsed to one space; every byte 3-, 4- and
//! 5-gram and every word unigram and bigram is hashed (FNV-1a, salted per kind) into one of
//! [`BUCKETS`] buckets. The probability is `σ(bias + Σ w[bucket] / √n)` over the `n` features: a
//! length-normalised bag of n-grams, so a sentence and a page score on one scale.
//!
//! File layout (`data/injection/model.bin`, little-endian): `WINJ`, version `u32` (1), buckets
//! `u32`, bias `f32`, scale `f32`, then one `i8` per bucket (weight = value × scale). Rebuilt by
//! `cargo run --release -p warden-scan --features train --example train_injection` (see
//! docs/parts/injection.md); the same data and command give the same bytes.

use std::sync::OnceLock;

pub(crate) const MAGIC: &[u8; 4] = b"WINJ";
pub(crate) const VERSION: u32 = 1;

/// Number of hash buckets (a power of two).
pub(crate) const BUCKETS: usize = 1 << 18;

/// Texts longer than this are scored on their first `MAX_FEATURE_BYTES` bytes (a segment is
/// shorter; the bound keeps a direct caller's work linear and small).
pub(crate) const MAX_FEATURE_BYTES: usize = 16 * 1024;

static MODEL_BYTES: &[u8] = include_bytes!("../../../data/injection/model.bin");

/// The shipped weights, kept as the file's 8-bit values: a 256 KiB table stays in cache where
/// the same table as `f32` (1 MiB) would miss on most of the three or four random lookups per byte.
#[derive(Debug, Default)]
pub(crate) struct Model {
    bias: f32,
    scale: f32,
    weights: Vec<i8>,
}

impl Model {
    /// Parses a model file; `None` if it is malformed.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Model> {
        let header = bytes.get(..20)?;
        if &header[..4] != MAGIC
            || u32::from_le_bytes(header[4..8].try_into().ok()?) != VERSION
            || u32::from_le_bytes(header[8..12].try_into().ok()?) as usize != BUCKETS
        {
            return None;
        }
        let bias = f32::from_le_bytes(header[12..16].try_into().ok()?);
        let scale = f32::from_le_bytes(header[16..20].try_into().ok()?);
        let body = bytes.get(20..)?;
        if body.len() != BUCKETS || !bias.is_finite() || !scale.is_finite() {
            return None;
        }
        let weights = body.iter().map(|&b| i8::from_le_bytes([b])).collect();
        Some(Model {
            bias,
            scale,
            weights,
        })
    }

    /// Serialises weights as the model file (the trainer's output).
    #[cfg(any(test, feature = "train"))]
    pub(crate) fn encode(bias: f32, weights: &[f32]) -> Vec<u8> {
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let mut out = Vec::with_capacity(20 + weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(weights.len() as u32).to_le_bytes());
        out.extend_from_slice(&bias.to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        for w in weights {
            // In range by construction of `scale`.
            out.push((w / scale).round().clamp(-127.0, 127.0) as i8 as u8);
        }
        out
    }

    fn probability(&self, text: &str) -> f32 {
        if self.weights.len() != BUCKETS {
            return 0.0;
        }
        // Exact integer sum (at most 16 KiB × 5 features × 127), scaled once.
        let mut sum = 0i64;
        let n = features(text, |bucket| sum += i64::from(self.weights[bucket]));
        if n == 0 {
            return 0.0;
        }
        sigmoid(self.bias + sum as f32 * self.scale / (n as f32).sqrt())
    }
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    // A malformed model file is a build defect caught by the `shipped_model_loads` test; at run
    // time the heuristics still run.
    MODEL.get_or_init(|| Model::parse(MODEL_BYTES).unwrap_or_default())
}

/// The classifier's probability that `text` is an injection.
pub(crate) fn probability(text: &str) -> f32 {
    model().probability(text)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(seed, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

fn bucket(hash: u64) -> usize {
    // Fold the high bits in: FNV's low bits alone mix poorly for short inputs.
    ((hash ^ (hash >> 29)) as usize) & (BUCKETS - 1)
}

/// Calls `emit` with the bucket of every feature of `text`; returns how many there were.
pub(crate) fn features(text: &str, emit: impl FnMut(usize)) -> usize {
    features_of(&normalise(text), emit)
}

/// `text` lower-cased with its white-space runs collapsed to one space, between two spaces, cut
/// after [`MAX_FEATURE_BYTES`] bytes. ASCII bytes take a fast path; other characters are decoded.
fn normalise(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut norm = Vec::with_capacity(text.len().min(MAX_FEATURE_BYTES) + 2);
    norm.push(b' ');
    let mut space = true;
    let mut i = 0;
    while i < bytes.len() && norm.len() < MAX_FEATURE_BYTES {
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            // `char::is_whitespace` on ASCII (vertical tab included).
            if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
                if !space {
                    norm.push(b' ');
                    space = true;
                }
            } else {
                space = false;
                norm.push(b.to_ascii_lowercase());
            }
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        if c.is_whitespace() {
            if !space {
                norm.push(b' ');
                space = true;
            }
            continue;
        }
        space = false;
        let mut buf = [0u8; 4];
        for lower in c.to_lowercase() {
            norm.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
        }
    }
    if !space {
        norm.push(b' ');
    }
    norm
}

/// The features of a normalised text.
fn features_of(norm: &[u8], mut emit: impl FnMut(usize)) -> usize {
    let mut n = 0;
    for size in 3..=5usize {
        let seed = fnv(FNV_OFFSET, &[size as u8]);
        for gram in norm.windows(size) {
            emit(bucket(fnv(seed, gram)));
            n += 1;
        }
    }
    // Words: runs of letters and digits (any script), unigrams and bigrams.
    let text = String::from_utf8_lossy(norm);
    let unigram_seed = fnv(FNV_OFFSET, b"w1");
    let bigram_seed = fnv(FNV_OFFSET, b"w2");
    let mut previous: Option<u64> = None;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let h = fnv(unigram_seed, word.as_bytes());
        emit(bucket(h));
        n += 1;
        if let Some(p) = previous {
            emit(bucket(fnv(bigram_seed ^ p, word.as_bytes())));
            n += 1;
        }
        previous = Some(h);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_loads() {
        let model = Model::parse(MODEL_BYTES);
        assert!(model.is_some(), "data/injection/model.bin is malformed");
        assert!(model.is_some_and(|m| m.weights.iter().any(|w| *w != 0)));
    }

    #[test]
    fn encode_parse_round_trip() {
        let mut weights = vec![0f32; BUCKETS];
        weights[7] = 2.0;
        weights[9] = -1.0;
        let bytes = Model::encode(0.5, &weights);
        let model = Model::parse(&bytes).unwrap_or_default();
        assert!((f32::from(model.weights[7]) * model.scale - 2.0).abs() < 0.02);
        assert!((f32::from(model.weights[9]) * model.scale + 1.0).abs() < 0.02);
        assert_eq!(model.bias, 0.5);
        assert!(Model::parse(&bytes[..bytes.len() - 1]).is_none());
        assert!(Model::parse(b"WINJ").is_none());
    }

    /// The normalisation as first written (character by character), to check the fast path.
    fn normalise_reference(text: &str) -> Vec<u8> {
        let mut norm = vec![b' '];
        let mut space = true;
        for c in text.chars() {
            if norm.len() >= MAX_FEATURE_BYTES {
                break;
            }
            if c.is_whitespace() {
                if !space {
                    norm.push(b' ');
                    space = true;
                }
                continue;
            }
            space = false;
            let mut buf = [0u8; 4];
            for lower in c.to_lowercase() {
                norm.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
            }
        }
        if !space {
            norm.push(b' ');
        }
        norm
    }

    proptest::proptest! {
        #[test]
        fn the_fast_normalisation_equals_the_reference(
            text in "[ a-zA-Z0-9\\t\\n\\x0b\\x0c\\r.,!ÀÉßİΣñ日本\u{2028}\u{3000}\u{a0}]{0,200}",
        ) {
            proptest::prop_assert_eq!(normalise(&text), normalise_reference(&text));
        }
    }

    #[test]
    fn long_texts_are_cut_the_same_way() {
        for text in [
            "a".repeat(MAX_FEATURE_BYTES + 50),
            "É".repeat(MAX_FEATURE_BYTES),
        ] {
            assert_eq!(normalise(&text), normalise_reference(&text));
        }
    }

    #[test]
    fn features_ignore_case_and_spacing() {
        let collect = |t: &str| {
            let mut v = Vec::new();
            features(t, |b| v.push(b));
            v.sort_unstable();
            v
        };
        assert_eq!(collect("Ignore  ALL\nrules"), collect("ignore all rules"));
        assert_ne!(collect("ignore all rules"), collect("follow all rules"));
        assert_eq!(features("", |_| {}), 0);
    }
}
