//! Throughput of the default scanner (every detector, one thread): chat-sized texts
//! (`short.jsonl`, bytes per second over all 1,000), one 100 KiB document (`long.txt`), and each
//! adversarial family of `common` at 1 MB and 10 MB, whose per-byte time must stay within a small
//! factor of `long.txt`'s (linear time, no pathological input).
//!
//! `cargo bench -p warden-scan --bench scan` (a few minutes; sample sizes are kept small).
//! The shared bench files are read from `../../../shared/eval/bench` or `$WARDEN_SHARED/eval/bench`.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use warden_scan::Scanner;

fn corpus(c: &mut Criterion) {
    let scanner = Scanner::default();
    let mut group = c.benchmark_group("corpus");
    if let Some(short) = common::short_texts() {
        let bytes: usize = short.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("short.jsonl", |b| {
            b.iter(|| {
                for text in &short {
                    black_box(scanner.scan(black_box(text)));
                }
            })
        });
    }
    if let Some(long) = common::long_text() {
        group.throughput(Throughput::Bytes(long.len() as u64));
        group.bench_function("long.txt", |b| {
            b.iter(|| black_box(scanner.scan(black_box(&long))))
        });
    }
    group.finish();
}

fn adversarial(c: &mut Criterion) {
    let scanner = Scanner::default();
    let long = common::long_text();
    for (size_name, size) in [("1MB", 1 << 20), ("10MB", 10 << 20)] {
        let mut group = c.benchmark_group(format!("adversarial-{size_name}"));
        // One scan per sample: a 10 MB scan takes long enough to time on its own.
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_secs(if size > 1 << 20 { 4 } else { 1 }));
        if let Some(long) = &long {
            let text = common::normal_text(long, size);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_function("normal", |b| {
                b.iter(|| black_box(scanner.scan(black_box(&text))))
            });
        }
        for (name, make) in common::ADVERSARIAL {
            let text = make(size);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_function(*name, |b| {
                b.iter(|| black_box(scanner.scan(black_box(&text))))
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = corpus, adversarial
}
criterion_main!(benches);
