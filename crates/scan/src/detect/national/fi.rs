//! Finland: personal identity code (henkilötunnus, HETU).
//!
//! Birth date, century sign, individual number and a mod-31 control character: a strong check. As in
//! Presidio, a code glued to a short lower-case word (`is030594W903B`) is still found.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::fi_hetu_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::FiPersonalIdentityCode,
    name: "fi_personal_identity_code",
    lens: 10..=11,
    glued: true,
    context: &[
        "hetu",
        "henkilötunnus",
        "personbeteckningen",
        "personal identity code",
    ],
    parse: hetu,
}];

/// `131052-308T`, `010594Y9032`: the `-` and `+` century signs are separators to the word reader, so
/// they come back from the break.
fn hetu(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let valid = match c.len() {
        11 => v.plain() && fi_hetu_bytes(c),
        10 => {
            let sign = v.breaks.first().map(|b| b.sep)?;
            if !v.grouped(&[6], b"-+") {
                return None;
            }
            let mut written = [0u8; 11];
            written[..6].copy_from_slice(&c[..6]);
            written[6] = sign;
            written[7..].copy_from_slice(&c[6..]);
            fi_hetu_bytes(&written)
        }
        _ => false,
    };
    valid.then_some(if v.glued { 0.85 } else { 1.0 })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn century_signs_and_control_character() {
        check(
            FiPersonalIdentityCode,
            "131052-308T 010594Y9032 111111-111A 131052/308T 131052:308T",
            &["131052-308T", "010594Y9032"],
        );
        check(
            FiPersonalIdentityCode,
            "My finnish id code is030594W903B.",
            &["030594W903B"],
        );
        check_score(FiPersonalIdentityCode, "code is030594W903B", 0.85);
        check(FiPersonalIdentityCode, "Code030594W903B", &[]);
    }
}
