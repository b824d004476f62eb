//! `warden dpia`: a data-protection impact assessment (GDPR Art. 35) generated from the live
//! configuration and the store's statistics, as Markdown and as one self-contained HTML page.
//!
//! Facts are gathered first ([`Facts`]: configuration, audit-trail statistics, incidents, the chain
//! check), then written as Markdown ([`markdown`]), which is rendered to HTML by pulldown-cmark with
//! raw HTML turned into text ([`html`]): names from the configuration cannot inject markup. Only
//! counts, names and settings appear — never payload text, keys or subject ids.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use warden_gateway::config::Action;
use warden_gateway::{Config, ProcessEnvironment};
use warden_scan::EntityType;
use warden_store::{AuditEvent, Incident, Store, Timestamp, Verification};

use crate::keys::{StoreArgs, open_store};

/// Arguments of `warden dpia`.
#[derive(Debug, clap::Args)]
pub(crate) struct DpiaArgs {
    /// Directory to write `dpia.md` and `dpia.html` into (created when missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// What the report is made of.
pub(crate) struct Facts {
    pub(crate) generated_at: Timestamp,
    pub(crate) config_file: Option<String>,
    pub(crate) config: Config,
    pub(crate) backend: &'static str,
    pub(crate) master_key_id: String,
    pub(crate) stats: Stats,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) verification: Verification,
}

/// Statistics of the audit trail.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) events: u64,
    pub(crate) denied: u64,
    pub(crate) first_ms: Option<i64>,
    pub(crate) last_ms: Option<i64>,
    pub(crate) by_action: BTreeMap<String, u64>,
    pub(crate) by_upstream: BTreeMap<String, u64>,
    pub(crate) entities_in: BTreeMap<String, u64>,
    pub(crate) entities_out: BTreeMap<String, u64>,
    pub(crate) principals: BTreeSet<String>,
    pub(crate) subjects: BTreeSet<String>,
}

impl Stats {
    fn add(&mut self, event: &AuditEvent) {
        self.events += 1;
        if event.decision != "allowed" {
            self.denied += 1;
        }
        self.first_ms = Some(
            self.first_ms
                .map_or(event.time_ms, |t| t.min(event.time_ms)),
        );
        self.last_ms = Some(self.last_ms.map_or(event.time_ms, |t| t.max(event.time_ms)));
        *self.by_action.entry(event.action.clone()).or_default() += 1;
        if let Some(upstream) = &event.upstream {
            *self.by_upstream.entry(upstream.clone()).or_default() += 1;
        }
        for (entity, count) in &event.entities_in {
            *self.entities_in.entry(entity.clone()).or_default() += count;
        }
        for (entity, count) in &event.entities_out {
            *self.entities_out.entry(entity.clone()).or_default() += count;
        }
        if let Some(principal) = &event.principal {
            self.principals.insert(principal.clone());
        }
        if let Some(subject) = &event.subject {
            self.subjects.insert(subject.clone());
        }
    }
}

