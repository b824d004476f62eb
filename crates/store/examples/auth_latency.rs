//! Measures `Store::authenticate` on SQLite with 1,000 keys in the store: latency back to back,
//! latency paced at 1,000 lookups per second (the connections' threads idle in between, as under a
//! moderate load), and throughput with concurrent callers. Run in release:
//!
//! ```sh
//! cargo run --release -p warden-store --example auth_latency
//! ```

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use warden_store::{Authentication, KeyLimits, NewKey, Role, Store, StoreOptions, Timestamp};

const N_KEYS: usize = 1_000;
const N_SEQUENTIAL: usize = 20_000;
const N_PACED: usize = 3_000;
const N_TASKS: usize = 16;
const N_PER_TASK: usize = 5_000;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(StoreOptions::in_dir(dir.path())).await.unwrap();
    let now = Timestamp::now();
    let mut keys = Vec::with_capacity(N_KEYS);
    for index in 0..N_KEYS {
        let new_key = NewKey {
            name: format!("key {index}"),
            roles: vec![Role::parse("user").unwrap()],
            expires_at: None,
            allowed_models: Some(vec!["gpt-4o-mini".into()]),
            limits: KeyLimits::default(),
        };
        let (_, key) = store.create_key(new_key, now).await.unwrap();
        keys.push(key.expose_secret().to_owned());
    }

    // Warm the pool and the statement caches.
    for key in keys.iter().take(100) {
        store.authenticate(key, now).await.unwrap();
    }

    let mut latencies = Vec::with_capacity(N_SEQUENTIAL);
    for index in 0..N_SEQUENTIAL {
        latencies.push(timed_lookup(&store, &keys[index * 7919 % N_KEYS], now).await);
    }
    report("back to back", latencies);

    let mut latencies = Vec::with_capacity(N_PACED);
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    for index in 0..N_PACED {
        ticks.tick().await;
        latencies.push(timed_lookup(&store, &keys[index * 7919 % N_KEYS], now).await);
    }
    report("paced at 1,000/s", latencies);

    let started = Instant::now();
    let tasks: Vec<_> = (0..N_TASKS)
        .map(|task| {
            let store = store.clone();
            let keys = keys.clone();
            tokio::spawn(async move {
                for index in 0..N_PER_TASK {
                    let key = &keys[(task * N_PER_TASK + index) * 7919 % N_KEYS];
                    store.authenticate(key, now).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let n_lookups = N_TASKS * N_PER_TASK;
    println!(
        "concurrent: {N_TASKS} tasks, {n_lookups} lookups in {:.2} s = {:.0} lookups/s",
        elapsed.as_secs_f64(),
        n_lookups as f64 / elapsed.as_secs_f64(),
    );
    store.close().await;
}

async fn timed_lookup(store: &Store, key: &str, now: Timestamp) -> Duration {
    let begun = Instant::now();
    let answer = store.authenticate(key, now).await.unwrap();
    let elapsed = begun.elapsed();
    assert!(matches!(answer, Authentication::Valid(_)));
    elapsed
}

fn report(label: &str, mut latencies: Vec<Duration>) {
    latencies.sort_unstable();
    let n_lookups = latencies.len();
    let percentile = |p: usize| micros(latencies[(n_lookups * p / 100).min(n_lookups - 1)]);
    let mean = micros(latencies.iter().sum::<Duration>()) / n_lookups as f64;
    println!(
        "{label}: {n_lookups} lookups, mean {mean:.1} µs, p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs",
        percentile(50),
        percentile(90),
        percentile(99),
    );
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
