//! Sweden: personal identity number (personnummer) and organisation number.
//!
//! Both end in a Luhn check digit; the personnummer also holds a birth date, which makes it strong.

use super::{Format, Value};
use crate::entity::EntityType;
use crate::validate::national::{se_organisationsnummer_bytes, se_personnummer_bytes};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::SePersonnummer,
        name: "se_personnummer",
        lens: 10..=12,
        glued: true,
        context: &[
            "personnummer",
            "svenskt personnummer",
            "samordningsnummer",
            "personal identity number",
            "pnr",
        ],
        parse: personnummer,
    },
    Format {
        entity: EntityType::SeOrganisationsnummer,
        name: "se_organisationsnummer",
        lens: 10..=10,
        glued: false,
        context: &[
            "organisationsnummer",
            "orgnr",
            "org nr",
            "orgnummer",
            "företagsnummer",
        ],
        parse: organisationsnummer,
    },
];

/// `YYMMDD-XXXX`, `YYYYMMDD-XXXX` (`+` for people aged 100 or more), or plain.
fn personnummer(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !(c.len() == 10 || c.len() == 12) || !se_personnummer_bytes(c) {
        return None;
    }
    if v.grouped(&[c.len() - 4], b"-+") && !v.glued {
        Some(1.0)
    } else if v.plain() || v.grouped(&[c.len() - 4], b"-+") {
        Some(0.85)
    } else {
        None
    }
}

/// `556703-7485` or plain; the third digit is at least 2 (never a birth month), Luhn.
fn organisationsnummer(v: &Value<'_>) -> Option<f32> {
    if !se_organisationsnummer_bytes(v.chars) {
        return None;
    }
    if v.plain() {
        Some(0.3)
    } else if v.grouped(&[6], b"-") {
        Some(0.5)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score};
    use crate::EntityType::*;

    #[test]
    fn personnummer_layouts() {
        check(
            SePersonnummer,
            "871220-2384 199109242397 200504422381",
            &["871220-2384", "199109242397"],
        );
        check(
            SePersonnummer,
            "My swedish id code is199003052397.",
            &["199003052397"],
        );
        check(SePersonnummer, "189x09179809 18970c17-9809", &[]);
        check_score(SePersonnummer, "19910924-2397", 1.0);
    }

    #[test]
    fn organisationsnummer_third_digit_and_luhn() {
        check(
            SeOrganisationsnummer,
            "556703-7485 871220-2384 55670x-7485",
            &["556703-7485"],
        );
        check_score(SeOrganisationsnummer, "orgnr 5567037485", 0.65);
    }
}
