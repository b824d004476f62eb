//! `warden eval`: scores the engine against labelled data (the files under `../shared/eval`).

mod injection;
mod pii;
pub(crate) mod secret_labels;
mod secrets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

/// Which labelled set to score.
#[derive(Debug, Subcommand)]
pub(crate) enum EvalCommand {
    /// PII spans (`{"id","text","spans":[{"start","end","type"}]}`): per-type precision, recall, F1 and
    /// type-agnostic figures, scored like `score_pii.py` (overlap match, GPE = LOCATION).
    Pii(pii::PiiArgs),
    /// Secret test vectors (detect-secrets `should_flag` rows or gitleaks `kind`/`rule_id` rows):
    /// recall on true positives, false-positive rate on negatives, per plugin / rule with
    /// `--verbose`, every flagged negative with `--list-flagged-negatives`.
    Secrets(secrets::SecretsArgs),
    /// Prompt-injection sets (`{"id","text","label": 1|0}` rows): recall on attacks and
    /// false-positive rate on benign rows per file, on the documented train/test split.
    Injection(injection::InjectionArgs),
}

pub(crate) fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Pii(args) => pii::run(&args),
        EvalCommand::Secrets(args) => secrets::run(&args),
        EvalCommand::Injection(args) => injection::run(&args),
    }
}

/// Reads a JSON-lines file into values, naming the file and line on error.
pub(crate) fn read_jsonl(path: &PathBuf) -> anyhow::Result<Vec<serde_json::Value>> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: invalid JSON", path.display(), n + 1))
        })
        .collect()
}
