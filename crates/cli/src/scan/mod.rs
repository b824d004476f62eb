//! `warden scan`: finds personal data and secrets in files, directories or standard input.
//!
//! Exit status: 0 nothing found, 1 findings, 2 an error (a usage error, or an input that could not be
//! read; the other inputs are still scanned, and an error wins over findings), as grep and gitleaks do.
//!
//! Files are streamed through a fixed-size buffer (see `text_stream`), so memory stays bounded
//! whatever their size. Binary files (a NUL byte in the first 8 KiB, as ripgrep decides) are skipped.

mod position;
mod records;
mod report;
mod walk;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use warden_scan::Scanner;

use self::position::LineCounter;
use self::report::{Format, Located, Reporter};
use self::walk::Input;
use crate::diagnostics::Diagnostics;
use crate::scanner_options::ScannerOptions;
use crate::text_stream::{Decoder, Tuning, text_stream};

/// Bytes read to decide whether a file is binary.
const BINARY_PROBE: usize = 8 * 1024;

/// Total input size from which a progress bar is drawn (on a terminal only).
const PROGRESS_MIN_BYTES: u64 = 8 * 1024 * 1024;

/// Arguments of `warden scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Files or directories (scanned recursively); `-` or none: standard input.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Input is JSON lines with a `text` field: write each object back with its `findings`.
    #[arg(long, conflicts_with = "format")]
    jsonl: bool,
    /// Print matched values (by default no format shows them).
    #[arg(long)]
    show_values: bool,
    #[command(flatten)]
    scanner: ScannerOptions,
    #[command(flatten)]
    tuning: Tuning,
}

/// Why scanning one input stopped early.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Reading the input failed: reported, and the scan goes on with the next input.
    Input(io::Error),
    /// Writing the report failed: the scan stops.
    Output(io::Error),
}

/// Runs `warden scan`.
pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let scanner = args.scanner.scanner()?;
    let mut diagnostics = Diagnostics::default();
    let inputs = walk::inputs(&args.paths, &mut diagnostics);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut scan = Scan {
        args,
        scanner,
        reporter: Reporter::new(args.format, args.show_values),
        progress: progress_bar(&inputs),
        n_findings: 0,
        n_scanned: 0,
    };
    let mut output_error = scan.reporter.start(&mut out).err();
    for input in &inputs {
        if output_error.is_some() {
            break;
        }
        match scan.input(input, &mut out, &mut diagnostics) {
            Ok(()) => {}
            Err(Failure::Input(error)) => diagnostics.error(&input.name(), error),
            Err(Failure::Output(error)) => {
                output_error = Some(error);
                break;
            }
        }
    }
    if let Some(progress) = &scan.progress {
        progress.finish_and_clear();
    }
    let finished = match output_error {
        Some(error) => Err(error),
        None => scan
            .reporter
            .finish(&mut out, scan.n_scanned, diagnostics.errors())
            .and_then(|()| out.flush()),
    };
    match finished {
        Ok(()) => {}
        // The reader went away (`warden scan | head`): not an error of the scan.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(anyhow::Error::new(error).context("writing the report")),
    }
    Ok(if diagnostics.has_errors() {
        ExitCode::from(2)
    } else if scan.n_findings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The state of one `warden scan` run.
struct Scan<'a> {
    args: &'a ScanArgs,
    scanner: Arc<Scanner>,
    reporter: Reporter,
    progress: Option<ProgressBar>,
    n_findings: usize,
    n_scanned: usize,
}

impl Scan<'_> {
    fn input(
        &mut self,
        input: &Input,
        out: &mut dyn Write,
        diagnostics: &mut Diagnostics,
    ) -> Result<(), Failure> {
        let name = input.name();
        let reader: Box<dyn Read> = match input {
            Input::Stdin => Box::new(io::stdin().lock()),
            Input::File { path, named, .. } => {
                let mut file = File::open(path).map_err(Failure::Input)?;
                let head = read_head(&mut file).map_err(Failure::Input)?;
                if head.contains(&0) {
                    if *named {
                        diagnostics.warning(&name, "binary file, skipped");
                    }
                    self.tick(file_size(input));
                    return Ok(());
                }
                let counted = Counted {
                    inner: io::Cursor::new(head).chain(file),
                    progress: self.progress.clone(),
                };
                Box::new(counted)
            }
        };
        self.n_scanned += 1;
        if self.args.jsonl {
            let outcome = records::scan_records(
                input,
                reader,
                &self.scanner,
                self.args.show_values,
                out,
                diagnostics,
            )?;
            self.n_findings += outcome.findings;
            return Ok(());
        }
        self.text(&name, reader, out, diagnostics)
    }

    /// Scans one text input, reporting findings as they are released.
    fn text(
        &mut self,
        name: &str,
        reader: impl Read,
        out: &mut dyn Write,
        diagnostics: &mut Diagnostics,
    ) -> Result<(), Failure> {
        let mut decoder = Decoder::new(reader, self.args.tuning.read_buffer);
        let mut stream = text_stream(Arc::clone(&self.scanner), self.args.tuning.chunk_size);
        let mut lines = LineCounter::default();
        let mut piece = String::new();
        let mut warned = false;
        loop {
            let more = decoder.next_piece(&mut piece).map_err(Failure::Input)?;
            if decoder.replaced_invalid() && !warned {
                warned = true;
                diagnostics.warning(
                    name,
                    "invalid UTF-8 replaced by U+FFFD; offsets count the replaced text",
                );
            }
            let released = match more {
                true => stream.push(&piece),
                false => stream.finish(),
            };
            let spans = lines.locate(&released);
            let local = released.local_findings();
            for ((finding, span), local) in released.findings.iter().zip(spans).zip(&local) {
                let located = Located {
                    input: name,
                    finding,
                    span,
                    value: local.value(&released.text),
                };
                self.reporter
                    .finding(out, &located)
                    .map_err(Failure::Output)?;
            }
            self.n_findings += released.findings.len();
            if !more {
                return Ok(());
            }
        }
    }

    fn tick(&self, n_bytes: u64) {
        if let Some(progress) = &self.progress {
            progress.inc(n_bytes);
        }
    }
}

/// The first [`BINARY_PROBE`] bytes of `file` (fewer if it is shorter).
fn read_head(file: &mut File) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(BINARY_PROBE);
    Read::by_ref(file)
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

fn file_size(input: &Input) -> u64 {
    match input {
        Input::File { size, .. } => *size,
        Input::Stdin => 0,
    }
}

/// A bar on standard error when it is a terminal and the files add up to [`PROGRESS_MIN_BYTES`].
fn progress_bar(inputs: &[Input]) -> Option<ProgressBar> {
    let total: u64 = inputs.iter().map(file_size).sum();
    if total < PROGRESS_MIN_BYTES || !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// A reader that advances the progress bar.
struct Counted<R> {
    inner: R,
    progress: Option<ProgressBar>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n_read = self.inner.read(buf)?;
        if let Some(progress) = &self.progress {
            progress.inc(n_read as u64);
        }
        Ok(n_read)
    }
}
