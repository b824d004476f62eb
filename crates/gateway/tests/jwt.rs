//! JWT bearer tokens from an OIDC issuer whose JWKS is served on loopback.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::panic
)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use warden_gateway::identity::KeyState;
use warden_gateway::{Config, Principal, StaticKeys, build_state, serve};
use warden_testkit::MockUpstream;

const ISSUER: &str = "https://id.example.test";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Setup {
    base: String,
    signing_pem: String,
    mock: MockUpstream,
}

async fn setup() -> Setup {
    setup_with(StaticKeys::default()).await
}

async fn setup_with(keys: StaticKeys) -> Setup {
    let key = rcgen::KeyPair::generate().unwrap();
    let raw = key.public_key_raw();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let jwks = json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
        "x": b64(&raw[1..33]), "y": b64(&raw[33..65])}]});
    let jwks_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_addr = jwks_listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || async move { axum::Json(jwks) }),
    );
    tokio::spawn(async move { axum::serve(jwks_listener, router).await.unwrap() });

    let mock = MockUpstream::start().await;
    let text = format!(
        "[[upstreams]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key = \"env:K\"\nmodels = [\"gpt-4o-mini\"]\n\
         [[issuers]]\nissuer = \"{ISSUER}\"\naudience = \"warden\"\njwks_url = \"http://{jwks_addr}/jwks.json\"\n\
         algorithms = [\"ES256\"]\nroles_claim = \"groups\"\nrole_map = {{ \"ai-users\" = \"user\" }}\n",
        mock.base_url()
    );
    let env: HashMap<String, String> = [("K".to_owned(), "sk-mock".to_owned())].into();
    let config = Config::parse("jwt.toml", &text, &env).unwrap();
    let state = Arc::new(build_state(config, Arc::new(keys)).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { serve(state, listener, std::future::pending()).await });
    Setup {
        base,
        signing_pem: key.serialize_pem(),
        mock,
    }
}

fn claims(overrides: Value) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": "warden", "sub": "alice@example.test",
        "exp": now() + 600, "nbf": now() - 10, "groups": ["ai-users"], "amr": ["pwd", "mfa"]});
    for (key, value) in overrides.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn sign(pem: &str, claims: &Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

async fn call(setup: &Setup, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", setup.base))
        .bearer_auth(token)
        .json(&json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn tokens_are_checked_like_an_oidc_relying_party() {
    let setup = setup().await;
    let pem = setup.signing_pem.clone();
    let (status, answer) = call(&setup, &sign(&pem, &claims(json!({})), "k1")).await;
    assert_eq!(status, 200, "{answer}");

    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(json!({})))
    );
    let hmac = {
        // HS256 "signed" with the issuer's public key bytes: the classic key-confusion attack.
        let header = Header::new(Algorithm::HS256);
        jsonwebtoken::encode(
            &header,
            &claims(json!({})),
            &EncodingKey::from_secret(pem.as_bytes()),
        )
        .unwrap()
    };
    let other_key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let cases: Vec<(String, &str)> = vec![
        (
            sign(&pem, &claims(json!({"exp": now() - 120})), "k1"),
            "expired",
        ),
        (
            sign(&pem, &claims(json!({"nbf": now() + 600})), "k1"),
            "not valid yet",
        ),
        (
            sign(&pem, &claims(json!({"aud": "someone-else"})), "k1"),
            "audience",
        ),
        (
            sign(&pem, &claims(json!({"iss": "https://evil.test"})), "k1"),
            "issuer",
        ),
        (
            sign(&pem, &claims(json!({"sub": null})), "k1"),
            "required claim",
        ),
        (sign(&pem, &claims(json!({})), "k2"), "signing key"),
        (sign(&other_key, &claims(json!({})), "k1"), "signature"),
        (unsigned, "well-formed JWT"),
        (hmac, "algorithm"),
        ("a.b.c".to_owned(), "JWT"),
    ];
    for (token, message) in cases {
        let (status, error) = call(&setup, &token).await;
        assert_eq!(status, 401, "{message}: {error}");
        assert_eq!(error["error"]["type"], "authentication_error");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{message}: {error}"
        );
    }
    // A valid token whose groups map to no Warden role: identified, then denied.
    let (status, error) = call(
        &setup,
        &sign(&pem, &claims(json!({"groups": ["sales"]})), "k1"),
    )
    .await;
    assert_eq!(status, 403, "{error}");
    assert_eq!(
        setup.mock.requests().len(),
        1,
        "only the valid call was forwarded"
    );
}

