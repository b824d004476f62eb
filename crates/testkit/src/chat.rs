//! `POST /v1/chat/completions`: a completion or an SSE stream shaped like OpenAI's, from the next
//! scripted reply.

use std::io;
use std::num::NonZeroUsize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::{Fault, Reply, ToolCall, Usage};
use crate::request::{model, request_object};
use crate::state::MockState;

/// The garbage frame of [`Fault::MalformedSse`].
const GARBAGE_FRAME: &[u8] = b"data: {not json\n\n";
const DONE_FRAME: &[u8] = b"data: [DONE]\n\n";
/// How long a broken HTTP/2 stream waits for its frames to be written before the reset.
const HTTP2_FLUSH_GRACE: Duration = Duration::from_millis(10);

/// Answers one chat completion.
pub(crate) async fn completions(State(state): State<MockState>, body: Bytes) -> Response {
    let request = match ChatRequest::parse(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    let reply = state.next_reply();
    if reply.fault == Some(Fault::Hang) {
        state.shutdown_signal().await;
        return ApiError::shutting_down().into_response();
    }
    if !state.pause(Duration::from_millis(reply.delay_ms)).await {
        return ApiError::shutting_down().into_response();
    }
    let mut response = if reply.status == 200 {
        let answer = Answer::new(&state, &request, &reply);
        if request.stream {
            streamed(&state, &answer, &reply, request.include_usage)
        } else {
            whole(&state, &answer, reply.fault)
        }
    } else {
        ApiError::scripted(&reply).into_response()
    };
    if let Some(seconds) = reply.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Splits `text` into pieces of `size` characters (the last may be shorter); never inside a
/// character.
fn char_chunks(text: &str, size: NonZeroUsize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .char_indices()
            .nth(size.get())
            .map_or(rest.len(), |(index, _)| index);
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// Rough token count, as the mock reports it: characters / 4, rounded up.
pub(crate) fn tokens(n_chars: usize) -> u64 {
    u64::try_from(n_chars.div_ceil(4)).unwrap_or(u64::MAX)
}

/// What the mock reads from a chat request.
#[derive(Debug)]
struct ChatRequest {
    model: String,
    stream: bool,
    include_usage: bool,
    prompt_chars: usize,
    /// The text of the last `user` message, for echo mode.
    last_user_text: String,
    /// The system and developer messages' text, for `echo_system`.
    system_text: String,
}

impl ChatRequest {
    fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let request = request_object(body)?;
        let model = model(&request)?;
        let messages = match request.get("messages") {
            Some(Value::Array(messages)) => messages,
            Some(_) => return Err(ApiError::invalid_value("messages", "an array")),
            None => return Err(ApiError::missing("messages")),
        };
        // Several choices would multiply every scripted behaviour for no test that needs them, so
        // they are refused rather than silently answered with one.
        match request.get("n") {
            None | Some(Value::Null) => {}
            Some(n) if n.as_u64() == Some(1) => {}
            Some(_) => {
                return Err(ApiError::invalid_request(
                    "The mock upstream supports only n = 1.",
                    Some("n"),
                    Some("unsupported_value"),
                ));
            }
        }
        let stream = request.get("stream").and_then(Value::as_bool) == Some(true);
        let include_usage = request
            .get("stream_options")
            .and_then(|options| options.get("include_usage"))
            .and_then(Value::as_bool)
            == Some(true);
        let prompt_chars = messages.iter().map(message_chars).sum();
        let last_user_text = messages
            .iter()
            .rev()
            .find(|message| message.get("role").and_then(Value::as_str) == Some("user"))
            .map(|message| content_text(message.get("content")))
            .unwrap_or_default();
        let system_text = messages
            .iter()
            .filter(|message| {
                matches!(
                    message.get("role").and_then(Value::as_str),
                    Some("system" | "developer")
                )
            })
            .map(|message| content_text(message.get("content")))
            .collect::<Vec<_>>()
            .join("\n");
        Ok(ChatRequest {
            model,
            stream,
            include_usage: stream && include_usage,
            prompt_chars,
            last_user_text,
            system_text,
        })
    }
}

/// The text of a message's `content`: the string itself, or its text parts joined with `\n`.
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter(|part| part.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            texts.join("\n")
        }
        _ => String::new(),
    }
}

