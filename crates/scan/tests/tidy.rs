//! Architecture invariant: the engine and the policy crate are pure. Their normal (non-dev)
//! dependency closures must not reach an async runtime, an HTTP stack or a database driver.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "hyper",
    "reqwest",
    "axum",
    "h2",
    "mio",
    "sqlx",
    "rusqlite",
    "redis",
    "async-std",
];

#[test]
fn the_engine_cannot_reach_io_crates() {
    check_pure("warden-scan", "aho-corasick");
}

#[test]
fn the_policy_crate_cannot_reach_io_crates() {
    check_pure("warden-policy", "cedar-policy");
}

/// Walks `crate_name`'s normal dependency closure; fails if it reaches a forbidden crate, or if the
/// walk misses `known_dependency` (proof the walk works).
fn check_pure(crate_name: &str, known_dependency: &str) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Only the host's dependencies: other platforms' crates need not be downloaded.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_owned();
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            &host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve graph")
        .iter()
        .map(|n| {
            let deps = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null() || k["kind"] == "build")
                })
                .map(|d| d["pkg"].as_str().unwrap())
                .collect();
            (n["id"].as_str().unwrap(), deps)
        })
        .collect();
    let root = names
        .iter()
        .find(|(_, name)| **name == crate_name)
        .map(|(id, _)| *id)
        .expect("the crate is in the workspace");
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        todo.extend(nodes.get(id).into_iter().flatten().copied());
    }
    let reached: Vec<&str> = seen
        .iter()
        .map(|id| names[id])
        .filter(|n| FORBIDDEN.contains(n))
        .collect();
    assert!(reached.is_empty(), "{crate_name} depends on {reached:?}");
    // The walk itself works: the crate does reach its own dependencies.
    assert!(seen.iter().any(|id| names[id] == known_dependency));
}
