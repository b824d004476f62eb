//! Operator specifications (`mask:keep=4,char=#`, `hash:length=16`, …) from any text: parsing
//! never panics, and an accepted operator answers its questions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_scan::{Operator, Resources};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(operator) = text.parse::<Operator>() else {
        return;
    };
    assert!(!operator.name().is_empty());
    let _ = operator.is_reversible();
    let _ = operator.check(&Resources::default());
});
