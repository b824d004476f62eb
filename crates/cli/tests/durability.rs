//! Nothing acknowledged is lost (SPEC §7): under concurrent load the gateway is killed with SIGKILL;
//! after a restart every request that got a success response has its audit event, and the chain
//! verifies, on SQLite and on PostgreSQL (the server `WARDEN_TEST_PG_URL` names).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use warden_testkit::{MockUpstream, Reply};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_request_survives_a_kill_9_on_sqlite() {
    kill_9_mid_load(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_request_survives_a_kill_9_on_postgres() {
    let Some(url) = warden_testkit::postgres::fresh_database("warden_durability").await else {
        eprintln!("skipped: WARDEN_TEST_PG_URL is not set (./scripts/test sets it)");
        return;
    };
    kill_9_mid_load(Some(url)).await;
}

/// Starts `warden serve` (store in `data`, or at `store_url` when given: the config names it by
/// `env:WARDEN_STORE_URL`), waits for its address.
fn serve(
    config: &std::path::Path,
    data: &str,
    store_url: Option<&str>,
) -> (std::process::Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warden"));
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data,
            "--config",
        ])
        .arg(config)
        .env("MOCK_KEY", "sk-mock")
        .env("WARDEN_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(url) = store_url {
        command.env("WARDEN_STORE_URL", url);
    }
    let mut child = command.spawn().unwrap();
    let base = support::listening_address(child.stdout.take().unwrap());
    (child, base)
}

async fn kill_9_mid_load(store_url: Option<String>) {
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
            "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n{}",
            mock.base_url(),
            if store_url.is_some() { "[store]\nurl = \"env:WARDEN_STORE_URL\"\n" } else { "" }
        ),
    )
    .unwrap();
    let config_path = config.to_str().unwrap().to_owned();
    let with_store = |args: &[&str]| -> std::process::Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_warden"));
        command
            .args(args)
            .args(["--data-dir", &data, "--config", &config_path]);
        if let Some(url) = &store_url {
            command.env("WARDEN_STORE_URL", url);
        }
        command.output().unwrap()
    };
    let created = with_store(&[
        "keys", "create", "--name", "load", "--role", "user", "--json",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = serde_json::from_slice::<serde_json::Value>(&created.stdout).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut child, base) = serve(&config, &data, store_url.as_deref());

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

    // Restart: the gateway comes back on the same store, serves, and the chain still verifies.
    let (mut restarted, base) = serve(&config, &data, store_url.as_deref());
    let response = client
        .post(format!("{base}/v1/chat/completions"))
        .bearer_auth(&key)
        .json(
            &serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "after"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    restarted.kill().unwrap();
    restarted.wait().unwrap();

    let verified = with_store(&["audit", "verify", "--json"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let exported = with_store(&["audit", "export"]);
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
