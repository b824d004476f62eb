//! India: PAN, Aadhaar, vehicle registration, voter id (EPIC), passport and GSTIN.
//!
//! Aadhaar (Verhoeff) and GSTIN (mod-36 check character) have checksums. PAN, EPIC and passports have
//! none: their scores follow Presidio's, with the weak layouts below the default threshold. Vehicle
//! registrations are confirmed against the state and RTO district tables.

use super::{Format, Runs, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{
    in_aadhaar_bytes, in_gstin_check, in_gstin_structure, in_pan_bytes, number,
};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::InPan,
        name: "in_pan",
        lens: 10..=10,
        glued: false,
        context: &["permanent account number", "pan", "pan card"],
        parse: pan,
    },
    Format {
        entity: EntityType::InAadhaar,
        name: "in_aadhaar",
        lens: 12..=12,
        glued: false,
        context: &["aadhaar", "aadhar", "uidai"],
        parse: aadhaar,
    },
    Format {
        entity: EntityType::InVehicleRegistration,
        name: "in_vehicle_registration",
        lens: 5..=10,
        glued: false,
        context: &["rto", "vehicle", "plate", "registration"],
        parse: vehicle_registration,
    },
    Format {
        entity: EntityType::InVoter,
        name: "in_voter",
        lens: 10..=10,
        glued: false,
        context: &["voter", "epic", "elector photo identity card", "election"],
        parse: voter,
    },
    Format {
        entity: EntityType::InPassport,
        name: "in_passport",
        lens: 8..=8,
        glued: false,
        context: &["passport", "indian passport", "passport number"],
        parse: passport,
    },
    Format {
        entity: EntityType::InGstin,
        name: "in_gstin",
        lens: 15..=15,
        glued: false,
        context: &[
            "gstin",
            "gst",
            "goods and services tax",
            "tax identification",
            "gst number",
            "gst registration",
        ],
        parse: gstin,
    },
];

/// Five letters (the fourth is the holder type: P person, C company, H HUF, F firm, A AOP, T trust,
/// B BOI, L local authority, J juridical person, G government), four digits, a letter. Any ten
/// characters with a letter and four digits in a row are a very weak candidate (Presidio's "low").
fn pan(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.plain() {
        return None;
    }
    if in_pan_bytes(c) {
        return Some(if b"ABCFGHLJPT".contains(&c[3]) {
            0.5
        } else {
            0.1
        });
    }
    let has_letter = c.iter().any(u8::is_ascii_uppercase);
    let four_digits = c.windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
    (has_letter && four_digits).then_some(0.01)
}

/// 12 digits (first 2–9), Verhoeff check digit, not a palindrome; `3123 4567 8909` (medium) or plain
/// (weak: card and account numbers of 12 digits pass the check one time in ten).
fn aadhaar(v: &Value<'_>) -> Option<f32> {
    if !in_aadhaar_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[4, 8], b" -:") {
        Some(0.5)
    } else {
        None
    }
}

/// State code, district, series letters, number (`KA53ME3456`), the Bharat series (`22BH1234AB`),
/// armed forces (`15B123456K`), diplomatic (`77CD1234`) and the older short forms (`MCX1243`).
fn vehicle_registration(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.plain() {
        return None;
    }
    let last4_nonzero = c.len() >= 4 && &c[c.len() - 4..] != b"0000";
    if shaped(c, b"ddBHddddll")
        && (b'2'..=b'9').contains(&c[0])
        && (b'1'..=b'9').contains(&c[1])
        && &c[4..8] != b"0000"
        && c[8..].iter().all(|&b| b != b'I' && b != b'O')
    {
        return Some(0.85);
    }
    if shaped(c, b"ddlddddddl") && &c[..2] != b"00" && b"ABCDEFHKPRX".contains(&c[2]) {
        return Some(0.85);
    }
    let runs = Runs::of(c);
    const L: u8 = b'l';
    const D: u8 = b'd';
    let standard = runs.are(&[(L, 2, 2), (D, 1, 1), (L, 1, 3), (D, 4, 4)])
        || runs.are(&[(L, 2, 2), (D, 2, 2), (L, 1, 2), (D, 4, 4)]);
    if standard && last4_nonzero {
        return Some(if rto_district_known(c) { 1.0 } else { 0.5 });
    }
    if let Some(score) = diplomatic(c, &runs) {
        return Some(score);
    }
    if runs.are(&[(L, 3, 3), (D, 4, 4)]) && last4_nonzero {
        return Some(0.2);
    }
    if runs.are(&[(L, 1, 2), (D, 4, 4)]) && last4_nonzero {
        return Some(0.01);
    }
    (c[0] == b'I' && runs.are(&[(L, 1, 1), (D, 5, 5)]) && &c[1..] != b"00000").then_some(0.01)
}

