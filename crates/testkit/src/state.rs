//! The mock's shared state: its configuration, the reply script, the recorded requests and the
//! shutdown signal.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use crate::record::RecordedRequest;
use crate::reply::Reply;

/// How many requests the mock keeps by default (the oldest are dropped first).
pub const DEFAULT_RECORD_LIMIT: usize = 10_000;

/// The models `GET /v1/models` lists by default.
pub const DEFAULT_MODELS: [&str; 2] = ["gpt-4o-mini", "text-embedding-3-small"];

/// Configures a mock before it starts: [`MockUpstream::builder`](crate::MockUpstream::builder).
#[derive(Clone, Debug)]
pub struct MockBuilder {
    api_key: Option<ExpectedKey>,
    models: Vec<String>,
    record_limit: usize,
    default_reply: Reply,
}

/// Everything the mock's routes share. Cheap to clone (one `Arc`); serve it with
/// [`MockUpstream::router`](crate::MockUpstream::router).
#[derive(Clone, Debug)]
pub struct MockState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    api_key: Option<ExpectedKey>,
    models: Vec<String>,
    record_limit: usize,
    initial_default: Reply,
    script: Mutex<Script>,
    recorded: Mutex<VecDeque<RecordedRequest>>,
    /// Requests recorded since the last clear, so tests can wait for a count without sleeping.
    n_recorded: watch::Sender<u64>,
    next_id: AtomicU64,
    shutdown: watch::Sender<bool>,
}

/// The bearer token the mock accepts; `Debug` does not show it.
#[derive(Clone)]
struct ExpectedKey(String);

#[derive(Debug)]
struct Script {
    queue: VecDeque<Reply>,
    default: Reply,
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            api_key: None,
            models: DEFAULT_MODELS
                .iter()
                .map(|&model| model.to_owned())
                .collect(),
            record_limit: DEFAULT_RECORD_LIMIT,
            default_reply: Reply::default(),
        }
    }
}

impl MockBuilder {
    /// Accept only `Authorization: Bearer <api_key>`; without it any bearer token is accepted.
    #[must_use]
    pub fn api_key(self, api_key: impl Into<String>) -> Self {
        MockBuilder {
            api_key: Some(ExpectedKey(api_key.into())),
            ..self
        }
    }

    /// The model ids `GET /v1/models` lists.
    #[must_use]
    pub fn models<I, S>(self, models: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        MockBuilder {
            models: models.into_iter().map(Into::into).collect(),
            ..self
        }
    }

    /// Keep at most this many requests (the latest); 0 records nothing, for benchmarks.
    #[must_use]
    pub fn record_limit(self, record_limit: usize) -> Self {
        MockBuilder {
            record_limit,
            ..self
        }
    }

    /// The reply used when no scripted reply is queued (and restored by a reset); echo by default.
    #[must_use]
    pub fn default_reply(self, default_reply: Reply) -> Self {
        MockBuilder {
            default_reply,
            ..self
        }
    }

    /// The state to serve, for a caller that binds its own listener (the `warden-mock` binary).
    pub fn into_state(self) -> MockState {
        MockState {
            shared: Arc::new(Shared {
                api_key: self.api_key,
                models: self.models,
                record_limit: self.record_limit,
                script: Mutex::new(Script {
                    queue: VecDeque::new(),
                    default: self.default_reply.clone(),
                }),
                initial_default: self.default_reply,
                recorded: Mutex::new(VecDeque::new()),
                n_recorded: watch::Sender::new(0),
                next_id: AtomicU64::new(1),
                shutdown: watch::Sender::new(false),
            }),
        }
    }
}

