//! Microsoft Presidio's recognizer test vectors, replayed against Warden's scanner and validators.
//!
//! The vectors (`/work/shared/eval/pii/presidio_recognizer_vectors.jsonl`, outside the repository) are
//! the hand-written values of Presidio's `test_*_recognizer.py` files: `analyze` rows (a text, the
//! requested entity types, the expected number of findings and, often, their spans) and `function`
//! rows (a checksum or helper called with parameters).
//!
//! Every row of an implemented type must agree, except those listed with a reason in
//! `tests/data/vector_disagreements.tsv`, keyed by recognizer and text (or tested value). A listed
//! entry that no longer matches any disagreeing row is an error too, so the list stays honest. To cover more types, add them to [`IMPLEMENTED`] and, for function rows, a case to
//! [`function_verdict`]; rows of other types are skipped and counted.

// A test report is printed on purpose; panics are how a test fails.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use warden_scan::validate::{self, Check};
use warden_scan::{EntityType, Scanner, ScannerConfig};

/// Where the vectors live: beside the main checkout (`/work/main` → `/work/shared`), or one level
/// further up for a worktree under `/work/wt/`.
const VECTORS: &[&str] = &[
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/eval/pii/presidio_recognizer_vectors.jsonl"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/eval/pii/presidio_recognizer_vectors.jsonl"
    ),
];
const DISAGREEMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/vector_disagreements.tsv"
);

/// Entity types with a detector, grouped by owner. Rows that request only these types are checked.
const IMPLEMENTED: &[&str] = &[
    // Government, health and tax identifiers (detect/national).
    "US_SSN",
    "US_ITIN",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "US_MBI",
    "US_NPI",
    "MEDICAL_LICENSE",
    "UK_NHS",
    "UK_NINO",
    "UK_PASSPORT",
    "UK_POSTCODE",
    "UK_DRIVING_LICENCE",
    "UK_VEHICLE_REGISTRATION",
    "ES_NIF",
    "ES_NIE",
    "ES_PASSPORT",
    "IT_FISCAL_CODE",
    "IT_DRIVER_LICENSE",
    "IT_VAT_CODE",
    "IT_PASSPORT",
    "IT_IDENTITY_CARD",
    "IN_PAN",
    "IN_AADHAAR",
    "IN_VEHICLE_REGISTRATION",
    "IN_VOTER",
    "IN_PASSPORT",
    "IN_GSTIN",
    "AU_ABN",
    "AU_ACN",
    "AU_TFN",
    "AU_MEDICARE",
    "SG_NRIC_FIN",
    "SG_UEN",
    "CA_SIN",
    "DE_BSNR",
    "DE_FUEHRERSCHEIN",
    "DE_HANDELSREGISTER",
    "DE_HEALTH_INSURANCE",
    "DE_ID_CARD",
    "DE_KFZ",
    "DE_LANR",
    "DE_PASSPORT",
    "DE_PLZ",
    "DE_SOCIAL_SECURITY",
    "DE_TAX_ID",
    "DE_TAX_NUMBER",
    "DE_VAT_ID",
    "FI_PERSONAL_IDENTITY_CODE",
    "KR_BRN",
    "KR_DRIVER_LICENSE",
    "KR_FRN",
    "KR_PASSPORT",
    "KR_RRN",
    "NG_NIN",
    "NG_VEHICLE_REGISTRATION",
    "PH_TIN",
    "PL_PESEL",
    "SE_ORGANISATIONSNUMMER",
    "SE_PERSONNUMMER",
    "TH_TNIN",
    "TR_LICENSE_PLATE",
    "TR_NATIONAL_ID",
    "ZA_ID_NUMBER",
];

/// The outcome of one row.
enum Outcome {
    Agree,
    Disagree(String),
}

