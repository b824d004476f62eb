//! `warden audit verify` and `warden audit export`, directly on the store; admin-action events.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use warden_store::{AUDIT_FORMAT_VERSION, AuditEvent, NewIncident, Store, Timestamp, Verification};

use crate::keys::{StoreArgs, open_store};

/// `warden audit …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain. Exit 0 intact, 1 broken (the first bad sequence number is named), 2 error.
    Verify(VerifyArgs),
    /// Write audit events as JSON lines (one object per event, with its `seq`), for a SIEM.
    Export(ExportArgs),
}

/// Arguments of `warden audit verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `warden audit export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Only events at or after this time (RFC 3339, e.g. 2026-11-23T00:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    since: Option<i64>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<i64>,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs an `audit` command.
pub(crate) fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        match command {
            AuditCommand::Verify(args) => verify(args).await,
            AuditCommand::Export(args) => export(args).await,
        }
    })
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.store).await?;
    let verification = store.verify_audit().await;
    if let Ok(verification) = &verification {
        report_break(&store, verification, Timestamp::now()).await;
    }
    store.close().await;
    let verification = verification.context("reading the audit trail")?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &verification)?;
        writeln!(out)?;
    } else {
        match &verification.first_bad {
            None => writeln!(
                out,
                "audit trail intact: {} events verified",
                verification.checked
            )?,
            Some(bad) => writeln!(
                out,
                "audit trail BROKEN at event {}: {} ({} events before it verified)",
                bad.seq, bad.reason, verification.checked
            )?,
        }
    }
    Ok(if verification.first_bad.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.store).await?;
    let since = args.since.unwrap_or(i64::MIN);
    let until = args.until.unwrap_or(i64::MAX);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut after = 0;
    let result: anyhow::Result<()> = async {
        loop {
            let page = store.export_audit(after, since, until, 10_000).await?;
            let Some((last, _)) = page.last() else {
                return Ok(());
            };
            after = *last;
            for (seq, event) in &page {
                // `{"seq":N,` + the event's own fields.
                let fields = event.strip_prefix('{').unwrap_or(event);
                writeln!(out, "{{\"seq\":{seq},{fields}")?;
            }
        }
    }
    .await;
    store.close().await;
    result.context("exporting the audit trail")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// An admin action done through the CLI, as an audit event (no secret in it: the key id only).
/// Verifies the chain (the server's hourly check); a break is logged and raised as an incident.
pub(crate) async fn verify_and_report(store: &Store, now: Timestamp) {
    match store.verify_audit().await {
        Ok(verification) => report_break(store, &verification, now).await,
        Err(error) => tracing::error!(%error, "the audit trail could not be verified"),
    }
}

/// Records a broken chain as an incident: one per first bad event, however often it is found.
async fn report_break(store: &Store, verification: &Verification, now: Timestamp) {
    let Some(bad) = &verification.first_bad else {
        return;
    };
    tracing::error!(seq = bad.seq, reason = %bad.reason, "the audit trail is broken");
    let incident = NewIncident {
        kind: "audit_chain_broken".to_owned(),
        severity: "critical".to_owned(),
        summary: format!(
            "the audit chain breaks at event {}: {}",
            bad.seq, bad.reason
        ),
        dedup: Some(format!("audit_chain_broken:{}", bad.seq)),
        ..NewIncident::default()
    };
    if let Err(error) = store.record_incident(incident, now).await {
        tracing::error!(%error, "recording the audit-chain incident failed");
    }
}

pub(crate) fn admin_event(action: &str, target: &str, now: Timestamp) -> AuditEvent {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    AuditEvent {
        v: AUDIT_FORMAT_VERSION,
        time_ms: now.unix_millis(),
        request_id: format!("cli_{}", now.unix_millis()),
        principal: Some(format!(
            "cli:{}",
            user.chars()
                .filter(char::is_ascii_graphic)
                .take(64)
                .collect::<String>()
        )),
        action: action.to_owned(),
        decision: "allowed".to_owned(),
        reason: Some(target.to_owned()),
        ..AuditEvent::default()
    }
}

pub(crate) fn parse_time(text: &str) -> Result<i64, String> {
    let time = time_from_rfc3339(text).ok_or_else(|| {
        format!("invalid time \"{text}\": use RFC 3339, like 2026-11-23T08:00:00Z")
    })?;
    Ok(time)
}

/// Unix milliseconds of an RFC 3339 time.
fn time_from_rfc3339(text: &str) -> Option<i64> {
    let time =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(time_from_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            time_from_rfc3339("2023-11-14T22:13:20Z"),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            time_from_rfc3339("2023-11-14T23:13:20.5+01:00"),
            Some(1_700_000_000_500)
        );
        assert_eq!(time_from_rfc3339("2023-13-14T22:13:20Z"), None);
        assert_eq!(time_from_rfc3339("yesterday"), None);
    }
}
