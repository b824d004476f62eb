//! Rate limits and token budgets end to end: real listeners on loopback, the testkit's mock
//! upstream, and — for the shared counters — a real Redis server (`WARDEN_TEST_REDIS_URL`, started
//! by `scripts/test`; the Redis tests skip with a message without it).
//! Two gateways on one Redis stand for two replicas.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod shared_redis;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};
use shared_redis::{redis_url, unique};
use warden_gateway::config::Rates;
use warden_gateway::identity::KeyState;
use warden_gateway::{Config, Principal, StaticKeys, build_state, serve};
use warden_testkit::{MockUpstream, Reply, Usage};

const KEY: &str = "wdn_limitslimitslimitslimitslimitslimitslim1";
const OTHER: &str = "wdn_otherotherotherotherotherotherotherothe1";
const OWN: &str = "wdn_ownbudgetownbudgetownbudgetownbudgetown1";

struct Gateway {
    base: String,
    client: reqwest::Client,
}

fn principal(id: &str, limits: Rates) -> Principal {
    Principal {
        id: id.to_owned(),
        name: id.to_owned(),
        roles: vec!["user".to_owned()],
        allowed_models: None,
        limits,
        mfa: false,
    }
}

/// A gateway serving `gpt-4o-mini` and `small`, principals `key_a`, `key_b`, `key_own`.
async fn gateway(mock: &MockUpstream, limits: &str) -> Gateway {
    replica(mock, limits, "\"gpt-4o-mini\", \"small\"", "key").await
}

impl Gateway {
    /// A chat request with `key` on `model`: the status, `Retry-After`, the body.
    async fn chat(&self, key: &str, model: &str) -> (u16, Option<u64>, Value) {
        let response = self
            .client
            .post(format!("{}/v1/chat/completions", self.base))
            .bearer_auth(key)
            .json(&json!({"model": model, "messages": [{"role": "user", "content": "hello"}]}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        (status, retry, response.json().await.unwrap())
    }
}

fn usage(total: u64) -> Reply {
    Reply {
        usage: Some(Usage {
            prompt_tokens: total / 2,
            completion_tokens: total - total / 2,
        }),
        ..Reply::text("fine")
    }
}

#[tokio::test]
async fn requests_per_minute_per_principal_and_per_model_in_memory() {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    let gateway = gateway(
        &mock,
        "requests_per_minute = 3\n[limits.models.\"small\"]\nrequests_per_minute = 2\n",
    )
    .await;
    for _ in 0..3 {
        assert_eq!(gateway.chat(KEY, "gpt-4o-mini").await.0, 200);
    }
    let (status, retry, body) = gateway.chat(KEY, "gpt-4o-mini").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 requests per minute")
    );
    // The model's limit counts every principal together.
    assert_eq!(gateway.chat(OTHER, "small").await.0, 200);
    assert_eq!(gateway.chat(OWN, "small").await.0, 200);
    let (status, _, body) = gateway.chat(OTHER, "small").await;
    assert_eq!(status, 429);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`small`")
    );
    // Refused requests never reached the upstream: 3 + 2 calls.
    assert_eq!(mock.requests().len(), 5);
}

#[tokio::test]
async fn two_replicas_share_request_limits_and_token_budgets_in_redis() {
    let Some(url) = redis_url() else { return };
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    let model = unique("shared");
    let limits = format!(
        "redis = \"{url}\"\ntokens_per_day = 100\n[limits.models.\"{model}\"]\nrequests_per_minute = 3\n"
    );
    let models = format!("\"gpt-4o-mini\", \"{model}\"");
    // Principal ids fresh for this run (the day's counters outlive it), the same on both replicas.
    let run = unique("key");
    let (first, second) = (
        replica(&mock, &limits, &models, &run).await,
        replica(&mock, &limits, &models, &run).await,
    );
    // The model's 3 requests per minute, over both replicas together.
    mock.set_default(usage(10));
    assert_eq!(first.chat(KEY, &model).await.0, 200);
    assert_eq!(second.chat(OTHER, &model).await.0, 200);
    assert_eq!(first.chat(OTHER, &model).await.0, 200);
    let (status, retry, body) = second.chat(KEY, &model).await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)));

    // Key a's 100 tokens a day, 10 of them used above; 60 per request now, on alternate replicas:
    // 10 + 60 leaves room, 130 does not, so the third request finds the budget spent.
    mock.set_default(usage(60));
    let mut spent = false;
    for round in 0..6 {
        let replica = if round % 2 == 0 { &first } else { &second };
        let (status, retry, body) = replica.chat(KEY, "gpt-4o-mini").await;
        if status == 429 {
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("100 tokens for this day"),
                "{body}"
            );
            assert!(retry.is_some_and(|s| (1..=86_400).contains(&s)));
            spent = true;
            break;
        }
        assert_eq!(status, 200, "{body}");
    }
    assert!(spent, "the day's budget was never enforced");
    // Its own budget lets another key go on.
    assert_eq!(first.chat(OWN, "gpt-4o-mini").await.0, 200);
}

#[tokio::test]
async fn an_unreachable_redis_refuses_requests_with_503() {
    let mock = MockUpstream::builder().api_key("sk-mock").start().await;
    // Nothing listens on the discard port of loopback.
    let gateway = gateway(
        &mock,
        "redis = \"redis://127.0.0.1:9/\"\nrequests_per_minute = 100\n",
    )
    .await;
    let (status, _, body) = gateway.chat(KEY, "gpt-4o-mini").await;
    assert_eq!(status, 503, "{body}");
    assert!(mock.requests().is_empty(), "a request went out uncounted");
}

/// One replica: its own gateway on the shared Redis, principals `{run}_a`, `{run}_b`, `key_own`.
async fn replica(mock: &MockUpstream, limits: &str, models: &str, run: &str) -> Gateway {
    let text = format!(
        "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:PROVIDER_KEY\"\n\
         models = [{models}]\n[limits]\n{limits}",
        mock.base_url()
    );
    let env: HashMap<String, String> = [("PROVIDER_KEY".to_owned(), "sk-mock".to_owned())].into();
    let config = Config::parse("test.toml", &text, &env).unwrap();
    let keys = StaticKeys::default()
        .with(
            KEY,
            principal(&format!("{run}_a"), Rates::default()),
            KeyState::Active,
        )
        .with(
            OTHER,
            principal(&format!("{run}_b"), Rates::default()),
            KeyState::Active,
        )
        .with(
            OWN,
            principal(
                "key_own",
                Rates {
                    tokens_per_day: Some(1_000_000_000),
                    ..Rates::default()
                },
            ),
            KeyState::Active,
        );
    let state = Arc::new(build_state(config, Arc::new(keys)).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        serve(state, listener, std::future::pending())
            .await
            .unwrap();
    });
    Gateway {
        base,
        client: reqwest::Client::new(),
    }
}