impl MockState {
    /// Queues a reply; chat completions consume queued replies first in, first out.
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.shared.script).queue.push_back(reply);
    }

    /// Sets the reply used when the queue is empty.
    pub fn set_default(&self, reply: Reply) {
        lock(&self.shared.script).default = reply;
    }

    /// The recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.recorded).iter().cloned().collect()
    }

    /// Forgets the recorded requests.
    pub fn clear(&self) {
        lock(&self.shared.recorded).clear();
        self.shared.n_recorded.send_replace(0);
    }

    /// Forgets the recorded requests and the queued replies, and restores the initial default.
    pub fn reset(&self) {
        {
            let mut script = lock(&self.shared.script);
            script.queue.clear();
            script.default = self.shared.initial_default.clone();
        }
        self.clear();
    }

    /// Waits until at least `n_requests` requests have been recorded since the last clear (they
    /// may no longer all be kept if the record limit is smaller). Never returns when recording is
    /// off.
    pub async fn wait_for_requests(&self, n_requests: usize) {
        let target = u64::try_from(n_requests).unwrap_or(u64::MAX);
        let mut count = self.shared.n_recorded.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = count.wait_for(|&recorded| recorded >= target).await;
    }

    /// Asks the server to stop: hung replies are released with a 503, and a server started with
    /// [`MockState::shutdown_signal`] as its graceful-shutdown future stops accepting.
    pub fn begin_shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }

    /// Completes once [`MockState::begin_shutdown`] has been called.
    pub async fn shutdown_signal(&self) {
        let mut stopping = self.shared.shutdown.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = stopping.wait_for(|&stopping| stopping).await;
    }

    /// Waits `duration`, or less if the mock starts shutting down; `false` when cut short.
    pub(crate) async fn pause(&self, duration: Duration) -> bool {
        if duration.is_zero() {
            return true;
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            () = self.shutdown_signal() => false,
        }
    }

    pub(crate) fn api_key(&self) -> Option<&str> {
        self.shared.api_key.as_ref().map(|key| key.0.as_str())
    }

    pub(crate) fn models(&self) -> &[String] {
        &self.shared.models
    }

    pub(crate) fn is_recording(&self) -> bool {
        self.shared.record_limit > 0
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        {
            let mut recorded = lock(&self.shared.recorded);
            if recorded.len() >= self.shared.record_limit {
                recorded.pop_front();
            }
            recorded.push_back(request);
        }
        self.shared.n_recorded.send_modify(|count| *count += 1);
    }

    /// The next queued reply, or the default.
    pub(crate) fn next_reply(&self) -> Reply {
        let mut script = lock(&self.shared.script);
        match script.queue.pop_front() {
            Some(reply) => reply,
            None => script.default.clone(),
        }
    }

    /// A number unique within this mock, for response ids.
    pub(crate) fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

impl fmt::Debug for ExpectedKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ExpectedKey(..)")
    }
}

/// Locks a mutex; a panic elsewhere while holding it leaves plain data that is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use bytes::Bytes;

    use super::*;

    fn request(path: &str) -> RecordedRequest {
        let (parts, ()) = Request::get(path).body(()).unwrap().into_parts();
        RecordedRequest::new(&parts, Bytes::new())
    }

    #[test]
    fn recording_keeps_only_the_latest_requests() {
        let state = MockBuilder::default().record_limit(2).into_state();
        for path in ["/1", "/2", "/3"] {
            state.record(request(path));
        }
        let paths: Vec<String> = state.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/2", "/3"]);
        state.clear();
        assert!(state.requests().is_empty());
    }

    #[test]
    fn replies_are_consumed_in_order_then_the_default_repeats() {
        let state = MockBuilder::default()
            .default_reply(Reply::text("default"))
            .into_state();
        state.push_reply(Reply::text("first"));
        state.push_reply(Reply::text("second"));
        let contents: Vec<Option<String>> = (0..4).map(|_| state.next_reply().content).collect();
        let expected = ["first", "second", "default", "default"].map(|s| Some(s.to_owned()));
        assert_eq!(contents, expected);
    }

    #[test]
    fn debug_output_does_not_show_the_key() {
        let builder = MockBuilder::default().api_key("sk-very-secret");
        assert!(!format!("{builder:?}").contains("sk-very-secret"));
        assert!(!format!("{:?}", builder.into_state()).contains("sk-very-secret"));
    }

    #[test]
    fn reset_restores_the_initial_default_and_empties_the_queue() {
        let state = MockBuilder::default().into_state();
        state.set_default(Reply::text("changed"));
        state.push_reply(Reply::text("queued"));
        state.record(request("/x"));
        state.reset();
        assert_eq!(state.next_reply(), Reply::echo());
        assert!(state.requests().is_empty());
    }
}
