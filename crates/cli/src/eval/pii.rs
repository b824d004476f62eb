//! Scoring of PII findings against labelled spans, the same way as `../shared/eval/score_pii.py`.
//!
//! A gold span is found when a prediction of the same type family overlaps it; a prediction is right
//! when it overlaps a gold span of its family. "any" ignores types. Families: GPE = LOC = LOCATION,
//! ORG = ORGANIZATION, DATE = TIME = DATE_TIME; for the older presidio-research files ADDRESS =
//! STREET_ADDRESS and PREFIX = TITLE.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use warden_scan::{EntityType, Scanner, ScannerConfig};

use super::read_jsonl;

/// Arguments of `warden eval pii`.
#[derive(Debug, clap::Args)]
pub(crate) struct PiiArgs {
    /// Labelled file (JSON lines with `text` and `spans`).
    gold: PathBuf,
    /// Score these predictions (`{"id","findings":[…]}` per line, e.g. Presidio's) instead of Warden's.
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Write Warden's predictions here (JSON lines, the format `score_pii.py` reads).
    #[arg(long)]
    write_predictions: Option<PathBuf>,
    /// Which rows: all, or the template split used while tuning (`dev`) or never looked at (`holdout`).
    #[arg(long, default_value = "all")]
    split: Split,
    /// Findings scoring below this are ignored.
    #[arg(long)]
    min_score: Option<f32>,
    /// Print up to N missed and N spurious spans (only with `--split dev`).
    #[arg(long, default_value_t = 0)]
    errors: usize,
    /// Print the scores as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Rows are split by sentence template: a template's texts are all in `dev` or all in `holdout`, so
/// tuning on `dev` cannot leak a sentence shape into `holdout`. The template is recovered from the row
/// itself (the text with every labelled span replaced by its type family, lower-cased), not from a
/// `template_id` field, because the presidio files share templates under different ids: the same
/// sentence shape lands in the same split in every file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Split {
    All,
    Dev,
    Holdout,
}

impl Split {
    fn contains(self, text: &str, gold: &[Span]) -> bool {
        match self {
            Split::All => true,
            Split::Holdout => template_hash(text, gold) % 3 == 2,
            Split::Dev => template_hash(text, gold) % 3 != 2,
        }
    }
}

