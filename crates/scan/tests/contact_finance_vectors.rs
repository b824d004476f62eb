//! Presidio's recognizer test vectors for the contact, network and finance types.
//!
//! For every `analyze` row of `shared/eval/pii/presidio_recognizer_vectors.jsonl` whose requested
//! entities are all contact/finance types, a scanner restricted to those types with `min_score = 0`
//! must report exactly the expected number of findings, and every expected span must be found with the
//! same type, start and end (code points). Rows where Warden deliberately differs are listed, with the
//! reason, in `tests/data/contact_finance_disagreements.tsv`; a listed row that now agrees is reported
//! so the list can shrink. The test is skipped (with a message) when the shared data is absent.

use std::collections::HashSet;

use warden_scan::{EntityType, Scanner, ScannerConfig};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/eval/pii/presidio_recognizer_vectors.jsonl"
);
const DISAGREEMENTS: &str = include_str!("data/contact_finance_disagreements.tsv");

/// The types this suite owns.
const OURS: &[&str] = &[
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "PH_MOBILE_NUMBER",
    "TR_PHONE_NUMBER",
    "URL",
    "DOMAIN_NAME",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_BANK_NUMBER",
    "ABA_ROUTING_NUMBER",
    "SWIFT_CODE",
    "CRYPTO",
];

fn listed() -> HashSet<(String, String)> {
    DISAGREEMENTS
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let recognizer = cols.next()?.to_owned();
            let text = cols.next()?.replace("\\t", "\t").replace("\\n", "\n");
            let reason = cols.next()?;
            assert!(
                !reason.trim().is_empty(),
                "disagreement without a reason: {l}"
            );
            Some((recognizer, text))
        })
        .collect()
}

#[test]
fn presidio_vectors_agree_or_are_listed() {
    // A git worktree outside the repository's usual place can point at the data with WARDEN_SHARED.
    let path = std::env::var("WARDEN_SHARED")
        .map(|dir| format!("{dir}/eval/pii/presidio_recognizer_vectors.jsonl"))
        .unwrap_or_else(|_| VECTORS.to_owned());
    let Ok(data) = std::fs::read_to_string(&path) else {
        println!("skipped: {path} not found");
        return;
    };
    let listed = listed();
    let mut used = HashSet::new();
    let (mut checked, mut failures, mut agreeing_listed) = (0, Vec::new(), Vec::new());
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).expect("vector row is JSON");
        if row["kind"] != "analyze" {
            continue;
        }
        let requested: Vec<&str> = row["entities_requested"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if requested.is_empty() || !requested.iter().all(|e| OURS.contains(e)) {
            continue;
        }
        checked += 1;
        let text = row["text"].as_str().unwrap_or("");
        let recognizer = row["recognizer"].as_str().unwrap_or("").to_owned();
        let entities: Vec<EntityType> = requested
            .iter()
            .map(|e| EntityType::parse(e).expect("known type"))
            .collect();
        let scanner = Scanner::new(&ScannerConfig {
            entities,
            min_score: 0.0,
            ..ScannerConfig::default()
        })
        .expect("scanner builds");
        let findings = scanner.scan(text);
        let mut problems = Vec::new();
        let expected_count = row["expected_count"].as_u64().unwrap_or(0) as usize;
        if findings.len() != expected_count {
            problems.push(format!(
                "count {} != expected {expected_count}",
                findings.len()
            ));
        }
        for span in row["expected"].as_array().into_iter().flatten() {
            let (ty, start, end) = (
                span["type"].as_str().unwrap_or(""),
                span["start"].as_u64().unwrap_or(0) as usize,
                span["end"].as_u64().unwrap_or(0) as usize,
            );
            let found = findings
                .iter()
                .any(|f| f.entity_type.as_str() == ty && f.start == start && f.end == end);
            if !found {
                problems.push(format!("missing {ty} {start}..{end}"));
            }
        }
        let key = (recognizer.clone(), text.to_owned());
        let is_listed = listed.contains(&key);
        if is_listed {
            used.insert(key);
        }
        match (problems.is_empty(), is_listed) {
            (true, true) => agreeing_listed.push(format!("{recognizer}\t{text:?}")),
            (false, false) => {
                let got: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{} {}..{} {:.2}", f.entity_type, f.start, f.end, f.score))
                    .collect();
                failures.push(format!(
                    "{recognizer}\t{text:?}: {} (got {got:?})",
                    problems.join("; ")
                ));
            }
            _ => {}
        }
    }
    println!(
        "checked {checked} rows; {} listed disagreements",
        used.len()
    );
    for row in &agreeing_listed {
        println!("listed but agrees (another row with the same text may differ): {row}");
    }
    let unused: Vec<_> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "listed rows not in the vectors: {unused:?}"
    );
    assert!(checked > 500, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} disagreements not listed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
