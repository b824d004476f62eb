//! The tagger's weights: feature hash → one weight per label, quantised to 16 bits on disk.
//!
//! File layout (little-endian): `WNER`, version `u32` (1), labels `u32`, rows `u32`, scale `f32`,
//! then per row the feature hash `u64` and one `i16` per label (weight = value × scale). Rows are
//! sorted by feature hash so a rebuild from the same corpus gives the same bytes.

use std::collections::HashMap;

use super::features::N_LABELS;
use super::gazetteer::HashBuild;

pub(crate) const MAGIC: &[u8; 4] = b"WNER";
pub(crate) const VERSION: u32 = 1;

/// Something that scores features: the shipped model, or the trainer's live weights.
pub(crate) trait Weights {
    /// Adds the weights of `feature` to `scores`.
    fn add(&self, feature: u64, scores: &mut [f32; N_LABELS]);
}

/// The loaded model.
#[derive(Default)]
pub(crate) struct Model {
    rows: HashMap<u64, [f32; N_LABELS], HashBuild>,
}

impl Model {
    /// Parses a model file; `None` if it is malformed or made for another label set.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Model> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC || r.u32()? != VERSION || r.u32()? as usize != N_LABELS {
            return None;
        }
        let n = r.u32()? as usize;
        let scale = f32::from_le_bytes(r.take(4)?.try_into().ok()?);
        let mut rows = HashMap::with_capacity_and_hasher(n, HashBuild::default());
        for _ in 0..n {
            let key = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
            let mut row = [0f32; N_LABELS];
            for w in &mut row {
                *w = f32::from(i16::from_le_bytes(r.take(2)?.try_into().ok()?)) * scale;
            }
            rows.insert(key, row);
        }
        (r.at == bytes.len()).then_some(Model { rows })
    }

    /// Number of features with weights.
    #[cfg_attr(not(test), allow(dead_code, reason = "used by tests"))]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }
}

impl Weights for Model {
    fn add(&self, feature: u64, scores: &mut [f32; N_LABELS]) {
        if let Some(row) = self.rows.get(&feature) {
            for (s, w) in scores.iter_mut().zip(row) {
                *s += w;
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// Serialises weights (already averaged) into the file format, dropping weights below `min_abs`.
#[cfg(feature = "train")]
pub(crate) fn write(weights: &HashMap<u64, [f32; N_LABELS]>, min_abs: f32) -> Vec<u8> {
    let mut rows: Vec<(u64, [f32; N_LABELS])> = weights
        .iter()
        .filter(|(_, row)| row.iter().any(|w| w.abs() >= min_abs))
        .map(|(k, row)| (*k, *row))
        .collect();
    rows.sort_by_key(|(k, _)| *k);
    let max = rows
        .iter()
        .flat_map(|(_, row)| row.iter())
        .fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 {
        max / f32::from(i16::MAX)
    } else {
        1.0
    };
    let mut out = Vec::with_capacity(20 + rows.len() * (8 + 2 * N_LABELS));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(N_LABELS as u32).to_le_bytes());
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    out.extend_from_slice(&scale.to_le_bytes());
    for (key, row) in rows {
        out.extend_from_slice(&key.to_le_bytes());
        for w in row {
            let q = (w / scale)
                .round()
                .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16;
            out.extend_from_slice(&q.to_le_bytes());
        }
    }
    out
}
