//! Streamed chat completions: frames, deltas, tool calls, usage.

use serde_json::{Value, json};
use warden_testkit::{MockUpstream, Reply, ToolCall};

use super::{chunks, content_deltas, post, stream_body, streamed};

/// Text with one-, two-, three- and four-byte characters.
const MIXED_TEXT: &str = "Grüße aus Zürich, 東京 and 🦀🦀 — naïve café ✓ e\u{301}";

#[tokio::test]
async fn deltas_rejoin_to_the_content_for_every_chunk_size() {
    let mock = MockUpstream::start().await;
    for chunk_size in 1..=16 {
        mock.push_reply(Reply::text(MIXED_TEXT).with_chunk_size(chunk_size));
        let response = post(&mock, "/chat/completions", &stream_body("hi")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream; charset=utf-8"
        );
        let chunks = chunks(&response.text().await.unwrap());
        let deltas = content_deltas(&chunks);
        assert_eq!(deltas.concat(), MIXED_TEXT, "chunk size {chunk_size}");
        for (index, delta) in deltas.iter().enumerate() {
            let n_chars = delta.chars().count();
            let last = index + 1 == deltas.len();
            assert!(
                n_chars == chunk_size || (last && n_chars < chunk_size),
                "chunk size {chunk_size}: delta {delta:?}"
            );
        }
        let id = &chunks[0]["id"];
        assert!(id.as_str().unwrap().starts_with("chatcmpl-"));
        for chunk in &chunks {
            assert_eq!(chunk["object"], "chat.completion.chunk");
            assert_eq!(&chunk["id"], id);
            assert_eq!(chunk["model"], "gpt-4o-mini");
            assert!(chunk.get("usage").is_none(), "no usage unless asked");
        }
    }
}

#[tokio::test]
async fn a_stream_opens_with_the_role_and_closes_with_the_finish_reason() {
    let mock = MockUpstream::start().await;
    let chunks = streamed(&mock, &stream_body("echo me")).await;
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], "");
    assert_eq!(chunks[0]["choices"][0]["finish_reason"], Value::Null);
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["delta"], json!({}));
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert_eq!(content_deltas(&chunks).concat(), "echo me");
}

#[tokio::test]
async fn usage_comes_last_when_asked_for() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::text("twelve chars"));
    let mut body = stream_body("four");
    body["stream_options"] = json!({"include_usage": true});
    let chunks = streamed(&mock, &body).await;
    let (usage_chunk, others) = chunks.split_last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(usage_chunk["usage"]["prompt_tokens"], 1);
    assert_eq!(usage_chunk["usage"]["completion_tokens"], 3);
    assert_eq!(usage_chunk["usage"]["total_tokens"], 4);
    for chunk in others {
        assert_eq!(chunk["usage"], Value::Null);
        assert!(chunk.get("usage").is_some());
    }
    assert_eq!(
        others.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
}

#[tokio::test]
async fn tool_call_deltas_reassemble_as_openai_clients_do() {
    let mock = MockUpstream::start().await;
    let calls = vec![
        ToolCall::new("call_1", "lookup", r#"{"name":"Zoë Ünal","city":"東京"}"#),
        ToolCall::new("call_2", "noop", "{}"),
    ];
    mock.push_reply(Reply::tool_calls(calls.clone()).with_chunk_size(3));
    let chunks = streamed(&mock, &stream_body("hi")).await;
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], Value::Null);
    // Reassemble by index, as the SDKs do: the first delta of a call names it, the rest append.
    let mut rebuilt: Vec<(String, String, String)> = Vec::new();
    for chunk in &chunks {
        let Some(deltas) = chunk.pointer("/choices/0/delta/tool_calls") else {
            continue;
        };
        for delta in deltas.as_array().unwrap() {
            let index = delta["index"].as_u64().unwrap() as usize;
            let arguments = delta["function"]["arguments"].as_str().unwrap();
            if let Some(id) = delta.get("id") {
                assert_eq!(index, rebuilt.len(), "calls are opened in order");
                assert_eq!(delta["type"], "function");
                assert_eq!(arguments, "", "the opening delta has empty arguments");
                let name = delta["function"]["name"].as_str().unwrap();
                rebuilt.push((
                    id.as_str().unwrap().to_owned(),
                    name.to_owned(),
                    String::new(),
                ));
            } else {
                assert!(delta["function"].get("name").is_none());
                assert!(arguments.chars().count() <= 3);
                rebuilt[index].2.push_str(arguments);
            }
        }
    }
    let expected: Vec<(String, String, String)> = calls
        .into_iter()
        .map(|call| (call.id, call.name, call.arguments))
        .collect();
    assert_eq!(rebuilt, expected);
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[tokio::test]
async fn delays_change_timing_but_not_content() {
    let mock = MockUpstream::start().await;
    mock.push_reply(
        Reply::text("slow but whole")
            .with_chunk_size(4)
            .with_delay_ms(5)
            .with_chunk_delay_ms(2),
    );
    let chunks = streamed(&mock, &stream_body("hi")).await;
    assert_eq!(content_deltas(&chunks).concat(), "slow but whole");
}
