//! `warden subject export|erase`, `warden consent set|do-not-share`, `warden incident list`: the
//! data-protection duties (SPEC §8), worked directly on the store like `warden keys`.
//!
//! Changes (erasure, consent) are audited as admin actions by the operating-system user, with the
//! subject recorded only as its keyed reference. A subject id is never printed back: outputs name
//! the reference (`subj_…`).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use warden_store::{Store, Timestamp};

use crate::keys::{StoreArgs, open_store};

/// `warden subject …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum SubjectCommand {
    /// Print everything stored about a data subject as one JSON document (right of access):
    /// conversations (decrypted), consent, the opt-out, audit events and incidents naming them.
    Export(SubjectArgs),
    /// Erase a data subject (right to erasure): their data key is destroyed (every copy of their
    /// stored conversations, backups included, becomes unreadable) and their rows deleted. Audit
    /// events stay: they hold only the subject's keyed reference. Erasing twice is harmless.
    Erase(SubjectArgs),
}

/// A subject and the store.
#[derive(Debug, clap::Args)]
pub(crate) struct SubjectArgs {
    /// The subject's id, as clients send it (`X-Warden-Subject` or the `user` field).
    id: String,
    /// Print JSON (export always does).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// `warden consent …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ConsentCommand {
    /// Record that a subject gave consent for a purpose (or, with --withdraw, withdrew it).
    Set(ConsentArgs),
    /// Set a subject's CCPA opt-out of sharing (`--off` to clear it): their requests then go only
    /// to upstreams with `shares_data = false`, or are refused.
    DoNotShare(DoNotShareArgs),
}

/// Arguments of `warden consent set`.
#[derive(Debug, clap::Args)]
pub(crate) struct ConsentArgs {
    /// The subject's id.
    id: String,
    /// The purpose (`analytics`, `marketing`, …): letters, digits, `_ - . :`.
    purpose: String,
    /// Record a withdrawal instead.
    #[arg(long)]
    withdraw: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `warden consent do-not-share`.
#[derive(Debug, clap::Args)]
pub(crate) struct DoNotShareArgs {
    /// The subject's id.
    id: String,
    /// Clear the opt-out.
    #[arg(long)]
    off: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// `warden incident …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum IncidentCommand {
    /// List incidents (blocked leaks in answers, repeated injection, suspensions, audit chain
    /// failures) with the principals, subject references and request ids involved.
    List(IncidentListArgs),
}

/// Arguments of `warden incident list`.
#[derive(Debug, clap::Args)]
pub(crate) struct IncidentListArgs {
    /// Only incidents at or after this time (RFC 3339, like 2026-11-23T08:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = crate::audit::parse_time)]
    since: Option<i64>,
    /// Print a JSON array.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs a `subject` command.
pub(crate) fn subject(command: SubjectCommand) -> anyhow::Result<ExitCode> {
    on_store(|now| async move {
        let mut out = Vec::new();
        match command {
            SubjectCommand::Export(args) => {
                let store = open_store(&args.store).await?;
                let export = store.export_subject(&args.id, now).await;
                store.close().await;
                serde_json::to_writer_pretty(&mut out, &export?)?;
                writeln!(out)?;
            }
            SubjectCommand::Erase(args) => {
                let store = open_store(&args.store).await?;
                let erasure = store.erase_subject(&args.id).await;
                let audited = audit(&store, "admin.subjects.erase", &args.id, now).await;
                store.close().await;
                let erasure = erasure?;
                audited?;
                if args.json {
                    serde_json::to_writer(&mut out, &erasure)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "erased {}: data key {}, {} conversations and {} consent records deleted",
                        erasure.subject_ref,
                        if erasure.key_destroyed {
                            "destroyed"
                        } else {
                            "absent"
                        },
                        erasure.conversations,
                        erasure.consents
                    )?;
                }
            }
        }
        Ok(out)
    })
}

/// Runs a `consent` command.
pub(crate) fn consent(command: ConsentCommand) -> anyhow::Result<ExitCode> {
    on_store(|now| async move {
        let mut out = Vec::new();
        let (store_args, id) = match &command {
            ConsentCommand::Set(args) => (&args.store, &args.id),
            ConsentCommand::DoNotShare(args) => (&args.store, &args.id),
        };
        let store = open_store(store_args).await?;
        let (changed, action, what) = match &command {
            ConsentCommand::Set(args) => {
                let given = !args.withdraw;
                let changed = store.set_consent(id, &args.purpose, given, now).await;
                let word = if given { "given" } else { "withdrawn" };
                let what = format!("consent for {} {word}", args.purpose);
                (changed, "admin.subjects.consent", what)
            }
            ConsentCommand::DoNotShare(args) => {
                let changed = store.set_do_not_share(id, !args.off, now).await;
                let what = format!("do_not_share {}", if args.off { "off" } else { "on" });
                (changed, "admin.subjects.do_not_share", what)
            }
        };
        let audited = match changed {
            Ok(()) => audit(&store, action, id, now).await,
            Err(error) => Err(error.into()),
        };
        let subject_ref = store.subject_ref(id);
        store.close().await;
        audited?;
        writeln!(out, "{subject_ref}: {what}")?;
        Ok(out)
    })
}

/// Runs an `incident` command.
pub(crate) fn incident(command: IncidentCommand) -> anyhow::Result<ExitCode> {
    on_store(|_now| async move {
        let mut out = Vec::new();
        let IncidentCommand::List(args) = command;
        let store = open_store(&args.store).await?;
        let since = Timestamp::from_unix_millis(args.since.unwrap_or(0));
        let incidents = store.incidents(since, None).await;
        store.close().await;
        let incidents = incidents?;
        if args.json {
            serde_json::to_writer_pretty(&mut out, &incidents)?;
            writeln!(out)?;
            return Ok(out);
        }
        if incidents.is_empty() {
            writeln!(out, "no incidents")?;
        }
        for incident in &incidents {
            writeln!(
                out,
                "{}  {}  {}  {}  {}\n    principals: {}  subjects: {}  requests: {}",
                incident.created_at,
                incident.id,
                incident.severity,
                incident.kind,
                incident.summary,
                incident.principals.join(","),
                incident.subjects.join(","),
                incident.request_ids.join(","),
            )?;
        }
        Ok(out)
    })
}

/// Runs `work` (given the time now) on a current-thread runtime and prints what it wrote.
fn on_store<F, Fut>(work: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Timestamp) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Vec<u8>>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let output = runtime.block_on(work(Timestamp::now()))?;
    io::stdout().lock().write_all(&output)?;
    Ok(ExitCode::SUCCESS)
}

/// Records an admin action on a subject (by reference) in the audit trail.
async fn audit(store: &Store, action: &str, subject: &str, now: Timestamp) -> anyhow::Result<()> {
    let mut event = crate::audit::admin_event(action, "", now);
    event.reason = None;
    event.subject = Some(store.subject_ref(subject));
    store
        .append_audit_batch(&[event])
        .await
        .context("recording the action in the audit trail")?;
    Ok(())
}
