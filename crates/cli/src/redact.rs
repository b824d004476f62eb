//! `warden redact`: standard input to standard output with every finding replaced by an operator
//! (SPEC §4); everything else is copied unchanged. Streams in bounded memory, like `scan`.
//!
//! The default operator is `replace` (`<EMAIL_ADDRESS>`): the text stays readable and says what was
//! there, as Presidio's anonymizer does by default. `hash`, `encrypt` and fake pseudonyms need the
//! operator key (`--key-file` or `WARDEN_OPERATOR_KEY`); without it the command refuses to start.
//! Pseudonyms are numbered over the whole input, so one value gets one placeholder throughout.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use warden_scan::{Operator, PseudonymTable, Resources, apply};

use crate::diagnostics::Diagnostics;
use crate::operator_key::{self, KEY_ENV};
use crate::scanner_options::ScannerOptions;
use crate::text_stream::{Decoder, Tuning, text_stream};

/// Arguments of `warden redact`.
#[derive(Debug, clap::Args)]
pub(crate) struct RedactArgs {
    /// What replaces a finding: redact, replace, mask, hash, encrypt, pseudonymize, with options
    /// after a colon (`mask:keep_last=2,char=#`, `hash:length=32`, `encrypt:mode=deterministic`,
    /// `pseudonymize:style=fake`, `redact:marker=`).
    #[arg(long, value_name = "OP", default_value = "replace")]
    operator: String,
    /// File with the operator key (32 raw bytes or their base64) for hash, encrypt and fakes;
    /// otherwise the key is read from WARDEN_OPERATOR_KEY (base64).
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    #[command(flatten)]
    scanner: ScannerOptions,
    #[command(flatten)]
    tuning: Tuning,
}

/// Runs `warden redact`.
pub(crate) fn run(args: &RedactArgs) -> anyhow::Result<ExitCode> {
    let operator: Operator = args.operator.parse().context("--operator")?;
    let scanner = args.scanner.scanner()?;
    let random = SystemRandom::new();
    let mut nonces = || {
        let mut nonce = [0u8; 12];
        random.fill(&mut nonce).ok().map(|()| nonce)
    };
    let mut table = PseudonymTable::default();
    // Load the key only for operators that use it, so a stray or broken key never stops `replace`.
    let keyless = Resources {
        table: Some(&mut table),
        nonces: Some(&mut nonces),
        keys: None,
    };
    let keys = match operator.check(&keyless) {
        Ok(()) => None,
        Err(_) => match operator_key::load(args.key_file.as_deref())? {
            Some(keys) => Some(keys),
            None => bail!(
                "operator `{}` needs a key: set {KEY_ENV} to 32 random bytes in base64 \
                 (e.g. `openssl rand -base64 32`) or pass --key-file",
                operator.name()
            ),
        },
    };

    let mut decoder = Decoder::new(io::stdin().lock(), args.tuning.read_buffer);
    let mut stream = text_stream(Arc::clone(&scanner), args.tuning.chunk_size);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let diagnostics = Diagnostics::default();
    let mut piece = String::new();
    let mut warned = false;
    loop {
        let more = decoder
            .next_piece(&mut piece)
            .context("reading standard input")?;
        if decoder.replaced_invalid() && !warned {
            warned = true;
            diagnostics.warning("<stdin>", "invalid UTF-8 replaced by U+FFFD in the output");
        }
        let released = match more {
            true => stream.push(&piece),
            false => stream.finish(),
        };
        table.reserve(&released.text);
        let mut rewriter = operator
            .rewriter(Resources {
                keys: keys.as_ref(),
                table: Some(&mut table),
                nonces: Some(&mut nonces),
            })
            .context("--operator")?;
        let findings = released.local_findings();
        let rewritten = apply(&released.text, &findings, &mut rewriter);
        match out.write_all(rewritten.as_bytes()) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                return Ok(ExitCode::SUCCESS);
            }
            Err(error) => return Err(error).context("writing standard output"),
        }
        if !more {
            break;
        }
    }
    match out.flush() {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error).context("writing standard output"),
    }
}
