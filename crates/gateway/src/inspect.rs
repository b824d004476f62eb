//! Inspect input and output (SPEC §2 steps 5, 6, 8, 9): sanitise, scan, apply the action per entity
//! type and direction, restore the caller's pseudonyms.
//!
//! [`Inspector`] holds everything built once from configuration (the scanner, the sanitiser, the
//! actions, the operator keys). Per request, input texts go through [`Inspector::input_text`] with the
//! request's [`PseudonymTable`]; answers go through [`Inspector::output_text`] (whole) or an
//! [`OutputStream`] (streamed), which restore from the same table, so pseudonyms are only ever put back
//! for the caller whose values they replaced.
//!
//! Output links: a `URL` or `DOMAIN_NAME` found in an answer is kept when its host is on the
//! allow-list (`[output] allowed_hosts`) and otherwise gets the output action for its type (by default
//! `redact`), which removes markdown/HTML links and images to other hosts — an exfiltration channel —
//! whether streamed or not, because the stream scanner never splits a finding.

use std::collections::BTreeMap;
use std::sync::Arc;

use warden_scan::{
    Category, EntityType, Finding, Keys, Operator, PseudonymTable, Resources, Scanner,
    StreamOptions, StreamRestorer, StreamScanner, apply,
};

use crate::config::{Action, Actions, Config};
use crate::error::ApiError;
use crate::html_gate::HtmlGate;
use crate::prompt_guard::{PromptGuard, PromptWatch};
use crate::sanitize::Sanitizer;

/// Counts of findings per entity type (values are never kept).
pub type Tally = BTreeMap<String, usize>;

/// The per-request result of inspecting input: what was found, and the pseudonyms issued.
#[derive(Default)]
pub struct InputState {
    /// The request's pseudonym table.
    pub table: PseudonymTable,
    /// Findings per type in the input.
    pub found: Tally,
}

/// Builds everything the pipeline needs to inspect text, once.
pub struct Inspector {
    scanner: Arc<Scanner>,
    /// For answers: the same scanner, without the injection detector when answers' action for
    /// `PROMPT_INJECTION` is `allow` (the default), since a finding would change nothing.
    output_scanner: Arc<Scanner>,
    /// For texts the model reads as data (tool results): the scanner judging injection as a
    /// document ([`warden_scan::InjectionContext::Document`]).
    document_scanner: Arc<Scanner>,
    sanitizer: Sanitizer,
    input: Actions,
    output: Actions,
    keys: Keys,
    allowed_hosts: Vec<String>,
    holdback_chars: usize,
    /// Cleans raw HTML in answers (`[output] html = "clean"`).
    answer_html: Option<Sanitizer>,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector").finish_non_exhaustive()
    }
}

impl Inspector {
    /// An inspector for `config`, using `scanner` and the operator `keys`.
    pub fn new(config: &Config, scanner: Arc<Scanner>, keys: Keys) -> Inspector {
        Inspector {
            output_scanner: Arc::clone(&scanner),
            document_scanner: Arc::clone(&scanner),
            scanner,
            sanitizer: Sanitizer::new(&config.sanitize),
            input: config.input.clone(),
            output: config.output.clone(),
            keys,
            allowed_hosts: config.allowed_hosts.clone(),
            holdback_chars: config.holdback_chars,
            answer_html: (config.output_html == crate::config::HtmlMode::Clean)
                .then(|| Sanitizer::new(&config.sanitize)),
        }
    }

    /// Scans answers with `scanner` instead of the input's.
    #[must_use]
    pub fn with_output_scanner(mut self, scanner: Arc<Scanner>) -> Inspector {
        self.output_scanner = scanner;
        self
    }

    /// Scans texts the model reads as data (tool results) with `scanner`, which should judge
    /// injection as [`warden_scan::InjectionContext::Document`].
    #[must_use]
    pub fn with_document_scanner(mut self, scanner: Arc<Scanner>) -> Inspector {
        self.document_scanner = scanner;
        self
    }

    /// The shared scanner.
    pub fn scanner(&self) -> &Arc<Scanner> {
        &self.scanner
    }

    /// The operator keys (for `/v1/redact`).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// `text` sanitised (SPEC §2 step 5). Call it on every input text first, and reserve the result in
    /// the table before any text is pseudonymised.
    pub fn sanitize(&self, text: &str) -> String {
        self.sanitizer.clean(text).into_owned()
    }

