//! Non-streamed chat completions.

use serde_json::{Value, json};
use warden_testkit::{MockUpstream, Reply, ToolCall, Usage};

use super::{answer, chat_body, json_of, post};

#[tokio::test]
async fn a_completion_is_shaped_like_openai() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::text("Hello there, friend"));
    let mut body = chat_body("hi");
    body["model"] = json!("gpt-4o-2024-08-06");
    let response = post(&mock, "/chat/completions", &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().contains_key("x-request-id"));
    let completion = json_of(response).await;
    assert!(completion["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(completion["object"], "chat.completion");
    assert!(completion["created"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(completion["model"], "gpt-4o-2024-08-06");
    let choices = completion["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0]["index"], 0);
    assert_eq!(choices[0]["message"]["role"], "assistant");
    assert_eq!(choices[0]["message"]["content"], "Hello there, friend");
    assert!(choices[0]["message"].get("tool_calls").is_none());
    assert_eq!(choices[0]["finish_reason"], "stop");
    // Characters / 4, rounded up: "hi" is 1 token, the 19-character answer 5.
    assert_eq!(completion["usage"]["prompt_tokens"], 1);
    assert_eq!(completion["usage"]["completion_tokens"], 5);
    assert_eq!(completion["usage"]["total_tokens"], 6);
}

#[tokio::test]
async fn echo_mode_answers_with_the_last_user_message() {
    let mock = MockUpstream::start().await;
    let body = json!({
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "an older question"},
            {"role": "assistant", "content": "an older answer"},
            {"role": "user", "content": [
                {"type": "text", "text": "Call Ana at +1 202 555 0143"},
                {"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}},
                {"type": "text", "text": "or ana@example.com"},
            ]},
        ],
    });
    assert_eq!(
        answer(&mock, &body).await,
        "Call Ana at +1 202 555 0143\nor ana@example.com"
    );
}

#[tokio::test]
async fn tool_calls_come_without_content_and_finish_with_tool_calls() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::tool_calls(vec![
        ToolCall::new("call_abc", "get_weather", r#"{"city":"Zürich"}"#),
        ToolCall::new("", "get_time", "{}"),
    ]));
    let completion = json_of(post(&mock, "/chat/completions", &chat_body("weather?")).await).await;
    let message = &completion["choices"][0]["message"];
    assert_eq!(message["content"], Value::Null);
    assert_eq!(
        message["tool_calls"],
        json!([
            {"id": "call_abc", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\":\"Zürich\"}"}},
            {"id": "call_mock_1", "type": "function",
             "function": {"name": "get_time", "arguments": "{}"}},
        ])
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "tool_calls");
}

#[tokio::test]
async fn scripted_usage_and_finish_reason_are_reported() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply {
        usage: Some(Usage {
            prompt_tokens: 1000,
            completion_tokens: 7,
        }),
        finish_reason: Some("length".to_owned()),
        ..Reply::text("cut")
    });
    let completion = json_of(post(&mock, "/chat/completions", &chat_body("hi")).await).await;
    assert_eq!(completion["choices"][0]["finish_reason"], "length");
    assert_eq!(completion["usage"]["prompt_tokens"], 1000);
    assert_eq!(completion["usage"]["total_tokens"], 1007);
}

#[tokio::test]
async fn replies_are_used_in_order_then_the_default() {
    let mock = MockUpstream::start().await;
    mock.set_default(Reply::text("default"));
    mock.push_reply(Reply::text("one"));
    mock.push_reply(Reply::text("two"));
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(answer(&mock, &chat_body("q")).await);
    }
    assert_eq!(answers, [json!("one"), json!("two"), json!("default")]);
}

#[tokio::test]
async fn scripted_errors_use_openai_shape_status_and_retry_after() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::error(429, "quota gone: upstream-secret-detail").with_retry_after(7));
    mock.push_reply(Reply {
        error_code: Some("context_length_exceeded".to_owned()),
        ..Reply::error(400, "too long")
    });
    mock.push_reply(Reply::error(503, "overloaded"));

    let response = post(&mock, "/chat/completions", &chat_body("hi")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body = json_of(response).await;
    assert_eq!(
        body,
        json!({"error": {
            "message": "quota gone: upstream-secret-detail",
            "type": "requests",
            "param": null,
            "code": "rate_limit_exceeded",
        }})
    );

    let response = post(&mock, "/chat/completions", &chat_body("hi")).await;
    assert_eq!(response.status(), 400);
    let body = json_of(response).await;
    assert_eq!(body["error"]["code"], "context_length_exceeded");
    assert_eq!(body["error"]["type"], "invalid_request_error");

    let response = post(&mock, "/chat/completions", &chat_body("hi")).await;
    assert_eq!(response.status(), 503);
    let body = json_of(response).await;
    assert_eq!(body["error"]["type"], "server_error");
}

#[tokio::test]
async fn invalid_requests_are_refused_without_using_a_reply() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::text("kept for the valid request"));
    let cases = [
        (
            json!({"model": "m", "messages": [], "n": 2}),
            "n",
            "unsupported_value",
        ),
        (
            json!({"model": "m"}),
            "messages",
            "missing_required_parameter",
        ),
        (
            json!({"messages": []}),
            "model",
            "missing_required_parameter",
        ),
        (
            json!({"model": "m", "messages": "hi"}),
            "messages",
            "invalid_value",
        ),
    ];
    for (body, param, code) in cases {
        let response = post(&mock, "/chat/completions", &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = json_of(response).await;
        assert_eq!(error["error"]["param"], param, "{body}");
        assert_eq!(error["error"]["code"], code, "{body}");
        assert_eq!(error["error"]["type"], "invalid_request_error", "{body}");
    }
    let response = super::client()
        .post(format!("{}/chat/completions", mock.base_url()))
        .bearer_auth("k")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let mut one = chat_body("hi");
    one["n"] = json!(1);
    assert_eq!(answer(&mock, &one).await, "kept for the valid request");
}
