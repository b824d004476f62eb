//! `warden eval injection DIR_OR_FILE…`: recall on attacks and false-positive rate on benign texts
//! of the `PROMPT_INJECTION` detector, per source file, on the documented train/test split
//! ([`warden_scan::injection_split`]). A row counts as flagged when the scanner reports at least one
//! `PROMPT_INJECTION` finding in it, exactly as the gateway would see it.
//!
//! Each row is read in the context the gateway would read it in ([`warden_scan::InjectionContext`]):
//! with `--context auto` (default), rows labelled as document content (`label_name`
//! `indirect_injection_payload` or `benign_context`: BIPIA's payloads and e-mails, text a model
//! reads as data) as documents, every other row as a prompt.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use warden_scan::{EntityType, InjectionContext, Scanner, ScannerConfig};

use super::read_jsonl;

/// Arguments of `warden eval injection`.
#[derive(Debug, clap::Args)]
pub(crate) struct InjectionArgs {
    /// Labelled files (`{"id","text","label": 1|0, "split"?}` JSON lines), or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Which rows to score: the held-out `test` split (default), `train`, or `all`.
    #[arg(long, default_value = "test", value_parser = ["test", "train", "all"])]
    split: String,
    /// Confidence at or above which a text is flagged (default: the engine's default threshold).
    #[arg(long)]
    threshold: Option<f32>,
    /// How rows are read: `auto` (documents where the row's `label_name` says it is document
    /// content, prompts otherwise), `prompt` or `document` for every row.
    #[arg(long, default_value = "auto", value_parser = ["auto", "prompt", "document"])]
    context: String,
    /// Treat every row as benign (for sets without injection labels, such as the PII files).
    #[arg(long)]
    benign: bool,
    /// Print every missed attack and every flagged benign row (truncated text).
    #[arg(long)]
    list_errors: bool,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Default)]
struct Tally {
    attacks: usize,
    caught: usize,
    benign: usize,
    flagged: usize,
    /// Rows read as documents (the rest as prompts).
    documents: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.attacks += other.attacks;
        self.caught += other.caught;
        self.benign += other.benign;
        self.flagged += other.flagged;
        self.documents += other.documents;
    }

    /// How its rows were read: `prompt`, `document` or `mixed`.
    fn context(&self) -> &'static str {
        match self.documents {
            0 => "prompt",
            n if n == self.attacks + self.benign => "document",
            _ => "mixed",
        }
    }

    fn recall(&self) -> Option<f64> {
        (self.attacks > 0).then(|| self.caught as f64 / self.attacks as f64)
    }

    fn fpr(&self) -> Option<f64> {
        (self.benign > 0).then(|| self.flagged as f64 / self.benign as f64)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "attacks": self.attacks, "caught": self.caught, "recall": self.recall(),
            "benign": self.benign, "flagged": self.flagged, "false_positive_rate": self.fpr(),
            "read_as": self.context(),
        })
    }
}

fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub(crate) fn run(args: &InjectionArgs) -> anyhow::Result<ExitCode> {
    let config = ScannerConfig {
        entities: vec![EntityType::PromptInjection],
        ner: false,
        ..ScannerConfig::default()
    };
    let mut prompts = Scanner::new(&config)?.with_injection_context(InjectionContext::Prompt);
    let mut documents = Scanner::new(&config)?.with_injection_context(InjectionContext::Document);
    if let Some(threshold) = args.threshold {
        prompts = prompts.with_injection_threshold(threshold)?;
        documents = documents.with_injection_threshold(threshold)?;
    }
    let mut out = std::io::stdout().lock();
    let mut per_file: BTreeMap<String, Tally> = BTreeMap::new();
    for path in files(&args.paths)? {
        let name = file_name(&path);
        let mut tally = Tally::default();
        for (n, row) in read_jsonl(&path)?.iter().enumerate() {
            let label = if args.benign {
                Some(0)
            } else {
                row["label"].as_u64()
            };
            if args.benign && row["text"].is_null() {
                // Rows of the PII vectors that test other calls carry no text.
                continue;
            }
            let (Some(text), Some(label)) = (row["text"].as_str(), label) else {
                bail!(
                    "{}:{}: a row needs `text` and `label` (or pass --benign)",
                    path.display(),
                    n + 1
                );
            };
            // The trainer's ids: the row's `id`, or its line number among non-empty lines.
            let id = match row.get("id") {
                Some(id) if !id.is_null() => format!("{name}:{id}"),
                _ => format!("{name}:{n}"),
            };
            let split = warden_scan::injection_split(&id, row["split"].as_str());
            if args.split != "all" && args.split != split {
                continue;
            }
            let document = match args.context.as_str() {
                "document" => true,
                "prompt" => false,
                _ => matches!(
                    row["label_name"].as_str(),
                    Some("indirect_injection_payload" | "benign_context")
                ),
            };
            let scanner = if document { &documents } else { &prompts };
            tally.documents += usize::from(document);
            let findings: Vec<_> = scanner
                .scan(text)
                .into_iter()
                .filter(|f| f.entity_type == EntityType::PromptInjection)
                .collect();
            let flagged = !findings.is_empty();
            let attack = label == 1;
            if attack {
                tally.attacks += 1;
                tally.caught += usize::from(flagged);
            } else {
                tally.benign += 1;
                tally.flagged += usize::from(flagged);
            }
            if args.list_errors && flagged != attack {
                let kind = if attack { "MISSED" } else { "FP" };
                let short: String = text.chars().take(160).collect();
                let why: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{}:{:.2}:{:?}", f.detector, f.score, f.value(text)))
                    .collect();
                writeln!(out, "{kind}\t{name}\t{short:?}\t{}", why.join(" | "))?;
            }
        }
        per_file.insert(name, tally);
    }
    let mut total = Tally::default();
    for tally in per_file.values() {
        total.add(tally);
    }
    if args.json {
        let files: serde_json::Map<String, serde_json::Value> = per_file
            .iter()
            .map(|(name, t)| (name.clone(), t.json()))
            .collect();
        let value = serde_json::json!({
            "split": args.split, "files": files, "total": total.json(),
        });
        writeln!(out, "{value}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let fmt = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"));
    writeln!(out, "split: {}", args.split)?;
    writeln!(
        out,
        "{:<40} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  read as",
        "file", "attacks", "caught", "recall", "benign", "flagged", "FPR"
    )?;
    for (name, t) in per_file
        .iter()
        .chain(std::iter::once((&"total".to_owned(), &total)))
    {
        writeln!(
            out,
            "{:<40} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  {}",
            name,
            t.attacks,
            t.caught,
            fmt(t.recall()),
            t.benign,
            t.flagged,
            fmt(t.fpr()),
            t.context()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
