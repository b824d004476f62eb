//! South Africa: identity number.
//!
//! Birth date, sequence, citizenship (0–2), the obsolete 8/9 digit and a Luhn check digit.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::za_id_number_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::ZaIdNumber,
    name: "za_id_number",
    lens: 13..=13,
    glued: false,
    context: &[
        "identity number",
        "id number",
        "south african id",
        "rsa id",
        "smart id",
        "national id",
        "identity",
    ],
    parse: id_number,
}];

/// Thirteen plain digits.
fn id_number(v: &Value<'_>) -> Option<f32> {
    (v.plain() && za_id_number_bytes(v.chars)).then_some(0.85)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use crate::EntityType::*;

    #[test]
    fn structure_and_luhn() {
        check(
            ZaIdNumber,
            "8001015009087 8001015009086 9902294321191",
            &["8001015009087"],
        );
        check(ZaIdNumber, "AB8001015009087CD SA ID 80010150090870", &[]);
    }
}
