//! United Kingdom: NHS number, National Insurance number, passport, postcode, driving licence and
//! vehicle registration.
//!
//! Only the NHS number has a checksum (mod 11, one check digit: medium score). The NINO and the
//! driving licence have distinctive structures and keep Presidio's 0.5; passports, postcodes and
//! number plates are weak without context words.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{uk_nhs_bytes, uk_nino_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::UkNhs,
        name: "uk_nhs",
        lens: 10..=10,
        glued: false,
        context: &[
            "national health service",
            "nhs",
            "health services authority",
            "health authority",
        ],
        parse: nhs,
    },
    Format {
        entity: EntityType::UkNino,
        name: "uk_nino",
        lens: 9..=9,
        glued: false,
        context: &["national insurance", "ni number", "nino"],
        parse: nino,
    },
    Format {
        entity: EntityType::UkPassport,
        name: "uk_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "passport",
            "passport number",
            "travel document",
            "uk passport",
            "british passport",
            "hm passport",
            "hmpo",
        ],
        parse: passport,
    },
    Format {
        entity: EntityType::UkPostcode,
        name: "uk_postcode",
        lens: 5..=7,
        glued: false,
        context: &[
            "postcode",
            "post code",
            "postal code",
            "zip",
            "address",
            "delivery",
            "mailing",
            "shipping",
            "correspondence",
        ],
        parse: postcode,
    },
    Format {
        entity: EntityType::UkDrivingLicence,
        name: "uk_driving_licence",
        lens: 16..=16,
        glued: false,
        context: &[
            "driving licence",
            "driving license",
            "driver's licence",
            "driver's license",
            "dvla",
            "dl number",
            "licence number",
            "license number",
        ],
        parse: driving_licence,
    },
    Format {
        entity: EntityType::UkVehicleRegistration,
        name: "uk_vehicle_registration",
        lens: 5..=8,
        glued: false,
        context: &[
            "vehicle",
            "registration",
            "number plate",
            "licence plate",
            "license plate",
            "reg",
            "vrn",
            "dvla",
            "v5c",
            "logbook",
            "mot",
            "car",
        ],
        parse: vehicle_registration,
    },
];

/// 10 digits, mod-11 check digit; `401 023 2137` (medium), dashed or plain (needs context).
fn nhs(v: &Value<'_>) -> Option<f32> {
    if !uk_nhs_bytes(v.chars) {
        return None;
    }
    if v.grouped(&[3, 6], b" ") {
        // The NHS's own display form.
        Some(0.5)
    } else if v.plain() || v.cut_within(&[3, 6], b" -") {
        // Dashed 3-3-4 is also the US phone layout.
        Some(0.3)
    } else {
        None
    }
}

/// `AB 12 34 56 C`, spaces optional between the groups.
fn nino(v: &Value<'_>) -> Option<f32> {
    if !uk_nino_bytes(v.chars) || !v.cut_within(&[2, 4, 6, 8], b" ") {
        return None;
    }
    // Lower-case letters in running text are more often a coincidence.
    Some(if v.lower { 0.3 } else { 0.5 })
}

/// Two letters and seven digits (passports since 2015).
fn passport(v: &Value<'_>) -> Option<f32> {
    (v.plain() && shaped(v.chars, b"llddddddd")).then_some(0.1)
}

/// Outward code (area letters, district digit(s), optional letter), a space or not, inward code
/// (digit and two letters), with the Royal Mail's letter rules; and the special `GIR 0AA`.
fn postcode(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let split = c.len() - 3;
    if !(v.plain() || v.grouped(&[split], b" ")) {
        return None;
    }
    let (outward, inward) = c.split_at(split);
    if c == b"GIR0AA" {
        return Some(0.1);
    }
    const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let inward_ok = inward[0].is_ascii_digit()
        && INWARD_LETTERS.contains(&inward[1])
        && INWARD_LETTERS.contains(&inward[2]);
    if !inward_ok {
        return None;
    }
    const FIRST: &[u8] = b"ABCDEFGHIJKLMNOPRSTUWYZ";
    const SECOND: &[u8] = b"ABCDEFGHKLMNOPQRSTUVWXY";
    const THIRD_OF_A9A: &[u8] = b"ABCDEFGHJKPSTUW";
    const FOURTH_OF_AA9A: &[u8] = b"ABEHMNPRVWXY";
    let letter = |b: u8, set: &[u8]| set.contains(&b);
    let outward_ok = match outward {
        [a, d] => letter(*a, FIRST) && d.is_ascii_digit(),
        [a, d, x] => {
            letter(*a, FIRST)
                && d.is_ascii_digit()
                && (x.is_ascii_digit() || letter(*x, THIRD_OF_A9A))
                || letter(*a, FIRST) && letter(*d, SECOND) && x.is_ascii_digit()
        }
        [a, b, d, x] => {
            letter(*a, FIRST)
                && letter(*b, SECOND)
                && d.is_ascii_digit()
                && (x.is_ascii_digit() || letter(*x, FOURTH_OF_AA9A))
        }
        _ => false,
    };
    outward_ok.then_some(0.1)
}

