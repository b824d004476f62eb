//! The classifier's trainer (feature `train`): logistic regression over [`model::features`] by
//! AdaGrad with L2 regularisation and class balancing, deterministic for a given example order and
//! seed. Used by `examples/train_injection.rs`; never needed at run time.

use super::model::{self, BUCKETS, Model};

/// One labelled training text.
#[derive(Clone, Debug)]
pub struct Example {
    /// The text.
    pub text: String,
    /// True for an attack.
    pub attack: bool,
    /// How much the example counts (1 for ordinary rows).
    pub weight: f32,
}

/// Training settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad step size.
    pub rate: f32,
    /// L2 penalty per update.
    pub l2: f32,
    /// Shuffling seed.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            epochs: 12,
            rate: 0.2,
            l2: 1e-6,
            seed: 0x5eed,
        }
    }
}

/// Trained weights.
#[derive(Clone, Debug)]
pub struct Trained {
    /// Intercept.
    pub bias: f32,
    /// One weight per bucket.
    pub weights: Vec<f32>,
}

impl Trained {
    /// The model file for these weights (quantised as the gateway will load them).
    pub fn encode(&self) -> Vec<u8> {
        Model::encode(self.bias, &self.weights)
    }

    /// The probability these (unquantised) weights give `text`.
    pub fn probability(&self, text: &str) -> f32 {
        let mut sum = 0f32;
        let n = model::features(text, |b| sum += self.weights[b]);
        if n == 0 {
            return 0.0;
        }
        model::sigmoid(self.bias + sum / (n as f32).sqrt())
    }
}

/// Trains on `examples`; attacks and benign texts weigh the same in total (by example weight).
pub fn train(examples: &[Example], settings: Settings) -> Trained {
    let featurized: Vec<(Vec<u32>, f32, bool, f32)> = examples
        .iter()
        .map(|e| {
            let mut buckets = Vec::new();
            let n = model::features(&e.text, |b| buckets.push(b as u32));
            let norm = if n == 0 { 0.0 } else { 1.0 / (n as f32).sqrt() };
            (buckets, norm, e.attack, e.weight)
        })
        .collect();
    let mass = |attack: bool| {
        featurized
            .iter()
            .filter(|f| f.2 == attack)
            .map(|f| f.3)
            .sum::<f32>()
            .max(1.0)
    };
    let (attacks, benign) = (mass(true), mass(false));
    let total = attacks + benign;
    let class_weight = |attack: bool| {
        if attack {
            total / (2.0 * attacks)
        } else {
            total / (2.0 * benign)
        }
    };
    let mut weights = vec![0f32; BUCKETS];
    let mut squares = vec![1e-6f32; BUCKETS];
    let mut bias = 0f32;
    let mut bias_square = 1e-6f32;
    let mut order: Vec<usize> = (0..featurized.len()).collect();
    let mut state = settings.seed | 1;
    for _ in 0..settings.epochs {
        // Fisher–Yates with xorshift64*: reproducible without a random-number crate.
        for i in (1..order.len()).rev() {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            order.swap(i, (r % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let (buckets, norm, attack, weight) = &featurized[i];
            let mut sum = 0f32;
            for &b in buckets {
                sum += weights[b as usize];
            }
            let p = model::sigmoid(bias + sum * norm);
            let target = if *attack { 1.0 } else { 0.0 };
            let g = (p - target) * class_weight(*attack) * weight;
            for &b in buckets {
                let b = b as usize;
                let grad = g * norm + settings.l2 * weights[b];
                squares[b] += grad * grad;
                weights[b] -= settings.rate * grad / squares[b].sqrt();
            }
            bias_square += g * g;
            bias -= settings.rate * g / bias_square.sqrt();
        }
    }
    Trained { bias, weights }
}
