//! Germany: BSNR, driving licence, commercial register, health insurance (KVNR), identity card,
//! vehicle plate (KFZ), LANR, passport, postcode (PLZ), pension insurance number, tax id, tax number
//! and VAT id.
//!
//! Checksums: KVNR, identity card and passport (ICAO 7-3-1), LANR, pension insurance number, tax id
//! and VAT id (ISO 7064 MOD 11,10). The BSNR, licence, register, plate, postcode and tax number have
//! none; a bare 5-digit postcode is the weakest candidate of all and needs an address word nearby.

use super::{Format, Value, shaped};
use crate::entity::EntityType;
use crate::validate::national::{
    Check, all_digits, de_bsnr_bytes, de_health_insurance_bytes, de_id_card_bytes, de_lanr_bytes,
    de_passport_bytes, de_social_security_bytes, de_tax_id_bytes, de_vat_id_bytes, number,
};

pub(super) static FORMATS: &[Format] = &[
    Format {
        entity: EntityType::DeBsnr,
        name: "de_bsnr",
        lens: 9..=9,
        glued: false,
        context: &[
            "betriebsstättennummer",
            "betriebsstätten-nummer",
            "bsnr",
            "betriebsstätte",
            "praxisnummer",
            "arztpraxis",
            "praxis",
            "kassenärztliche vereinigung",
            "kv-nummer",
            "kv nummer",
            "nebenbetriebsstätte",
            "hauptbetriebsstätte",
        ],
        parse: bsnr,
    },
    Format {
        entity: EntityType::DeFuehrerschein,
        name: "de_fuehrerschein",
        lens: 11..=11,
        glued: false,
        context: &[
            "führerscheinnummer",
            "führerschein",
            "fahrerlaubnis",
            "fahrerlaubnisnummer",
            "fahrerlaubnisklasse",
            "kba",
            "driving licence",
            "driving license",
            "driver's license",
            "licence number",
            "license number",
        ],
        parse: fuehrerschein,
    },
    Format {
        entity: EntityType::DeHandelsregister,
        name: "de_handelsregister",
        lens: 4..=9,
        glued: false,
        context: &[
            "handelsregister",
            "handelsregisternummer",
            "amtsgericht",
            "registergericht",
            "registerauszug",
            "handelsregistereintrag",
            "firma",
            "gesellschaft",
            "gmbh",
            "ag",
            "ug",
            "kg",
            "ohg",
        ],
        parse: handelsregister,
    },
    Format {
        entity: EntityType::DeHealthInsurance,
        name: "de_health_insurance",
        lens: 10..=10,
        glued: false,
        context: &[
            "krankenversicherungsnummer",
            "krankenversichertennummer",
            "versichertennummer",
            "kvnr",
            "krankenkasse",
            "krankenversicherung",
            "gesundheitskarte",
            "egk",
            "gkv",
            "versichertenkarte",
            "aok",
            "tkk",
            "barmer",
            "dak",
        ],
        parse: health_insurance,
    },
    Format {
        entity: EntityType::DeIdCard,
        name: "de_id_card",
        lens: 9..=9,
        glued: false,
        context: &[
            "personalausweis",
            "personalausweisnummer",
            "ausweis",
            "ausweisnummer",
            "identity card",
            "id card",
            "ausweisdokument",
        ],
        parse: id_card,
    },
    Format {
        entity: EntityType::DeKfz,
        name: "de_kfz",
        lens: 3..=10,
        glued: false,
        context: &[
            "kennzeichen",
            "kfz-kennzeichen",
            "kraftfahrzeugkennzeichen",
            "nummernschild",
            "fahrzeugkennzeichen",
            "zulassung",
            "kfz",
            "fahrzeug",
            "auto",
            "pkw",
            "lkw",
            "fahrzeugschein",
            "zulassungsbescheinigung",
        ],
        parse: kfz,
    },
    Format {
        entity: EntityType::DeLanr,
        name: "de_lanr",
        lens: 9..=9,
        glued: false,
        context: &[
            "lanr",
            "lebenslange arztnummer",
            "arztnummer",
            "arzt-nr",
            "arzt-nummer",
            "physician number",
            "doctor number",
            "behandelnder arzt",
            "arzt",
        ],
        parse: lanr,
    },
    Format {
        entity: EntityType::DePassport,
        name: "de_passport",
        lens: 9..=9,
        glued: false,
        context: &[
            "reisepass",
            "pass",
            "passnummer",
            "reisepassnummer",
            "passport",
            "passport number",
            "pass-nr",
            "dokumentennummer",
            "mrz",
        ],
        parse: passport,
    },
    Format {
        entity: EntityType::DePlz,
        name: "de_plz",
        lens: 5..=5,
        glued: false,
        context: &[
            "plz",
            "postleitzahl",
            "postanschrift",
            "adresse",
            "anschrift",
            "wohnort",
            "wohnanschrift",
            "lieferadresse",
            "rechnungsadresse",
            "straße",
            "strasse",
            "hausnummer",
            "postfach",
        ],
        parse: plz,
    },
    Format {
        entity: EntityType::DeSocialSecurity,
        name: "de_social_security",
        lens: 12..=12,
        glued: false,
        context: &[
            "rentenversicherungsnummer",
            "sozialversicherungsnummer",
            "versicherungsnummer",
            "rvnr",
            "svnr",
            "sv-nummer",
            "rentenversicherung",
            "sozialversicherung",
            "sozialversicherungsausweis",
        ],
        parse: social_security,
    },
    Format {
        entity: EntityType::DeTaxId,
        name: "de_tax_id",
        lens: 11..=11,
        glued: false,
        context: &[
            "steuer-id",
            "steueridentifikationsnummer",
            "steuerliche identifikationsnummer",
            "steuer-idnr",
            "steuerid",
            "idnr",
            "tax id",
            "tin",
            "identifikationsnummer",
        ],
        parse: tax_id,
    },
    Format {
        entity: EntityType::DeTaxNumber,
        name: "de_tax_number",
        lens: 9..=13,
        glued: false,
        context: &[
            "steuernummer",
            "steuer-nr",
            "steuer nr",
            "st.-nr",
            "st-nr",
            "stnr",
            "finanzamt",
            "umsatzsteuer",
            "einkommensteuer",
            "steuerbescheid",
        ],
        parse: tax_number,
    },
    Format {
        entity: EntityType::DeVatId,
        name: "de_vat_id",
        lens: 11..=11,
        glued: false,
        context: &[
            "umsatzsteuer-identifikationsnummer",
            "ust-idnr",
            "ust-id",
            "ustidnr",
            "umsatzsteuer-id",
            "vat",
            "vat id",
            "vat-id",
            "bzst",
            "rechnung",
            "invoice",
        ],
        parse: vat_id,
    },
];

