//! How `warden scan` prints findings: `text` for people, `json` (one document), `jsonl` (one finding
//! per line) and SARIF 2.1.0 for code-scanning tools.
//!
//! No format prints a matched value unless `--show-values` is given: `text` shows the value's shape
//! instead (letters and digits masked, other characters kept, at most [`PREVIEW_CHARS`] characters),
//! the machine formats leave it out.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;
use warden_scan::operator::mask;
use warden_scan::{Category, EntityType, Finding};

use super::position::Span;
use crate::diagnostics::InputError;

/// Longest preview or value printed by the `text` format, in characters.
pub(crate) const PREVIEW_CHARS: usize = 40;

/// The `$schema` written into SARIF logs.
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Output formats of `warden scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// `path:line:col: ENTITY_TYPE score [detector] preview`, one finding per line.
    Text,
    /// One JSON document: `{"findings": [...], "errors": [...], "inputs_scanned": N}`.
    Json,
    /// One JSON object per finding and line.
    Jsonl,
    /// SARIF 2.1.0 (GitHub code scanning and other tools).
    Sarif,
}

/// One finding with everything a report may show.
#[derive(Debug)]
pub(crate) struct Located<'a> {
    pub(crate) input: &'a str,
    pub(crate) finding: &'a Finding,
    pub(crate) span: Span,
    /// The matched text.
    pub(crate) value: &'a str,
}

/// A finding as the JSON formats write it.
#[derive(Debug, Serialize)]
struct Record<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    entity_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subtype: Option<&'a str>,
    score: f32,
    detector: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

/// Writes findings in one format, as they come: even `json` and `sarif`, whose documents are opened
/// by [`Reporter::start`] and closed by [`Reporter::finish`], so memory does not grow with findings.
#[derive(Debug)]
pub(crate) struct Reporter {
    format: Format,
    show_values: bool,
    /// Findings written so far (for the commas of `json` and `sarif`).
    n_written: usize,
    /// SARIF rules seen, by id (as many as distinct types, not findings).
    rules: BTreeMap<String, serde_json::Value>,
}

impl Reporter {
    pub(crate) fn new(format: Format, show_values: bool) -> Reporter {
        Reporter {
            format,
            show_values,
            n_written: 0,
            rules: BTreeMap::new(),
        }
    }

    /// Opens the document of `json` and `sarif`.
    pub(crate) fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Jsonl => Ok(()),
            Format::Json => out.write_all(b"{\n  \"findings\": ["),
            Format::Sarif => write!(
                out,
                "{{\n  \"$schema\": \"{SARIF_SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \
                 \"columnKind\": \"unicodeCodePoints\",\n      \"results\": ["
            ),
        }
    }

    /// Reports one finding.
    pub(crate) fn finding(&mut self, out: &mut dyn Write, located: &Located<'_>) -> io::Result<()> {
        match self.format {
            Format::Text => return self.write_text(out, located),
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &self.record(located))?;
                return out.write_all(b"\n");
            }
            Format::Json => {
                self.separator(out, 4)?;
                serde_json::to_writer(&mut *out, &self.record(located))?;
            }
            Format::Sarif => {
                self.separator(out, 8)?;
                let result = self.sarif_result(located);
                serde_json::to_writer(&mut *out, &result)?;
            }
        }
        self.n_written += 1;
        Ok(())
    }

    /// Closes the document of `json` and `sarif`.
    pub(crate) fn finish(
        &mut self,
        out: &mut dyn Write,
        inputs_scanned: usize,
        errors: &[InputError],
    ) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Jsonl => return Ok(()),
            Format::Json => {
                self.close_list(out, 2)?;
                out.write_all(b"],\n  \"errors\": ")?;
                serde_json::to_writer(&mut *out, errors)?;
                write!(out, ",\n  \"inputs_scanned\": {inputs_scanned}\n}}")?;
            }
            Format::Sarif => {
                self.close_list(out, 6)?;
                out.write_all(b"],\n      \"tool\": ")?;
                serde_json::to_writer(&mut *out, &self.sarif_tool())?;
                out.write_all(b",\n      \"invocations\": ")?;
                serde_json::to_writer(&mut *out, &sarif_invocations(errors))?;
                out.write_all(b"\n    }\n  ]\n}")?;
            }
        }
        out.write_all(b"\n")
    }

    /// Before a list item: a comma after the previous one, a new line and `indent` spaces.
    fn separator(&self, out: &mut dyn Write, indent: usize) -> io::Result<()> {
        if self.n_written > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\n{:indent$}", "")
    }

    /// Before the `]` of a list that has items: a new line and `indent` spaces.
    fn close_list(&self, out: &mut dyn Write, indent: usize) -> io::Result<()> {
        if self.n_written > 0 {
            write!(out, "\n{:indent$}", "")?;
        }
        Ok(())
    }

    fn write_text(&self, out: &mut dyn Write, located: &Located<'_>) -> io::Result<()> {
        let Located {
            input,
            finding,
            span,
            value,
        } = located;
        let shown = match self.show_values {
            true => escape(value),
            false => escape(&mask(value, '*', 0)),
        };
        writeln!(
            out,
            "{input}:{}:{}: {} {:.2} [{}] {shown}",
            span.start.line,
            span.start.column,
            rule_id(finding),
            finding.score,
            finding.detector,
        )
    }

    fn record<'a>(&self, located: &'a Located<'a>) -> Record<'a> {
        let (finding, span) = (located.finding, located.span);
        Record {
            path: located.input,
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            end_column: span.end.column,
            start: finding.start,
            end: finding.end,
            byte_start: finding.byte_start,
            byte_end: finding.byte_end,
            entity_type: finding.entity_type.as_str(),
            subtype: finding.subtype,
            score: finding.score,
            detector: &finding.detector,
            value: self.show_values.then_some(located.value),
        }
    }

    fn sarif_result(&mut self, located: &Located<'_>) -> serde_json::Value {
        let (finding, span) = (located.finding, located.span);
        let rule = rule_id(finding);
        let level = level(&finding.entity_type);
        self.rules.entry(rule.clone()).or_insert_with(|| {
            json!({
                "id": rule,
                "shortDescription": { "text": describe(finding) },
                "defaultConfiguration": { "level": level },
            })
        });
        let mut region = json!({
            "startLine": span.start.line,
            "startColumn": span.start.column,
            "endLine": span.end.line,
            "endColumn": span.end.column,
            "charOffset": finding.start,
            "charLength": finding.end.saturating_sub(finding.start),
        });
        if self.show_values {
            region["snippet"] = json!({ "text": located.value });
        }
        let mut properties =
            json!({ "score": json_score(finding.score), "detector": finding.detector });
        if let Some(subtype) = finding.subtype {
            properties["subtype"] = json!(subtype);
        }
        json!({
            "ruleId": rule,
            "level": level,
            "message": {
                "text": format!("{} (score {:.2}, detector {})", describe(finding), finding.score, finding.detector),
            },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(located.input) },
                    "region": region,
                }
            }],
            "properties": properties,
        })
    }

    fn sarif_tool(&mut self) -> serde_json::Value {
        let rules: Vec<serde_json::Value> = std::mem::take(&mut self.rules).into_values().collect();
        json!({
            "driver": {
                "name": "warden",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        })
    }
}

/// The run's one invocation: successful unless an input could not be read, which is listed.
fn sarif_invocations(errors: &[InputError]) -> serde_json::Value {
    let notifications: Vec<serde_json::Value> = errors
        .iter()
        .map(|error| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", error.input, error.message) },
            })
        })
        .collect();
    json!([{
        "executionSuccessful": errors.is_empty(),
        "toolExecutionNotifications": notifications,
    }])
}

/// `ENTITY_TYPE`, or `SECRET/SUBTYPE` for secrets with a subtype (a SARIF hierarchical rule id).
fn rule_id(finding: &Finding) -> String {
    match finding.subtype {
        Some(subtype) => format!("{}/{subtype}", finding.entity_type),
        None => finding.entity_type.to_string(),
    }
}

/// A score for a `serde_json::Value`, which holds `f64`: widened as the decimal it prints as (0.95,
/// not 0.949999988079071).
fn json_score(score: f32) -> f64 {
    score.to_string().parse().unwrap_or(f64::from(score))
}

/// Secrets and injections are errors; personal data is a warning.
fn level(entity: &EntityType) -> &'static str {
    match entity.category() {
        Category::Secret | Category::Injection => "error",
        _ => "warning",
    }
}

fn describe(finding: &Finding) -> String {
    let kind = match finding.entity_type.category() {
        Category::Secret => "secret",
        Category::Injection => "prompt injection",
        Category::Custom => "custom entity",
        _ => "personal data",
    };
    format!("{kind}: {}", rule_id(finding))
}

/// A path as a SARIF artifact URI: relative paths stay relative, absolute ones become `file://`;
/// bytes outside the unreserved set (and `/`) are percent-encoded.
fn uri(input: &str) -> String {
    if input == super::walk::STDIN_NAME {
        return "stdin".to_owned();
    }
    let mut out = String::with_capacity(input.len() + 8);
    if input.starts_with('/') {
        out.push_str("file://");
    }
    for byte in input.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Control characters shown as escapes, and at most [`PREVIEW_CHARS`] characters.
fn escape(value: &str) -> String {
    let mut out = String::new();
    for (n_chars, c) in value.chars().enumerate() {
        if n_chars == PREVIEW_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("dir/a b.txt"), "dir/a%20b.txt");
        assert_eq!(uri("/abs/ü#1"), "file:///abs/%C3%BC%231");
        assert_eq!(uri("<stdin>"), "stdin");
    }

    #[test]
    fn scores_keep_their_decimals() {
        assert_eq!(json!(json_score(0.95)).to_string(), "0.95");
        assert_eq!(json!(json_score(1.0)).to_string(), "1.0");
    }

    #[test]
    fn previews_are_escaped_and_short() {
        assert_eq!(escape("a\nb\tc"), "a\\nb\\tc");
        let long = "x".repeat(100);
        assert_eq!(escape(&long).chars().count(), PREVIEW_CHARS + 1);
        assert_eq!(
            escape(&mask("jane.doe@example.com", '*', 0)),
            "****.***@*******.***"
        );
    }
}
