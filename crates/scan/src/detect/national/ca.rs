//! Canada: Social Insurance Number.
//!
//! Nine digits with a Luhn check digit (one random number in ten passes): weak plain, medium in the
//! official `130 692 544` / `130-692-544` layout.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::ca_sin_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::CaSin,
    name: "ca_sin",
    lens: 9..=9,
    glued: false,
    context: &[
        "sin",
        "sin number",
        "social insurance",
        "social insurance number",
        "nas",
        "numéro nas",
        "numéro d'assurance sociale",
        "assurance sociale",
    ],
    parse: sin,
}];

/// First digit 1–7 or 9, Luhn; three groups of three joined by one kind of separator.
fn sin(v: &Value<'_>) -> Option<f32> {
    if !ca_sin_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[3, 6], b" -") {
        Some(0.5)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn luhn_and_layout() {
        check(
            CaSin,
            "130 692 544, 347-677-452, 130 692 545",
            &["130 692 544", "347-677-452"],
        );
        check(CaSin, "046-454 286 812 345 678 046 454 286", &[]);
        check_score(CaSin, "mon NAS: 258 933 688", 0.85);
    }
}