/// 9 digits, not all zero; no public check digit, so always weak.
fn bsnr(v: &Value<'_>) -> Option<f32> {
    (v.plain() && de_bsnr_bytes(v.chars) == Check::Plausible).then_some(0.2)
}

/// Post-2013 licence number: two letters, eight digits, a check character (algorithm unpublished).
fn fuehrerschein(v: &Value<'_>) -> Option<f32> {
    (v.plain() && shaped(v.chars, b"llddddddddx")).then_some(0.35)
}

/// `HRA 12345`, `HRB123456`: register section and 1–6 digits.
fn handelsregister(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    let prefix_ok = c.starts_with(b"HRA") || c.starts_with(b"HRB");
    let digits = &c[3..];
    let ok = prefix_ok && (1..=6).contains(&digits.len()) && all_digits(digits);
    (ok && (v.plain() || v.grouped(&[3], b" "))).then_some(0.5)
}

/// Krankenversichertennummer: a letter, nine digits, the last a check digit.
fn health_insurance(v: &Value<'_>) -> Option<f32> {
    (v.plain() && de_health_insurance_bytes(v.chars)).then_some(0.5)
}

/// Personalausweisnummer with its ICAO check digit (medium), or an older all-digit serial printed
/// without one (weak).
fn id_card(v: &Value<'_>) -> Option<f32> {
    if !v.plain() {
        return None;
    }
    match de_id_card_bytes(v.chars) {
        Check::Valid => Some(0.5),
        Check::Plausible => Some(0.3),
        Check::Invalid => None,
    }
}

/// `B AB 1234`, `HH-AB-1234`, `M-XY 999`, `MIL E 1234E`: district (1–3 letters), recognition letters
/// (1–2), number (1–4 digits) with an optional E (electric) or H (historic).
fn kfz(v: &Value<'_>) -> Option<f32> {
    if v.breaks.len() != 2 {
        return None;
    }
    let seps = (v.breaks[0].sep, v.breaks[1].sep);
    if !matches!(seps, (b' ', b' ') | (b'-', b'-') | (b'-', b' ')) {
        return None;
    }
    let (district, letters, number) = (v.group(0), v.group(1), v.group(2));
    let digits = number
        .strip_suffix(b"E")
        .or_else(|| number.strip_suffix(b"H"))
        .unwrap_or(number);
    let ok = (1..=3).contains(&district.len())
        && district.iter().all(u8::is_ascii_uppercase)
        && (1..=2).contains(&letters.len())
        && letters.iter().all(u8::is_ascii_uppercase)
        && (1..=4).contains(&digits.len())
        && all_digits(digits);
    // Lower-case word sequences ("um es 12") are seldom plates.
    ok.then_some(if v.lower { 0.1 } else { 0.3 })
}

/// Lebenslange Arztnummer: 9 digits, check digit in position 7 (one random number in ten passes).
fn lanr(v: &Value<'_>) -> Option<f32> {
    (v.plain() && de_lanr_bytes(v.chars)).then_some(0.3)
}

