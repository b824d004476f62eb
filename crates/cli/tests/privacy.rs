//! Data-protection duties end to end (SPEC §8) on the real gateway and its SQLite store: consent a
//! model requires (403 `consent_required` until given), the CCPA opt-out routing to an upstream that
//! does not share data, a secret blocked in an answer raising an incident, the subject's export and
//! erasure over the CLI and the admin API, odd subject ids never reflected, and a corrupted audit
//! row reported by verify as an incident while the gateway keeps serving.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::Gateway;
use warden_testkit::{MockUpstream, Reply};

const SECRET: &str = "AKIAIOSFODNN7EXAMPLE";

fn json_of(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn chat(
    client: &reqwest::Client,
    gateway: &Gateway,
    key: &str,
    subject: Option<&str>,
) -> (u16, Value) {
    let mut request = client
        .post(format!("{}/v1/chat/completions", gateway.base))
        .bearer_auth(key)
        .json(
            &json!({"model": "m", "messages": [{"role": "user", "content": "What is my plan?"}]}),
        );
    if let Some(subject) = subject {
        request = request.header("x-warden-subject", subject);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn consent_opt_out_incidents_export_and_erasure() {
    let shared = MockUpstream::builder().api_key("sk-mock").start().await;
    shared.set_default(Reply::text("Your plan is gold."));
    let private = MockUpstream::builder().api_key("sk-mock").start().await;
    private.set_default(Reply::text("Your plan is gold (private)."));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[[upstreams]]\nname = \"shared\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n\
         require_consent = [\"assistant\"]\n\
         [[upstreams]]\nname = \"private\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n\
         shares_data = false\n[store]\nconversations = true\n",
        shared.base_url(),
        private.base_url()
    );
    let gateway = Gateway::start(&dir.path().join("data"), &config);
    let (_, admin) = gateway.create_key("ops", "admin");
    let (user_id, user) = gateway.create_key("app", "user");
    let client = reqwest::Client::new();

    // Consent: refused (and audited) until given; without a subject nobody's consent can count.
    let (status, body) = chat(&client, &gateway, &user, Some("alice")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required")),
        "{body}"
    );
    let (status, body) = chat(&client, &gateway, &user, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required"))
    );
    assert!(shared.requests().is_empty() && private.requests().is_empty());
    let set = gateway.warden(&["consent", "set", "alice", "assistant"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&set.stdout).contains("alice"),
        "the id is echoed"
    );
    let (status, body) = chat(&client, &gateway, &user, Some("alice")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(shared.requests().len(), 1);

    // The opt-out: the same model now goes to the upstream that does not share data.
    assert!(
        gateway
            .warden(&["consent", "do-not-share", "alice"])
            .status
            .success()
    );
    let (status, body) = chat(&client, &gateway, &user, Some("alice")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((shared.requests().len(), private.requests().len()), (1, 1));
    // Bob did not opt out (and has not consented): refused by the shared upstream's requirement.
    let (status, _) = chat(&client, &gateway, &user, Some("bob")).await;
    assert_eq!(status, 403);

    // A secret in an answer is removed and raises an incident naming principal and subject.
    private.push_reply(Reply::text(format!("Your access key is {SECRET}.")));
    let (status, body) = chat(&client, &gateway, &user, Some("alice")).await;
    assert_eq!(status, 200);
    assert!(!body.to_string().contains(SECRET));
    let incidents = json_of(&gateway.warden(&["incident", "list", "--json"]));
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0]["kind"], "output_leak_blocked");
    assert_eq!(incidents[0]["principals"], json!([user_id]));
    let alice_ref = incidents[0]["subjects"][0].as_str().unwrap().to_owned();
    assert!(alice_ref.starts_with("subj_"));
    assert!(!incidents[0].to_string().contains(SECRET));
    let response = client
        .get(format!("{}/admin/incidents", gateway.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let listed: Value = response.json().await.unwrap();
    assert_eq!(listed["data"][0]["id"], incidents[0]["id"]);

    // Export (CLI and HTTP): conversations decrypted, consent, the opt-out, audit events, incidents.
    let export = json_of(&gateway.warden(&["subject", "export", "alice", "--json"]));
    assert_eq!(export["subject_ref"], alice_ref.as_str());
    assert_eq!(export["conversations"].as_array().unwrap().len(), 3);
    assert!(
        export["conversations"][0]["prompt"]
            .as_str()
            .unwrap()
            .contains("What is my plan?")
    );
    assert_eq!(export["consents"][0]["purpose"], "assistant");
    assert_eq!(export["do_not_share"], true);
    assert!(export["audit_events"].as_array().unwrap().len() >= 4);
    assert_eq!(export["incidents"].as_array().unwrap().len(), 1);
    let response = client
        .get(format!("{}/admin/subjects/alice/export", gateway.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let over_http: Value = response.json().await.unwrap();
    assert_eq!(over_http["conversations"], export["conversations"]);
    // A user may not export anyone.
    let response = client
        .get(format!("{}/admin/subjects/alice/export", gateway.base))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // Odd and huge ids: an empty export, never reflected.
    for odd in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        &"z".repeat(10_000),
        "nobody",
    ] {
        let response = client
            .get(format!("{}/admin/subjects/{odd}/export", gateway.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("script") && !text.contains("zzzz"),
            "reflected"
        );
        let empty: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(empty["conversations"], json!([]));
    }

    // Consent over HTTP, then erasure over HTTP (twice: harmless).
    let response = client
        .put(format!(
            "{}/admin/subjects/carol/consent/assistant",
            gateway.base
        ))
        .bearer_auth(&admin)
        .json(&json!({"granted": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, _) = chat(&client, &gateway, &user, Some("carol")).await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        let response = client
            .delete(format!("{}/admin/subjects/alice", gateway.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let export = json_of(&gateway.warden(&["subject", "export", "alice"]));
    assert_eq!(export["conversations"], json!([]));
    assert_eq!(export["consents"], json!([]));
    // Carol is untouched; erasure is audited under the reference; the chain verifies.
    let carol = json_of(&gateway.warden(&["subject", "export", "carol"]));
    assert_eq!(carol["conversations"].as_array().unwrap().len(), 1);
    let erase_events = export["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "admin.subjects.erase")
        .count();
    assert_eq!(erase_events, 2);
    assert!(gateway.warden(&["audit", "verify"]).status.success());
    let audit = gateway.warden(&["audit", "export"]);
    let audit = String::from_utf8(audit.stdout).unwrap();
    assert!(
        !audit.contains("alice") && !audit.contains("carol"),
        "a raw subject id is audited"
    );
    // The consent refusals are audited, under the subject's reference.
    let refusals = audit
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|e| e["reason"] == "consent_required" && e["status"] == 403)
        .collect::<Vec<_>>();
    assert_eq!(refusals.len(), 3, "alice, no subject, bob");
    assert_eq!(refusals[0]["subject"], alice_ref.as_str());

    // A corrupted row: verify names it (exit 1) and raises one incident; the gateway keeps serving.
    let db = gateway.data.join(warden_store::DATABASE_FILE);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::raw_sql(
        "UPDATE audit_events SET event = replace(event, '\"v\":1,', '\"v\":2,') WHERE seq = 3",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    for _ in 0..2 {
        let verify = gateway.warden(&["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1));
    }
    let incidents = json_of(&gateway.warden(&["incident", "list", "--json"]));
    let broken: Vec<&Value> = incidents
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "audit_chain_broken")
        .collect();
    assert_eq!(broken.len(), 1, "{incidents}");
    assert!(broken[0]["summary"].as_str().unwrap().contains("event 3"));
    let (status, _) = chat(&client, &gateway, &user, Some("carol")).await;
    assert_eq!(status, 200);
}

/// The server's housekeeping purges audit events past `[retention] audit_days` (here 0: all but
/// the tail) at start, leaving a signed checkpoint: `warden audit verify` still passes and new
/// events continue the chain.
#[tokio::test]
async fn the_server_purges_the_audit_trail_past_retention_behind_a_checkpoint() {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    mock.set_default(Reply::text("ok"));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("data.toml");
    std::fs::write(
        &config,
        format!(
            "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n\
             [retention]\naudit_days = 0\n",
            mock.base_url()
        ),
    )
    .unwrap();
    // Three audited admin actions before the server starts.
    let mut keys = Vec::new();
    for name in ["a", "b", "c"] {
        let created = support::warden_command()
            .args([
                "keys",
                "create",
                "--name",
                name,
                "--role",
                "user",
                "--json",
                "--data-dir",
            ])
            .arg(&data)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        keys.push(json_of(&created)["key"].as_str().unwrap().to_owned());
    }
    let gateway = Gateway::start(&data, &std::fs::read_to_string(&config).unwrap());
    let seqs = |gateway: &Gateway| -> Vec<i64> {
        let export = gateway.warden(&["audit", "export"]);
        String::from_utf8(export.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["seq"]
                    .as_i64()
                    .unwrap()
            })
            .collect()
    };
    // The purge runs in the background right after the start.
    let mut remaining = seqs(&gateway);
    for _ in 0..100 {
        if remaining.first() != Some(&1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        remaining = seqs(&gateway);
    }
    assert_eq!(remaining, [3], "all but the tail purged");
    let client = reqwest::Client::new();
    let (status, _) = chat(&client, &gateway, &keys[0], None).await;
    assert_eq!(status, 200);
    assert_eq!(seqs(&gateway), [3, 4]);
    let verify = gateway.warden(&["audit", "verify", "--json"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let verification: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(verification["checked"], 2);
}
