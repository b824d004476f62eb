//! Payment and banking identifiers.

use crate::detect::Detector;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    Vec::new()
}
