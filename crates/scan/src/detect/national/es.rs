//! Spain: NIF/DNI, NIE and passport numbers.
//!
//! NIF and NIE end in a mod-23 control letter, which confirms them; passports (three letters and six
//! digits) have no check and stay below the default threshold without a context word.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{es_nie_bytes, es_nif_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::EsNif,
        name: "es_nif",
        lens: 8..=9,
        glued: false,
        context: &[
            "documento nacional de identidad",
            "dni",
            "nif",
            "identificación",
        ],
        parse: nif,
    },
    Format {
        entity: EntityType::EsNie,
        name: "es_nie",
        lens: 9..=9,
        glued: false,
        context: &["número de identificación de extranjero", "nie"],
        parse: nie,
    },
    Format {
        entity: EntityType::EsPassport,
        name: "es_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "pasaporte",
            "passport",
            "número de pasaporte",
            "passport number",
        ],
        parse: passport,
    },
];

/// 7 or 8 digits and the control letter, optionally after a dash: `12345678Z`, `1111111-G`.
fn nif(v: &Value<'_>) -> Option<f32> {
    let last = v.chars.len() - 1;
    ((v.plain() || v.grouped(&[last], b"-")) && es_nif_bytes(v.chars)).then_some(1.0)
}

/// X, Y or Z, seven digits, the control letter: `X9613851N`, `Y8063915-Z`.
fn nie(v: &Value<'_>) -> Option<f32> {
    ((v.plain() || v.grouped(&[8], b"-")) && es_nie_bytes(v.chars)).then_some(1.0)
}

/// Three letters and six digits.
fn passport(v: &Value<'_>) -> Option<f32> {
    (v.plain() && shaped(v.chars, b"llldddddd")).then_some(0.3)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score, reported};
    use crate::EntityType::*;

    #[test]
    fn nif_and_nie_control_letters() {
        check(
            EsNif,
            "55555555-K 1111111G 12345678a 12345678z",
            &["55555555-K", "1111111G", "12345678z"],
        );
        check(
            EsNie,
            "X9613851N Y8063915-Z Y8063915Q W8063915Q",
            &["X9613851N", "Y8063915-Z"],
        );
        check_score(EsNif, "DNI 55555555K", 1.0);
    }

    #[test]
    fn passport_needs_context() {
        check(EsPassport, "AAA123456 AA123456 AAAA12345", &["AAA123456"]);
        assert_eq!(
            reported(EsPassport, "Mi pasaporte es AAA123456"),
            ["AAA123456"]
        );
        assert!(reported(EsPassport, "ref AAA123456").is_empty());
    }
}