/// Reisepassnummer: ICAO letters and digits, check digit last.
fn passport(v: &Value<'_>) -> Option<f32> {
    (v.plain() && de_passport_bytes(v.chars)).then_some(0.5)
}

/// Postleitzahl 01001–99998: five digits, the weakest format of all without an address word.
fn plz(v: &Value<'_>) -> Option<f32> {
    if !v.plain() || !v.digits() {
        return None;
    }
    (1001..=99998).contains(&number(v.chars)).then_some(0.05)
}

/// Rentenversicherungsnummer: area, birth date, initial, serial, check digit.
fn social_security(v: &Value<'_>) -> Option<f32> {
    (v.plain() && de_social_security_bytes(v.chars)).then_some(1.0)
}

/// Steuer-IdNr: 11 digits, digit-repetition rule, ISO 7064 check digit; `12 345 678 903` or plain.
fn tax_id(v: &Value<'_>) -> Option<f32> {
    if !de_tax_id_bytes(v.chars) {
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

/// Steuernummer: the 13-digit ELSTER form (state code 01–16) or a state's slashed form
/// (`123/456/78901`, `12/345/67890`, `123/4567/8901`). No check digit.
fn tax_number(v: &Value<'_>) -> Option<f32> {
    let c = v.chars;
    if !v.digits() {
        return None;
    }
    if v.plain() {
        let state = number(&c[..2.min(c.len())]);
        return (c.len() == 13 && (1..=16).contains(&state)).then_some(0.3);
    }
    if v.breaks.len() != 2 || v.breaks.iter().any(|b| b.sep != b'/') {
        return None;
    }
    let lens = (v.group(0).len(), v.group(1).len(), v.group(2).len());
    match lens {
        (3, 3, 5) => Some(0.35),
        (2..=3, 3..=4, 4..=5) => Some(0.2),
        _ => None,
    }
}

/// USt-IdNr: `DE` and nine digits, groups separated by spaces, dashes or dots. A failing check digit
/// keeps a weak score: the check is not published, so a real id may still fail it.
fn vat_id(v: &Value<'_>) -> Option<f32> {
    if !v.cut_within(&[2, 5, 8], b" -.") {
        return None;
    }
    match de_vat_id_bytes(v.chars) {
        Check::Valid => Some(1.0),
        Check::Plausible => Some(0.3),
        Check::Invalid => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_score, reported};
    use crate::EntityType::*;

    #[test]
    fn health_id_card_passport_checksums() {
        check(
            DeHealthInsurance,
            "A123456780 a123456780 A123456787",
            &["A123456780", "a123456780"],
        );
        check_score(DeIdCard, "L01X00T44", 0.5);
        check_score(DeIdCard, "T22000129", 0.3);
        check(DeIdCard, "L01X00T47 123456789", &[]);
        check(DePassport, "C01X00T41 C01234567 A01234567", &["C01X00T41"]);
    }

    #[test]
    fn plz_needs_an_address_word() {
        check(DePlz, "10115 00000 01000 99999 101150", &["10115"]);
        assert!(reported(DePlz, "ich habe 10115 Punkte").is_empty());
        assert_eq!(reported(DePlz, "PLZ: 10115"), ["10115"]);
        assert_eq!(reported(DePlz, "Postleitzahl 80331 München"), ["80331"]);
    }

    #[test]
    fn plates_and_registers() {
        check(
            DeKfz,
            "B AB 1234, HH-AB-1234, MIL E 1234E",
            &["B AB 1234", "HH-AB-1234", "MIL E 1234E"],
        );
        check(DeKfz, "BAB1234 B 1234 BXYZ AB 1234 x-B-AB-1234", &[]);
        check(
            DeHandelsregister,
            "HRB 123456, hrb 12345, HRC 1, HRB 1234567",
            &["HRB 123456", "hrb 12345"],
        );
    }

    #[test]
    fn tax_and_social_numbers() {
        check(DeTaxId, "12345678903 11112345678", &["12345678903"]);
        check(
            DeTaxNumber,
            "123/456/78901 12/345/6789 1781508150001",
            &["123/456/78901", "12/345/6789"],
        );
        check(
            DeSocialSecurity,
            "15070649C103 15070649C100",
            &["15070649C103"],
        );
        check(DeVatId, "DE 136-695.976 AT123456789", &["DE 136-695.976"]);
        check_score(DeVatId, "DE123456789", 0.3);
        check_score(DeVatId, "USt-IdNr.: DE123456789", 0.65);
        check(DeLanr, "LANR: 123456601, 123456901", &["123456601"]);
        check(DeBsnr, "BSNR 711234567 000000000", &["711234567"]);
        check(DeFuehrerschein, "BO12345678A B12345678A", &["BO12345678A"]);
    }
}
