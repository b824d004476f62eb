//! Nigeria: National Identification Number and vehicle registration.
//!
//! The NIN is 11 digits with a Verhoeff check digit; plates (`ABC-123DE`) have no check.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::ng_nin_bytes;

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::NgNin,
        name: "ng_nin",
        lens: 11..=11,
        glued: false,
        context: &[
            "nin",
            "national identification number",
            "national identity number",
            "nimc",
            "national identity",
            "nigeria id",
        ],
        parse: nin,
    },
    Format {
        entity: EntityType::NgVehicleRegistration,
        name: "ng_vehicle_registration",
        lens: 8..=8,
        glued: false,
        context: &[
            "plate number",
            "vehicle registration",
            "license plate",
            "number plate",
            "plate",
            "vehicle",
            "registration",
        ],
        parse: vehicle_registration,
    },
];

/// 11 digits, Verhoeff (one digit: context decides).
fn nin(v: &Value<'_>) -> Option<f32> {
    (v.plain() && ng_nin_bytes(v.chars)).then_some(0.3)
}

/// Local government code, serial, year and batch letters: `APP-456CV` (the dash makes it distinctive),
/// `APP 456CV`, `APP456CV`.
fn vehicle_registration(v: &Value<'_>) -> Option<f32> {
    if !shaped(v.chars, b"llldddll") {
        return None;
    }
    let score = if v.grouped(&[3], b"-") {
        0.5
    } else if v.plain() || v.grouped(&[3], b" ") {
        0.3
    } else {
        return None;
    };
    Some(if v.lower { 0.1 } else { score })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn nin_and_plates() {
        check(
            NgNin,
            "12345678902 12345678901 123456789012",
            &["12345678902"],
        );
        check_score(NgVehicleRegistration, "APP-456CV", 0.5);
        check(
            NgVehicleRegistration,
            "APP 456CV AB-1234CD ABCD-123EF",
            &["APP 456CV"],
        );
    }
}