#[test]
fn presidio_recognizer_vectors_agree() {
    let Some(vectors) = VECTORS
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
    else {
        println!("recognizer vectors not found at {}; skipping", VECTORS[0]);
        return;
    };
    let listed = read_disagreements();
    let rows: Vec<Value> = vectors
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("vector row is JSON"))
        .collect();
    // Function rows name no entity: take it from the recognizer's analyze rows.
    let mut recognizer_entities: HashMap<String, Vec<String>> = HashMap::new();
    for row in &rows {
        if row["kind"] == "analyze" {
            recognizer_entities
                .entry(str_of(row, "recognizer"))
                .or_insert_with(|| requested(row));
        }
    }

    let mut scanners: HashMap<Vec<String>, Scanner> = HashMap::new();
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut skipped = 0usize;
    let mut unexpected = Vec::new();
    let mut listed_seen = BTreeSet::new();
    let mut stale = Vec::new();
    for row in &rows {
        let recognizer = str_of(row, "recognizer");
        let entities = match row["kind"].as_str() {
            Some("analyze") => requested(row),
            _ => recognizer_entities
                .get(&recognizer)
                .cloned()
                .unwrap_or_default(),
        };
        if entities.is_empty() || !entities.iter().all(|e| IMPLEMENTED.contains(&e.as_str())) {
            skipped += 1;
            continue;
        }
        let (key, outcome) = match row["kind"].as_str() {
            Some("analyze") => {
                let scanner = scanners
                    .entry(entities.clone())
                    .or_insert_with(|| scanner_for(&entities, 0.0));
                (str_of(row, "text"), analyze_verdict(row, scanner))
            }
            _ => function_verdict(row),
        };
        let entry = tally.entry(recognizer.clone()).or_default();
        entry.1 += 1;
        let listed_reason = listed.get(&(recognizer.clone(), key.clone()));
        match (outcome, listed_reason) {
            // A listed key may also name rows that agree (the same text in another test).
            (Outcome::Agree, _) => entry.0 += 1,
            (Outcome::Disagree(_), Some(_)) => {
                listed_seen.insert((recognizer.clone(), key));
            }
            (Outcome::Disagree(why), None) => {
                unexpected.push(format!(
                    "{recognizer} [{}] {key:?}: {why}",
                    str_of(row, "test")
                ));
            }
        }
    }

    println!("recognizer vectors: rows passed / checked per recognizer");
    let (mut passed, mut checked) = (0, 0);
    for (recognizer, (ok, total)) in &tally {
        println!("  {recognizer:<36} {ok:>3} / {total:<3}");
        passed += ok;
        checked += total;
    }
    println!(
        "  total {passed} / {checked}; {} listed disagreements; {skipped} rows skipped (types not implemented or no Warden counterpart)",
        listed_seen.len()
    );
    for (recognizer, text) in listed.keys() {
        if tally.contains_key(recognizer)
            && !listed_seen.contains(&(recognizer.clone(), text.clone()))
        {
            stale.push(format!(
                "{recognizer}\t{text}: listed, but no row disagrees"
            ));
        }
    }
    stale.sort();
    stale.dedup();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected disagreements:\n{}\n{} stale list entries:\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}

