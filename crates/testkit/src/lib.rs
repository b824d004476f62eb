//! A mock OpenAI upstream for Warden's tests and load benchmarks.
//!
//! It answers like OpenAI's API closely enough that the official SDKs and the gateway cannot tell
//! the difference, and it can be told what to answer and how to misbehave. Start one in a test
//! with [`MockUpstream::start`], point the code under test at [`MockUpstream::base_url`]
//! (`http://127.0.0.1:PORT/v1`), script replies with [`MockUpstream::push_reply`], and read what
//! arrived with [`MockUpstream::requests`]. Tests in other processes (the Python suite, the load
//! benchmark) run the `warden-mock` binary and use the control API over HTTP.
//!
//! # Routes
//! - `POST /v1/chat/completions` answers with the next queued [`Reply`] (first in, first out), or
//!   the default reply when none is queued (echo mode unless set otherwise).
//!   - Not streamed: `object: "chat.completion"`, `id: "chatcmpl-…"`, `model` echoed from the
//!     request, one choice with `message {role: "assistant", content, tool_calls?}`,
//!     `finish_reason` and `usage`.
//!   - Streamed (`"stream": true`): `text/event-stream`, frames `data: {json}\n\n` of
//!     `object: "chat.completion.chunk"`: a role delta (`content: ""`, or `null` for a tool-call
//!     answer), content deltas of [`Reply::chunk_size`] characters (never a split character),
//!     tool-call deltas as OpenAI sends them (first `index`, `id`, `type`, `function.name` and empty
//!     `arguments`, then argument fragments with their `index`), a final chunk with an empty delta
//!     and the finish reason, with `stream_options.include_usage` a usage chunk with empty
//!     `choices` (every earlier chunk then carries `usage: null`), and `data: [DONE]`.
//!   - Echo mode ([`Reply::content`] `None`, no tool calls) answers with the text of the last
//!     `user` message, its text parts joined with `\n`, so a gateway's pseudonym restoration can be
//!     checked end to end.
//!   - Only `n` = 1 is supported: any other `n` is refused with a 400 (`unsupported_value`), so a
//!     test never believes it exercised several choices when it did not.
//!   - Token counts are estimates, characters / 4 rounded up (prompt: every message's text and
//!     tool-call arguments), unless the reply sets [`Reply::usage`].
//! - `POST /v1/embeddings`: `input` a string or an array of strings; one deterministic unit vector
//!   per input ([`embedding_for`]: 8 floats, or `dimensions`), as floats or, with
//!   `encoding_format: "base64"` (the Python SDK's default), little-endian `f32` in base64; `usage`.
//! - `GET /v1/models` and `GET /v1/models/{id}`: the configured model ids (default
//!   [`DEFAULT_MODELS`]).
//! - Every `/v1` request needs `Authorization: Bearer …` (any token, or exactly the key given to
//!   [`MockBuilder::api_key`]), else a 401 in OpenAI's error shape; the token is never quoted back.
//!   Responses carry an `x-request-id`. Unknown paths get OpenAI's 404 `Invalid URL (…)`.
//! - Errors use OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`.
//!
//! # Scripted behaviour
//! A [`Reply`] sets the content or tool calls, the chunk size, a delay before the first byte and
//! between frames, a non-200 status (answered with an OpenAI error whose message may carry a
//! planted marker), a `retry-after` header, token counts, the finish reason, and a [`Fault`]:
//! a connection dropped mid-stream, truncated JSON, a garbage SSE frame, or a request that is never
//! answered. Delays and hangs end early when the mock shuts down, so shutdown never waits on them.
//! Queued replies serve chat completions only; embeddings and models always answer normally.
//!
//! # Recording
//! Every `/v1` request is recorded before authentication (method, path, query, lower-case headers,
//! raw body and its JSON), the latest [`DEFAULT_RECORD_LIMIT`] kept (configurable; 0 turns
//! recording off for benchmarks). [`MockState::wait_for_requests`] lets a test wait for a request
//! to arrive without sleeping.
//!
//! # Control API (not recorded, not authenticated)
//! - `POST /_mock/replies`: queue a reply, or an array of replies (`{"queued": n}`); the JSON is
//!   a [`Reply`] with only the fields that matter, e.g. `{"content": "hi", "chunk_size": 2}` or
//!   `{"status": 429, "retry_after": 0}` or `{"fault": {"break_mid_stream": {"after_frames": 2}}}`.
//!   Unknown fields are refused with a 400.
//! - `PUT /_mock/default`: set the reply used when nothing is queued.
//! - `GET /_mock/requests`: the recorded requests as a JSON array of
//!   `{method, path, query, headers, body}`, `body` being the parsed JSON, a string, or `null`.
//! - `POST /_mock/reset`: forget requests and queued replies, restore the initial default.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod chat;
mod embeddings;
mod error;
pub mod postgres;
mod record;
mod reply;
mod request;
mod routes;
mod state;

