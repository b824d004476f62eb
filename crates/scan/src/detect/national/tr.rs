//! Turkey: licence plate and national id (T.C. Kimlik No).
//!
//! The national id has two check digits (one random number in a hundred passes); plates have none.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::tr_national_id_bytes;

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::TrLicensePlate,
        name: "tr_license_plate",
        lens: 5..=9,
        glued: false,
        context: &[
            "plaka",
            "araç plakası",
            "plaka numarası",
            "tr plaka",
            "license plate",
            "number plate",
            "plate",
        ],
        parse: license_plate,
    },
    Format {
        entity: EntityType::TrNationalId,
        name: "tr_national_id",
        lens: 11..=11,
        glued: false,
        context: &[
            "tc kimlik",
            "kimlik no",
            "kimlik numarası",
            "tckn",
            "tc no",
            "nüfus cüzdanı",
            "national id",
            "turkish id",
            "türk kimlik",
        ],
        parse: national_id,
    },
];

/// Province 01–81, one to three letters (no Q, W, X), two to four digits: `34 ABC 1234`, `06-A-123`,
/// `34ABC1234`.
fn license_plate(v: &Value<'_>) -> Option<f32> {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPRSTUVYZ";
    let c = v.chars;
    let letters = c[2..].iter().take_while(|b| LETTERS.contains(b)).count();
    let digits = c.len() - 2 - letters;
    let ok = c[..2].iter().all(u8::is_ascii_digit)
        && (1..=81).contains(&((c[0] - b'0') * 10 + (c[1] - b'0')))
        && (1..=3).contains(&letters)
        && (2..=4).contains(&digits)
        && c[2 + letters..].iter().all(u8::is_ascii_digit);
    let at = [2, 2 + letters];
    let layout_ok = v.cut_within(&at, b" ") || v.grouped(&at, b"-");
    (ok && layout_ok).then_some(if v.lower { 0.1 } else { 0.3 })
}

/// Eleven digits, no leading zero, two check digits.
fn national_id(v: &Value<'_>) -> Option<f32> {
    (v.plain() && tr_national_id_bytes(v.chars)).then_some(0.85)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn plates_and_ids() {
        check(
            TrLicensePlate,
            "34 ABC 1234, 06 A 123, 34ABC1234",
            &["34 ABC 1234", "06 A 123", "34ABC1234"],
        );
        check(TrLicensePlate, "00 ABC 123 82 ABC 123 34 QWX 12", &[]);
        check(
            TrNationalId,
            "10000000146 10000000145 02531814694",
            &["10000000146"],
        );
        check_score(TrNationalId, "TC Kimlik No: 10000000146", 1.0);
    }
}
