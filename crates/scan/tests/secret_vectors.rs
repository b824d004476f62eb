//! The secret detectors against the labelled detect-secrets and gitleaks vectors (targets: recall
//! ≥ 0.98 on the true positives and false positives ≤ 5 % of the negatives of each file), and
//! against ordinary prose, which should yield no secrets. Skipped, with a message, when the shared
//! evaluation data is absent.

// A test crate: helpers outside `#[test]` functions may print and fail loudly too.
#![allow(clippy::expect_used, clippy::print_stderr)]

use std::path::Path;

use warden_scan::{EntityType, Scanner, ScannerConfig};

#[path = "../../cli/src/eval/secret_labels.rs"]
#[allow(dead_code)]
mod secret_labels;

use secret_labels::{Row, Tally, judge};

const EVAL: &str = "/work/shared/eval";

fn rows(file: &str) -> Option<Vec<Row>> {
    let path = Path::new(EVAL).join("secrets").join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return None;
    };
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("valid JSON line"))
            .filter_map(|v| Row::parse(&v))
            .collect(),
    )
}

fn score(file: &str) -> Option<Tally> {
    let rows = rows(file)?;
    let scanner = Scanner::default();
    let mut tally = Tally::default();
    for row in rows.iter().filter(|r| r.excluded().is_none()) {
        let findings = scanner.scan(&row.text);
        tally.add(row, &judge(row, &findings));
    }
    eprintln!(
        "{file}: recall {:.4} ({}/{}), false positives {:.4} ({}/{})",
        tally.recall(),
        tally.found,
        tally.positives,
        tally.fp_rate(),
        tally.false_positives,
        tally.negatives
    );
    Some(tally)
}

#[test]
fn detect_secrets_vectors_meet_the_targets() {
    let Some(tally) = score("detect_secrets_vectors.jsonl") else {
        return;
    };
    assert!(tally.positives >= 400, "rows went missing");
    assert!(tally.recall() >= 0.98, "recall {:.4}", tally.recall());
    assert!(
        tally.fp_rate() <= 0.05,
        "false positives {:.4}",
        tally.fp_rate()
    );
}

#[test]
fn gitleaks_vectors_meet_the_targets() {
    let Some(tally) = score("gitleaks_vectors.jsonl") else {
        return;
    };
    assert!(tally.positives >= 270, "rows went missing");
    assert!(tally.recall() >= 0.98, "recall {:.4}", tally.recall());
    assert!(
        tally.fp_rate() <= 0.05,
        "false positives {:.4}",
        tally.fp_rate()
    );
}

/// Texts of every JSON-lines file under `dir` (their `text` field).
fn texts(dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(Path::new(EVAL).join(dir)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v.get("text").and_then(|t| t.as_str())
            {
                out.push(t.to_owned());
            }
        }
    }
    out
}

fn secrets_only() -> Scanner {
    Scanner::new(&ScannerConfig {
        entities: vec![EntityType::Secret],
        ner: false,
        ..ScannerConfig::default()
    })
    .expect("valid config")
}

/// PII test texts, chat-like benchmark texts and prompt-injection data hold no credentials (a
/// handful of their texts talk about passwords): the secret detectors should stay quiet.
#[test]
fn prose_yields_almost_no_secrets() {
    let scanner = secrets_only();
    let mut total = 0usize;
    let mut flagged = Vec::new();
    for dir in ["pii", "bench", "injection"] {
        for text in texts(dir) {
            total += 1;
            for f in scanner.scan(&text) {
                flagged.push(format!("{:?} {:?}", f.subtype, f.value(&text)));
            }
        }
    }
    if total == 0 {
        eprintln!("skipped: no prose under {EVAL}");
        return;
    }
    eprintln!("prose: {} findings in {total} texts", flagged.len());
    for f in &flagged {
        eprintln!("  {f}");
    }
    assert!(
        flagged.len() * 1000 <= total,
        "more than one finding per thousand prose texts"
    );
}

/// Speed of the secret detectors on chat-sized texts, printed, not asserted (wall-clock timings
/// vary with the machine). The best of several rounds is kept, which filters out other load. Run
/// `cargo test --release -p warden-scan --test secret_vectors -- --nocapture speed`.
#[test]
fn speed_on_short_texts() {
    let texts = texts("bench");
    if texts.is_empty() {
        eprintln!("skipped: no {EVAL}/bench texts");
        return;
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let secrets = secrets_only();
    let baseline = Scanner::new(&ScannerConfig {
        entities: vec![EntityType::EmailAddress],
        ner: false,
        ..ScannerConfig::default()
    })
    .expect("valid config");
    let time = |scanner: &Scanner| {
        let start = std::time::Instant::now();
        let mut n = 0usize;
        for t in &texts {
            n += scanner.scan(t).len();
        }
        std::hint::black_box(n);
        start.elapsed().as_secs_f64()
    };
    let rounds = if cfg!(debug_assertions) {
        1
    } else {
        std::env::var("ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(30)
    };
    let (mut best_secrets, mut best_baseline) = (f64::MAX, f64::MAX);
    for _ in 0..rounds {
        best_secrets = best_secrets.min(time(&secrets));
        best_baseline = best_baseline.min(time(&baseline));
    }
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "speed over {} texts ({:.1} kB{}): secrets-only scanner {:.0} MB/s, baseline (normalise + lex + e-mail) {:.0} MB/s, secret detectors alone {:.0} MB/s",
        texts.len(),
        bytes as f64 / 1e3,
        if cfg!(debug_assertions) {
            ", debug build: not meaningful"
        } else {
            ""
        },
        mb / best_secrets,
        mb / best_baseline,
        mb / (best_secrets - best_baseline).max(1e-9),
    );
}
