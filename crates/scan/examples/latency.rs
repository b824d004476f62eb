//! Speed figures of the default scanner (every detector, one thread), printed as a table:
//! throughput and per-text latency on `short.jsonl`, p50/p99 per 1 KiB text built from it,
//! throughput on `long.txt`, and with `--adversarial` the adversarial families at 1 and 10 MB.
//!
//! `cargo run --release -p warden-scan --example latency [-- --adversarial]`

#![allow(
    clippy::print_stdout,
    reason = "an example that prints its measurements"
)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use warden_scan::{EntityType, Scanner, ScannerConfig};

fn main() {
    let scanner = Scanner::default();
    let adversarial = std::env::args().any(|a| a == "--adversarial");
    // Warm up the scanner's lazily built tables and the caches.
    black_box(scanner.scan("warm up: jane.doe@example.com 4111 1111 1111 1111"));
    let Some(short) = common::short_texts() else {
        return;
    };
    let bytes: usize = short.iter().map(String::len).sum();
    let (total, mut per_text) = time_each(&scanner, &short, 21);
    println!(
        "short.jsonl: {} texts, {} bytes; {:.1} MB/s, {:.0} texts/s; per text p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        short.len(),
        bytes,
        mb_per_s(bytes, total),
        short.len() as f64 / total.as_secs_f64(),
        micros(percentile(&mut per_text, 0.50)),
        micros(percentile(&mut per_text, 0.99)),
        micros(percentile(&mut per_text, 1.0)),
    );
    let kilobyte = common::kilobyte_texts(&short);
    let (total, mut per_text) = time_each(&scanner, &kilobyte, 21);
    println!(
        "1 KiB texts: {} texts; {:.1} MB/s; per text p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        kilobyte.len(),
        mb_per_s(kilobyte.iter().map(String::len).sum::<usize>(), total),
        micros(percentile(&mut per_text, 0.50)),
        micros(percentile(&mut per_text, 0.99)),
        micros(percentile(&mut per_text, 1.0)),
    );
    // The engine of the engine issue (every detector but PROMPT_INJECTION, tagger on), and the
    // injection detector alone (its own issue's target is per KiB).
    let all_but_injection = Scanner::default().without_injection();
    let (total, _) = time_each(&all_but_injection, &short, 21);
    let (k_total, mut k_per_text) = time_each(&all_but_injection, &kilobyte, 21);
    println!(
        "without PROMPT_INJECTION: short.jsonl {:.1} MB/s; 1 KiB texts p50 {:.1} µs, p99 {:.1} µs",
        mb_per_s(bytes, total),
        micros(percentile(&mut k_per_text, 0.50)),
        micros(percentile(&mut k_per_text, 0.99)),
    );
    let _ = k_total;
    let injection = Scanner::new(&ScannerConfig {
        entities: vec![EntityType::PromptInjection],
        ner: false,
        ..ScannerConfig::default()
    })
    .unwrap_or_default();
    let (total, _) = time_each(&injection, &short, 21);
    let (_, mut k_per_text) = time_each(&injection, &kilobyte, 21);
    println!(
        "PROMPT_INJECTION alone (with normalisation and lexing): short.jsonl {:.1} MB/s; 1 KiB texts p50 {:.1} µs, p99 {:.1} µs",
        mb_per_s(bytes, total),
        micros(percentile(&mut k_per_text, 0.50)),
        micros(percentile(&mut k_per_text, 0.99)),
    );
    // The floor every scan pays: normalisation, lexing and resolution, with no detector wanted.
    let floor = Scanner::new(&ScannerConfig {
        entities: vec![EntityType::Custom("NOTHING".into())],
        ner: false,
        ..ScannerConfig::default()
    })
    .unwrap_or_default();
    let (total, _) = time_each(&floor, &short, 21);
    println!(
        "short.jsonl, normalise + lex only (no detector): {:.1} MB/s",
        mb_per_s(bytes, total)
    );
    let Some(long) = common::long_text() else {
        return;
    };
    let normal = best_mb_per_s(&scanner, &long, 20);
    println!("long.txt: {} bytes; {normal:.1} MB/s", long.len());
    if !adversarial {
        return;
    }
    // Ratio: time per MB against long.txt's (the target is at most 3), and in brackets against
    // long.txt repeated to the same size.
    let normal_small = best_mb_per_s(&scanner, &common::normal_text(&long, 1 << 20), 3);
    let normal_large = best_mb_per_s(&scanner, &common::normal_text(&long, 10 << 20), 2);
    println!("\n| family | 1 MB: MB/s | ratio (same size) | 10 MB: MB/s | ratio (same size) |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| normal (long.txt repeated) | {normal_small:.1} | {:.2} (1.00) | {normal_large:.1} | {:.2} (1.00) |",
        normal / normal_small,
        normal / normal_large
    );
    for (name, make) in common::ADVERSARIAL {
        let small = best_mb_per_s(&scanner, &make(1 << 20), 3);
        let large = best_mb_per_s(&scanner, &make(10 << 20), 2);
        println!(
            "| {name} | {small:.1} | {:.2} ({:.2}) | {large:.1} | {:.2} ({:.2}) |",
            normal / small,
            normal_small / small,
            normal / large,
            normal_large / large
        );
    }
}

/// Scans every text `rounds` times; returns the time of the fastest pass over all texts (on a
/// machine shared with other work most passes are preempted at some point) and each scan's time.
fn time_each(scanner: &Scanner, texts: &[String], rounds: usize) -> (Duration, Vec<Duration>) {
    let mut each = Vec::with_capacity(texts.len() * rounds);
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let pass = Instant::now();
        for text in texts {
            let start = Instant::now();
            black_box(scanner.scan(black_box(text)));
            each.push(start.elapsed());
        }
        best = best.min(pass.elapsed());
    }
    (best, each)
}

/// The best throughput over `rounds` scans of `text` (the least disturbed by other work).
fn best_mb_per_s(scanner: &Scanner, text: &str, rounds: usize) -> f64 {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            black_box(scanner.scan(black_box(text)));
            mb_per_s(text.len(), start.elapsed())
        })
        .fold(0.0, f64::max)
}

fn percentile(times: &mut [Duration], q: f64) -> Duration {
    times.sort_unstable();
    let at = ((times.len() as f64 - 1.0) * q).round() as usize;
    times.get(at).copied().unwrap_or_default()
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64().max(1e-12)
}

fn micros(time: Duration) -> f64 {
    time.as_secs_f64() * 1e6
}