/// Characters a message contributes to the prompt: its text and its tool-call arguments.
fn message_chars(message: &Value) -> usize {
    let text = content_text(message.get("content")).chars().count();
    let arguments: usize = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|call| call.pointer("/function/arguments").and_then(Value::as_str))
        .map(|arguments| arguments.chars().count())
        .sum();
    text + arguments
}

/// The answer, decided once and then rendered whole or as chunks.
#[derive(Debug)]
struct Answer {
    id: String,
    created: u64,
    model: String,
    content: Option<String>,
    tool_calls: Vec<ToolCall>,
    finish_reason: String,
    usage: Usage,
}

impl Answer {
    fn new(state: &MockState, request: &ChatRequest, reply: &Reply) -> Self {
        let content = match (&reply.content, &reply.tool_calls) {
            _ if reply.echo_system => Some(request.system_text.clone()),
            (Some(text), _) => Some(text.clone()),
            (None, Some(_)) => None,
            (None, None) => Some(request.last_user_text.clone()),
        };
        let tool_calls: Vec<ToolCall> = reply
            .tool_calls
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, call)| ToolCall {
                id: if call.id.is_empty() {
                    format!("call_mock_{index}")
                } else {
                    call.id.clone()
                },
                ..call.clone()
            })
            .collect();
        let finish_reason = match (&reply.finish_reason, tool_calls.is_empty()) {
            (Some(reason), _) => reason.clone(),
            (None, false) => "tool_calls".to_owned(),
            (None, true) => "stop".to_owned(),
        };
        let answer_chars = content.as_deref().map_or(0, |text| text.chars().count())
            + tool_calls
                .iter()
                .map(|call| call.arguments.chars().count())
                .sum::<usize>();
        let usage = reply.usage.unwrap_or(Usage {
            prompt_tokens: tokens(request.prompt_chars),
            completion_tokens: tokens(answer_chars),
        });
        Answer {
            id: format!("chatcmpl-mock{:010}", state.next_id()),
            created: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
            model: request.model.clone(),
            content,
            tool_calls,
            finish_reason,
            usage,
        }
    }

    /// The non-streamed body: `object: "chat.completion"`.
    fn completion(&self) -> Value {
        let mut message = json!({
            "role": "assistant",
            "content": self.content,
            "refusal": null,
            "annotations": [],
        });
        if !self.tool_calls.is_empty() {
            let calls: Vec<Value> = self
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    })
                })
                .collect();
            message["tool_calls"] = Value::Array(calls);
        }
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "message": message,
                "logprobs": null,
                "finish_reason": self.finish_reason,
            }],
            "usage": usage_json(self.usage),
            "service_tier": "default",
            "system_fingerprint": "fp_mock",
        })
    }

    /// The SSE frames, `data: [DONE]` included.
    fn frames(&self, chunk_size: NonZeroUsize, include_usage: bool) -> Vec<Bytes> {
        let chunk = |choices: Value| {
            let mut chunk = json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "service_tier": "default",
                "system_fingerprint": "fp_mock",
                "choices": choices,
            });
            if include_usage {
                chunk["usage"] = Value::Null;
            }
            chunk
        };
        let delta = |delta: Value| {
            chunk(json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": null}]))
        };
        let mut frames = vec![delta(json!({
            "role": "assistant",
            "content": self.content.as_ref().map(|_| ""),
            "refusal": null,
        }))];
        for piece in char_chunks(self.content.as_deref().unwrap_or_default(), chunk_size) {
            frames.push(delta(json!({"content": piece})));
        }
        for (index, call) in self.tool_calls.iter().enumerate() {
            frames.push(delta(json!({"tool_calls": [{
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }]})));
            for piece in char_chunks(&call.arguments, chunk_size) {
                frames.push(delta(json!({"tool_calls": [{
                    "index": index,
                    "function": {"arguments": piece},
                }]})));
            }
        }
        frames.push(chunk(json!([{
            "index": 0,
            "delta": {},
            "logprobs": null,
            "finish_reason": self.finish_reason,
        }])));
        if include_usage {
            let mut last = chunk(json!([]));
            last["usage"] = usage_json(self.usage);
            frames.push(last);
        }
        let mut frames: Vec<Bytes> = frames.iter().map(frame).collect();
        frames.push(Bytes::from_static(DONE_FRAME));
        frames
    }
}

