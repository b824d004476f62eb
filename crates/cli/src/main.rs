//! The `warden` binary: thin glue over the library crates.
//!
//! Exit status: 0 success (for `scan`: nothing found), 1 `scan` found something, 2 an error.

#![forbid(unsafe_code)]

mod admin;
mod audit;
mod diagnostics;
mod dpia;
mod eval;
mod keys;
mod operator_key;
mod privacy;
mod redact;
mod scan;
mod scanner_options;
mod serve;
mod store_options;
mod telemetry;
mod text_stream;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Warden: keeps personal data and secrets out of AI traffic.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway: an OpenAI-compatible API that protects every model call.
    ///
    /// Without --config: listens on 127.0.0.1:8080, SQLite in ./warden-data/, one upstream from
    /// WARDEN_UPSTREAM_URL (default https://api.openai.com/v1) with the key in WARDEN_UPSTREAM_API_KEY.
    Serve(serve::ServeArgs),
    /// Scan files, directories or standard input for personal data and secrets.
    ///
    /// Exit status: 0 nothing found, 1 findings, 2 an error (an unreadable input, a bad option).
    /// Matched values are never printed unless --show-values is given.
    Scan(scan::ScanArgs),
    /// Copy standard input to standard output with personal data and secrets replaced.
    Redact(redact::RedactArgs),
    /// Score the engine against labelled evaluation data.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Verify and export the audit trail, directly on the store.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Create, list and revoke client keys, directly in the store.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Data subjects: export everything stored about one, or erase them (GDPR Art. 15, 17).
    #[command(subcommand)]
    Subject(privacy::SubjectCommand),
    /// Record a subject's consent per purpose, or their CCPA opt-out of sharing.
    #[command(subcommand)]
    Consent(privacy::ConsentCommand),
    /// Write a data-protection impact assessment (dpia.md and dpia.html) from the configuration
    /// and the store's records.
    Dpia(dpia::DpiaArgs),
    /// List incidents for breach notification.
    #[command(subcommand)]
    Incident(privacy::IncidentCommand),
    /// Apply the store's pending schema migrations (`serve` also does on start) and print the
    /// schema version.
    Migrate(keys::StoreArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Scan(args) => scan::run(&args),
        Command::Redact(args) => redact::run(&args),
        Command::Eval(command) => eval::run(command),
        Command::Keys(command) => keys::run(command),
        Command::Audit(command) => audit::run(command),
        Command::Migrate(args) => keys::migrate(&args),
        Command::Subject(command) => privacy::subject(command),
        Command::Consent(command) => privacy::consent(command),
        Command::Incident(command) => privacy::incident(command),
        Command::Dpia(args) => dpia::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "warden: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
