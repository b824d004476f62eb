//! `warden dpia` end to end: the real gateway serves requests carrying personal data, then the
//! report is generated from the configuration and the store; the Markdown holds the categories,
//! processors, retention and risks, no value or subject id; the HTML is self-contained, has no
//! markup from configuration names, and renders in headless Chromium (installed by
//! `scripts/test`).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use serde_json::json;
use support::Gateway;
use warden_testkit::{MockUpstream, Reply};

/// `WARDEN_TEST_CHROMIUM` (set by `scripts/test`: then it must be there), else one on the PATH.
fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("WARDEN_TEST_CHROMIUM") {
        return Some(path);
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_owned)
}

#[tokio::test]
async fn the_report_reflects_configuration_and_traffic_and_renders() {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    mock.set_default(Reply::text("Noted."));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[[upstreams]]\nname = \"prov<script>alert(1)</script>\"\nbase_url = \"{}\"\n\
         api_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\nrequire_consent = [\"support\"]\n\
         [store]\nconversations = true\n[retention]\nconversations_days = 14\naudit_days = 400\n",
        mock.base_url()
    );
    let gateway = Gateway::start(&dir.path().join("data"), &config);
    let (_, key) = gateway.create_key("app", "user");
    assert!(
        gateway
            .warden(&["consent", "set", "subject-77", "support"])
            .status
            .success()
    );
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = client
            .post(format!("{}/v1/chat/completions", gateway.base))
            .bearer_auth(&key)
            .header("x-warden-subject", "subject-77")
            .json(&json!({"model": "m", "messages": [{"role": "user",
                "content": "I am Evangeline Marsh, write to evangeline.marsh@example.org"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    let out = dir.path().join("report");
    let dpia = gateway.warden(&["dpia", "--out", out.to_str().unwrap()]);
    assert!(
        dpia.status.success(),
        "{}",
        String::from_utf8_lossy(&dpia.stderr)
    );
    let md = std::fs::read_to_string(out.join("dpia.md")).unwrap();
    let html = std::fs::read_to_string(out.join("dpia.html")).unwrap();
    for expected in [
        "# Data protection impact assessment",
        "| PERSON | 3 | 0 | pseudonymize | redact |",
        "| EMAIL_ADDRESS | 3 | 0 |",
        "| events recorded (requests and admin actions) | 5 (0 refused) |",
        "| requests: chat | 3 |",
        "| distinct data subjects (by keyed reference) | 1 |",
        "Purposes requiring consent: support.",
        "14 days, encrypted per subject",
        "400 days",
        "| audit trail | intact: 5 events verified |",
        "shares_data = true",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    for leaked in ["Evangeline", "evangeline.marsh", "subject-77", "sk-mock"] {
        assert!(
            !md.contains(leaked) && !html.contains(leaked),
            "{leaked} in the report"
        );
    }
    assert!(
        !html.contains("<script"),
        "markup from a name reached the HTML"
    );
    assert!(html.contains("&lt;script&gt;"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "not self-contained"
    );

    let Some(chromium) = chromium() else {
        eprintln!("rendering skipped: no chromium (./scripts/test installs it and requires it)");
        return;
    };
    let url = format!("file://{}", out.join("dpia.html").display());
    let dom = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<h1>Data protection impact assessment</h1>"),
        "{dom}"
    );
    assert!(dom.matches("<table>").count() >= 6, "{dom}");
    let shot = out.join("dpia.png");
    let rendered = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1200,1600",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}
