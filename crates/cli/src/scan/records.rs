//! `warden scan --jsonl`: JSON lines in, JSON lines out. Each input line is an object with a string
//! `text`; the output line is the same object, every field kept in its order and with its original
//! JSON text, plus `findings` (an existing `findings` field is replaced in place).
//!
//! Offsets in `findings` count code points of the decoded `text` value. Blank lines are skipped; a
//! line that is not such an object is reported with its number (never its content) and left out.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use warden_scan::{Finding, Scanner};

use super::walk::Input;
use crate::diagnostics::Diagnostics;

/// What happened to the records of one input.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) findings: usize,
}

/// Scans the JSON lines of `input` (already opened as `reader`), writing one line per good record.
pub(crate) fn scan_records(
    input: &Input,
    reader: impl Read,
    scanner: &Scanner,
    show_values: bool,
    out: &mut dyn Write,
    diagnostics: &mut Diagnostics,
) -> Result<Outcome, super::Failure> {
    let name = input.name();
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::new();
    let mut outcome = Outcome::default();
    for line_number in 1.. {
        line.clear();
        let n_read = reader
            .read_until(b'\n', &mut line)
            .map_err(super::Failure::Input)?;
        if n_read == 0 {
            break;
        }
        let content = line.trim_ascii();
        if content.is_empty() {
            continue;
        }
        let record = match parse_record(content) {
            Ok(record) => record,
            Err(problem) => {
                diagnostics.error(&format!("{name}:{line_number}"), problem);
                continue;
            }
        };
        let findings = scanner.scan(&record.text);
        outcome.findings += findings.len();
        record
            .write(out, &findings, show_values)
            .map_err(super::Failure::Output)?;
    }
    Ok(outcome)
}

/// One input object: its fields in order, as raw JSON, and the decoded `text`.
struct Record<'a> {
    fields: Vec<(String, &'a RawValue)>,
    text: String,
}

/// A finding in a record's `findings`.
#[derive(serde::Serialize)]
struct RecordFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

fn parse_record(line: &[u8]) -> Result<Record<'_>, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let fields = deserializer
        .deserialize_map(FieldsVisitor)
        .and_then(|fields| deserializer.end().map(|()| fields))
        .map_err(|error| match error.classify() {
            serde_json::error::Category::Data => "not a JSON object".to_owned(),
            _ => format!("invalid JSON at column {}", error.column()),
        })?;
    let Some((_, raw_text)) = fields.iter().find(|(key, _)| key == "text") else {
        return Err("no `text` field".to_owned());
    };
    let text: String = serde_json::from_str(raw_text.get())
        .map_err(|_| "the `text` field is not a string".to_owned())?;
    Ok(Record { fields, text })
}

impl Record<'_> {
    fn write(
        &self,
        out: &mut dyn Write,
        findings: &[Finding],
        show_values: bool,
    ) -> io::Result<()> {
        let findings: Vec<RecordFinding<'_>> = findings
            .iter()
            .map(|finding| RecordFinding {
                finding,
                value: show_values.then(|| finding.value(&self.text)),
            })
            .collect();
        let findings = serde_json::to_string(&findings)?;
        let mut replaced = false;
        out.write_all(b"{")?;
        for (i, (key, raw)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, key)?;
            out.write_all(b":")?;
            if key == "findings" && !replaced {
                out.write_all(findings.as_bytes())?;
                replaced = true;
            } else {
                out.write_all(raw.get().as_bytes())?;
            }
        }
        if !replaced {
            if !self.fields.is_empty() {
                out.write_all(b",")?;
            }
            out.write_all(b"\"findings\":")?;
            out.write_all(findings.as_bytes())?;
        }
        out.write_all(b"}\n")
    }
}

/// Reads a JSON object into its fields in order, each value kept as raw JSON text.
struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            fields.push((key, value));
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> (String, Vec<String>) {
        let mut out = Vec::new();
        let mut diagnostics = Diagnostics::default();
        scan_records(
            &Input::Stdin,
            input.as_bytes(),
            &Scanner::default(),
            false,
            &mut out,
            &mut diagnostics,
        )
        .unwrap();
        let errors = diagnostics
            .errors()
            .iter()
            .map(|e| format!("{}: {}", e.input, e.message))
            .collect();
        (String::from_utf8(out).unwrap(), errors)
    }

    #[test]
    fn keeps_fields_in_order_and_adds_findings() {
        let (out, errors) = run(concat!(
            r#"{"id": 7, "text": "mail jane.doe@example.com", "meta": {"b": 1.50, "a": [1, 2]}}"#,
            "\n\n",
            r#"{"z":1,"findings":"old","text":"nothing here"}"#,
            "\n",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            r#"{"id":7,"text":"mail jane.doe@example.com","meta":{"b": 1.50, "a": [1, 2]},"findings":[{"entity_type":"EMAIL_ADDRESS","start":5,"end":25,"score":1.0,"detector":"email"}]}"#
        );
        assert_eq!(lines[1], r#"{"z":1,"findings":[],"text":"nothing here"}"#);
    }

    #[test]
    fn bad_lines_are_named_by_number_without_content() {
        let (out, errors) = run(concat!(
            "{\"text\": \"secret-ish 078-05-1120\"\n",
            "[1, 2]\n",
            "{\"id\": 1}\n",
            "{\"text\": 42}\n",
            "{\"text\": \"ok\"} trailing\n",
            "{\"text\": \"ok\"}\n",
        ));
        assert_eq!(
            errors,
            [
                "<stdin>:1: invalid JSON at column 33",
                "<stdin>:2: not a JSON object",
                "<stdin>:3: no `text` field",
                "<stdin>:4: the `text` field is not a string",
                "<stdin>:5: invalid JSON at column 16",
            ]
        );
        assert_eq!(out, "{\"text\":\"ok\",\"findings\":[]}\n");
    }
}