/// Runs `warden dpia`.
pub(crate) fn run(args: DpiaArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(args.store.config.as_deref(), &ProcessEnvironment)
        .context("loading the configuration")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let facts = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let facts = gather(&store, config, &args).await;
        store.close().await;
        facts
    })?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let text = markdown(&facts);
    let md_path = args.out.join("dpia.md");
    let html_path = args.out.join("dpia.html");
    std::fs::write(&md_path, &text).with_context(|| format!("writing {}", md_path.display()))?;
    std::fs::write(&html_path, html(&text))
        .with_context(|| format!("writing {}", html_path.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {} and {}",
        md_path.display(),
        html_path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn gather(store: &Store, config: Config, args: &DpiaArgs) -> anyhow::Result<Facts> {
    let mut stats = Stats::default();
    let mut after = 0;
    loop {
        let page = store
            .export_audit(after, i64::MIN, i64::MAX, 10_000)
            .await
            .context("reading the audit trail")?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = *last;
        for (_, json) in &page {
            if let Ok(event) = serde_json::from_str::<AuditEvent>(json) {
                stats.add(&event);
            }
        }
    }
    let backend = if config
        .store_url
        .as_ref()
        .is_some_and(|url| url.expose().starts_with("postgres"))
    {
        "PostgreSQL"
    } else {
        "SQLite (embedded)"
    };
    Ok(Facts {
        generated_at: Timestamp::now(),
        config_file: args.store.config.as_ref().map(|p| p.display().to_string()),
        backend,
        master_key_id: store.master_key_id(),
        incidents: store
            .incidents(Timestamp::from_unix_millis(0), None)
            .await
            .context("reading incidents")?,
        verification: store
            .verify_audit()
            .await
            .context("verifying the audit trail")?,
        config,
        stats,
    })
}

/// Escapes text for a Markdown table cell or paragraph (no markup, no raw HTML, no pipes).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()).take(200) {
        if "\\`*[]<>|#!~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn action_name(action: &Action) -> String {
    match action {
        Action::Allow => "allow".to_owned(),
        Action::Block => "block".to_owned(),
        Action::Rewrite(operator) => operator.name().to_owned(),
    }
}

/// A residual risk: its level, what it is, and what mitigates it.
struct Risk {
    level: &'static str,
    risk: String,
    mitigation: String,
}

fn risks(facts: &Facts) -> Vec<Risk> {
    let config = &facts.config;
    let mut risks = Vec::new();
    let pii_allowed: Vec<&str> = EntityType::BUILTIN
        .iter()
        .filter(|e| !matches!(e, EntityType::PromptInjection))
        .filter(|e| matches!(config.input.action(e), Action::Allow))
        .map(EntityType::as_str)
        .collect();
    if !pii_allowed.is_empty() {
        risks.push(Risk {
            level: "high",
            risk: format!(
                "input types passed to providers unchanged: {}",
                md(&pii_allowed.join(", "))
            ),
            mitigation: "set an action other than allow in [scan.input], or restrict by policy"
                .to_owned(),
        });
    }
    for upstream in config.upstreams.iter().filter(|u| u.shares_data) {
        let alternative = upstream.models.iter().all(|model| {
            config
                .upstreams
                .iter()
                .any(|other| !other.shares_data && other.models.contains(model))
        }) && !upstream.models.is_empty();
        risks.push(Risk {
            level: "medium",
            risk: format!(
                "processor `{}` may keep or train on what it receives (shares_data = true)",
                md(&upstream.name)
            ),
            mitigation: if alternative {
                "subjects who opted out (do_not_share) are routed to an upstream that does not share data; personal data is pseudonymised before it leaves".to_owned()
            } else {
                "personal data is pseudonymised before it leaves; requests of subjects who opted out (do_not_share) are refused, as no non-sharing upstream serves these models".to_owned()
            },
        });
    }
    if config.store_conversations {
        risks.push(Risk {
            level: "medium",
            risk: format!(
                "prompts and answers are stored for {} days",
                config.retention_conversations_days
            ),
            mitigation: "sealed under per-subject data keys (AES-256-GCM); erasure destroys the key; retention purge hourly".to_owned(),
        });
    }
    if config.server.tls.is_none() && !config.server.listen.ip().is_loopback() {
        risks.push(Risk {
            level: "high",
            risk: "the gateway listens beyond loopback without TLS".to_owned(),
            mitigation: "configure [server] tls or a TLS terminator in front".to_owned(),
        });
    }
    if config.master_key.is_none() {
        risks.push(Risk {
            level: "low",
            risk: "the master key may live in the data directory (master.key) unless WARDEN_MASTER_KEY is set".to_owned(),
            mitigation: "keep the master key in a secrets manager; back it up apart from the data (docs/OPERATIONS.md)".to_owned(),
        });
    }
    if let Some(bad) = &facts.verification.first_bad {
        risks.push(Risk {
            level: "critical",
            risk: format!("the audit trail is broken at event {}", bad.seq),
            mitigation: "investigate the incident; restore the audit database from a backup"
                .to_owned(),
        });
    }
    if !facts.incidents.is_empty() {
        risks.push(Risk {
            level: "medium",
            risk: format!("{} incidents recorded", facts.incidents.len()),
            mitigation: "review each for breach notification (GDPR Art. 33: 72 hours)".to_owned(),
        });
    }
    risks.push(Risk {
        level: "low",
        risk: "detection is statistical: a value the scanner misses reaches the provider".to_owned(),
        mitigation: "measured recall per type in docs/ACCURACY.md; custom detectors and deny-lists for organisation-specific identifiers".to_owned(),
    });
    risks
}

/// The report as Markdown.
pub(crate) fn markdown(facts: &Facts) -> String {
    let config = &facts.config;
    let stats = &facts.stats;
    let mut out = String::new();
    let time = |ms: Option<i64>| {
        ms.map_or_else(
            || "—".to_owned(),
            |ms| Timestamp::from_unix_millis(ms).to_string(),
        )
    };
    let _ = writeln!(out, "# Data protection impact assessment\n");
    let _ = writeln!(
        out,
        "Generated by Warden {} at {} from {} and the store's records. GDPR Art. 35(7): the \
         processing, its purposes, the necessity and proportionality, the risks, and the measures.\n",
        env!("CARGO_PKG_VERSION"),
        facts.generated_at,
        facts.config_file.as_deref().map_or_else(
            || "the default configuration".to_owned(),
            |f| format!("`{}`", md(f))
        ),
    );
    let _ = writeln!(out, "## 1. The processing\n");
    let _ = writeln!(
        out,
        "Applications send chat and embedding requests through the Warden gateway to AI model \
         providers. Warden inspects every request and answer for personal data and secrets, \
         applies the configured actions, enforces access policies, consent and opt-outs, and \
         records an audit event per request.\n"
    );
    let purposes: BTreeSet<&str> = config
        .upstreams
        .iter()
        .flat_map(|u| u.require_consent.iter().map(String::as_str))
        .collect();
    let _ = writeln!(
        out,
        "Purposes requiring consent: {}.\n",
        if purposes.is_empty() {
            "none configured (the legal basis is the organisation's to record)".to_owned()
        } else {
            purposes
                .iter()
                .map(|p| md(p))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(out, "| measure | value |\n|---|---|");
    let _ = writeln!(
        out,
        "| events recorded (requests and admin actions) | {} ({} refused) |",
        stats.events, stats.denied
    );
    let _ = writeln!(
        out,
        "| period | {} to {} |",
        time(stats.first_ms),
        time(stats.last_ms)
    );
    let _ = writeln!(out, "| distinct principals | {} |", stats.principals.len());
    let _ = writeln!(
        out,
        "| distinct data subjects (by keyed reference) | {} |",
        stats.subjects.len()
    );
    for (action, count) in &stats.by_action {
        let _ = writeln!(out, "| requests: {} | {count} |", md(action));
    }
    let _ = writeln!(out, "\n## 2. Categories of data seen\n");
    let _ = writeln!(
        out,
        "Counts of findings by type (values are never recorded), with the action applied.\n"
    );
    let _ = writeln!(
        out,
        "| type | in requests | in answers | action in | action out |\n|---|---|---|---|---|"
    );
    let types: BTreeSet<&String> = stats
        .entities_in
        .keys()
        .chain(stats.entities_out.keys())
        .collect();
    if types.is_empty() {
        let _ = writeln!(out, "| none seen yet | 0 | 0 | — | — |");
    }
    for name in types {
        let (action_in, action_out) = EntityType::builtin(name).map_or_else(
            || ("—".to_owned(), "—".to_owned()),
            |e| {
                (
                    action_name(&config.input.action(&e)),
                    action_name(&config.output.action(&e)),
                )
            },
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {action_in} | {action_out} |",
            md(name),
            stats.entities_in.get(name).copied().unwrap_or(0),
            stats.entities_out.get(name).copied().unwrap_or(0),
        );
    }
    let _ = writeln!(out, "\n## 3. Processors (upstreams)\n");
    let _ = writeln!(
        out,
        "| name | host | models | shares data | consent required | requests |\n|---|---|---|---|---|---|"
    );
    for upstream in &config.upstreams {
        // `https://host:port/path` → `host:port` (the configuration checked it is a URL).
        let host = upstream
            .base_url
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md(&upstream.name),
            md(host),
            if upstream.models.is_empty() {
                "all".to_owned()
            } else {
                md(&upstream.models.join(", "))
            },
            if upstream.shares_data { "yes" } else { "no" },
            if upstream.require_consent.is_empty() {
                "—".to_owned()
            } else {
                md(&upstream.require_consent.join(", "))
            },
            stats.by_upstream.get(&upstream.name).copied().unwrap_or(0),
        );
    }
    let _ = writeln!(out, "\n## 4. Retention\n");
    let _ = writeln!(out, "| data | kept |\n|---|---|");
    let _ = writeln!(
        out,
        "| prompts and answers | {} |",
        if config.store_conversations {
            format!(
                "{} days, encrypted per subject",
                config.retention_conversations_days
            )
        } else {
            "not stored (storage off)".to_owned()
        }
    );
    let _ = writeln!(
        out,
        "| audit events | {} days, then purged behind a signed checkpoint |",
        config.retention_audit_days
    );
    let _ = writeln!(out, "\n## 5. Security measures\n");
    let _ = writeln!(out, "| measure | state |\n|---|---|");
    let _ = writeln!(out, "| store | {} |", facts.backend);
    let _ = writeln!(
        out,
        "| encryption at rest | AES-256-GCM, per-subject data keys, master key {} |",
        md(&facts.master_key_id)
    );
    let _ = writeln!(
        out,
        "| master key source | {} |",
        if config.master_key.is_some() {
            "configured secret reference"
        } else {
            "WARDEN_MASTER_KEY or the data directory's master.key"
        }
    );
    let _ = writeln!(
        out,
        "| transport | {} on {} |",
        if config.server.tls.is_some() {
            "TLS 1.2+ (rustls)"
        } else {
            "plain HTTP"
        },
        config.server.listen
    );
    let _ = writeln!(
        out,
        "| access policies | {} |",
        if config.policy_files.is_empty() {
            "the default Cedar policies (deny unless allowed)".to_owned()
        } else {
            format!("{} Cedar policy files", config.policy_files.len())
        }
    );
    let _ = writeln!(
        out,
        "| identity | client keys (keyed hashes){} |",
        if config.issuers.is_empty() {
            String::new()
        } else {
            format!(", {} JWT issuers", config.issuers.len())
        }
    );
    let _ = writeln!(
        out,
        "| audit trail | {} |",
        match &facts.verification.first_bad {
            None => format!("intact: {} events verified", facts.verification.checked),
            Some(bad) => format!("BROKEN at event {}", bad.seq),
        }
    );
    let _ = writeln!(out, "\n## 6. Incidents\n");
    if facts.incidents.is_empty() {
        let _ = writeln!(out, "None recorded.");
    } else {
        let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
        for incident in &facts.incidents {
            *by_kind.entry(incident.kind.as_str()).or_default() += 1;
        }
        let _ = writeln!(out, "| kind | count |\n|---|---|");
        for (kind, count) in by_kind {
            let _ = writeln!(out, "| {} | {count} |", md(kind));
        }
    }
    let _ = writeln!(out, "\n## 7. Residual risks and mitigations\n");
    let _ = writeln!(out, "| level | risk | mitigation |\n|---|---|---|");
    for risk in risks(facts) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            risk.level, risk.risk, risk.mitigation
        );
    }
    let _ = writeln!(
        out,
        "\n## 8. Data subjects' rights\n\nAccess: `warden subject export`; erasure: `warden subject erase` \
         (crypto-shredding); consent and opt-out: `warden consent`; see docs/COMPLIANCE.md."
    );
    out
}

/// The Markdown as one self-contained HTML page; raw HTML in the Markdown is shown as text.
pub(crate) fn html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, parser);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Data protection impact assessment</title>\n<style>\n{STYLE}</style>\n</head>\n\
         <body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

const STYLE: &str = "body { font: 15px/1.5 system-ui, sans-serif; color: #1b1f24; margin: 0; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; border-bottom: 2px solid #1b1f24; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #c9d1d9; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
code { background: #f3f5f7; padding: 0 0.2rem; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_inject_markup_or_break_tables() {
        let name = "a|b <img src=x onerror=alert(1)> `c` [l](javascript:x)";
        let text = format!(
            "| col |\n|---|\n| {} |\n\n<script>raw()</script>\n",
            md(name)
        );
        let page = html(&text);
        assert!(!page.contains("<img") && !page.contains("<script") && !page.contains("<a "));
        assert!(page.contains("a|b &lt;img"), "{page}");
        assert_eq!(page.matches("<td>").count(), 1, "{page}");
        assert!(
            page.contains("&lt;script&gt;raw()&lt;/script&gt;"),
            "{page}"
        );
    }
}
