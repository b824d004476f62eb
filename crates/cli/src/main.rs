//! The `warden` binary: thin glue over the library crates.

#![forbid(unsafe_code)]

mod eval;

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use warden_scan::{Scanner, ScannerConfig};

/// Warden: keeps personal data and secrets out of AI traffic.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan text for personal data and secrets.
    Scan {
        /// Files or directories; standard input when none.
        paths: Vec<std::path::PathBuf>,
    },
    /// Score the engine against labelled evaluation data.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "warden: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan { paths } => {
            let scanner = Scanner::new(&ScannerConfig::default())?;
            let mut text = String::new();
            if paths.is_empty() {
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading standard input")?;
            } else {
                for path in &paths {
                    text.push_str(
                        &std::fs::read_to_string(path)
                            .with_context(|| format!("reading {}", path.display()))?,
                    );
                }
            }
            let findings = scanner.scan(&text);
            let mut out = std::io::stdout().lock();
            for f in &findings {
                writeln!(out, "{}", serde_json::to_string(f)?)?;
            }
            Ok(if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Eval(command) => eval::run(command),
    }
}
