//! Poland: PESEL.
//!
//! Birth date (with the century in the month) and a check digit.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::pl_pesel_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::PlPesel,
    name: "pl_pesel",
    lens: 11..=11,
    glued: false,
    context: &["pesel", "numer pesel"],
    parse: pesel,
}];

/// Eleven plain digits.
fn pesel(v: &Value<'_>) -> Option<f32> {
    (v.plain() && pl_pesel_bytes(v.chars)).then_some(0.85)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn date_and_check_digit() {
        check(
            PlPesel,
            "44051401458 44051401459 85040812345 11-11-11-11114",
            &["44051401458"],
        );
        check_score(PlPesel, "PESEL 02070803628", 1.0);
    }
}
