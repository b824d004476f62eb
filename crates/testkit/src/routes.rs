//! The router: OpenAI's routes under `/v1` (recorded, then authenticated) and the control API
//! under `/_mock` (neither recorded nor authenticated).

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::chat;
use crate::embeddings;
use crate::error::ApiError;
use crate::record::RecordedRequest;
use crate::reply::Reply;
use crate::state::MockState;

/// The largest request body the mock reads (a gateway should refuse far smaller ones itself).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// `created` of every listed model: a fixed date, so listings compare equal between runs.
const MODEL_CREATED: u64 = 1_700_000_000;

/// The whole service.
pub(crate) fn router(state: MockState) -> Router {
    let openai = Router::new()
        .route("/chat/completions", post(chat::completions))
        .route("/embeddings", post(embeddings::create))
        .route("/models", get(list_models))
        .route("/models/{model}", get(retrieve_model))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_and_authenticate,
        ));
    let control = Router::new()
        .route("/replies", post(queue_replies))
        .route("/default", put(set_default))
        .route("/requests", get(list_requests))
        .route("/reset", post(reset));
    Router::new()
        .nest("/v1", openai)
        .nest("/_mock", control)
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Records the request (before authentication, so refused requests are visible to tests), then
/// checks the bearer token; every answer carries an `x-request-id` as OpenAI's do.
async fn record_and_authenticate(
    State(state): State<MockState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::body_too_large().into_response();
    };
    if state.is_recording() {
        state.record(RecordedRequest::new(&parts, body.clone()));
    }
    let mut response = match authenticate(&state, &parts.headers) {
        Ok(()) => next.run(Request::from_parts(parts, Body::from(body))).await,
        Err(error) => error.into_response(),
    };
    let request_id = format!("req_mock{:010}", state.next_id());
    if let Ok(request_id) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), request_id);
    }
    response
}

/// Any non-empty bearer token, or exactly the configured key.
fn authenticate(state: &MockState, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty());
    let Some(token) = token else {
        return Err(ApiError::missing_api_key());
    };
    match state.api_key() {
        Some(api_key) if api_key != token => Err(ApiError::wrong_api_key()),
        _ => Ok(()),
    }
}

async fn list_models(State(state): State<MockState>) -> Json<Value> {
    let data: Vec<Value> = state.models().iter().map(|id| model_json(id)).collect();
    Json(json!({"object": "list", "data": data}))
}

async fn retrieve_model(State(state): State<MockState>, Path(model): Path<String>) -> Response {
    if state.models().contains(&model) {
        return Json(model_json(&model)).into_response();
    }
    ApiError::unknown_model(&model).into_response()
}

fn model_json(id: &str) -> Value {
    json!({"id": id, "object": "model", "created": MODEL_CREATED, "owned_by": "openai"})
}

async fn unknown_route(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    ApiError::unknown_route(StatusCode::NOT_FOUND, method.as_str(), uri.path()).into_response()
}

async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    ApiError::unknown_route(StatusCode::METHOD_NOT_ALLOWED, method.as_str(), uri.path())
        .into_response()
}

/// `POST /_mock/replies`: one reply or an array of replies, queued in order.
async fn queue_replies(
    State(state): State<MockState>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let replies = match control_json(&body)? {
        Value::Array(items) => items
            .into_iter()
            .map(reply_from)
            .collect::<Result<Vec<Reply>, ApiError>>()?,
        single => vec![reply_from(single)?],
    };
    let n_queued = replies.len();
    for reply in replies {
        state.push_reply(reply);
    }
    Ok(Json(json!({"queued": n_queued})))
}

/// `PUT /_mock/default`: the reply used when nothing is queued.
async fn set_default(State(state): State<MockState>, body: Bytes) -> Result<StatusCode, ApiError> {
    state.set_default(reply_from(control_json(&body)?)?);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_mock/requests`: the recorded requests, oldest first.
async fn list_requests(State(state): State<MockState>) -> Json<Vec<RecordedRequest>> {
    Json(state.requests())
}

/// `POST /_mock/reset`: recorded requests and queued replies forgotten, initial default restored.
async fn reset(State(state): State<MockState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

fn control_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::invalid_request(format!("the body is not JSON: {error}"), None, None)
    })
}

/// A reply from JSON (an object: serde would also read a struct from an array), checked.
fn reply_from(value: Value) -> Result<Reply, ApiError> {
    let invalid = |message: String| ApiError::invalid_request(message, None, None);
    if !value.is_object() {
        return Err(invalid("a reply is a JSON object".to_owned()));
    }
    let reply: Reply =
        serde_json::from_value(value).map_err(|error| invalid(format!("not a reply: {error}")))?;
    reply.check().map_err(invalid)?;
    Ok(reply)
}
