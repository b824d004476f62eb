//! Italy: fiscal code, driver's licence, VAT number (partita IVA), passport and identity card.
//!
//! The fiscal code has a control letter and the VAT number a Luhn check digit; licences, passports and
//! identity cards have none and are very weak alone (Presidio's scores).

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{it_fiscal_code_check, it_fiscal_code_structure, it_vat_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::ItFiscalCode,
        name: "it_fiscal_code",
        lens: 16..=16,
        glued: false,
        context: &["codice fiscale", "cf", "c.f"],
        parse: fiscal_code,
    },
    Format {
        entity: EntityType::ItDriverLicense,
        name: "it_driver_license",
        lens: 10..=10,
        glued: false,
        context: &["patente", "patente di guida", "licenza", "licenza di guida"],
        parse: driver_license,
    },
    Format {
        entity: EntityType::ItVatCode,
        name: "it_vat_code",
        lens: 11..=13,
        glued: false,
        context: &["piva", "p.iva", "partita iva", "iva"],
        parse: vat_code,
    },
    Format {
        entity: EntityType::ItPassport,
        name: "it_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "passaporto",
            "elettronico",
            "italiano",
            "viaggio",
            "viaggiare",
            "estero",
            "documento",
            "dogana",
        ],
        parse: passport,
    },
    Format {
        entity: EntityType::ItIdentityCard,
        name: "it_identity_card",
        lens: 9..=9,
        glued: false,
        context: &[
            "carta",
            "identità",
            "carta d'identità",
            "elettronica",
            "cie",
            "documento",
            "riconoscimento",
            "espatrio",
        ],
        parse: identity_card,
    },
];

/// Surname and name letters, birth date and place, control letter. A code whose control letter fails
/// keeps a weak score (a typo in a real code is still personal data).
fn fiscal_code(v: &Value<'_>) -> Option<f32> {
    if !v.plain() || !it_fiscal_code_structure(v.chars) {
        return None;
    }
    Some(if it_fiscal_code_check(v.chars) {
        1.0
    } else {
        0.3
    })
}

/// `AA1234567B`, or `U1` and eight characters for licences issued by the motorisation offices.
fn driver_license(v: &Value<'_>) -> Option<f32> {
    const U1_CHARS: &[u8] = b"BCDEFGHLJKMNPRSTUWYXZ0123456789";
    let c = v.chars;
    if !v.plain() {
        return None;
    }
    let classic = shaped(c, b"lldddddddl");
    let u1 = c.starts_with(b"U1")
        && c[2..9].iter().all(|b| U1_CHARS.contains(b))
        && c[9].is_ascii_uppercase();
    (classic || u1).then_some(0.2)
}

/// 11 digits (spaces or underscores may split them) with a Luhn check digit, or the same after `IT`.
fn vat_code(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if c.len() == 13 {
        // The EU form `IT01333550323`, written in capitals.
        let prefixed = c.starts_with(b"IT") && !v.lower && (v.plain() || v.grouped(&[2], b" "));
        return (prefixed && it_vat_bytes(&c[2..])).then_some(1.0);
    }
    if c.len() != 11 || !it_vat_bytes(c) {
        return None;
    }
    let any_position: [usize; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // Eleven digits with a Luhn digit: phone numbers pass one time in ten, so context decides.
    v.cut_within(&any_position, b" _").then_some(0.3)
}

/// Two letters and seven digits.
fn passport(v: &Value<'_>) -> Option<f32> {
    (v.plain() && shaped(v.chars, b"llddddddd")).then_some(0.01)
}

/// Paper card `AA 1234567`, electronic card 2.0 `1234567AA` and 3.0 `CA12345AA`.
fn identity_card(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let paper = shaped(c, b"llddddddd") && (v.plain() || v.grouped(&[2], b" "));
    let electronic = v.plain() && (shaped(c, b"dddddddll") || shaped(c, b"lldddddll"));
    (paper || electronic).then_some(0.01)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn fiscal_code_structure_and_control_letter() {
        check_score(ItFiscalCode, "AAAAAA00B11C333Y", 1.0);
        check_score(ItFiscalCode, "AAAAAA00B11C333N", 0.3);
        check(ItFiscalCode, "A55AAA00B11C333N AAAAAA - 00B11C333N", &[]);
    }

    #[test]
    fn vat_code_with_and_without_prefix() {
        check(ItVatCode, "00000000000 and 01333550323", &["01333550323"]);
        check(ItVatCode, "01333550_323", &["01333550_323"]);
        check_score(ItVatCode, "IT01333550323", 1.0);
        check_score(ItVatCode, "partita IVA 01333550323", 0.65);
        check_score(ItVatCode, "01333550323", 0.3);
    }

    #[test]
    fn documents() {
        check(
            ItDriverLicense,
            "AA0123456B U1H00B000C U1H00A000B",
            &["AA0123456B", "U1H00B000C"],
        );
        check(
            ItIdentityCard,
            "AA1234567 aa 1234567 1234567Aa AA12345aa",
            &["AA1234567", "aa 1234567", "1234567Aa", "AA12345aa"],
        );
        check(ItPassport, "aa7654321", &["aa7654321"]);
    }
}
