//! Philippines: Taxpayer Identification Number.
//!
//! Nine digits (twelve with a branch code) whose ninth is a mod-11 check digit.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::ph_tin_bytes;

pub(super) static FORMATS: &[Format] = &[Format {
    entity: EntityType::PhTin,
    name: "ph_tin",
    lens: 9..=12,
    glued: false,
    context: &[
        "tin",
        "taxpayer identification number",
        "bir",
        "taxpayer id",
        "tax id",
        "rdo",
        "revenue district office",
    ],
    parse: tin,
}];

/// `000-123-456-000`, `000-123-456`, or plain.
fn tin(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !ph_tin_bytes(c) {
        return None;
    }
    let dashed = v.grouped(&[3, 6], b"-") || v.grouped(&[3, 6, 9], b"-");
    match (dashed, v.plain(), c.len()) {
        (true, _, _) => Some(0.5),
        (_, true, _) => Some(0.3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn tin_check_digit() {
        check(
            PhTin,
            "000-123-456-000 000-123-457-000 600-000-000",
            &["000-123-456-000"],
        );
        check_score(PhTin, "TIN: 000123456", 0.65);
    }
}
