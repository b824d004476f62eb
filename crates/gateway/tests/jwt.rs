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
use warden_gateway::{Config, StaticKeys, build_state, serve};
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
    let state = Arc::new(build_state(config, Arc::new(StaticKeys::default())).unwrap());
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