use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use embeddings::{DEFAULT_DIMENSIONS, embedding_for};
pub use record::RecordedRequest;
pub use reply::{Fault, Reply, ToolCall, Usage};
pub use state::{DEFAULT_MODELS, DEFAULT_RECORD_LIMIT, MockBuilder, MockState};

/// A running mock upstream on `127.0.0.1` and a free port. Stops when dropped (in the background)
/// or with [`MockUpstream::shutdown`].
#[derive(Debug)]
pub struct MockUpstream {
    state: MockState,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl MockUpstream {
    /// Starts a mock with the defaults: any bearer token, echo replies, [`DEFAULT_MODELS`].
    ///
    /// # Panics
    /// When no loopback port can be bound: nothing a test could do would work then.
    pub async fn start() -> MockUpstream {
        MockUpstream::builder().start().await
    }

    /// Configures a mock before starting it.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The whole service for `state`, for a caller that serves it on its own listener (stop it
    /// with [`MockState::shutdown_signal`] as the graceful-shutdown future, after
    /// [`MockState::begin_shutdown`]).
    pub fn router(state: MockState) -> Router {
        routes::router(state)
    }

    /// The address the mock listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL an OpenAI client is given: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The shared state, e.g. for [`MockState::wait_for_requests`].
    pub fn state(&self) -> &MockState {
        &self.state
    }

    /// The recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Forgets the recorded requests.
    pub fn clear(&self) {
        self.state.clear();
    }

    /// Forgets recorded requests and queued replies, and restores the initial default reply.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Queues a reply for a coming chat completion (first in, first out).
    pub fn push_reply(&self, reply: Reply) {
        self.state.push_reply(reply);
    }

    /// Sets the reply used when no reply is queued.
    pub fn set_default(&self, reply: Reply) {
        self.state.set_default(reply);
    }

    /// Stops accepting, releases hung replies, and waits for open responses to finish.
    pub async fn shutdown(mut self) {
        self.state.begin_shutdown();
        if let Some(server) = self.server.take() {
            // A server task that panicked has nothing left to stop.
            let _ = server.await;
        }
    }
}

impl MockBuilder {
    /// Starts the configured mock on `127.0.0.1` and a free port.
    ///
    /// # Panics
    /// When no loopback port can be bound: nothing a test could do would work then.
    #[allow(clippy::panic)] // A test harness without a socket has no better way to fail.
    pub async fn start(self) -> MockUpstream {
        let state = self.into_state();
        let bound = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await {
            Ok(listener) => listener.local_addr().map(|addr| (listener, addr)),
            Err(error) => Err(error),
        };
        let (listener, addr) = match bound {
            Ok(bound) => bound,
            Err(error) => panic!("warden-testkit: cannot listen on 127.0.0.1: {error}"),
        };
        let router = MockUpstream::router(state.clone());
        let stopping = state.clone();
        let server = tokio::spawn(async move {
            let serving = axum::serve(
                listener.tap_io(|tcp| {
                    // Frames go out as written, like a real provider's token stream (no Nagle delay).
                    let _ = tcp.set_nodelay(true);
                }),
                router,
            )
            .with_graceful_shutdown(async move { stopping.shutdown_signal().await });
            // Serving ends only with an accept error or the shutdown; neither leaves work to do.
            let _ = serving.await;
        });
        MockUpstream {
            state,
            addr,
            server: Some(server),
        }
    }
}

impl Drop for MockUpstream {
    fn drop(&mut self) {
        self.state.begin_shutdown();
    }
}