/// Diplomatic plates: mission number, CD, CC or UN, serial. Confirmed when the mission number is in
/// range (1–80) or a known foreign mission code.
fn diplomatic(c: &[u8], runs: &Runs) -> Option<f32> {
    const MISSIONS: &[u64] = &[
        84, 85, 89, 93, 94, 95, 97, 98, 99, 102, 104, 105, 106, 109, 111, 112, 113, 117, 119, 120,
        121, 122, 123, 125, 126, 128, 133, 134, 135, 137, 141, 145, 147, 149, 152, 153, 155, 156,
        157, 159, 160,
    ];
    if !runs.are(&[(b'd', 1, 3), (b'l', 2, 2), (b'd', 2, 4)]) {
        return None;
    }
    let letters_at = c.iter().position(u8::is_ascii_uppercase)?;
    let code = &c[letters_at..letters_at + 2];
    if ![&b"CD"[..], b"CC", b"UN"].contains(&code) || c[letters_at + 2] == b'0' {
        return None;
    }
    let mission = number(&c[..letters_at]);
    let known = (1..=80).contains(&mission) || MISSIONS.contains(&mission);
    Some(if known && c.len() >= 8 { 1.0 } else { 0.4 })
}

/// A state code, whether its districts are written with two digits, and its district number ranges.
type StateDistricts = (&'static [u8; 2], bool, &'static [(u8, u8)]);

/// RTO districts in use per state code, as ranges of district numbers. Delhi and Gujarat write their
/// districts without a leading zero (`DL3C…`, `GJ1…`); the others with two digits.
const RTO_DISTRICTS: &[StateDistricts] = &[
    (b"AN", true, &[(1, 1)]),
    (b"AP", true, &[(39, 40)]),
    (b"AR", true, &[(1, 17), (19, 20), (22, 22)]),
    (b"AS", true, &[(1, 20), (22, 34)]),
    (
        b"BR",
        true,
        &[
            (1, 11),
            (19, 19),
            (21, 22),
            (24, 34),
            (37, 39),
            (43, 46),
            (50, 53),
            (55, 56),
        ],
    ),
    (b"CG", true, &[(1, 30)]),
    (b"CH", true, &[(1, 4)]),
    (b"DD", true, &[(1, 3)]),
    (b"DN", true, &[(9, 9)]),
    (b"DL", false, &[(1, 13)]),
    (b"GA", true, &[(1, 12)]),
    (b"GJ", false, &[(1, 39)]),
    (b"HP", true, &[(1, 20), (22, 99)]),
    (b"HR", true, &[(1, 20), (22, 99)]),
    (b"JH", true, &[(1, 20), (22, 24)]),
    (b"JK", true, &[(1, 20), (22, 22)]),
    (b"KA", true, &[(1, 20), (22, 71)]),
    (b"KL", true, &[(1, 20), (22, 99)]),
    (b"LA", true, &[(1, 2)]),
    (b"LD", true, &[(1, 9)]),
    (b"MH", true, &[(1, 20), (22, 51)]),
    (b"ML", true, &[(1, 10)]),
    (b"MN", true, &[(1, 7)]),
    (b"MP", true, &[(1, 20), (22, 71)]),
    (b"MZ", true, &[(1, 8)]),
    (b"NL", true, &[(1, 10)]),
    (b"OD", true, &[(1, 20), (22, 35)]),
    (b"OR", true, &[(1, 20), (22, 31)]),
    (b"PB", true, &[(1, 20), (22, 99)]),
    (b"PY", true, &[(1, 5)]),
    (b"RJ", true, &[(1, 20), (22, 58)]),
    (b"SK", true, &[(1, 8)]),
    (b"TN", true, &[(1, 20), (22, 99)]),
    (b"TR", true, &[(1, 8)]),
    (b"TS", true, &[(1, 20), (22, 38)]),
    (b"UK", true, &[(1, 20)]),
    (b"UP", true, &[(11, 20), (22, 96)]),
    (b"WB", true, &[(1, 20), (22, 98)]),
];

