//! Recorded requests and the control API.

use serde_json::{Value, json};
use warden_testkit::MockUpstream;

use super::{answer, chat_body, client, get, json_of, post};

#[tokio::test]
async fn requests_are_recorded_with_lower_case_headers_and_parsed_bodies() {
    let mock = MockUpstream::start().await;
    client()
        .post(format!(
            "{}/chat/completions?api-version=1",
            mock.base_url()
        ))
        .bearer_auth("sk-provider")
        .header("X-Custom-Trace", "abc")
        .json(&chat_body("recorded"))
        .send()
        .await
        .unwrap();
    client()
        .post(format!("{}/embeddings", mock.base_url()))
        .body("not json")
        .send()
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "refused requests are recorded too");
    let chat = &requests[0];
    assert_eq!(chat.method, "POST");
    assert_eq!(chat.path, "/v1/chat/completions");
    assert_eq!(chat.query.as_deref(), Some("api-version=1"));
    assert_eq!(chat.headers["authorization"], "Bearer sk-provider");
    assert_eq!(chat.header("X-Custom-Trace"), Some("abc"));
    assert_eq!(chat.json.as_ref().unwrap(), &chat_body("recorded"));
    assert_eq!(
        serde_json::from_slice::<Value>(&chat.body).unwrap(),
        chat_body("recorded")
    );
    let refused = &requests[1];
    assert_eq!(refused.path, "/v1/embeddings");
    assert!(refused.header("authorization").is_none());
    assert_eq!(refused.json, None);
    assert_eq!(refused.body_text(), "not json");

    mock.clear();
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn recording_is_bounded_and_can_be_off() {
    let mock = MockUpstream::builder().record_limit(2).start().await;
    for text in ["one", "two", "three"] {
        post(&mock, "/chat/completions", &chat_body(text)).await;
    }
    let texts: Vec<Value> = mock
        .requests()
        .iter()
        .map(|request| request.json.as_ref().unwrap()["messages"][0]["content"].clone())
        .collect();
    assert_eq!(texts, [json!("two"), json!("three")]);

    let silent = MockUpstream::builder().record_limit(0).start().await;
    let response = post(&silent, "/chat/completions", &chat_body("unseen")).await;
    assert_eq!(response.status(), 200);
    assert!(silent.requests().is_empty());
}

#[tokio::test]
async fn the_control_api_scripts_and_reports_over_http() {
    let mock = MockUpstream::start().await;
    let control = |path: &str| format!("http://{}/_mock{path}", mock.addr());

    let replies = json!([{"content": "first"}, {"content": "second", "chunk_size": 2}]);
    let queued = json_of(
        client()
            .post(control("/replies"))
            .json(&replies)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(queued, json!({"queued": 2}));
    let response = client()
        .put(control("/default"))
        .json(&json!({"content": "fallback"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(answer(&mock, &chat_body("q")).await);
    }
    assert_eq!(
        answers,
        [json!("first"), json!("second"), json!("fallback")]
    );

    let listed = json_of(get(&control("/requests"), None).await).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3, "the control API is not recorded");
    assert_eq!(listed[0]["method"], "POST");
    assert_eq!(listed[0]["path"], "/v1/chat/completions");
    assert_eq!(listed[0]["headers"]["authorization"], "Bearer sk-test");
    assert_eq!(listed[0]["body"], chat_body("q"));

    let response = client().post(control("/reset")).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(mock.requests().is_empty());
    assert_eq!(
        answer(&mock, &chat_body("echo after reset")).await,
        "echo after reset"
    );
}

#[tokio::test]
async fn the_control_api_refuses_replies_it_cannot_honour() {
    let mock = MockUpstream::start().await;
    let control = |path: &str| format!("http://{}/_mock{path}", mock.addr());
    for bad in [
        json!({"contnet": "typo"}),
        json!({"status": 700}),
        json!({"chunk_size": 0}),
        json!({"fault": "explode"}),
        json!([{"content": "fine"}, {"status": 99}]),
        json!("text"),
    ] {
        let response = client()
            .post(control("/replies"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        let error = json_of(response).await;
        assert!(error["error"]["message"].is_string(), "{bad}");
    }
    let response = client()
        .put(control("/default"))
        .json(&json!([{"content": "one"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Nothing was queued by the refused bodies: the next answer is the echo.
    assert_eq!(answer(&mock, &chat_body("still echo")).await, "still echo");
}
