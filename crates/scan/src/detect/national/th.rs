//! Thailand: national identification number.
//!
//! Thirteen digits: person type, province (only assigned codes), and a mod-11 check digit.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::th_tnin_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::ThTnin,
    name: "th_tnin",
    lens: 13..=13,
    glued: false,
    context: &[
        "thai national id",
        "thai id",
        "thai id number",
        "tnin",
        "เลขประจำตัวประชาชน",
        "เลขบัตรประชาชน",
        "รหัสปชช",
    ],
    parse: tnin,
}];

/// Plain (weak: one random number in ten passes the check, 13-digit card numbers included), or in
/// the card's `1-2345-67890-12-1` layout.
fn tnin(v: &Value<'_>) -> Option<f32> {
    if !th_tnin_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[1, 5, 10, 12], b" -") {
        Some(0.85)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn province_and_check_digit() {
        check(
            ThTnin,
            "1234567890121 1234567890123 1034567890124 123456789012",
            &["1234567890121"],
        );
        check_score(ThTnin, "1-2345-67890-12-1", 0.85);
    }
}
