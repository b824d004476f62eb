//! Streamed chat completions, timed from the request's start: to the first SSE event, to the first
//! content token and to the end. Prints one JSON line with p50/p99 in ms (used by bench/gateway.sh).
//!
//! `cargo run --release -p warden-gateway --example ttft -- URL KEY BODY_FILE TARGET [N]`
//!
//! Sequential requests over one keep-alive connection (latency, not queueing); the first 20 warm up.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, body_file, target, rest @ ..] = args.as_slice() else {
        panic!("usage: ttft URL KEY BODY_FILE TARGET [N]");
    };
    let n: usize = rest
        .first()
        .map_or(300, |n| n.parse().expect("N is a number"));
    let body = std::fs::read(body_file).expect("reading the body");
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let (mut events, mut contents, mut totals, mut errors) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    for i in 0..n + 20 {
        let start = Instant::now();
        let response = client
            .post(url)
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        let Ok(mut response) = response else {
            errors += 1;
            continue;
        };
        let (mut event, mut content) = (None, None);
        let mut seen = Vec::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            seen.extend_from_slice(&chunk);
            let text = String::from_utf8_lossy(&seen);
            if event.is_none() && text.contains("data: ") {
                event = Some(start.elapsed());
            }
            if content.is_none()
                && text
                    .split("\n\n")
                    .any(|f| f.contains("\"content\":\"") && !f.contains("\"content\":\"\""))
            {
                content = Some(start.elapsed());
            }
        }
        let total = start.elapsed();
        match (event, content) {
            (Some(event), Some(content)) if i >= 20 => {
                events.push(event.as_secs_f64() * 1e3);
                contents.push(content.as_secs_f64() * 1e3);
                totals.push(total.as_secs_f64() * 1e3);
            }
            (Some(_), Some(_)) => {}
            _ => errors += 1,
        }
    }
    let pct = |values: &mut Vec<f64>, p: f64| {
        values.sort_by(f64::total_cmp);
        values
            .get(((p / 100.0) * values.len() as f64) as usize)
            .or(values.last())
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{}",
        serde_json::json!({
            "target": target, "n": events.len(), "errors": errors,
            "first_event_p50_ms": pct(&mut events, 50.0), "first_event_p99_ms": pct(&mut events, 99.0),
            "ttft_p50_ms": pct(&mut contents, 50.0), "ttft_p99_ms": pct(&mut contents, 99.0),
            "total_p50_ms": pct(&mut totals, 50.0), "total_p99_ms": pct(&mut totals, 99.0),
        })
    );
}
