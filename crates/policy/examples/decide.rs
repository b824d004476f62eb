//! Policy evaluation latency with 100 policies: the defaults plus 98 generated rules (per-model
//! allow-lists by role, CIDR rules, entity-type rules, business hours), 100,000 decisions on varied
//! requests; prints p50 / p99 / max in microseconds.
//!
//! `cargo run --release -p warden-policy --example decide`

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use warden_policy::{Action, DEFAULT_POLICIES, ModelInfo, Policies, PrincipalInfo, RequestContext};

fn main() {
    let mut text = String::from(DEFAULT_POLICIES);
    let extra: usize = std::env::var("EXTRA")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(98);
    for i in 0..extra {
        let rule = match i % 4 {
            0 => format!(
                "@id(\"models-{i}\")\nforbid (principal in Warden::Role::\"team{i}\", action, resource) unless {{ [\"model-{i}\", \"gpt-4o-mini\"].contains(resource.name) }};\n"
            ),
            1 => format!(
                "@id(\"cidr-{i}\")\nforbid (principal in Warden::Role::\"team{i}\", action, resource) unless {{ context.client_ip.isInRange(ip(\"10.{i}.0.0/16\")) }};\n"
            ),
            2 => format!(
                "@id(\"entity-{i}\")\nforbid (principal, action, resource) when {{ resource.name == \"model-{i}\" && context.entities.contains(\"US_SSN\") }};\n"
            ),
            _ => format!(
                "@id(\"hours-{i}\")\npermit (principal in Warden::Role::\"shift{i}\", action == Warden::Action::\"chat\", resource) when {{ context.hour >= 9 && context.hour < 17 }};\n"
            ),
        };
        text.push_str(&rule);
    }
    let policies = Policies::load(&[("bench.cedar".to_owned(), text)]).unwrap();
    assert_eq!(policies.len(), extra + 2);
    let mut times = Vec::with_capacity(100_000);
    let mut allowed = 0usize;
    for n in 0..100_000u32 {
        let who = PrincipalInfo {
            id: format!("key_{n:016}"),
            roles: vec!["user".to_owned(), format!("team{}", n % 98)],
            kind: "key".to_owned(),
            mfa: n % 2 == 0,
        };
        let model = ModelInfo {
            name: format!("model-{}", n % 120),
            upstream: "openai".to_owned(),
            shares_data: n % 3 == 0,
        };
        let context = RequestContext {
            client_ip: format!("10.{}.1.2", n % 256).parse().unwrap(),
            hour: (n % 24) as u8,
            weekday: (n % 7 + 1) as u8,
            entities: if n % 5 == 0 {
                vec!["US_SSN".to_owned(), "PERSON".to_owned()]
            } else {
                vec!["PERSON".to_owned()]
            },
            injection_score: 0,
            consent: Vec::new(),
            do_not_share: false,
        };
        let started = Instant::now();
        let decision = policies.decide(&who, Action::Chat, &model, &context);
        times.push(started.elapsed().as_secs_f64() * 1e6);
        allowed += usize::from(decision.allowed);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((p / 100.0) * times.len() as f64) as usize];
    println!(
        "100 policies, 100000 decisions ({allowed} allowed): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pct(50.0),
        pct(99.0),
        times[times.len() - 1]
    );
}