fn usage_json(usage: Usage) -> Value {
    json!({
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens.saturating_add(usage.completion_tokens),
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    })
}

fn frame(chunk: &Value) -> Bytes {
    Bytes::from(format!("data: {chunk}\n\n"))
}

/// One step of a response body: bytes to send, or the end of the connection.
#[derive(Debug)]
enum Step {
    Send(Bytes),
    DropConnection,
}

/// The non-streamed response, with its fault if any.
fn whole(state: &MockState, answer: &Answer, fault: Option<Fault>) -> Response {
    let body = Bytes::from(answer.completion().to_string());
    let json_response = |body: Body| {
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    };
    match fault {
        None | Some(Fault::Hang) => json_response(Body::from(body)),
        Some(Fault::MalformedJson | Fault::MalformedSse) => {
            json_response(Body::from(first_half(&body)))
        }
        Some(Fault::BreakMidStream { .. }) => {
            let steps = vec![Step::Send(first_half(&body)), Step::DropConnection];
            json_response(stepped_body(state.clone(), steps, Duration::ZERO))
        }
    }
}

/// The streamed response, with its fault if any.
fn streamed(state: &MockState, answer: &Answer, reply: &Reply, include_usage: bool) -> Response {
    let mut frames = answer.frames(reply.chunk_size, include_usage);
    // After the role frame, as a real stream would break: once the client has committed to it.
    let fault_at = 1;
    let steps: Vec<Step> = match reply.fault {
        None | Some(Fault::Hang) => frames.into_iter().map(Step::Send).collect(),
        Some(Fault::MalformedJson) => {
            // `frames` always holds the role, final and done frames, so `fault_at` is in range.
            let truncated = truncated_frame(&frames[fault_at]);
            frames.insert(fault_at, truncated);
            frames.into_iter().map(Step::Send).collect()
        }
        Some(Fault::MalformedSse) => {
            frames.insert(fault_at, Bytes::from_static(GARBAGE_FRAME));
            frames.into_iter().map(Step::Send).collect()
        }
        Some(Fault::BreakMidStream { after_frames }) => {
            let before_done = frames.len() - 1;
            frames.truncate(after_frames.min(before_done));
            frames
                .into_iter()
                .map(Step::Send)
                .chain([Step::DropConnection])
                .collect()
        }
    };
    let gap = Duration::from_millis(reply.chunk_delay_ms);
    let mut response = (StatusCode::OK, stepped_body(state.clone(), steps, gap)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A body that sends `steps` with `gap` between them (cut short when the mock stops).
fn stepped_body(state: MockState, steps: Vec<Step>, gap: Duration) -> Body {
    let stream =
        futures_util::stream::iter(steps.into_iter().enumerate()).then(move |(index, step)| {
            let state = state.clone();
            async move {
                if index > 0 {
                    // Cut short when the mock stops: the rest is then sent at once.
                    state.pause(gap).await;
                }
                match step {
                    Step::Send(bytes) => Ok(bytes),
                    Step::DropConnection => {
                        // Let the server flush what it has buffered before the error drops the
                        // connection, so the client sees every frame sent before the break. Over
                        // HTTP/1.1 one yield is enough (the connection task writes its buffer
                        // before polling the body again). Over HTTP/2 another task writes, and the
                        // reset discards what it has not written yet: a short pause makes that
                        // unlikely, not impossible.
                        tokio::task::yield_now().await;
                        tokio::time::sleep(HTTP2_FLUSH_GRACE).await;
                        Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "fault injected: connection dropped",
                        ))
                    }
                }
            }
        });
    Body::from_stream(stream)
}

