//! Scripted replies: what the mock answers to a chat completion, and how it misbehaves.

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

/// What the mock answers to one chat completion (streamed or not).
///
/// Every field has a default, so over HTTP (`POST /_mock/replies`, `PUT /_mock/default`) a reply
/// is written with only the fields that matter, e.g. `{"content": "hi", "chunk_size": 2}`.
/// Unknown fields are rejected, so a misspelt field fails loudly instead of being ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reply {
    /// The assistant's text. `None` means echo mode: the text of the last `user` message (its text
    /// parts joined with `\n`), or, when `tool_calls` is set, no text at all (`content: null`, as
    /// OpenAI answers a tool call).
    pub content: Option<String>,
    /// Tool calls the assistant makes; their presence turns the default finish reason into
    /// `tool_calls`.
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Characters (code points) per streamed content delta, and per tool-call argument fragment.
    pub chunk_size: NonZeroUsize,
    /// Milliseconds to wait before the response head is sent.
    pub delay_ms: u64,
    /// Milliseconds to wait between two SSE frames.
    pub chunk_delay_ms: u64,
    /// HTTP status. Anything but 200 answers with an OpenAI error body instead of a completion.
    pub status: u16,
    /// The error body's `message` for a non-200 status. Tests plant a marker here
    /// (e.g. `upstream-secret-detail`) to check that a gateway never relays upstream detail.
    pub error_message: Option<String>,
    /// The error body's `code` for a non-200 status; by default derived from the status
    /// (`rate_limit_exceeded` for 429, `invalid_api_key` for 401, otherwise `null`).
    pub error_code: Option<String>,
    /// Seconds sent in a `retry-after` header, whatever the status.
    pub retry_after: Option<u64>,
    /// A transport or format failure to inject.
    pub fault: Option<Fault>,
    /// Token counts to report instead of the estimate (characters / 4, rounded up).
    pub usage: Option<Usage>,
    /// The finish reason; by default `tool_calls` when there are tool calls, else `stop`.
    pub finish_reason: Option<String>,
    /// Answer with the text of the system and developer messages, as a model talked into
    /// reciting its instructions would (overrides `content`).
    pub echo_system: bool,
}

/// A failure the mock injects into a chat completion.
///
/// Over HTTP: `"hang"`, `"malformed_json"`, `"malformed_sse"` or
/// `{"break_mid_stream": {"after_frames": 2}}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Send this many SSE frames, then break off without `data: [DONE]`. Over HTTP/1.1 the
    /// connection is closed before the chunked body ends, after every frame has been written; over
    /// HTTP/2 the stream is reset, and a frame still queued then may be lost. A non-streamed reply
    /// sends the first half of its JSON body, then breaks off the same way.
    BreakMidStream {
        /// Frames sent before the connection is dropped (the role frame counts as one).
        after_frames: usize,
    },
    /// A non-streamed reply is `200 OK` with a truncated JSON body (correct `content-length`). A
    /// streamed reply carries one frame whose chunk JSON is truncated, after the role frame; the
    /// other frames follow unchanged.
    MalformedJson,
    /// A streamed reply carries the garbage frame `data: {not json` after the role frame; the other
    /// frames follow unchanged. A non-streamed reply behaves as [`Fault::MalformedJson`].
    MalformedSse,
    /// Never answer: no status, no byte, until the mock shuts down (then `503`). For timeout tests.
    Hang,
}

/// One tool call in a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The call id; when empty (or absent over HTTP) the mock uses `call_mock_<index>`.
    #[serde(default)]
    pub id: String,
    /// The function name.
    pub name: String,
    /// The arguments, a JSON document as a string (as OpenAI sends them).
    pub arguments: String,
}

/// Token counts reported in `usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// Tokens in the request.
    pub prompt_tokens: u64,
    /// Tokens in the answer.
    pub completion_tokens: u64,
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            content: None,
            tool_calls: None,
            chunk_size: DEFAULT_CHUNK_SIZE,
            delay_ms: 0,
            chunk_delay_ms: 0,
            status: 200,
            error_message: None,
            error_code: None,
            retry_after: None,
            fault: None,
            usage: None,
            finish_reason: None,
            echo_system: false,
        }
    }
}

