//! The `warden-mock` binary: the address line, its flags, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{get, json_of};

#[tokio::test]
async fn the_binary_prints_its_address_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "sk-bin",
            "--models",
            "m1,m2",
        ])
        .args(["--no-record", "--print-addr"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base = first_line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let models = format!("{base}/v1/models");
    let listed = json_of(get(&models, Some("sk-bin")).await).await;
    assert_eq!(listed["data"][1]["id"], "m2");
    let refused = get(&models, Some("other")).await;
    assert_eq!(refused.status(), 401);
    let recorded = json_of(get(&format!("{base}/_mock/requests"), None).await).await;
    assert_eq!(
        recorded,
        Value::Array(Vec::new()),
        "--no-record records nothing"
    );

    let signalled = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean stop: {exit}");
}
