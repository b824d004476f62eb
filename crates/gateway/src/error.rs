//! The gateway's one error type: who is to blame, the HTTP status, and a stable OpenAI-shaped code.
//!
//! Every refusal the gateway writes goes through [`ApiError`]'s `IntoResponse`, so the body always has
//! OpenAI's shape `{"error": {"message", "type", "code", "param"}}` and official SDKs raise their usual
//! exceptions. Messages name what is wrong (a field, a limit, an entity type) and never contain payload
//! text, keys or upstream bodies: the constructors take only static text and names.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Who caused a failure. Decides the error `type` and how it is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blame {
    /// The client sent something wrong or is not allowed.
    Client,
    /// The model provider failed or misbehaved.
    Upstream,
    /// Warden itself could not do its job (and so refused: fail closed).
    Internal,
}

/// A refusal with its status and OpenAI-shaped code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable machine-readable code (`pii_blocked`, `invalid_json`, …).
    pub code: &'static str,
    /// A human-readable message; never payload text or secrets.
    pub message: String,
    /// The request field at fault, when there is one (`messages[2].content`).
    pub param: Option<String>,
    /// Who is to blame.
    pub blame: Blame,
    /// Seconds the client should wait before retrying (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        blame: Blame,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            param: None,
            blame,
            retry_after: None,
        }
    }

    /// The request field at fault.
    #[must_use]
    pub fn with_param(mut self, param: impl Into<String>) -> ApiError {
        self.param = Some(param.into());
        self
    }

    /// 400: the request is not what the API accepts.
    pub fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Blame::Client,
            message,
        )
    }

    /// 400: the body is not JSON (or not UTF-8).
    pub fn invalid_json(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            Blame::Client,
            message,
        )
    }

    /// 401: no usable credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            Blame::Client,
            message,
        )
    }

    /// 403: the principal may not do this.
    pub fn policy_denied(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "policy_denied",
            Blame::Client,
            message,
        )
    }

    /// 403: the data subject has not given a consent this request needs.
    pub fn consent_required(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "consent_required",
            Blame::Client,
            message,
        )
    }

    /// 403: the principal is suspended (anomaly detection) for `retry_after` more seconds.
    pub fn suspended(retry_after: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::FORBIDDEN,
            "principal_suspended",
            Blame::Client,
            format!(
                "this principal is suspended for {retry_after} more seconds after anomalous activity"
            ),
        );
        error.retry_after = Some(retry_after);
        error
    }

    /// 404: no such route.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", Blame::Client, message)
    }

    /// 404: no upstream serves this model.
    pub fn model_not_found(model: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "model_not_found",
            Blame::Client,
            format!(
                "the model `{}` is not served by this gateway",
                printable(model)
            ),
        )
        .with_param("model")
    }

    /// 405: the route exists with another method.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Blame::Client,
            "this route does not accept that method",
        )
    }

    /// 408: the client sent its body too slowly.
    pub fn body_timeout() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            Blame::Client,
            "the request body was not received in time",
        )
    }

    /// 413: the body or a text in it is over a limit.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            Blame::Client,
            message,
        )
    }

    /// 400: the input holds an entity whose input action is `block`.
    pub fn pii_blocked(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "pii_blocked",
            Blame::Client,
            message,
        )
    }

    /// 400: the answer repeated the system prompt (its canary or a long run of its words). 400
    /// like an answer's blocked data, so that SDKs do not retry it into the model again.
    pub fn system_prompt_leak(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "system_prompt_leak",
            Blame::Upstream,
            message,
        )
    }

    /// 400: the input holds a prompt injection.
    pub fn prompt_injection(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "prompt_injection",
            Blame::Client,
            message,
        )
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, retry_after: Option<u64>) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            Blame::Client,
            message,
        );
        error.retry_after = retry_after;
        error
    }

    /// 502: the upstream failed or answered something unusable.
    pub fn upstream(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            Blame::Upstream,
            message,
        )
    }

    /// An upstream refusal passed on with its status class (4xx kept, others 502), no upstream detail.
    pub fn upstream_status(status: StatusCode) -> ApiError {
        let (status, message) = match status.as_u16() {
            401 | 403 => (
                StatusCode::BAD_GATEWAY,
                "the upstream refused the gateway's credentials".to_owned(),
            ),
            404 => (
                StatusCode::NOT_FOUND,
                "the upstream does not know this model or route".to_owned(),
            ),
            code @ 400..=499 => (
                status,
                format!("the upstream rejected the request (status {code})"),
            ),
            code => (
                StatusCode::BAD_GATEWAY,
                format!("the upstream failed (status {code})"),
            ),
        };
        ApiError::new(status, "upstream_error", Blame::Upstream, message)
    }

    /// 504: the upstream did not answer in time.
    pub fn upstream_timeout(what: &'static str) -> ApiError {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_timeout",
            Blame::Upstream,
            format!("the upstream timed out ({what})"),
        )
    }

    /// 503: the gateway cannot serve right now (store unreachable, shutting down).
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Blame::Internal,
            message,
        )
    }

    /// 500: an internal failure; the request is refused, never passed on unchecked.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            Blame::Internal,
            message,
        )
    }

    /// OpenAI's error `type` for this error.
    pub fn kind(&self) -> &'static str {
        match (self.blame, self.status.as_u16()) {
            (Blame::Client, 401) => "authentication_error",
            (Blame::Client, 403) => "permission_error",
            (Blame::Client, 404) => "not_found_error",
            (Blame::Client, 429) => "rate_limit_error",
            (Blame::Client, _) => "invalid_request_error",
            (Blame::Upstream, _) => "upstream_error",
            (Blame::Internal, _) => "server_error",
        }
    }

    /// The JSON body `{"error": {...}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "message": self.message,
                "type": self.kind(),
                "code": self.code,
                "param": self.param,
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `name` made safe to quote in a message: printable ASCII only, at most 64 characters.
///
/// Used for names the client chose (a model id, a field), never for payload text.
pub(crate) fn printable(name: &str) -> String {
    let mut out: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(64)
        .collect();
    if name.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_openai_shape() {
        let error = ApiError::pii_blocked("US_SSN is blocked").with_param("messages[0].content");
        assert_eq!(
            error.body(),
            serde_json::json!({"error": {
                "message": "US_SSN is blocked",
                "type": "invalid_request_error",
                "code": "pii_blocked",
                "param": "messages[0].content",
            }})
        );
    }

    #[test]
    fn upstream_statuses_hide_credentials_problems() {
        assert_eq!(
            ApiError::upstream_status(StatusCode::UNAUTHORIZED).status,
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            ApiError::upstream_status(StatusCode::BAD_REQUEST).status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            ApiError::upstream_status(StatusCode::SERVICE_UNAVAILABLE).status,
            StatusCode::BAD_GATEWAY
        );
    }

    #[test]
    fn printable_strips_control_and_long_names() {
        assert_eq!(printable("gpt\u{0}-4\n"), "gpt-4");
        assert_eq!(printable(&"a".repeat(100)).chars().count(), 65);
    }
}
