//! United States: SSN, ITIN, passport, driver's licence, Medicare MBI, NPI and DEA numbers.
//!
//! SSN, ITIN, passport and licence numbers have no check digit: their scores stay Presidio's (weak
//! unless written in the dashed 3-2-4 layout), so bare 9-digit numbers need a context word. NPI and DEA
//! numbers carry a one-digit checksum that one random number in ten passes, which is worth a medium
//! score only.

use super::{Format, Runs, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{all_digits, us_dea_bytes, us_npi_bytes, us_ssn_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::UsSsn,
        name: "us_ssn",
        lens: 9..=9,
        glued: false,
        context: &["social security", "ssn", "ssns", "ssid", "social"],
        parse: ssn,
    },
    Format {
        entity: EntityType::UsItin,
        name: "us_itin",
        lens: 9..=9,
        glued: false,
        context: &[
            "individual",
            "taxpayer",
            "itin",
            "tax",
            "payer",
            "taxid",
            "tin",
        ],
        parse: itin,
    },
    Format {
        entity: EntityType::UsPassport,
        name: "us_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "passport",
            "passport number",
            "travel document",
            "united states",
            "u.s",
        ],
        parse: passport,
    },
    Format {
        entity: EntityType::UsDriverLicense,
        name: "us_driver_license",
        lens: 5..=19,
        glued: false,
        context: &[
            "driver", "license", "licence", "permit", "lic", "dls", "cdls", "driving", "dl",
        ],
        parse: driver_license,
    },
    Format {
        entity: EntityType::UsMbi,
        name: "us_mbi",
        lens: 11..=11,
        glued: false,
        context: &[
            "medicare",
            "mbi",
            "beneficiary",
            "cms",
            "medicaid",
            "hic",
            "hicn",
        ],
        parse: mbi,
    },
    Format {
        entity: EntityType::UsNpi,
        name: "us_npi",
        lens: 10..=10,
        glued: false,
        context: &[
            "npi",
            "national provider",
            "provider",
            "provider id",
            "provider identifier",
            "taxonomy",
        ],
        parse: npi,
    },
    Format {
        entity: EntityType::MedicalLicense,
        name: "us_dea",
        lens: 9..=9,
        glued: false,
        context: &[
            "medical",
            "certificate",
            "dea",
            "license",
            "licence",
            "registration",
        ],
        parse: dea,
    },
];

/// `078-05-1120` (medium); `078 05 1120`, `078.05.1120` (weak: house numbers and other figures in
/// prose fall in that layout too); `078051120`, `07805-1120`, `078-051120` (very weak). No check
/// digit; the area/group/serial rules and the advertising numbers are excluded.
fn ssn(v: &Value<'_>) -> Option<f32> {
    if !v.digits() {
        return None;
    }
    let score = if v.grouped(&[3, 5], b"-") {
        0.5
    } else if v.grouped(&[3, 5], b". ") {
        0.3
    } else if v.plain() || v.grouped(&[5], b"-") || v.grouped(&[3], b"-") {
        0.05
    } else {
        return None;
    };
    // Presidio also refuses this well-known sample prefix.
    if !us_ssn_bytes(v.chars) || v.chars.starts_with(b"98765432") {
        return None;
    }
    Some(score)
}

/// 9 digits starting with 9 whose 4th–5th digits are 50–65, 70–88, 90–92 or 94–99.
fn itin(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.digits() || c[0] != b'9' {
        return None;
    }
    let group = (c[3] - b'0') * 10 + (c[4] - b'0');
    if !matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.breaks.len() == 2 && v.cut_within(&[3, 5], b"- ") {
        Some(0.5)
    } else if v.breaks.len() == 1 && v.cut_within(&[3, 5], b"- ") {
        Some(0.05)
    } else {
        None
    }
}

/// 9 digits, or a letter and 8 digits (next-generation passports). Very weak without context.
fn passport(v: &Value<'_>) -> Option<f32> {
    if !v.plain() {
        return None;
    }
    if all_digits(v.chars) {
        return Some(0.05);
    }
    shaped(v.chars, b"ldddddddd").then_some(0.1)
}

