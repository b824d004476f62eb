//! A full disk (SPEC §7, fail closed): the data directory on a small tmpfs that is then filled.
//! Every request is refused with 503 (its audit event cannot be written), the server stays up,
//! serves again once space is freed, and the trail holds exactly the answered requests and
//! verifies — nothing half-written. Mounting needs root (as under `scripts/test` in CI); elsewhere
//! the test skips with a message.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::Gateway;
use warden_testkit::{MockUpstream, Reply};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| Tmpfs(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

async fn chat(client: &reqwest::Client, base: &str, key: &str) -> u16 {
    client
        .post(format!("{base}/v1/chat/completions"))
        .bearer_auth(key)
        .json(&serde_json::json!({"model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "hello there"}]}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_full_disk_refuses_requests_with_503_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "4m") else {
        eprintln!("skipped: mounting a tmpfs needs root (scripts/test in CI runs as root)");
        return;
    };
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    mock.set_default(Reply::text("fine"));
    let config = format!(
        "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\n\
         models = [\"gpt-4o-mini\"]\n",
        mock.base_url()
    );
    let gateway = Gateway::start(&disk.0.join("data"), &config);
    let (_, key) = gateway.create_key("app", "user");
    let client = reqwest::Client::new();
    assert_eq!(chat(&client, &gateway.base, &key).await, 200);

    // Fill the disk.
    let filler = disk.0.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).and_then(|()| file.flush()).is_ok() {}
    drop(file);

    for _ in 0..50 {
        assert_eq!(chat(&client, &gateway.base, &key).await, 503);
    }
    let health = client
        .get(format!("{}/healthz", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the server went down");

    // Space again: served again.
    std::fs::remove_file(&filler).unwrap();
    for _ in 0..5 {
        assert_eq!(chat(&client, &gateway.base, &key).await, 200);
    }
    // The trail: whole, and exactly the six answered requests (the refused ones left nothing).
    let verify = gateway.warden(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let export = gateway.warden(&["audit", "export"]);
    assert!(export.status.success());
    let chats: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .map(|line: serde_json::Value| line.get("event").cloned().unwrap_or(line))
        .filter(|event| event["route"] == "/v1/chat/completions")
        .collect();
    assert_eq!(chats.len(), 6, "{chats:?}");
    assert!(
        chats.iter().all(|event| event["status"] == 200),
        "{chats:?}"
    );
}
