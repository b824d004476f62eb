//! Throughput of the secret detectors alone (a scanner built for `SECRET` only) and of the default
//! scanner, on chat-sized texts (`../shared/eval/bench/short.jsonl`, or built-in prose when absent)
//! and on adversarial inputs dense in triggers.
//!
//! `cargo bench -p warden-scan --bench secrets`. The secret detectors' own cost is `secrets-only`
//! minus `baseline-email-only` (normalisation, lexing and resolution, shared by all detectors).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use warden_scan::{EntityType, Scanner, ScannerConfig};

fn short_texts() -> Vec<String> {
    let path = "/work/shared/eval/bench/short.jsonl";
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
            .collect(),
        Err(_) => (0..1000)
            .map(|i| {
                format!(
                    "Hi team, ticket {i}: the customer asked to reset their account and to pass the \
                     key points to the author before Monday. Thanks!"
                )
            })
            .collect(),
    }
}

fn adversarial() -> Vec<(&'static str, String)> {
    let n = 64 * 1024;
    let repeat = |unit: &str| unit.repeat(n / unit.len());
    vec![
        ("keywords", repeat("password key token secret auth ")),
        ("assignments", repeat("password=\"a\" key: x token := ")),
        ("pem-begins", repeat("-----BEGIN RSA PRIVATE KEY-----\n")),
        ("jwt-starts", repeat("eyJhbGciOiJIUzI1NiJ9.eyJ ")),
        ("prefixes", repeat("ghp_ xoxb- AKIA sk-ant- glpat- AIza ")),
        (
            "base64",
            repeat("QmVkcm9ja0FQSUtleS1aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ="),
        ),
        ("urls", repeat("https://user@host/ ")),
    ]
}

fn secrets_only() -> Scanner {
    Scanner::new(&ScannerConfig {
        entities: vec![EntityType::Secret],
        ner: false,
        ..ScannerConfig::default()
    })
    .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let texts = short_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let secrets = secrets_only();
    let default = Scanner::default();
    // The shared cost every scan pays (normalisation, lexing, resolution) with one cheap detector:
    // subtracting it from `secrets-only` leaves the cost of the secret detectors.
    let baseline = Scanner::new(&ScannerConfig {
        entities: vec![EntityType::EmailAddress],
        ner: false,
        ..ScannerConfig::default()
    })
    .unwrap_or_default();
    let mut group = c.benchmark_group("short");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("secrets-only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(secrets.scan(black_box(t)));
            }
        })
    });
    group.bench_function("baseline-email-only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(baseline.scan(black_box(t)));
            }
        })
    });
    group.bench_function("default-scanner", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(default.scan(black_box(t)));
            }
        })
    });
    group.finish();
    let mut group = c.benchmark_group("adversarial");
    for (name, text) in adversarial() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(secrets.scan(black_box(&text))))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
