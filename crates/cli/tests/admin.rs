//! The admin API end to end (SPEC §6): the real gateway on its SQLite store, the first admin key made
//! with `warden keys create`, then keys created, listed and revoked over HTTP; refusals for missing
//! credentials, the `user` role and bad bodies; every admin request in the audit trail (allowed or
//! refused, with its action and target, never a key), and the chain still verifies.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::Gateway;
use warden_testkit::{MockUpstream, Reply};

async fn start() -> (MockUpstream, tempfile::TempDir, Gateway) {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    mock.set_default(Reply::text("ok"));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:MOCK_KEY\"\nmodels = [\"m\"]\n",
        mock.base_url()
    );
    let gateway = Gateway::start(&dir.path().join("data"), &config);
    (mock, dir, gateway)
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert!(response.headers().contains_key("x-request-id"));
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn key_count(client: &reqwest::Client, keys: &str, admin: &str) -> usize {
    let (_, listed) = call(
        client,
        reqwest::Method::GET,
        keys.to_owned(),
        Some(admin),
        None,
    )
    .await;
    listed["data"].as_array().unwrap().len()
}

async fn models_status(client: &reqwest::Client, gateway: &Gateway, key: &str) -> u16 {
    let response = client
        .get(format!("{}/v1/models", gateway.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn admins_create_list_and_revoke_keys_over_http_and_every_request_is_audited() {
    let (_mock, _dir, gateway) = start().await;
    let (admin_id, admin) = gateway.create_key("admin", "admin");
    let (_, user) = gateway.create_key("user", "user");
    let client = reqwest::Client::new();
    let keys = format!("{}/admin/keys", gateway.base);

    // Create: the key is shown once, works at once, and carries what was asked.
    let (status, created) = call(
        &client,
        reqwest::Method::POST,
        keys.clone(),
        Some(&admin),
        Some(json!({"name": "batch job", "roles": ["user"], "expires_in": "30d", "models": ["m"], "requests_per_minute": 60})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let new_id = created["id"].as_str().unwrap().to_owned();
    let new_key = created["key"].as_str().unwrap().to_owned();
    assert!(new_key.starts_with("wdn_"));
    assert_eq!(created["roles"], json!(["user"]));
    assert!(created["expires_at"].is_string());
    assert_eq!(models_status(&client, &gateway, &new_key).await, 200);

    // List: every key with its status, never a key or a hash.
    let (status, listed) = call(
        &client,
        reqwest::Method::GET,
        keys.clone(),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["object"], "list");
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let text = listed.to_string();
    for secret in [&admin, &user, &new_key] {
        assert!(!text.contains(secret.as_str()), "a key is listed");
    }
    assert!(!text.contains("hash"), "{text}");
    let batch = data.iter().find(|k| k["id"] == new_id).unwrap();
    assert_eq!(batch["status"], "active");
    assert_eq!(batch["allowed_models"], json!(["m"]));
    assert_eq!(batch["limits"]["requests_per_minute"], 60);

    // Revoke: the key stops working on its next request; revoking twice is harmless.
    let revoke_url = format!("{keys}/{new_id}");
    let (status, revoked) = call(
        &client,
        reqwest::Method::DELETE,
        revoke_url.clone(),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["outcome"], "revoked");
    assert_eq!(models_status(&client, &gateway, &new_key).await, 401);
    let (status, again) = call(
        &client,
        reqwest::Method::DELETE,
        revoke_url,
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["outcome"], "already_revoked");

    // Unknown and malformed ids, and a key given where an id belongs (never echoed).
    let (status, body) = call(
        &client,
        reqwest::Method::DELETE,
        format!("{keys}/key_0000000000000000"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = call(
        &client,
        reqwest::Method::DELETE,
        format!("{keys}/{user}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(!body.to_string().contains(&user));

    // Refusals: no credentials, the user role, a revoked key.
    for (method, url) in [
        (reqwest::Method::GET, keys.clone()),
        (reqwest::Method::POST, keys.clone()),
        (reqwest::Method::DELETE, format!("{keys}/{admin_id}")),
        (
            reqwest::Method::POST,
            format!("{}/admin/policies/reload", gateway.base),
        ),
    ] {
        let body =
            (method == reqwest::Method::POST).then(|| json!({"name": "x", "roles": ["admin"]}));
        let (status, refused) =
            call(&client, method.clone(), url.clone(), None, body.clone()).await;
        assert_eq!(status, 401, "{method} {url}: {refused}");
        assert_eq!(refused["error"]["code"], "invalid_api_key");
        let (status, refused) = call(
            &client,
            method.clone(),
            url.clone(),
            Some(&user),
            body.clone(),
        )
        .await;
        assert_eq!(status, 403, "{method} {url}: {refused}");
        assert_eq!(refused["error"]["code"], "policy_denied");
        let (status, _) = call(&client, method.clone(), url.clone(), Some(&new_key), body).await;
        assert_eq!(status, 401, "{method} {url}");
    }
    // The user's refused POST made nothing.
    assert_eq!(key_count(&client, &keys, &admin).await, 3);

    // Bad bodies: named, never echoed; nothing made.
    let long_role = "r".repeat(10_000);
    for (body, expect) in [
        (
            json!({"name": "x", "roles": ["user"], "colour": "red"}),
            "unknown field `colour`",
        ),
        (json!({"roles": ["user"]}), "lacks the field `name`"),
        (json!({"name": "x", "roles": "user"}), "wrong type"),
        (json!({"name": "x", "roles": []}), "at least one role"),
        (
            json!({"name": "x", "roles": ["Not A Role!"]}),
            "invalid role",
        ),
        (json!({"name": "x", "roles": [long_role]}), "invalid role"),
        (
            json!({"name": "x", "roles": ["user"], "expires_in": "soon"}),
            "expires_in",
        ),
        (
            json!({"name": "x", "roles": ["user"], "requests_per_minute": -1}),
            "wrong type",
        ),
    ] {
        let (status, refused) = call(
            &client,
            reqwest::Method::POST,
            keys.clone(),
            Some(&admin),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(expect), "{body}: {message}");
        assert!(message.len() < 1_000, "{message}");
    }
    let response = client
        .post(&keys)
        .bearer_auth(&admin)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(key_count(&client, &keys, &admin).await, 3);

    // Policies reload (the defaults here).
    let (status, reloaded) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/admin/policies/reload", gateway.base),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reloaded}");
    assert_eq!(reloaded["reloaded"], true);

    // The audit trail: every admin request, allowed or refused, with action and target; no key.
    let export = gateway.warden(&["audit", "export"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let text = String::from_utf8(export.stdout).unwrap();
    for secret in [&admin, &user, &new_key] {
        assert!(
            !text.contains(secret.as_str()),
            "a key is in the audit trail"
        );
    }
    let events: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let admin_events: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["route"]
                .as_str()
                .is_some_and(|r| r.starts_with("/admin/"))
        })
        .collect();
    let allowed = |action: &str, reason: Option<&str>| {
        admin_events.iter().any(|e| {
            e["action"] == action
                && e["decision"] == "allowed"
                && e["principal"] == admin_id.as_str()
                && reason.is_none_or(|r| e["reason"] == r)
        })
    };
    assert!(allowed("admin.keys.create", Some(&new_id)));
    assert!(allowed("admin.keys.list", None));
    assert!(allowed("admin.keys.revoke", Some(&new_id)));
    assert!(allowed("admin.policies.reload", None));
    let denied = admin_events
        .iter()
        .filter(|e| e["decision"] == "denied")
        .count();
    // 12 credential refusals, 2 bad ids, 9 bad bodies.
    assert_eq!(denied, 23, "{admin_events:#?}");
    assert!(
        admin_events
            .iter()
            .any(|e| e["action"] == "admin.keys.create"
                && e["status"] == 403
                && e["reason"] == "policy_denied")
    );
    let verify = gateway.warden(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
