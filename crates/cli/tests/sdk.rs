//! The official `openai` Python SDK as a real client of `warden serve` (the built binary), with the
//! testkit's mock as the upstream. The Python side lives in `tests/sdk/test_openai_sdk.py`.
//!
//! Needs a Python with `openai` installed: `WARDEN_TEST_PYTHON` names it (the test script sets it to
//! its venv). Without it the test says so and skips; the test script always sets it.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::print_stdout
)]

mod support;

use std::process::{Child, Command, Stdio};

use warden_testkit::MockUpstream;

const PROVIDER_KEY: &str = "sk-mock-provider-key";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn warden(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_openai_sdk_against_warden() {
    let Some(python) = std::env::var_os("WARDEN_TEST_PYTHON") else {
        eprintln!(
            "skipped: set WARDEN_TEST_PYTHON to a Python with `openai` (./scripts/test does)"
        );
        return;
    };
    let mock = MockUpstream::builder().api_key(PROVIDER_KEY).start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let config = dir.path().join("warden.toml");
    std::fs::write(
        &config,
        format!(
            "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_PROVIDER_KEY\"\n\
             models = [\"gpt-4o-mini\", \"text-embedding-3-small\"]\nfirst_byte_timeout_ms = 2000\nmax_retries = 2\n\
             # The suite plants a secret in dozens of answers on purpose: no suspension for it.\n\
             [alerts]\nblocked_leaks = 0\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let created = warden(&[
        "keys",
        "create",
        "--name",
        "sdk",
        "--role",
        "user",
        "--json",
        "--data-dir",
        data,
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let key = created["key"].as_str().unwrap().to_owned();

    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data,
            "--config",
        ])
        .arg(&config)
        .env("MOCK_PROVIDER_KEY", PROVIDER_KEY)
        .env("WARDEN_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("warden.log")).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let base = support::listening_address(stdout);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/test_openai_sdk.py");
    let mock_root = format!("http://{}", mock.addr());
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("WARDEN_BASE_URL", format!("{base}/v1"))
            .env("WARDEN_KEY", key)
            .env("MOCK_URL", mock_root)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the SDK checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"));
    drop(server);
    // The logs: one JSON line per request, never a payload value, the client key or the provider key.
    let logs = std::fs::read_to_string(dir.path().join("warden.log")).unwrap();
    assert!(
        logs.lines()
            .filter(|l| l.contains("\"message\":\"request\""))
            .count()
            > 100,
        "{logs}"
    );
    let key = created["key"].as_str().unwrap();
    for planted in [
        "Jane Whitfield",
        "jane.whitfield@example.org",
        "536-90-4399",
        "AKIAIOSFODNN7EXAMPLE",
        key,
        PROVIDER_KEY,
        "exfil.attacker.net",
    ] {
        assert!(!logs.contains(planted), "{planted} appears in the logs");
    }
    assert!(logs.contains("PERSON="), "the logs count entity types");
    // The audit trail: one event per request, chained, and no value in the data directory.
    let verified = warden(&["audit", "verify", "--json", "--data-dir", data]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let verified: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert!(verified["checked"].as_u64().unwrap() > 100, "{verified}");
    assert!(verified["first_bad"].is_null());
    let exported = warden(&["audit", "export", "--data-dir", data]);
    assert!(exported.status.success());
    let exported = String::from_utf8(exported.stdout).unwrap();
    assert!(exported.lines().count() as u64 >= verified["checked"].as_u64().unwrap());
    assert!(exported.contains("\"action\":\"admin.keys.create\""));
    assert!(exported.contains("\"reason\":\"invalid_api_key\""));
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    for planted in [
        "Jane Whitfield",
        "jane.whitfield@example.org",
        "536-90-4399",
        "AKIAIOSFODNN7EXAMPLE",
        key,
    ] {
        assert!(
            !stored.contains(planted),
            "{planted} is stored in plaintext"
        );
    }
}
