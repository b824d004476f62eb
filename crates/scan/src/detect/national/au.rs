//! Australia: ABN, ACN, tax file number and Medicare number.
//!
//! All four are bare numbers with a checksum. The ABN's mod-89 check is strong (one random number in
//! 89 passes); the others have a one-digit check, so a plain value needs a context word and the
//! official spacing (`876 543 210`) scores medium.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::{au_abn_bytes, au_acn_bytes, au_medicare_bytes, au_tfn_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::AuAbn,
        name: "au_abn",
        lens: 11..=11,
        glued: false,
        context: &["australian business number", "abn"],
        parse: abn,
    },
    Format {
        entity: EntityType::AuAcn,
        name: "au_acn",
        lens: 9..=9,
        glued: false,
        context: &["australian company number", "acn"],
        parse: acn,
    },
    Format {
        entity: EntityType::AuTfn,
        name: "au_tfn",
        lens: 9..=9,
        glued: false,
        context: &["tax file number", "tfn"],
        parse: tfn,
    },
    Format {
        entity: EntityType::AuMedicare,
        name: "au_medicare",
        lens: 10..=10,
        glued: false,
        context: &["medicare", "medicare card", "medicare number"],
        parse: medicare,
    },
];

/// `51 824 753 556` or plain, mod 89.
fn abn(v: &Value<'_>) -> Option<f32> {
    if !au_abn_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.85)
    } else if v.grouped(&[2, 5, 8], b" ") {
        Some(1.0)
    } else {
        None
    }
}

/// Score of a bare number with a one-digit check: weak plain, medium in its official groups.
fn one_digit_check(v: &Value<'_>, groups: &[usize]) -> Option<f32> {
    if v.plain() {
        Some(0.3)
    } else if v.grouped(groups, b" ") {
        Some(0.5)
    } else {
        None
    }
}

/// `005 499 981` or plain, check digit completing a weighted sum to a multiple of 10.
fn acn(v: &Value<'_>) -> Option<f32> {
    if !au_acn_bytes(v.chars) {
        return None;
    }
    one_digit_check(v, &[3, 6])
}

/// `876 543 210` or plain, weighted sum divisible by 11.
fn tfn(v: &Value<'_>) -> Option<f32> {
    if !au_tfn_bytes(v.chars) {
        return None;
    }
    one_digit_check(v, &[3, 6])
}

/// `2123 45670 1` or plain: 8 digits, check digit, issue number.
fn medicare(v: &Value<'_>) -> Option<f32> {
    if !au_medicare_bytes(v.chars) {
        return None;
    }
    one_digit_check(v, &[4, 9])
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score, reported};
    use crate::EntityType::*;

    #[test]
    fn checksums_and_groups() {
        check(AuAbn, "51 824 753 556, 52 824 753 556", &["51 824 753 556"]);
        check(AuAcn, "005 499 981 and 824753557", &["005 499 981"]);
        check(AuTfn, "876543210 51 824 753 5564", &["876543210"]);
        check(AuMedicare, "2123 45670 1, 2123258701", &["2123 45670 1"]);
        check(AuAcn, "123 456\n789", &[]);
    }

    #[test]
    fn plain_one_digit_checks_need_context() {
        check_score(AuTfn, "876543210", 0.3);
        assert!(reported(AuTfn, "invoice 876543210").is_empty());
        assert_eq!(reported(AuTfn, "my TFN is 876543210"), ["876543210"]);
    }
}
