//! Call upstream (SPEC §2 step 7): route by model, send with the provider's key, time out, retry.
//!
//! One `reqwest` client per upstream (rustls with aws-lc-rs, certificates verified against the system
//! roots, no redirects followed so the provider key never travels to another host). The client's own
//! credentials are never forwarded: requests carry only the configured provider key. Failures become
//! [`ApiError`]s that say what went wrong (refused, timed out, status class) and never include the
//! upstream's body or headers.
//!
//! Retries: a call that fails to connect or answers 429, 500, 502, 503 or 504 is retried up to
//! `max_retries` times with exponential backoff and full jitter (a `Retry-After` up to 20 s is
//! honoured), within the total timeout. A retry happens only before any byte reached the client, so
//! it is safe for streamed calls too.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use bytes::Bytes;
use tracing::Instrument as _;

use crate::config::UpstreamConfig;
use crate::error::{ApiError, Blame};

/// The largest non-streamed upstream answer read.
pub const MAX_RESPONSE_BYTES: usize = 32 << 20;
/// The longest `Retry-After` honoured between retries.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(20);
/// The first backoff step.
const BACKOFF_BASE: Duration = Duration::from_millis(100);

/// One configured provider with its HTTP client.
#[derive(Debug)]
pub struct Upstream {
    config: UpstreamConfig,
    client: reqwest::Client,
}

/// Every upstream, and which serves which model.
#[derive(Debug)]
pub struct Upstreams {
    upstreams: Vec<Upstream>,
    by_model: HashMap<String, usize>,
    catch_all: Option<usize>,
}

/// A failure to build an upstream client.
#[derive(Debug, thiserror::Error)]
#[error("upstream {name}: cannot build its HTTP client: {source}")]
pub struct UpstreamBuildError {
    name: String,
    source: reqwest::Error,
}

impl Upstreams {
    /// Clients for `configs` (already validated by the configuration).
    pub fn new(configs: &[UpstreamConfig]) -> Result<Upstreams, UpstreamBuildError> {
        let mut upstreams = Vec::new();
        let mut by_model = HashMap::new();
        let mut catch_all = None;
        for (index, config) in configs.iter().enumerate() {
            let client = reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .tcp_nodelay(true)
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|source| UpstreamBuildError {
                    name: config.name.clone(),
                    source,
                })?;
            if config.models.is_empty() && catch_all.is_none() {
                catch_all = Some(index);
            }
            // A model listed by several upstreams goes to the first (the others serve it only
            // for subjects who opted out of sharing, when the first shares data).
            for model in &config.models {
                by_model.entry(model.clone()).or_insert(index);
            }
            upstreams.push(Upstream {
                config: config.clone(),
                client,
            });
        }
        Ok(Upstreams {
            upstreams,
            by_model,
            catch_all,
        })
    }

    /// The upstream serving `model`.
    pub fn route(&self, model: &str) -> Option<&Upstream> {
        let index = self.by_model.get(model).copied().or(self.catch_all)?;
        self.upstreams.get(index)
    }

    /// The first upstream (in configuration order) that serves `model` and does not share data:
    /// where an opted-out subject's request may go.
    pub fn route_not_sharing(&self, model: &str) -> Option<&Upstream> {
        let serves = |u: &&Upstream| u.config.models.iter().any(|m| m == model);
        let catch_all = |u: &&Upstream| u.config.models.is_empty();
        let private = |u: &&Upstream| !u.config.shares_data;
        self.upstreams
            .iter()
            .filter(private)
            .find(serves)
            .or_else(|| self.upstreams.iter().filter(private).find(catch_all))
    }

    /// Every upstream.
    pub fn all(&self) -> &[Upstream] {
        &self.upstreams
    }
}

impl Upstream {
    /// Its configuration.
    pub fn config(&self) -> &UpstreamConfig {
        &self.config
    }

    /// POSTs `body` (JSON) to `path` under the base URL; returns the successful response once its
    /// headers arrived, after retries. The caller reads the body within [`Upstream::deadline`].
    pub async fn post(
        &self,
        path: &str,
        body: Bytes,
        started: Instant,
    ) -> Result<reqwest::Response, ApiError> {
        let span = crate::trace::upstream_span(&self.config.name, path);
        let result = self
            .post_attempts(path, body, started)
            .instrument(span.clone())
            .await;
        if !span.is_disabled() {
            match &result {
                Ok(response) => {
                    span.record("http.response.status_code", response.status().as_u16());
                }
                Err(error) => {
                    span.record("otel.status_code", "ERROR");
                    span.record("http.response.status_code", error.status.as_u16());
                }
            }
        }
        result
    }