    /// A sanitised input `text` with the input actions applied. `param` names the field in errors;
    /// `context` says whether the model reads it as a request or as data (a tool result).
    pub fn input_text(
        &self,
        text: &str,
        state: &mut InputState,
        param: &str,
        context: warden_scan::InjectionContext,
    ) -> Result<String, ApiError> {
        let scanner = match context {
            warden_scan::InjectionContext::Prompt => &self.scanner,
            warden_scan::InjectionContext::Document => &self.document_scanner,
        };
        let findings = scanner.scan(text);
        if findings.is_empty() {
            return Ok(text.to_owned());
        }
        let mut blocked: Vec<&str> = Vec::new();
        for finding in &findings {
            *state.found.entry(finding.label().to_owned()).or_insert(0) += 1;
            if self.input.action(&finding.entity_type) == Action::Block {
                blocked.push(finding.entity_type.as_str());
            }
        }
        if !blocked.is_empty() {
            blocked.sort_unstable();
            blocked.dedup();
            let injection = findings
                .iter()
                .any(|f| f.entity_type.category() == Category::Injection);
            let message = format!(
                "the request contains {} in {param}, which this gateway does not forward",
                blocked.join(", ")
            );
            return Err(if injection {
                ApiError::prompt_injection(message).with_param(param)
            } else {
                ApiError::pii_blocked(message).with_param(param)
            });
        }
        let keys = &self.keys;
        let table = &mut state.table;
        let mut rewriter = |finding: &Finding, value: &str| -> String {
            match self.input.action(&finding.entity_type) {
                Action::Allow => value.to_owned(),
                Action::Block => warden_scan::operator::DEFAULT_MARKER.to_owned(),
                Action::Rewrite(operator) => rewrite(&operator, finding, value, keys, Some(table)),
            }
        };
        Ok(apply(text, &findings, &mut rewriter))
    }

    /// A whole answer `text` with the output actions applied and the caller's pseudonyms restored;
    /// refused when `guard` finds the system prompt in it.
    pub fn output_text(
        &self,
        text: &str,
        table: &PseudonymTable,
        found: &mut Tally,
        guard: Option<&Arc<PromptGuard>>,
    ) -> Result<String, ApiError> {
        if let Some(guard) = guard {
            guard.check_whole(text, found)?;
        }
        let findings = self.output_scanner.scan(text);
        let redacted = self.apply_output(text, &findings, Some(table), found)?;
        let restored = if table.is_empty() {
            redacted
        } else {
            table.restore(&redacted)
        };
        Ok(match &self.answer_html {
            Some(sanitizer) => HtmlGate::clean_whole(sanitizer.clone(), &restored),
            None => restored,
        })
    }

    /// A streamed answer's text pipeline (one per choice and per tool call).
    pub fn output_stream(
        self: &Arc<Self>,
        table: &Arc<PseudonymTable>,
        guard: Option<&Arc<PromptGuard>>,
    ) -> OutputStream {
        OutputStream {
            watch: guard.map(PromptGuard::watch),
            html: self
                .answer_html
                .clone()
                .map(|sanitizer| HtmlGate::new(sanitizer, self.holdback_chars)),
            table: Arc::clone(table),
            inspector: Arc::clone(self),
            scanner: StreamScanner::new(
                Arc::clone(&self.output_scanner),
                StreamOptions {
                    holdback_chars: self.holdback_chars,
                },
            ),
            restorer: (!table.is_empty()).then(|| table.stream_restorer()),
        }
    }

    /// The output action for one finding, with the link allow-list applied.
    fn output_action(
        &self,
        finding: &Finding,
        value: &str,
        table: Option<&PseudonymTable>,
    ) -> Action {
        // A fake pseudonym (`style = "fake"`) looks like real data: it is the caller's own value in
        // disguise and is restored after this step, so it is not redacted.
        if let Some(table) = table.filter(|t| !t.is_empty())
            && table.restore(value) != value
        {
            return Action::Allow;
        }
        let is_link = matches!(
            finding.entity_type,
            EntityType::Url | EntityType::DomainName
        );
        if is_link && host_allowed(&self.allowed_hosts, value) {
            return Action::Allow;
        }
        self.output.action(&finding.entity_type)
    }

    fn apply_output(
        &self,
        text: &str,
        findings: &[Finding],
        table: Option<&PseudonymTable>,
        found: &mut Tally,
    ) -> Result<String, ApiError> {
        if findings.is_empty() {
            return Ok(text.to_owned());
        }
        let mut blocked: Vec<&str> = Vec::new();
        for finding in findings {
            *found.entry(finding.label().to_owned()).or_insert(0) += 1;
            if self.output_action(finding, finding.value(text), table) == Action::Block {
                blocked.push(finding.entity_type.as_str());
            }
        }
        if !blocked.is_empty() {
            blocked.sort_unstable();
            blocked.dedup();
            return Err(ApiError::pii_blocked(format!(
                "the answer contained {}, which this gateway does not return",
                blocked.join(", ")
            )));
        }
        let keys = &self.keys;
        let mut rewriter = |finding: &Finding, value: &str| -> String {
            match self.output_action(finding, value, table) {
                Action::Allow => value.to_owned(),
                Action::Block => warden_scan::operator::DEFAULT_MARKER.to_owned(),
                Action::Rewrite(operator) => rewrite(&operator, finding, value, keys, None),
            }
        };
        Ok(apply(text, findings, &mut rewriter))
    }
}

