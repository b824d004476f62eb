//! `warden eval secrets FILE`: recall and false-positive rate of the secret detectors on the
//! detect-secrets or gitleaks test vectors (the format is told by the rows' fields). How rows are
//! judged, and how gitleaks rules map to Warden subtypes, is in [`super::secret_labels`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use warden_scan::Scanner;

use super::read_jsonl;
use super::secret_labels::{Row, Tally, judge};

/// Arguments of `warden eval secrets`.
#[derive(Debug, clap::Args)]
pub(crate) struct SecretsArgs {
    /// detect-secrets or gitleaks vectors (JSON lines).
    file: PathBuf,
    /// Break the figures down per detect-secrets plugin / gitleaks rule.
    #[arg(long)]
    verbose: bool,
    /// Print every negative row that is flagged, with its text and the subtypes found.
    #[arg(long)]
    list_flagged_negatives: bool,
    /// Print every positive row that is missed.
    #[arg(long)]
    list_missed: bool,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &SecretsArgs) -> anyhow::Result<ExitCode> {
    let values = read_jsonl(&args.file)?;
    let rows: Vec<Row> = values.iter().filter_map(Row::parse).collect();
    if rows.is_empty() {
        bail!(
            "{}: no detect-secrets (`should_flag`) or gitleaks (`kind`, `rule_id`) rows",
            args.file.display()
        );
    }
    let source = rows[0].source;
    let scanner = Scanner::default();
    let mut total = Tally::default();
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut excluded: BTreeMap<String, (usize, &'static str)> = BTreeMap::new();
    let mut out = std::io::stdout().lock();
    for row in &rows {
        if let Some(reason) = row.excluded() {
            excluded.entry(row.group.clone()).or_insert((0, reason)).0 += 1;
            continue;
        }
        let findings = scanner.scan(&row.text);
        let verdict = judge(row, &findings);
        total.add(row, &verdict);
        groups
            .entry(row.group.clone())
            .or_default()
            .add(row, &verdict);
        if args.list_flagged_negatives && !row.positive && (verdict.flagged || verdict.other_kind) {
            let label = if verdict.flagged { "FP" } else { "OTHER-KIND" };
            writeln!(
                out,
                "{label}\t{}\t{}\t{:?}",
                row.group,
                verdict.subtypes.join(","),
                shorten(&row.text)
            )?;
        }
        if args.list_missed && row.positive && !verdict.flagged {
            writeln!(out, "MISSED\t{}\t{:?}", row.group, shorten(&row.text))?;
        }
    }
    if args.json {
        let group_json: serde_json::Map<String, serde_json::Value> = groups
            .iter()
            .map(|(g, t)| (g.clone(), tally_json(t)))
            .collect();
        let summary = serde_json::json!({
            "file": args.file.display().to_string(),
            "source": source.name(),
            "total": tally_json(&total),
            "groups": group_json,
            "excluded": excluded.iter().map(|(g, (n, why))| serde_json::json!({"group": g, "rows": n, "reason": why})).collect::<Vec<_>>(),
        });
        writeln!(out, "{summary}")?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.verbose {
        writeln!(
            out,
            "{:<46}{:>5}{:>6}{:>7}{:>6}{:>5}{:>6}",
            "plugin / rule", "pos", "found", "typed", "neg", "fp", "other"
        )?;
        for (group, t) in &groups {
            writeln!(
                out,
                "{group:<46}{:>5}{:>6}{:>7}{:>6}{:>5}{:>6}",
                t.positives, t.found, t.found_typed, t.negatives, t.false_positives, t.other_kind
            )?;
        }
    }
    for (group, (n, why)) in &excluded {
        writeln!(out, "excluded: {n} rows of {group} ({why})")?;
    }
    writeln!(
        out,
        "{} ({}): positives {} found {} recall {:.4} (typed {:.4}); negatives {} false positives {} rate {:.4} (flagged as another kind: {})",
        args.file.display(),
        source.name(),
        total.positives,
        total.found,
        total.recall(),
        total.typed_recall(),
        total.negatives,
        total.false_positives,
        total.fp_rate(),
        total.other_kind,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn tally_json(t: &Tally) -> serde_json::Value {
    serde_json::json!({
        "positives": t.positives, "found": t.found, "recall": t.recall(),
        "found_typed": t.found_typed, "typed_recall": t.typed_recall(),
        "negatives": t.negatives, "false_positives": t.false_positives, "fp_rate": t.fp_rate(),
        "other_kind": t.other_kind,
    })
}

/// Long rows (PEM blocks, JWT dumps) are cut for the listing.
fn shorten(text: &str) -> String {
    const MAX: usize = 240;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX).collect();
    s.push('…');
    s
}