/// SPEC §6 / the access issue: every route × every bad credential → 401, and the `user` role on
/// every admin route → 403; nothing reaches the upstream.
#[tokio::test]
async fn every_route_refuses_every_bad_credential() {
    let principal = |id: &str, role: &str| Principal {
        id: id.to_owned(),
        name: id.to_owned(),
        roles: vec![role.to_owned()],
        allowed_models: None,
        limits: warden_gateway::config::Rates::default(),
        mfa: false,
    };
    let user_key = format!("wdn_{}", "u".repeat(43));
    let revoked_key = format!("wdn_{}", "r".repeat(43));
    let expired_key = format!("wdn_{}", "e".repeat(43));
    let keys = StaticKeys::default()
        .with(&user_key, principal("key_user", "user"), KeyState::Active)
        .with(
            &revoked_key,
            principal("key_revoked", "admin"),
            KeyState::Revoked,
        )
        .with(
            &expired_key,
            principal("key_expired", "admin"),
            KeyState::Expired,
        );
    let setup = setup_with(keys).await;
    let pem = setup.signing_pem.clone();
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let admin_claims = |o: Value| {
        let mut c = claims(o);
        c["groups"] = json!(["ai-users"]);
        c
    };
    let bad: Vec<(&str, Option<String>)> = vec![
        ("no credentials", None),
        ("forged key", Some(format!("wdn_{}", "f".repeat(43)))),
        ("malformed key", Some("sk-not-a-warden-key".to_owned())),
        ("revoked key", Some(revoked_key.clone())),
        ("expired key", Some(expired_key.clone())),
        (
            "expired JWT",
            Some(sign(&pem, &admin_claims(json!({"exp": now() - 120})), "k1")),
        ),
        (
            "wrong audience",
            Some(sign(&pem, &admin_claims(json!({"aud": "other"})), "k1")),
        ),
        (
            "wrong issuer",
            Some(sign(
                &pem,
                &admin_claims(json!({"iss": "https://evil.test"})),
                "k1",
            )),
        ),
        (
            "alg none",
            Some(format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&claims(json!({})))
            )),
        ),
        ("huge token", Some("a".repeat(20_000))),
    ];
    let chat = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]});
    let routes: Vec<(reqwest::Method, &str, Option<Value>)> = vec![
        (
            reqwest::Method::POST,
            "/v1/chat/completions",
            Some(chat.clone()),
        ),
        (
            reqwest::Method::POST,
            "/v1/embeddings",
            Some(json!({"model": "gpt-4o-mini", "input": "hi"})),
        ),
        (reqwest::Method::GET, "/v1/models", None),
        (
            reqwest::Method::POST,
            "/v1/scan",
            Some(json!({"text": "hi"})),
        ),
        (
            reqwest::Method::POST,
            "/v1/redact",
            Some(json!({"text": "hi"})),
        ),
        (
            reqwest::Method::POST,
            "/admin/keys",
            Some(json!({"name": "x", "roles": ["admin"]})),
        ),
        (reqwest::Method::GET, "/admin/keys", None),
        (
            reqwest::Method::DELETE,
            "/admin/keys/key_0123456789abcdef",
            None,
        ),
        (reqwest::Method::POST, "/admin/policies/reload", None),
        (reqwest::Method::GET, "/admin/subjects/alice/export", None),
        (reqwest::Method::DELETE, "/admin/subjects/alice", None),
        (
            reqwest::Method::PUT,
            "/admin/subjects/alice/consent/support",
            Some(json!({"granted": true})),
        ),
        (
            reqwest::Method::PUT,
            "/admin/subjects/alice/do_not_share",
            Some(json!({"do_not_share": true})),
        ),
        (reqwest::Method::GET, "/admin/incidents", None),
    ];
    let client = reqwest::Client::new();
    let user_jwt = sign(&pem, &claims(json!({})), "k1");
    for (method, path, body) in &routes {
        let send = |token: Option<&str>| {
            let mut request = client.request(method.clone(), format!("{}{path}", setup.base));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            request.send()
        };
        for (case, token) in &bad {
            let response = send(token.as_deref()).await.unwrap();
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap();
            assert_eq!(status, 401, "{method} {path} with {case}: {answer}");
            assert_eq!(
                answer["error"]["code"], "invalid_api_key",
                "{method} {path} {case}"
            );
            if let Some(token) = token {
                assert!(
                    !answer.to_string().contains(token.as_str()),
                    "{case} echoed"
                );
            }
        }
        if path.starts_with("/admin/") {
            for (who, token) in [("user key", &user_key), ("user JWT", &user_jwt)] {
                let response = send(Some(token)).await.unwrap();
                let status = response.status().as_u16();
                let answer: Value = response.json().await.unwrap();
                assert_eq!(status, 403, "{method} {path} with a {who}: {answer}");
                assert_eq!(answer["error"]["code"], "policy_denied");
            }
        }
    }
    assert!(
        setup.mock.requests().is_empty(),
        "a refused request reached the upstream"
    );
}