impl Reply {
    /// Echo mode (the default reply): answer with the last user message's text.
    pub fn echo() -> Self {
        Reply::default()
    }

    /// Recite the system prompt: answer with the system and developer messages' text.
    pub fn echo_system() -> Self {
        Reply {
            echo_system: true,
            ..Reply::default()
        }
    }

    /// Answer with this text.
    pub fn text(content: impl Into<String>) -> Self {
        Reply {
            content: Some(content.into()),
            ..Reply::default()
        }
    }

    /// Answer with these tool calls and no text.
    pub fn tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        Reply {
            tool_calls: Some(tool_calls),
            ..Reply::default()
        }
    }

    /// Answer with an OpenAI error body carrying `message`, with this HTTP status.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Reply {
            status,
            error_message: Some(message.into()),
            ..Reply::default()
        }
    }

    /// Inject this fault (the content is echoed unless set otherwise).
    pub fn fault(fault: Fault) -> Self {
        Reply {
            fault: Some(fault),
            ..Reply::default()
        }
    }

    /// The same reply streamed `chunk_size` characters per delta (0 is read as 1).
    #[must_use]
    pub fn with_chunk_size(self, chunk_size: usize) -> Self {
        Reply {
            chunk_size: NonZeroUsize::new(chunk_size).unwrap_or(NonZeroUsize::MIN),
            ..self
        }
    }

    /// The same reply, sent after `delay_ms` milliseconds.
    #[must_use]
    pub fn with_delay_ms(self, delay_ms: u64) -> Self {
        Reply { delay_ms, ..self }
    }

    /// The same reply, with `chunk_delay_ms` milliseconds between SSE frames.
    #[must_use]
    pub fn with_chunk_delay_ms(self, chunk_delay_ms: u64) -> Self {
        Reply {
            chunk_delay_ms,
            ..self
        }
    }

    /// The same reply with a `retry-after: <seconds>` header.
    #[must_use]
    pub fn with_retry_after(self, seconds: u64) -> Self {
        Reply {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// Checks what the type cannot: the status is one HTTP can carry in a final response.
    pub(crate) fn check(&self) -> Result<(), String> {
        if (200..=599).contains(&self.status) {
            return Ok(());
        }
        Err(format!("status {} is not in 200..=599", self.status))
    }
}

impl ToolCall {
    /// A tool call with this id, function name and JSON arguments.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }
}

const DEFAULT_CHUNK_SIZE: NonZeroUsize = match NonZeroUsize::new(8) {
    Some(size) => size,
    None => NonZeroUsize::MIN,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_over_http_needs_only_the_fields_that_matter() {
        let reply: Reply = serde_json::from_str(r#"{"content":"hi","chunk_size":2}"#).unwrap();
        assert_eq!(reply, Reply::text("hi").with_chunk_size(2));
    }

    #[test]
    fn faults_read_as_snake_case() {
        let reply: Reply = serde_json::from_str(
            r#"{"fault":{"break_mid_stream":{"after_frames":3}},"tool_calls":[{"name":"f","arguments":"{}"}]}"#,
        )
        .unwrap();
        assert_eq!(reply.fault, Some(Fault::BreakMidStream { after_frames: 3 }));
        assert_eq!(reply.tool_calls.unwrap()[0].id, "");
        let reply: Reply = serde_json::from_str(r#"{"fault":"hang"}"#).unwrap();
        assert_eq!(reply.fault, Some(Fault::Hang));
    }

    #[test]
    fn misspelt_fields_and_zero_chunks_are_rejected() {
        assert!(serde_json::from_str::<Reply>(r#"{"contnet":"hi"}"#).is_err());
        assert!(serde_json::from_str::<Reply>(r#"{"chunk_size":0}"#).is_err());
        assert_eq!(Reply::echo().with_chunk_size(0).chunk_size.get(), 1);
    }

    #[test]
    fn statuses_outside_final_responses_are_refused() {
        assert!(Reply::error(429, "slow down").check().is_ok());
        assert!(Reply::error(101, "switching").check().is_err());
        assert!(Reply::error(600, "nonsense").check().is_err());
    }
}