/// True if the state code and the district digits after it name a known RTO.
fn rto_district_known(c: &[u8]) -> bool {
    let Some((_, two_digits, ranges)) = RTO_DISTRICTS
        .iter()
        .find(|(state, _, _)| c.starts_with(*state))
    else {
        return false;
    };
    let district = if c[3].is_ascii_digit() {
        &c[2..4]
    } else {
        &c[2..3]
    };
    // Two-digit states need the leading zero; Delhi and Gujarat must not have one.
    let written_ok = if *two_digits {
        district.len() == 2
    } else {
        district[0] != b'0'
    };
    if !written_ok {
        return false;
    }
    let n = number(district);
    ranges
        .iter()
        .any(|&(lo, hi)| (u64::from(lo)..=u64::from(hi)).contains(&n))
}

/// Three letters and seven digits; the second letter restricted to the Election Commission's series.
fn voter(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.plain() || !shaped(c, b"lllddddddd") {
        return None;
    }
    Some(if b"ABCDGHJKMNPRSY".contains(&c[1]) {
        0.35
    } else {
        0.3
    })
}

/// A letter, seven digits (the first and last not 0), a space allowed after the third character.
fn passport(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let ok = shaped(c, b"lddddddd") && c[1] != b'0' && c[7] != b'0';
    (ok && (v.plain() || v.grouped(&[3], b" "))).then_some(0.1)
}

/// State code (01–37), the holder's PAN, entity number, `Z`, check character. Written plain or in its
/// groups (`27 ABCDE 1234 F1 Z5`). A failing check character leaves a weak score.
fn gstin(v: &Value<'_>) -> Option<f32> {
    if !in_gstin_structure(v.chars) || !(v.plain() || v.cut_within(&[2, 7, 11, 13], b" -")) {
        return None;
    }
    Some(if in_gstin_check(v.chars) { 1.0 } else { 0.3 })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn pan_tiers() {
        check_score(InPan, "ABCPD1234Z", 0.5);
        check_score(InPan, "ABCND1234Z", 0.1);
        check_score(InPan, "A1111DFSFS", 0.01);
        check_score(InPan, "My PAN is ABBPM4567S", 0.85);
        check(InPan, "ABCD1234", &[]);
    }

    #[test]
    fn aadhaar_verhoeff() {
        check(
            InAadhaar,
            "3123-4567-8909 1234-5678-9012 399876543211",
            &["3123-4567-8909", "399876543211"],
        );
        check_score(InAadhaar, "Aadhaar 400123456787", 0.65);
        check_score(InAadhaar, "3123 4567 8909", 0.5);
    }

    #[test]
    fn vehicle_registration_tiers() {
        check_score(InVehicleRegistration, "KA53ME3456", 1.0);
        check_score(InVehicleRegistration, "KA99ME3456", 0.5);
        check_score(InVehicleRegistration, "DL3CJI0001", 1.0);
        check_score(InVehicleRegistration, "MCX1243", 0.2);
        check_score(InVehicleRegistration, "22BH1234AB", 0.85);
        check_score(InVehicleRegistration, "77CD1234", 1.0);
        check(InVehicleRegistration, "ABNE123456 KA53ME0000", &[]);
    }

    #[test]
    fn voter_passport_gstin() {
        check(
            InVoter,
            "KSD1287349 uzb2345117 zxdf8923q1",
            &["KSD1287349", "uzb2345117"],
        );
        check(InPassport, "A3456781 b0097650 T356907", &["A3456781"]);
        check_score(InGstin, "27AAPFU0939F1ZV", 1.0);
        check_score(InGstin, "27ABCDE1234F1Z5", 0.3);
        check(
            InGstin,
            "GSTIN 27-ABCDE-1234-F1-Z5",
            &["27-ABCDE-1234-F1-Z5"],
        );
        check(InGstin, "38ABCDE1234F1Z5 27ABCDE1234F1Y5", &[]);
    }
}
