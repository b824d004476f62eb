//! Scanner configuration: which types to report, the score threshold, allow- and deny-lists, and
//! custom detectors. Deserialised from the `[scan]` section of `warden.toml` or built in code.

use serde::Deserialize;

use crate::entity::EntityType;

/// How a scanner is built. `Default` reports every built-in type at the default threshold.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// Types to report; empty means every built-in and configured type.
    pub entities: Vec<EntityType>,
    /// Findings scoring below this are dropped.
    pub min_score: f32,
    /// Values never reported, compared case-insensitively with the whole finding.
    pub allow: Vec<String>,
    /// Regexes; a finding whose whole value matches one is never reported.
    pub allow_patterns: Vec<String>,
    /// Values always reported.
    pub deny: Vec<DenyList>,
    /// Detectors defined in configuration.
    pub detectors: Vec<CustomDetector>,
    /// Run the natural-language tagger (names, places, organisations …). On by default.
    pub ner: bool,
    /// Confidence at or above which a segment is reported as `PROMPT_INJECTION`
    /// ([`DEFAULT_INJECTION_THRESHOLD`] by default); between 0 and 1.
    pub injection_threshold: f32,
}

/// The default score threshold: low-confidence pattern matches (a bare 5-digit number as a German
/// postcode, any 8–17 digits as a bank account) need context words to pass it.
pub const DEFAULT_MIN_SCORE: f32 = 0.4;

/// The default `PROMPT_INJECTION` threshold (how it was chosen: docs/ACCURACY.md, injection);
/// change it with [`ScannerConfig::injection_threshold`] or
/// [`Scanner::with_injection_threshold`](crate::Scanner::with_injection_threshold).
pub const DEFAULT_INJECTION_THRESHOLD: f32 = 0.6;

impl Default for ScannerConfig {
    fn default() -> ScannerConfig {
        ScannerConfig {
            entities: Vec::new(),
            min_score: DEFAULT_MIN_SCORE,
            allow: Vec::new(),
            allow_patterns: Vec::new(),
            deny: Vec::new(),
            detectors: Vec::new(),
            ner: true,
            injection_threshold: DEFAULT_INJECTION_THRESHOLD,
        }
    }
}

/// Values that are always reported as `entity`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DenyList {
    /// The type the values are reported as (built-in or custom, e.g. `PROJECT_CODENAME`).
    pub entity: EntityType,
    /// Exact values, matched case-insensitively on word boundaries.
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Score of the findings.
    #[serde(default = "one")]
    pub score: f32,
}

/// A detector from configuration: a regex, an optional checksum, context words and a score.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomDetector {
    /// Name reported as the finding's `detector`.
    pub name: String,
    /// Type of the findings.
    pub entity: EntityType,
    /// The pattern (Rust regex syntax; matching is linear-time).
    pub pattern: String,
    /// A built-in validator the match must pass (`luhn`, `mod97`, `verhoeff`, …); see `validators()`.
    #[serde(default)]
    pub validator: Option<String>,
    /// Words that raise the score when near the match.
    #[serde(default)]
    pub context: Vec<String>,
    /// Score without context.
    #[serde(default = "half")]
    pub score: f32,
    /// Score with context (default: the score raised by 0.35, at least 0.4).
    #[serde(default)]
    pub context_score: Option<f32>,
}

fn one() -> f32 {
    1.0
}

fn half() -> f32 {
    0.5
}