    async fn post_attempts(
        &self,
        path: &str,
        body: Bytes,
        started: Instant,
    ) -> Result<reqwest::Response, ApiError> {
        let url = format!("{}{path}", self.config.base_url);
        let deadline = started + self.config.total_timeout;
        let mut attempt = 0u32;
        loop {
            let request = self
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
            tracing::Span::current().record("warden.attempts", attempt + 1);
            let outcome = self.send(request, deadline).await;
            let retry_after = match &outcome {
                Ok(response) if response.status().is_success() => return outcome,
                Ok(response) if is_retryable(response.status()) => retry_after(response),
                Ok(_) => None,
                Err(error) if error.code == "upstream_unreachable" => Some(Duration::ZERO),
                Err(_) => None,
            };
            let retryable = matches!(&outcome, Ok(r) if is_retryable(r.status()))
                || matches!(&outcome, Err(e) if e.code == "upstream_unreachable");
            let wait = backoff(attempt, retry_after);
            let in_time = Instant::now() + wait < deadline;
            if !retryable || attempt >= self.config.max_retries || !in_time {
                return match outcome {
                    Ok(response) => Err(status_error(&response)),
                    Err(error) => Err(error),
                };
            }
            tracing::debug!(upstream = %self.config.name, attempt, "retrying upstream call");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// GETs `path` and returns the JSON body (for `/v1/models`).
    pub async fn get_json(&self, path: &str) -> Result<serde_json::Value, ApiError> {
        let url = format!("{}{path}", self.config.base_url);
        let deadline = Instant::now()
            + self
                .config
                .first_byte_timeout
                .min(self.config.total_timeout);
        let response = self.send(self.client.get(&url), deadline).await?;
        if !response.status().is_success() {
            return Err(status_error(&response));
        }
        let body = read_body(response, deadline).await?;
        serde_json::from_slice(&body)
            .map_err(|_| ApiError::upstream("the upstream answered with invalid JSON"))
    }

    /// When the exchange must be over, for a call that started at `started`.
    pub fn deadline(&self, started: Instant) -> Instant {
        started + self.config.total_timeout
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        deadline: Instant,
    ) -> Result<reqwest::Response, ApiError> {
        let request = crate::trace::inject(request);
        let request = match &self.config.api_key {
            Some(key) => request.bearer_auth(key.expose()),
            None => request,
        };
        let limit = self
            .config
            .first_byte_timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(limit, request.send()).await {
            Err(_) => Err(ApiError::upstream_timeout("no answer in time")),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) if error.is_timeout() => Err(ApiError::upstream_timeout("connect")),
            Ok(Err(error)) if error.is_connect() => Err(unreachable()),
            Ok(Err(_)) => Err(ApiError::upstream("the upstream call failed")),
        }
    }
}

/// Reads a whole (non-streamed) answer within `deadline` and [`MAX_RESPONSE_BYTES`].
pub async fn read_body(
    mut response: reqwest::Response,
    deadline: Instant,
) -> Result<Bytes, ApiError> {
    let mut body = Vec::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let chunk = match tokio::time::timeout(remaining, response.chunk()).await {
            Err(_) => return Err(ApiError::upstream_timeout("answer not complete in time")),
            Ok(Err(_)) => return Err(ApiError::upstream("the upstream connection broke")),
            Ok(Ok(None)) => return Ok(Bytes::from(body)),
            Ok(Ok(Some(chunk))) => chunk,
        };
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ApiError::upstream("the upstream answer is too large"));
        }
        body.extend_from_slice(&chunk);
    }
}

fn unreachable() -> ApiError {
    let mut error = ApiError::upstream("the upstream cannot be reached");
    error.code = "upstream_unreachable";
    error
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// Exponential backoff with full jitter, at least `floor`.
fn backoff(attempt: u32, floor: Option<Duration>) -> Duration {
    full_jitter(BACKOFF_BASE, attempt).max(floor.unwrap_or(Duration::ZERO))
}

/// A random delay up to `base × 2^attempt` (full jitter; the exponent stops growing at 8). Shared
/// by upstream retries and alert deliveries.
pub(crate) fn full_jitter(base: Duration, attempt: u32) -> Duration {
    let cap = base.saturating_mul(1 << attempt.min(8));
    let mut random = [0u8; 4];
    let fraction = match aws_lc_rs::rand::fill(&mut random) {
        Ok(()) => f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    };
    cap.mul_f64(fraction)
}

/// The client-facing error for an upstream's non-success status.
fn status_error(response: &reqwest::Response) -> ApiError {
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let mut error = ApiError::rate_limited(
            "the upstream is rate-limiting this gateway; retry later",
            retry_after(response).map(|d| d.as_secs().max(1)),
        );
        error.blame = Blame::Upstream;
        return error;
    }
    ApiError::upstream_status(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_respects_floor() {
        for attempt in 0..5 {
            let wait = backoff(attempt, None);
            assert!(wait <= BACKOFF_BASE * (1 << attempt));
        }
        assert!(backoff(0, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
    }
}
