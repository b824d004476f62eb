//! Throughput of the contact and finance detectors on chat-sized texts (`shared/eval/bench/short.jsonl`,
//! or a built-in sample when the shared data is absent): the default scanner, and a scanner limited
//! to this part's types. Run with `cargo bench -p warden-scan --bench contact_finance`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use warden_scan::{EntityType, Scanner, ScannerConfig};

const SHORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/eval/bench/short.jsonl"
);

fn corpus() -> Vec<String> {
    let path = std::env::var("WARDEN_SHARED")
        .map(|dir| format!("{dir}/eval/bench/short.jsonl"))
        .unwrap_or_else(|_| SHORT.to_owned());
    let texts: Vec<String> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    if !texts.is_empty() {
        return texts;
    }
    let sample = "Call me on +41 (0)44 668 18 00 or mail jane.doe@example.com; card 4111 1111 1111 1111, \
                  IBAN GB82 WEST 1234 5698 7654 32, see https://example.org/a?b=c from 192.168.0.1. \
                  The meeting is on 2024-05-17 at 10:30 and costs $1,200.";
    vec![sample.to_owned(); 1000]
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let ours = Scanner::new(&ScannerConfig {
        entities: [
            "EMAIL_ADDRESS",
            "PHONE_NUMBER",
            "PH_MOBILE_NUMBER",
            "TR_PHONE_NUMBER",
            "URL",
            "DOMAIN_NAME",
            "IP_ADDRESS",
            "MAC_ADDRESS",
            "CREDIT_CARD",
            "IBAN_CODE",
            "US_BANK_NUMBER",
            "ABA_ROUTING_NUMBER",
            "SWIFT_CODE",
            "CRYPTO",
        ]
        .iter()
        .filter_map(|e| EntityType::builtin(e))
        .collect(),
        min_score: 0.0,
        ..ScannerConfig::default()
    })
    .unwrap_or_default();
    let all = Scanner::default();
    let mut group = c.benchmark_group("short_texts");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("contact_finance_min_score_0", |b| {
        b.iter(|| texts.iter().map(|t| ours.scan(t).len()).sum::<usize>())
    });
    group.bench_function("default_scanner", |b| {
        b.iter(|| texts.iter().map(|t| all.scan(t).len()).sum::<usize>())
    });
    // What lexing and normalisation alone cost (no detector wants this type), then each type alone.
    let only = |entity: EntityType| {
        Scanner::new(&ScannerConfig {
            entities: vec![entity],
            min_score: 0.0,
            ..ScannerConfig::default()
        })
        .unwrap_or_default()
    };
    let per_type = std::env::var("WARDEN_BENCH_PER_TYPE").is_ok();
    let mut types = vec![EntityType::PromptInjection];
    if per_type {
        types.extend(
            [
                "EMAIL_ADDRESS",
                "PHONE_NUMBER",
                "URL",
                "DOMAIN_NAME",
                "IP_ADDRESS",
                "MAC_ADDRESS",
                "CREDIT_CARD",
                "IBAN_CODE",
                "US_BANK_NUMBER",
                "ABA_ROUTING_NUMBER",
                "SWIFT_CODE",
                "CRYPTO",
            ]
            .iter()
            .filter_map(|e| EntityType::builtin(e)),
        );
    }
    for entity in types {
        let scanner = only(entity.clone());
        group.bench_function(format!("only_{entity}"), |b| {
            b.iter(|| texts.iter().map(|t| scanner.scan(t).len()).sum::<usize>())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