fn str_of(row: &Value, key: &str) -> String {
    match &row[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn requested(row: &Value) -> Vec<String> {
    let mut entities: Vec<String> = row["entities_requested"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    entities.sort();
    entities.dedup();
    entities
}

fn scanner_for(entities: &[String], min_score: f32) -> Scanner {
    Scanner::new(&ScannerConfig {
        entities: entities
            .iter()
            .map(|e| EntityType::parse(e).expect("entity name"))
            .collect(),
        min_score,
        ..ScannerConfig::default()
    })
    .expect("scanner builds")
}

/// An `analyze` row: same number of findings, and every expected span found with its type.
fn analyze_verdict(row: &Value, scanner: &Scanner) -> Outcome {
    let text = str_of(row, "text");
    let mut findings = scanner.scan(&text);
    // Presidio's strict mode reports only values whose check digit holds; Warden's equivalent is
    // requiring the validator (a custom detector with `validator = "de_vat_id"`).
    if str_of(row, "recognizer_fixture").contains("strict_checksum=True") {
        findings.retain(|f| validate::de_vat_id(f.value(&text)));
    }
    let found: Vec<(String, usize, usize)> = findings
        .iter()
        .map(|f| (f.entity_type.to_string(), f.start, f.end))
        .collect();
    let expected_count = row["expected_count"].as_u64().unwrap_or(0) as usize;
    if found.len() != expected_count {
        return Outcome::Disagree(format!(
            "expected {expected_count} findings, found {found:?}"
        ));
    }
    for spans_key in ["expected", "expected_partial"] {
        for span in row[spans_key].as_array().into_iter().flatten() {
            let want = (
                str_of(span, "type"),
                span["start"].as_u64().unwrap_or(0) as usize,
                span["end"].as_u64().unwrap_or(0) as usize,
            );
            if !found.contains(&want) {
                return Outcome::Disagree(format!("expected {want:?}, found {found:?}"));
            }
        }
    }
    Outcome::Agree
}

/// A `function` row: the corresponding Warden validator gives the expected verdict. Returns the row's
/// key (the tested value) and the outcome.
fn function_verdict(row: &Value) -> (String, Outcome) {
    let params = &row["params"];
    let recognizer = str_of(row, "recognizer");
    let test = str_of(row, "function_test");
    let param = |name: &str| str_of(params, name);
    let expected = &params["expected"];
    let boolean = |input: String, verdict: bool| {
        let outcome = agree_bool(expected, verdict);
        (input, outcome)
    };
    let three_way = |input: String, verdict: Check| {
        let want = match expected {
            Value::Bool(true) => Check::Valid,
            Value::Bool(false) => Check::Invalid,
            _ => Check::Plausible,
        };
        let outcome = if want == verdict {
            Outcome::Agree
        } else {
            Outcome::Disagree(format!("expected {want:?}, got {verdict:?}"))
        };
        (input, outcome)
    };
    let strict = str_of(row, "recognizer_fixture").contains("strict_checksum=True");
    match (recognizer.as_str(), test.as_str()) {
        ("DeBsnrRecognizer", _) => {
            three_way(param("number"), validate::de_bsnr_check(&param("number")))
        }
        ("DeHealthInsuranceRecognizer", _) => boolean(
            param("number"),
            validate::de_health_insurance(&param("number")),
        ),
        ("DeIdCardRecognizer", _) => three_way(
            param("number"),
            validate::de_id_card_check(&param("number")),
        ),
        ("DeLanrRecognizer", _) => boolean(param("number"), validate::de_lanr(&param("number"))),
        ("DePassportRecognizer", _) => {
            boolean(param("number"), validate::de_passport(&param("number")))
        }
        ("DeSocialSecurityRecognizer", _) => boolean(
            param("number"),
            validate::de_social_security(&param("number")),
        ),
        ("DeTaxIdRecognizer", _) => boolean(param("number"), validate::de_tax_id(&param("number"))),
        ("DeVatIdRecognizer", _) if strict => {
            boolean(param("number"), validate::de_vat_id(&param("number")))
        }
        ("DeVatIdRecognizer", _) => {
            three_way(param("number"), validate::de_vat_id_check(&param("number")))
        }
        ("InAadhaarRecognizer", "test_is_verhoeff") => {
            let number = param("input_number");
            let want = params["is_verhoeff"].as_bool().unwrap_or(false);
            let got = validate::verhoeff(&number);
            (number, agree_bool(&Value::Bool(want), got))
        }
        ("InGstinRecognizer", "test_sanitize_value") => {
            // Presidio's sanitizer pulls the GSTIN out of a text and drops its separators; Warden's
            // detector must find that same value.
            let text = param("text");
            let want = param("expected");
            let scanner = scanner_for(&["IN_GSTIN".to_owned()], 0.0);
            let compact: Vec<String> = scanner
                .scan(&text)
                .iter()
                .map(|f| {
                    f.value(&text)
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect()
                })
                .collect();
            let outcome = if compact.contains(&want) {
                Outcome::Agree
            } else {
                Outcome::Disagree(format!("expected {want} in {compact:?}"))
            };
            (text, outcome)
        }
        ("InGstinRecognizer", "test_validate_pan_format") => {
            boolean(param("pan"), validate::in_pan(&param("pan")))
        }
        ("InGstinRecognizer", "test_validate_result") => {
            boolean(param("gstin"), validate::in_gstin(&param("gstin")))
        }
        ("PlPeselRecognizer", _) => boolean(param("pesel"), validate::pl_pesel(&param("pesel"))),
        ("ZaIdNumberRecognizer", "test_has_valid_birth_date") => boolean(
            param("date_part"),
            validate::date_yymmdd(&param("date_part")),
        ),
        ("ZaIdNumberRecognizer", "test_validate_result") => boolean(
            param("id_number"),
            validate::za_id_number(&param("id_number")),
        ),
        _ => {
            // No Warden counterpart: the key is the first string parameter, so the row can be listed.
            let key = params
                .as_object()
                .and_then(|o| o.values().find_map(|v| v.as_str().map(str::to_owned)))
                .unwrap_or_default();
            (
                key,
                Outcome::Disagree(format!("no Warden validator for {test}")),
            )
        }
    }
}

fn agree_bool(expected: &Value, got: bool) -> Outcome {
    // Presidio's tests use `None` for "not a valid value" when no verdict can be given.
    let want = expected.as_bool().unwrap_or(false);
    if want == got {
        Outcome::Agree
    } else {
        Outcome::Disagree(format!("expected {want}, got {got}"))
    }
}

/// `(recognizer, text) → reason` from the TSV (header line and `#` comments skipped).
fn read_disagreements() -> HashMap<(String, String), String> {
    let Ok(tsv) = std::fs::read_to_string(DISAGREEMENTS) else {
        return HashMap::new();
    };
    let mut listed = HashMap::new();
    for line in tsv.lines().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut columns = line.splitn(3, '\t');
        let (Some(recognizer), Some(text), Some(reason)) =
            (columns.next(), columns.next(), columns.next())
        else {
            panic!("malformed disagreement line (want recognizer, text, reason): {line}");
        };
        assert!(
            !reason.trim().is_empty(),
            "a disagreement needs a reason: {line}"
        );
        listed.insert((recognizer.to_owned(), text.to_owned()), reason.to_owned());
    }
    listed
}