/// One streamed text (a choice's content or a tool call's arguments): scanned incrementally, output
/// actions applied to each released piece, pseudonyms restored across chunk boundaries.
pub struct OutputStream {
    inspector: Arc<Inspector>,
    table: Arc<PseudonymTable>,
    scanner: StreamScanner,
    restorer: Option<StreamRestorer>,
    /// The system-prompt leak check, on the upstream's text as it arrives.
    watch: Option<PromptWatch>,
    /// Raw HTML cleaning, last, on the text the client gets.
    html: Option<HtmlGate>,
}

impl OutputStream {
    /// Takes the next piece of upstream text; returns the text that may now go to the client.
    pub fn push(&mut self, chunk: &str, found: &mut Tally) -> Result<String, ApiError> {
        if let Some(watch) = &mut self.watch {
            watch.push(chunk, found)?;
        }
        let released = self.scanner.push(chunk);
        self.emit(&released.text, &released.local_findings(), found, false)
    }

    /// Ends the text: returns everything still held back, inspected.
    pub fn finish(&mut self, found: &mut Tally) -> Result<String, ApiError> {
        if let Some(watch) = &mut self.watch {
            watch.finish(found)?;
        }
        let released = self.scanner.finish();
        self.emit(&released.text, &released.local_findings(), found, true)
    }

    fn emit(
        &mut self,
        text: &str,
        findings: &[Finding],
        found: &mut Tally,
        at_end: bool,
    ) -> Result<String, ApiError> {
        let redacted = self
            .inspector
            .apply_output(text, findings, Some(&self.table), found)?;
        let restored = match &mut self.restorer {
            None => redacted,
            Some(restorer) => {
                let mut out = restorer.push(&redacted);
                if at_end {
                    out.push_str(&restorer.finish());
                }
                out
            }
        };
        Ok(match &mut self.html {
            None => restored,
            Some(gate) => {
                let mut out = gate.push(&restored);
                if at_end {
                    out.push_str(&gate.finish());
                }
                out
            }
        })
    }
}

/// Applies one operator, failing closed to the redaction marker.
fn rewrite(
    operator: &Operator,
    finding: &Finding,
    value: &str,
    keys: &Keys,
    table: Option<&mut PseudonymTable>,
) -> String {
    let mut nonces = || {
        let mut nonce = [0u8; 12];
        aws_lc_rs::rand::fill(&mut nonce).ok()?;
        Some(nonce)
    };
    let mut resources = Resources {
        keys: Some(keys),
        table,
        nonces: Some(&mut nonces),
    };
    operator
        .rewrite(finding, value, &mut resources)
        .unwrap_or_else(|_| warden_scan::operator::DEFAULT_MARKER.to_owned())
}

/// Whether the URL or domain `value` points at an allow-listed host. An entry `example.com` allows
/// that host; `.example.com` allows it and its subdomains.
pub fn host_allowed(allowed: &[String], value: &str) -> bool {
    if allowed.is_empty() {
        return false;
    }
    let Some(host) = host_of(value) else {
        return false;
    };
    allowed.iter().any(|entry| match entry.strip_prefix('.') {
        Some(suffix) => {
            host == suffix
                || (host.len() > suffix.len()
                    && host.ends_with(suffix)
                    && host.as_bytes()[host.len() - suffix.len() - 1] == b'.')
        }
        None => host == *entry,
    })
}

fn host_of(value: &str) -> Option<String> {
    let with_scheme = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    // A URL with credentials (`https://allowed.com@evil.com`) is judged by its real host, which
    // `url` already gives; reject any userinfo outright to be safe.
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(url.host_str()?.trim_end_matches('.').to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_exactly_or_as_subdomains() {
        let allowed = vec!["docs.example.com".to_owned(), ".trusted.org".to_owned()];
        assert!(host_allowed(&allowed, "https://docs.example.com/a?b=c"));
        assert!(host_allowed(&allowed, "https://img.trusted.org/x.png"));
        assert!(host_allowed(&allowed, "trusted.org"));
        assert!(!host_allowed(&allowed, "https://example.com/"));
        assert!(!host_allowed(&allowed, "https://eviltrusted.org/"));
        assert!(!host_allowed(
            &allowed,
            "https://docs.example.com.evil.net/"
        ));
        assert!(!host_allowed(
            &allowed,
            "https://docs.example.com@evil.net/"
        ));
        assert!(!host_allowed(&[], "https://docs.example.com/"));
    }
}
