//! Singapore: NRIC/FIN and Unique Entity Number.
//!
//! Both end in a check letter. An NRIC-shaped value whose letter is wrong keeps a weak score, as
//! Presidio reports such values without checking them.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{sg_nric_fin_bytes, sg_uen_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::SgNricFin,
        name: "sg_nric_fin",
        lens: 9..=9,
        glued: false,
        context: &["fin", "fin#", "nric", "nric#", "ic number"],
        parse: nric_fin,
    },
    Format {
        entity: EntityType::SgUen,
        name: "sg_uen",
        lens: 9..=10,
        glued: false,
        context: &[
            "uen",
            "unique entity number",
            "business registration",
            "acra",
        ],
        parse: uen,
    },
];

/// S, T, F, G or M, seven digits, check letter; other initial letters are very weak.
fn nric_fin(v: &Value<'_>) -> Option<f32> {
    if !v.plain() || !shaped(v.chars, b"ldddddddl") {
        return None;
    }
    if sg_nric_fin_bytes(v.chars) {
        return Some(1.0);
    }
    Some(if b"STFGM".contains(&v.chars[0]) {
        0.3
    } else {
        0.1
    })
}

/// Businesses `53125226D`, local companies `201434292D`, other entities `T16RF0037C`; check letter.
fn uen(v: &Value<'_>) -> Option<f32> {
    (v.plain() && sg_uen_bytes(v.chars)).then_some(1.0)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn nric_check_letter_sets_the_score() {
        check_score(SgNricFin, "S2740116C", 1.0);
        check_score(SgNricFin, "T1234567Z", 0.3);
        check_score(SgNricFin, "A1234567Z", 0.1);
        check(SgNricFin, "PA12348L", &[]);
    }

    #[test]
    fn uen_formats() {
        check(
            SgUen,
            "53125226D 201434292D S57TU0392K 53125226",
            &["53125226D", "201434292D", "S57TU0392K"],
        );
    }
}
