//! The options that build a scanner, shared by `scan` and `redact`: `--config`, `--entities`,
//! `--min-score`.
//!
//! `--config` reads a `warden.toml` (SPEC §13) and takes its `[scan]` table as the engine's
//! `ScannerConfig` (entities, min_score, allow and deny lists, custom detectors, ner). The gateway's
//! per-direction actions (`[scan.input]`, `[scan.output]`) do not change what is found and are
//! ignored here; so are the other sections, whose names are still checked to catch typos.
//! `--entities` and `--min-score` override the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use warden_scan::{EntityType, Scanner, ScannerConfig};

/// The top-level sections of `warden.toml` (SPEC §13).
const SECTIONS: &[&str] = &[
    "server",
    "upstreams",
    "store",
    "crypto",
    "scan",
    "stream",
    "policy",
    "limits",
    "retention",
    "alerts",
    "audit",
];

/// Keys of `[scan]` that belong to the gateway, not to the scanner.
const GATEWAY_SCAN_KEYS: &[&str] = &["input", "output"];

/// What to look for.
#[derive(Debug, clap::Args)]
pub(crate) struct ScannerOptions {
    /// Configuration file (`warden.toml`); its `[scan]` table sets entities, threshold, allow and
    /// deny lists and custom detectors.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only these entity types (comma-separated, e.g. `EMAIL_ADDRESS,US_SSN,SECRET`).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    entities: Option<Vec<String>>,
    /// Drop findings scoring below this (0 to 1; default 0.4 or the configuration's).
    #[arg(long, value_name = "X", value_parser = parse_score)]
    min_score: Option<f32>,
    /// How `PROMPT_INJECTION` reads the input: `prompt` (requests to a model; default) or
    /// `document` (data a model reads: retrieved pages, e-mails, tool results), where even a short
    /// instruction is suspect.
    #[arg(long, value_name = "KIND", default_value = "prompt")]
    injection_context: warden_scan::InjectionContext,
}

impl ScannerOptions {
    /// The scanner these options describe.
    pub(crate) fn scanner(&self) -> anyhow::Result<Arc<Scanner>> {
        let mut config = match &self.config {
            Some(path) => read_config(path)?,
            None => ScannerConfig::default(),
        };
        if let Some(names) = &self.entities {
            config.entities = entity_list(names, &config)?;
        }
        if let Some(min_score) = self.min_score {
            config.min_score = min_score;
        }
        let scanner = Scanner::new(&config)
            .context("building the scanner")?
            .with_injection_context(self.injection_context);
        Ok(Arc::new(scanner))
    }
}

/// `--min-score`: a number in [0, 1].
fn parse_score(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(score) if (0.0..=1.0).contains(&score) => Ok(score),
        _ => Err(format!("`{text}` is not a number between 0 and 1")),
    }
}

/// The entity types named by `--entities`: built-in names (any case, `GPE` for `LOCATION`) and the
/// custom types the configuration defines.
fn entity_list(names: &[String], config: &ScannerConfig) -> anyhow::Result<Vec<EntityType>> {
    let custom: Vec<&EntityType> = config
        .detectors
        .iter()
        .map(|detector| &detector.entity)
        .chain(config.deny.iter().map(|list| &list.entity))
        .collect();
    let mut entities = Vec::new();
    for name in names.iter().map(|name| name.trim()) {
        if name.is_empty() {
            continue;
        }
        let upper = name.to_ascii_uppercase();
        let entity = EntityType::builtin(&upper).or_else(|| {
            custom
                .iter()
                .find(|e| e.as_str() == upper)
                .cloned()
                .cloned()
        });
        let Some(entity) = entity else {
            bail!(
                "unknown entity type `{name}` in --entities (expected a built-in type such as \
                 EMAIL_ADDRESS, PERSON, CREDIT_CARD, US_SSN or SECRET, or a type defined in --config)"
            );
        };
        if !entities.contains(&entity) {
            entities.push(entity);
        }
    }
    if entities.is_empty() {
        bail!("--entities names no entity type");
    }
    Ok(entities)
}

/// The `[scan]` table of a `warden.toml` as a scanner configuration.
fn read_config(path: &Path) -> anyhow::Result<ScannerConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration {}", path.display()))?;
    parse_config(&text).with_context(|| format!("configuration {}", path.display()))
}

fn parse_config(text: &str) -> anyhow::Result<ScannerConfig> {
    let mut document: toml::Table = toml::from_str(text)?;
    if let Some(unknown) = document
        .keys()
        .find(|key| !SECTIONS.contains(&key.as_str()))
    {
        bail!(
            "unknown section `{unknown}` (known: {})",
            SECTIONS.join(", ")
        );
    }
    let Some(scan) = document.remove("scan") else {
        return Ok(ScannerConfig::default());
    };
    let toml::Value::Table(mut scan) = scan else {
        bail!("`scan` must be a table");
    };
    for key in GATEWAY_SCAN_KEYS {
        scan.remove(*key);
    }
    let config: ScannerConfig = toml::Value::Table(scan)
        .try_into()
        .context("in section `scan`")?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_takes_the_scan_table() {
        let config = parse_config(
            r#"
            [server]
            listen = "127.0.0.1:8080"

            [scan]
            entities = ["EMAIL_ADDRESS", "EMPLOYEE_ID"]
            min_score = 0.7
            allow = ["ops@example.com"]

            [[scan.detectors]]
            name = "employee"
            entity = "EMPLOYEE_ID"
            pattern = "EMP-[0-9]{6}"

            [scan.input]
            PERSON = "pseudonymize"
            "#,
        )
        .unwrap();
        assert_eq!(config.min_score, 0.7);
        assert_eq!(config.allow, ["ops@example.com"]);
        assert_eq!(config.detectors[0].entity.as_str(), "EMPLOYEE_ID");
        let names = ["email_address".to_owned(), " EMPLOYEE_ID".to_owned()];
        let entities = entity_list(&names, &config).unwrap();
        assert_eq!(entities[0], EntityType::EmailAddress);
        assert_eq!(entities[1].as_str(), "EMPLOYEE_ID");
    }

    #[test]
    fn config_errors_name_the_key() {
        let error = parse_config("[scna]\nmin_score = 1\n").unwrap_err();
        assert!(format!("{error:#}").contains("unknown section `scna`"));
        let error = parse_config("[scan]\nmin_scor = 0.5\n").unwrap_err();
        assert!(format!("{error:#}").contains("min_scor"), "{error:#}");
        assert_eq!(parse_config("").unwrap(), ScannerConfig::default());
    }

    #[test]
    fn unknown_entities_are_named() {
        let names = ["EMAIL_ADDRESS".to_owned(), "EMPLOYEE_ID".to_owned()];
        let error = entity_list(&names, &ScannerConfig::default()).unwrap_err();
        assert!(error.to_string().contains("`EMPLOYEE_ID`"));
        assert!(entity_list(&[" ".to_owned()], &ScannerConfig::default()).is_err());
    }

    #[test]
    fn scores_must_lie_in_zero_to_one() {
        assert_eq!(parse_score("0.5"), Ok(0.5));
        assert_eq!(parse_score("1"), Ok(1.0));
        for bad in ["-0.1", "1.5", "NaN", "inf", "high", ""] {
            assert!(parse_score(bad).is_err(), "{bad}");
        }
    }
}
