//! Bearer authentication on the OpenAI routes.

use serde_json::{Value, json};
use warden_testkit::MockUpstream;

use super::{chat_body, client, get, json_of};

async fn status_and_error(mock: &MockUpstream, authorization: Option<&str>) -> (u16, Value) {
    let mut request = client().post(format!("{}/chat/completions", mock.base_url()));
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.json(&chat_body("hi")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn without_a_bearer_token_the_answer_is_openais_401() {
    let mock = MockUpstream::start().await;
    for authorization in [
        None,
        Some("Bearer "),
        Some("Basic dXNlcjpwYXNz"),
        Some("sk-raw"),
    ] {
        let (status, body) = status_and_error(&mock, authorization).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], Value::Null);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("API key")
        );
    }
    let (status, _) = status_and_error(&mock, Some("Bearer anything-goes")).await;
    assert_eq!(status, 200);
    let (status, _) = status_and_error(&mock, Some("bearer lower-case-scheme")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_configured_key_is_the_only_key_and_is_never_quoted() {
    let mock = MockUpstream::builder()
        .api_key("sk-upstream-key")
        .start()
        .await;
    let (status, body) = status_and_error(&mock, Some("Bearer sk-client-key-123")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_api_key");
    assert!(!body.to_string().contains("sk-client-key-123"));
    let (status, _) = status_and_error(&mock, Some("Bearer sk-upstream-key")).await;
    assert_eq!(status, 200);
    let models = get(&format!("{}/models", mock.base_url()), Some("wrong")).await;
    assert_eq!(models.status(), 401, "every /v1 route is authenticated");
    let control = get(&format!("http://{}/_mock/requests", mock.addr()), None).await;
    assert_eq!(control.status(), 200, "the control API is not");
    let listed = json_of(control).await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(
        listed[0]["headers"]["authorization"],
        json!("Bearer sk-client-key-123")
    );
}
