//! Nothing acknowledged is lost (SPEC §7): under concurrent load the gateway is killed with SIGKILL;
//! after a restart every request that got a success response has its audit event, and the chain
//! verifies.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use warden_testkit::{MockUpstream, Reply};

fn warden(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_request_survives_a_kill_9() {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    // Slow answers keep requests in flight when the kill lands.
    mock.set_default(Reply::text("fine").with_delay_ms(5));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap().to_owned();
    let config = dir.path().join("warden.toml");
    std::fs::write(
        &config,
        format!(
            "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let created = warden(&[
        "keys",
        "create",
        "--name",
        "load",
        "--role",
        "user",
        "--json",
        "--data-dir",
        &data,
    ]);
    assert!(created.status.success());
    let key = serde_json::from_slice::<serde_json::Value>(&created.stdout).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &data,
            "--config",
        ])
        .arg(&config)
        .env("MOCK_KEY", "sk-mock")
        .env("WARDEN_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    // Load: 16 workers sending requests back to back, remembering each acknowledged request id.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::new();
    let mut workers = Vec::new();
    for _ in 0..16 {
        let (client, base, key, acknowledged) = (
            client.clone(),
            base.clone(),
            key.clone(),
            Arc::clone(&acknowledged),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let response = client
                    .post(format!("{base}/v1/chat/completions"))
                    .bearer_auth(&key)
                    .json(&serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
                    .send()
                    .await;
                let Ok(response) = response else { return };
                let id = response.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
                if response.status() == 200 && response.bytes().await.is_ok() {
                    acknowledged.lock().unwrap().push(id.unwrap());
                }
            }
        }));
    }
    // Kill once a few hundred requests were answered (polling the count, not timing).
    loop {
        tokio::task::yield_now().await;
        if acknowledged.lock().unwrap().len() >= 300 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for worker in workers {
        let _ = worker.await;
    }
    let acknowledged: Vec<String> = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 300);

    // Restart-free check: the CLI opens the store as a restarted gateway would.
    let verified = warden(&["audit", "verify", "--json", "--data-dir", &data]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let exported = warden(&["audit", "export", "--data-dir", &data]);
    assert!(exported.status.success());
    let recorded: HashSet<String> = String::from_utf8(exported.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["request_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !recorded.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged requests have no audit event: {missing:?}",
        missing.len()
    );
    eprintln!(
        "{} acknowledged requests, all recorded; {} events in the chain",
        acknowledged.len(),
        recorded.len()
    );
}