/// DVLA licence number: surname (letters, padded with 9s), decade digit, month (+50 for women), day,
/// year digit, initials, a digit or letter, two check letters.
fn driving_licence(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.plain() || !shaped(&c[5..], b"ddddddxxxll") {
        return None;
    }
    let surname = &c[..5];
    let letters = surname
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    if letters == 0 || !surname[letters..].iter().all(|&b| b == b'9') {
        return None;
    }
    let month = (c[6] - b'0') * 10 + (c[7] - b'0');
    let day = (c[8] - b'0') * 10 + (c[9] - b'0');
    if !matches!(month, 1..=12 | 51..=62) || !(1..=31).contains(&day) {
        return None;
    }
    let initial = |b: u8| b.is_ascii_uppercase() || b == b'9';
    (initial(c[11]) && initial(c[12])).then_some(0.5)
}

/// Current (2001+) `AB51 ABC`, prefix (1983–2001) `A123 BCD` and suffix (1963–1983) `ABC 123D` formats,
/// with the letters each position may use and the current format's age identifiers (02–29, 51–79).
fn vehicle_registration(v: &Value<'_>) -> Option<f32> {
    let score = current_plate(v)
        .or_else(|| prefix_plate(v))
        .or_else(|| suffix_plate(v))?;
    // Lower-case "words" like `ab51 abc` are rarely plates in prose.
    Some(if v.lower { score.min(0.1) } else { score })
}

const NOT_IQZ: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
const NOT_IQ: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";
const YEAR_LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY";

fn current_plate(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !shaped(c, b"llddlll") || !(v.plain() || v.grouped(&[4], b" -")) {
        return None;
    }
    let age = (c[2] - b'0') * 10 + (c[3] - b'0');
    let ok = NOT_IQZ.contains(&c[0])
        && NOT_IQZ.contains(&c[1])
        && matches!(age, 2..=29 | 51..=79)
        && c[4..].iter().all(|b| NOT_IQ.contains(b));
    ok.then_some(0.3)
}

fn prefix_plate(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let digits = c.len() - 4;
    if !(1..=3).contains(&digits) || !(v.plain() || v.grouped(&[1 + digits], b" -")) {
        return None;
    }
    let ok = YEAR_LETTERS.contains(&c[0])
        && c[1..1 + digits].iter().all(u8::is_ascii_digit)
        && NOT_IQZ.contains(&c[1 + digits])
        && c[2 + digits..].iter().all(|b| NOT_IQ.contains(b));
    ok.then_some(0.2)
}

fn suffix_plate(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let digits = c.len() - 4;
    if !(1..=3).contains(&digits) || !v.cut_within(&[3, 3 + digits], b" -") {
        return None;
    }
    let ok = c[..3].iter().all(|b| NOT_IQ.contains(b))
        && c[3..3 + digits].iter().all(u8::is_ascii_digit)
        && YEAR_LETTERS.contains(&c[3 + digits]);
    ok.then_some(0.15)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score, reported};
    use crate::EntityType::*;

    #[test]
    fn nhs_checksum_and_grouping() {
        check(
            UkNhs,
            "401-023-2137, 221 395 1837, 401-023-2138",
            &["401-023-2137", "221 395 1837"],
        );
        check_score(UkNhs, "0032698674", 0.3);
        check_score(UkNhs, "NHS number 0032698674", 0.65);
    }

    #[test]
    fn nino_prefix_rules() {
        check(
            UkNino,
            "AA 12 34 56 B, PR 123612C, BG123612A",
            &["AA 12 34 56 B", "PR 123612C"],
        );
        check(UkNino, "UV 98 76 54 B AB 12 34 56 1", &[]);
    }

    #[test]
    fn postcodes_and_letter_rules() {
        check(
            UkPostcode,
            "SW1A 1AA, M11AA, GIR 0AA",
            &["SW1A 1AA", "M11AA", "GIR 0AA"],
        );
        check(UkPostcode, "QA1 1AA M1 1CA ABCM11AADEF", &[]);
        assert_eq!(reported(UkPostcode, "postcode SW1A 1AA"), ["SW1A 1AA"]);
        assert!(reported(UkPostcode, "code SW1A 1AA").is_empty());
    }

    #[test]
    fn driving_licence_dates_and_surname() {
        check(
            UkDrivingLicence,
            "MORGA657054SM9IJ MORGA613054SM9IJ",
            &["MORGA657054SM9IJ"],
        );
        check(UkDrivingLicence, "MO9G9657054SM9IJ 99999657054SM9IJ", &[]);
    }

    #[test]
    fn plates_of_three_eras() {
        check(
            UkVehicleRegistration,
            "AB51 ABC K1 ABC ABC 123D",
            &["AB51 ABC", "K1 ABC", "ABC 123D"],
        );
        check(UkVehicleRegistration, "AB35 ABC IB51 ABC ABC 123I", &[]);
        check_score(UkVehicleRegistration, "aa02 aaa", 0.1);
    }
}
