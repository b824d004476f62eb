//! Helpers shared by the detectors' unit tests.

use crate::{EntityType, Finding, Scanner, ScannerConfig};

/// The values the default scanner reports as `entity` in `input`, in order.
pub(crate) fn values_of<'a>(input: &'a str, entity: &EntityType) -> Vec<&'a str> {
    Scanner::default()
        .scan(input)
        .into_iter()
        .filter(|f| f.entity_type == *entity)
        .map(|f| &input[f.byte_start..f.byte_end])
        .collect()
}

/// Scans `input` with a scanner that reports only `entity`, at `min_score`.
pub(crate) fn scan_only(entity: EntityType, min_score: f32, input: &str) -> Vec<Finding> {
    Scanner::new(&ScannerConfig {
        entities: vec![entity],
        min_score,
        ..ScannerConfig::default()
    })
    .unwrap()
    .scan(input)
}