/// The state formats Presidio lists (letters and digits in a few layouts) score 0.3; 6–14 or 16 bare
/// digits score 0.01. Layouts of fewer than five characters are left out: they are ordinary words.
fn driver_license(v: &Value<'_>) -> Option<f32> {
    if !v.plain() {
        return None;
    }
    let runs = Runs::of(v.chars);
    if runs.are(&[(b'd', 6, 14)]) || runs.are(&[(b'd', 16, 16)]) {
        return Some(0.01);
    }
    const L: u8 = b'l';
    const D: u8 = b'd';
    let layouts: &[&[(u8, usize, usize)]] = &[
        &[(L, 1, 1), (D, 4, 14)],
        &[(L, 1, 1), (D, 18, 18)],
        &[(L, 2, 2), (D, 3, 7)],
        &[(D, 2, 2), (L, 3, 3), (D, 5, 6)],
        &[(D, 7, 9), (L, 1, 1)],
        &[(L, 2, 2), (D, 6, 6), (L, 1, 1)],
        &[(D, 8, 8), (L, 2, 2)],
        &[(D, 3, 3), (L, 2, 2), (D, 4, 4)],
        &[(L, 1, 1), (D, 1, 1), (L, 1, 1), (D, 1, 1), (L, 1, 1)],
    ];
    if layouts.iter().any(|layout| runs.are(layout)) {
        return Some(0.3);
    }
    // Letter, six digits, R.
    (shaped(v.chars, b"lddddddR")).then_some(0.3)
}

/// Medicare Beneficiary Identifier: `C A AN N A AN N A A N N` with letters other than S, L, O, I, B, Z;
/// `1EG4-TE5-MK73` (medium) or `1EG4TE5MK73` (weak). No check digit.
fn mbi(v: &Value<'_>) -> Option<f32> {
    const LETTERS: &[u8] = b"ACDEFGHJKMNPQRTUVWXY";
    let letter = |b: u8| LETTERS.contains(&b);
    let alnum = |b: u8| b.is_ascii_digit() || letter(b);
    let c = v.chars;
    let ok = c[0].is_ascii_digit()
        && letter(c[1])
        && alnum(c[2])
        && c[3].is_ascii_digit()
        && letter(c[4])
        && alnum(c[5])
        && c[6].is_ascii_digit()
        && letter(c[7])
        && letter(c[8])
        && c[9].is_ascii_digit()
        && c[10].is_ascii_digit();
    if !ok {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[4, 7], b"-") {
        Some(0.5)
    } else {
        None
    }
}

/// National Provider Identifier: 10 digits, Luhn with the 80840 prefix.
fn npi(v: &Value<'_>) -> Option<f32> {
    if !us_npi_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[4, 7], b" -") {
        Some(0.5)
    } else {
        None
    }
}

/// DEA registration number (Presidio's MEDICAL_LICENSE): two letters (or a letter and 9), seven
/// digits, DEA checksum.
fn dea(v: &Value<'_>) -> Option<f32> {
    (v.plain() && us_dea_bytes(v.chars)).then_some(0.5)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score, reported};
    use crate::EntityType::*;

    #[test]
    fn ssn_layouts_and_rules() {
        check(
            UsSsn,
            "078-05-1123 and 078 05 1123",
            &["078-05-1123", "078 05 1123"],
        );
        check(UsSsn, "693-09.4444 078-05-1120 666-12-3456", &[]);
        check_score(UsSsn, "078-05-1123", 0.5);
        check_score(UsSsn, "Suite 680 36 4022 Oakridge Lane", 0.3);
        check_score(UsSsn, "078051123", 0.05);
        check_score(UsSsn, "my ssn is 078051123", 0.4);
        assert!(reported(UsSsn, "order 078051123").is_empty());
    }

    #[test]
    fn itin_groups() {
        check(UsItin, "911-70-1234 911-89-1234", &["911-70-1234"]);
        check_score(UsItin, "911701234", 0.3);
        check_score(UsItin, "ITIN 911701234", 0.65);
    }

    #[test]
    fn passport_and_licence_are_weak_without_context() {
        check_score(UsPassport, "A12803456", 0.1);
        assert_eq!(reported(UsPassport, "passport A12803456"), ["A12803456"]);
        assert!(reported(UsPassport, "ticket A12803456").is_empty());
        check(
            UsDriverLicense,
            "H12234567 C12T345672 ABCDEFGHI",
            &["H12234567"],
        );
        check_score(UsDriverLicense, "123456789", 0.01);
        check_score(UsDriverLicense, "driver license 123456789", 0.4);
    }

    #[test]
    fn mbi_npi_and_dea() {
        check(
            UsMbi,
            "1EG4-TE5-MK73 1SG4-TE5-MK73 1eg4te5mk73",
            &["1EG4-TE5-MK73", "1eg4te5mk73"],
        );
        check(
            UsNpi,
            "1234567893 1234567890 1234-567-893",
            &["1234567893", "1234-567-893"],
        );
        check_score(UsNpi, "NPI: 1234567893", 0.65);
        check(MedicalLicense, "GL0285191 BG8207031", &["GL0285191"]);
    }
}
