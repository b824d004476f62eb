//! Drives the mock upstream over real HTTP, as the gateway and the SDKs do.

// Test helpers fail the test the way the assertions do.
#![allow(clippy::unwrap_used, clippy::panic)]

mod api;
mod auth;
mod binary;
mod chat;
mod faults;
mod recording;
mod stream;

use futures_util::StreamExt;
use serde_json::{Value, json};
use warden_testkit::MockUpstream;

/// A client like the gateway's: no proxy from the environment, no retries.
fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A chat request for `model` with one user message.
fn chat_body(text: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]})
}

/// The same request, streamed.
fn stream_body(text: &str) -> Value {
    let mut body = chat_body(text);
    body["stream"] = json!(true);
    body
}

/// Posts `body` to a `/v1` path with a bearer token.
async fn post(mock: &MockUpstream, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", mock.base_url()))
        .bearer_auth("sk-test")
        .json(body)
        .send()
        .await
        .unwrap()
}

/// GETs `url`, with a bearer token when given.
async fn get(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// A response's JSON body.
async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The assistant text the mock answers to a non-streamed chat request.
async fn answer(mock: &MockUpstream, body: &Value) -> Value {
    let completion = json_of(post(mock, "/chat/completions", body).await).await;
    completion["choices"][0]["message"]["content"].clone()
}

/// The chunks the mock streams for a chat request.
async fn streamed(mock: &MockUpstream, body: &Value) -> Vec<Value> {
    chunks(
        &post(mock, "/chat/completions", body)
            .await
            .text()
            .await
            .unwrap(),
    )
}

/// The payloads of the `data:` frames of an SSE body, in order.
fn data_frames(body: &str) -> Vec<String> {
    assert!(
        body.ends_with("\n\n"),
        "the body ends with a whole frame: {body:?}"
    );
    body.split_terminator("\n\n")
        .map(|frame| {
            frame
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not a data frame: {frame:?}"))
                .to_owned()
        })
        .collect()
}

/// A streamed answer taken apart: the chunks before `[DONE]` parsed as JSON.
fn chunks(body: &str) -> Vec<Value> {
    let frames = data_frames(body);
    assert_eq!(
        frames.last().map(String::as_str),
        Some("[DONE]"),
        "[DONE] comes last"
    );
    frames[..frames.len() - 1]
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect()
}

/// The content deltas of the chunks, in order.
fn content_deltas(chunks: &[Value]) -> Vec<String> {
    chunks
        .iter()
        .filter_map(|chunk| chunk.pointer("/choices/0/delta/content")?.as_str())
        .filter(|piece| !piece.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads a body until it ends or breaks: the bytes received, and whether it broke.
async fn read_until_break(response: reqwest::Response) -> (String, bool) {
    let mut received = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(piece) = stream.next().await {
        match piece {
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(_) => return (String::from_utf8(received).unwrap(), true),
        }
    }
    (String::from_utf8(received).unwrap(), false)
}