/// The first half of a body, cut at a character boundary.
fn first_half(body: &Bytes) -> Bytes {
    let text = String::from_utf8_lossy(body);
    let cut = text.floor_char_boundary(text.len() / 2);
    Bytes::copy_from_slice(&text.as_bytes()[..cut])
}

/// A frame whose JSON stops half-way: `data: {"id":"chatc` and the frame end.
fn truncated_frame(frame: &Bytes) -> Bytes {
    let json = frame
        .strip_prefix(b"data: ")
        .and_then(|rest| rest.strip_suffix(b"\n\n"))
        .unwrap_or(frame);
    let half = first_half(&Bytes::copy_from_slice(json));
    let mut truncated = Vec::with_capacity(half.len() + 8);
    truncated.extend_from_slice(b"data: ");
    truncated.extend_from_slice(&half);
    truncated.extend_from_slice(b"\n\n");
    Bytes::from(truncated)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn size(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn chunks_count_characters_not_bytes() {
        let pieces: Vec<&str> = char_chunks("héllo 日本🦀", size(3)).collect();
        assert_eq!(pieces, ["hél", "lo ", "日本🦀"]);
        assert_eq!(char_chunks("", size(3)).count(), 0);
    }

    #[test]
    fn tokens_round_up() {
        assert_eq!([0, 1, 4, 5].map(tokens), [0, 1, 1, 2]);
    }

    #[test]
    fn echo_reads_the_last_user_message_text_parts() {
        let body = json!({
            "model": "m",
            "messages": [
                {"role": "user", "content": "first"},
                {"role": "user", "content": [
                    {"type": "text", "text": "a"},
                    {"type": "image_url", "image_url": {"url": "https://x.invalid/i.png"}},
                    {"type": "text", "text": "b"},
                ]},
                {"role": "assistant", "content": "reply"},
            ],
        });
        let request = ChatRequest::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(request.last_user_text, "a\nb");
        assert_eq!(
            request.prompt_chars,
            "first".len() + "a\nb".len() + "reply".len()
        );
    }

    #[test]
    fn usage_is_requested_only_on_streams() {
        let body = json!({"model": "m", "messages": [], "stream_options": {"include_usage": true}});
        let request = ChatRequest::parse(body.to_string().as_bytes()).unwrap();
        assert!(!request.include_usage);
    }

    #[test]
    fn truncated_frames_keep_the_frame_shape_but_not_the_json() {
        let truncated = truncated_frame(&frame(&json!({"content": "héllo wörld"})));
        let text = std::str::from_utf8(&truncated).unwrap();
        let json = text
            .strip_prefix("data: ")
            .unwrap()
            .strip_suffix("\n\n")
            .unwrap();
        assert!(!json.is_empty());
        assert!(serde_json::from_str::<Value>(json).is_err());
    }

    proptest! {
        #[test]
        fn chunks_rejoin_to_the_text_and_respect_the_size(text in "\\PC{0,64}", n in 1usize..17) {
            let pieces: Vec<&str> = char_chunks(&text, size(n)).collect();
            prop_assert_eq!(pieces.concat(), text.clone());
            for (index, piece) in pieces.iter().enumerate() {
                let n_chars = piece.chars().count();
                prop_assert!(n_chars >= 1 && n_chars <= n);
                if index + 1 < pieces.len() {
                    prop_assert_eq!(n_chars, n);
                }
            }
        }
    }
}
