//! Errors in OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::reply::Reply;

/// An error response as OpenAI sends it.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    kind: &'static str,
    code: Option<String>,
    param: Option<&'static str>,
}

impl ApiError {
    /// A 400 `invalid_request_error`.
    pub(crate) fn invalid_request(
        message: impl Into<String>,
        param: Option<&'static str>,
        code: Option<&str>,
    ) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            code: code.map(str::to_owned),
            param,
        }
    }

    /// The body is not JSON (OpenAI's wording).
    pub(crate) fn unparsable_body() -> Self {
        ApiError::invalid_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't \
             using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
            None,
            None,
        )
    }

    /// A required field is absent.
    pub(crate) fn missing(param: &'static str) -> Self {
        ApiError::invalid_request(
            format!("Missing required parameter: '{param}'."),
            Some(param),
            Some("missing_required_parameter"),
        )
    }

    /// A field has the wrong JSON type or an unsupported value.
    pub(crate) fn invalid_value(param: &'static str, expected: &str) -> Self {
        ApiError::invalid_request(
            format!("Invalid value for '{param}': expected {expected}."),
            Some(param),
            Some("invalid_value"),
        )
    }

    /// No `Authorization: Bearer …` header.
    pub(crate) fn missing_api_key() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: "You didn't provide an API key. You need to provide your API key in an \
                      Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                .to_owned(),
            kind: "invalid_request_error",
            code: None,
            param: None,
        }
    }

    /// A bearer token other than the configured key; the token is not quoted back.
    pub(crate) fn wrong_api_key() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: "Incorrect API key provided.".to_owned(),
            kind: "invalid_request_error",
            code: Some("invalid_api_key".to_owned()),
            param: None,
        }
    }

    /// A path (or method) the mock does not serve.
    pub(crate) fn unknown_route(status: StatusCode, method: &str, path: &str) -> Self {
        ApiError {
            status,
            message: format!("Invalid URL ({method} {path})"),
            kind: "invalid_request_error",
            code: None,
            param: None,
        }
    }

    /// A model id `GET /v1/models/{id}` does not know.
    pub(crate) fn unknown_model(model: &str) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: format!("The model '{model}' does not exist"),
            kind: "invalid_request_error",
            code: Some("model_not_found".to_owned()),
            param: Some("model"),
        }
    }

    /// The body exceeds what the mock reads.
    pub(crate) fn body_too_large() -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "The request body is too large.".to_owned(),
            kind: "invalid_request_error",
            code: None,
            param: None,
        }
    }

    /// A hung or delayed reply released because the mock is stopping.
    pub(crate) fn shutting_down() -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "The mock upstream is shutting down.".to_owned(),
            kind: "server_error",
            code: None,
            param: None,
        }
    }

    /// The error a scripted reply asks for (its status is not 200).
    pub(crate) fn scripted(reply: &Reply) -> Self {
        let status =
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = match status.as_u16() {
            429 => "requests",
            500.. => "server_error",
            _ => "invalid_request_error",
        };
        let default_code = match status.as_u16() {
            401 => Some("invalid_api_key"),
            429 => Some("rate_limit_exceeded"),
            _ => None,
        };
        ApiError {
            status,
            message: reply
                .error_message
                .clone()
                .unwrap_or_else(|| "The mock upstream was told to fail.".to_owned()),
            kind,
            code: reply.error_code.clone().or(default_code.map(str::to_owned)),
            param: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        });
        (self.status, Json(body)).into_response()
    }
}