/// FNV-1a of the masked, lower-cased text.
fn template_hash(text: &str, gold: &[Span]) -> u64 {
    let mut spans: Vec<&Span> = gold.iter().collect();
    spans.sort_by_key(|s| s.start);
    let mut masked = String::with_capacity(text.len());
    let mut at = 0u64;
    for (i, ch) in text.chars().enumerate() {
        let i = i as u64;
        if let Some(span) = spans.iter().find(|s| s.start == i) {
            masked.push('{');
            masked.push_str(&span.family);
            masked.push('}');
            at = span.end;
        }
        if i >= at {
            masked.extend(ch.to_lowercase());
        }
    }
    masked.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn family(t: &str) -> &str {
    match t {
        "GPE" | "LOC" | "LOCATION" => "LOCATION",
        "ORG" => "ORGANIZATION",
        "DATE" | "TIME" => "DATE_TIME",
        "ADDRESS" => "STREET_ADDRESS",
        "PREFIX" => "TITLE",
        other => other,
    }
}

#[derive(Clone, Debug)]
struct Span {
    start: u64,
    end: u64,
    family: String,
}

fn overlap(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

#[derive(Default)]
struct Counts {
    gold: u64,
    gold_found: u64,
    pred: u64,
    pred_right: u64,
}

pub(crate) fn run(args: &PiiArgs) -> anyhow::Result<ExitCode> {
    if args.errors > 0 && args.split != Split::Dev {
        bail!("--errors is only allowed with --split dev (the holdout split stays unseen)");
    }
    let rows = read_jsonl(&args.gold)?;
    let external = match &args.predictions {
        Some(path) => {
            let mut by_id = BTreeMap::new();
            for row in read_jsonl(path)? {
                let id = row.get("id").cloned().unwrap_or_default().to_string();
                by_id.insert(id, row);
            }
            Some(by_id)
        }
        None => None,
    };
    let scanner = match args.min_score {
        Some(min_score) => Scanner::new(&ScannerConfig {
            min_score,
            ..ScannerConfig::default()
        })?,
        None => Scanner::default(),
    };
    let mut writer = match &args.write_predictions {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let mut per_type: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut any_total, mut any_found, mut any_pred, mut any_right) = (0u64, 0u64, 0u64, 0u64);
    let (mut n_rows, mut missing) = (0usize, 0usize);
    let mut shown_missed = 0;
    let mut shown_spurious = 0;
    let mut out = std::io::stdout().lock();
    for row in &rows {
        let id = row.get("id").cloned().unwrap_or_default().to_string();
        let text = row
            .get("text")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let gold: Vec<Span> = row
            .get("spans")
            .and_then(serde_json::Value::as_array)
            .map(|spans| {
                spans
                    .iter()
                    .map(|s| Span {
                        start: s["start"].as_u64().unwrap_or(0),
                        end: s["end"].as_u64().unwrap_or(0),
                        family: family(s["type"].as_str().unwrap_or("")).to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !args.split.contains(text, &gold) {
            continue;
        }
        n_rows += 1;
        let min_score = args.min_score.unwrap_or(0.0);
        let preds: Vec<Span> = match &external {
            Some(by_id) => match by_id.get(&id) {
                None => {
                    missing += 1;
                    Vec::new()
                }
                Some(p) => p
                    .get("findings")
                    .and_then(serde_json::Value::as_array)
                    .map(|fs| {
                        fs.iter()
                            .filter(|f| {
                                f.get("score")
                                    .and_then(serde_json::Value::as_f64)
                                    .unwrap_or(1.0)
                                    >= f64::from(min_score)
                            })
                            .map(|f| Span {
                                start: f["start"].as_u64().unwrap_or(0),
                                end: f["end"].as_u64().unwrap_or(0),
                                family: family(
                                    f.get("entity_type")
                                        .or_else(|| f.get("type"))
                                        .and_then(|t| t.as_str())
                                        .unwrap_or(""),
                                )
                                .to_owned(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            None => {
                let findings = scanner.scan(text);
                if let Some(w) = writer.as_mut() {
                    let line = serde_json::json!({"id": row.get("id"), "findings": findings});
                    writeln!(w, "{line}")?;
                }
                findings
                    .iter()
                    .map(|f| Span {
                        start: f.start as u64,
                        end: f.end as u64,
                        family: family(f.entity_type.as_str()).to_owned(),
                    })
                    .collect()
            }
        };
        for g in &gold {
            let counts = per_type.entry(g.family.clone()).or_default();
            counts.gold += 1;
            any_total += 1;
            if preds.iter().any(|p| p.family == g.family && overlap(g, p)) {
                counts.gold_found += 1;
            } else if shown_missed < args.errors {
                shown_missed += 1;
                let got: Vec<String> = preds
                    .iter()
                    .filter(|p| overlap(g, p))
                    .map(|p| p.family.clone())
                    .collect();
                writeln!(
                    out,
                    "MISSED  {:<16} {:?} (got {:?}) in {:?}",
                    g.family,
                    slice(text, g),
                    got,
                    text
                )?;
            }
            if preds.iter().any(|p| overlap(g, p)) {
                any_found += 1;
            }
        }
        for p in &preds {
            let counts = per_type.entry(p.family.clone()).or_default();
            counts.pred += 1;
            any_pred += 1;
            if gold.iter().any(|g| g.family == p.family && overlap(g, p)) {
                counts.pred_right += 1;
            } else if shown_spurious < args.errors {
                shown_spurious += 1;
                let want: Vec<String> = gold
                    .iter()
                    .filter(|g| overlap(g, p))
                    .map(|g| g.family.clone())
                    .collect();
                writeln!(
                    out,
                    "SPURIOUS {:<15} {:?} (gold {:?}) in {:?}",
                    p.family,
                    slice(text, p),
                    want,
                    text
                )?;
            }
            if gold.iter().any(|g| overlap(g, p)) {
                any_right += 1;
            }
        }
    }
    if let Some(w) = writer.as_mut() {
        w.flush()?;
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let f1 = |p: f64, r: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    let (tp_g, n_g, tp_p, n_p) = per_type.values().fold((0, 0, 0, 0), |acc, c| {
        (
            acc.0 + c.gold_found,
            acc.1 + c.gold,
            acc.2 + c.pred_right,
            acc.3 + c.pred,
        )
    });
    let micro_p = ratio(tp_p, n_p.max(1));
    let micro_r = ratio(tp_g, n_g.max(1));
    let any_r = ratio(any_found, any_total.max(1));
    let any_p = ratio(any_right, any_pred.max(1));
    if args.json {
        let types: serde_json::Map<String, serde_json::Value> = per_type
            .iter()
            .map(|(t, c)| {
                let (p, r) = (ratio(c.pred_right, c.pred), ratio(c.gold_found, c.gold));
                (t.clone(), serde_json::json!({"gold": c.gold, "pred": c.pred, "precision": p, "recall": r, "f1": f1(p, r)}))
            })
            .collect();
        let summary = serde_json::json!({
            "rows": n_rows, "types": types, "micro_f1_typed": f1(micro_p, micro_r), "micro_p": micro_p,
            "micro_r": micro_r, "any_recall": any_r, "any_precision": any_p,
        });
        writeln!(out, "{summary}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<22}{:>6}{:>6}{:>7}{:>7}{:>7}",
        "type", "gold", "pred", "P", "R", "F1"
    )?;
    for (t, c) in &per_type {
        let (p, r) = (ratio(c.pred_right, c.pred), ratio(c.gold_found, c.gold));
        writeln!(
            out,
            "{t:<22}{:>6}{:>6}{p:>7.3}{r:>7.3}{:>7.3}",
            c.gold,
            c.pred,
            f1(p, r)
        )?;
    }
    if missing > 0 {
        writeln!(out, "missing predictions for {missing} of {n_rows} rows")?;
    }
    writeln!(
        out,
        "rows={n_rows} micro_f1_typed={:.3} micro_p={micro_p:.3} micro_r={micro_r:.3} any_recall={any_r:.3} any_precision={any_p:.3}",
        f1(micro_p, micro_r)
    )?;
    let _ = EntityType::BUILTIN;
    Ok(ExitCode::SUCCESS)
}

fn slice(text: &str, span: &Span) -> String {
    text.chars()
        .skip(span.start as usize)
        .take((span.end - span.start) as usize)
        .collect()
}
