//! Korea: business registration number, driver's licence, foreigner and resident registration numbers,
//! passport.
//!
//! Registration numbers issued before October 2020 carry a check digit; later ones end in random
//! digits, so a number with a valid birth date and gender digit stays a medium candidate when dashed
//! (`960121-1234567`) and a weak one when plain.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{kr_brn_bytes, kr_registration};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::KrBrn,
        name: "kr_brn",
        lens: 10..=10,
        glued: false,
        context: &[
            "사업자등록번호",
            "사업자번호",
            "사업자",
            "brn",
            "business registration number",
            "business number",
            "tax registration number",
        ],
        parse: brn,
    },
    Format {
        entity: EntityType::KrDriverLicense,
        name: "kr_driver_license",
        lens: 12..=12,
        glued: false,
        context: &[
            "운전면허",
            "운전면허번호",
            "면허번호",
            "driver license",
            "driver's license",
            "driving licence",
        ],
        parse: driver_license,
    },
    Format {
        entity: EntityType::KrFrn,
        name: "kr_frn",
        lens: 13..=13,
        glued: false,
        context: &[
            "외국인등록번호",
            "외국인번호",
            "frn",
            "foreigner registration number",
            "alien registration",
        ],
        parse: frn,
    },
    Format {
        entity: EntityType::KrPassport,
        name: "kr_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "여권",
            "여권번호",
            "passport",
            "passport number",
            "korean passport",
        ],
        parse: passport,
    },
    Format {
        entity: EntityType::KrRrn,
        name: "kr_rrn",
        lens: 13..=13,
        glued: false,
        context: &[
            "주민등록번호",
            "주민번호",
            "rrn",
            "resident registration number",
            "korean rrn",
        ],
        parse: rrn,
    },
];

/// `104-86-56659` or plain; check digit (one random number in ten passes).
fn brn(v: &Value<'_>) -> Option<f32> {
    if !kr_brn_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[3, 5], b"-") {
        Some(0.5)
    } else {
        None
    }
}

/// `11-22-123456-12`: region code (11–26, 28), year, serial, check digits (unpublished).
fn driver_license(v: &Value<'_>) -> Option<f32> {
    const REGIONS: [u8; 17] = [
        11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28,
    ];
    let c = v.chars;
    if !v.digits() || !v.cut_within(&[2, 4, 10], b" -") {
        return None;
    }
    let region = (c[0] - b'0') * 10 + (c[1] - b'0');
    if !REGIONS.contains(&region) {
        return None;
    }
    Some(if v.breaks.len() == 3 { 0.5 } else { 0.1 })
}

fn registration(v: &Value<'_>, foreigner: bool) -> Option<f32> {
    if !(v.plain() || v.grouped(&[6], b"-")) {
        return None;
    }
    let verdict = kr_registration(v.chars, foreigner)?;
    Some(match (verdict.checked, v.plain()) {
        (true, false) => 1.0,
        (true, true) => 0.85,
        (false, false) => 0.5,
        (false, true) => 0.3,
    })
}

/// Foreigner registration number: `YYMMDD-G…` with G 5–8.
fn frn(v: &Value<'_>) -> Option<f32> {
    registration(v, true)
}

/// Resident registration number: `YYMMDD-G…` with G 1–4.
fn rrn(v: &Value<'_>) -> Option<f32> {
    registration(v, false)
}

/// M, S, R, O or D, then three digits, a letter and four digits (current), or eight digits (older).
fn passport(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.plain() || !b"MSROD".contains(&c[0]) {
        return None;
    }
    if shaped(c, b"ldddldddd") {
        Some(0.1)
    } else if shaped(c, b"ldddddddd") {
        Some(0.05)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn registration_numbers() {
        check_score(KrRrn, "960121-1021413", 1.0);
        check_score(KrRrn, "960121-1234567", 0.5);
        check_score(KrRrn, "9601211234567", 0.3);
        check(KrRrn, "001332-1234567 960121+1021413 960303-0021413", &[]);
        check_score(KrFrn, "911124-5678906", 1.0);
        check(KrFrn, "760413-1212134", &[]);
    }

    #[test]
    fn brn_licence_passport() {
        check(
            KrBrn,
            "104-86-56659 104-86-56658 1048656659",
            &["104-86-56659", "1048656659"],
        );
        check(
            KrDriverLicense,
            "11-22-123456-12 99-22-123456-12 111-22-123456-12",
            &["11-22-123456-12"],
        );
        check(
            KrPassport,
            "M123A4567 A123B4567 M123-A4567 m87654321",
            &["M123A4567", "m87654321"],
        );
    }
}
