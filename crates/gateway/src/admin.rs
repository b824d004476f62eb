//! The admin API (SPEC §6): `/admin/...`, for principals with the `admin` role whom the Cedar
//! policies allow the `admin` action (so a policy can demand MFA or a network for it).
//!
//! The gateway parses and checks each request and hands a typed [`AdminOperation`] to an
//! [`AdminStore`] (the store implements it; the gateway never sees SQL). Every admin request is
//! recorded in the audit trail like an API request — allowed or refused — with an action name
//! (`admin.keys.create`, …) and its target (a key id; a data subject only as its keyed hash), and the
//! response leaves only once that record is durable.
//!
//! Routes:
//! - `POST /admin/keys` `{"name", "roles", "expires_in"?, "models"?, "requests_per_minute"?,
//!   "tokens_per_minute"?, "tokens_per_day"?}` → 201 with the key, shown once;
//! - `GET /admin/keys` → `{"object": "list", "data": [...]}` (never a key or its hash);
//! - `DELETE /admin/keys/{id}` → the revocation (revoking twice is harmless);
//! - `POST /admin/policies/reload` → the number of policies now in force (an invalid set is
//!   rejected with its file and line, and the previous set stays);
//! - `GET /admin/subjects/{id}/export` → everything stored about the subject (an unknown subject
//!   has an empty export); `DELETE /admin/subjects/{id}` → erasure by crypto-shredding (twice is
//!   harmless); `PUT /admin/subjects/{id}/consent/{purpose}` `{"granted": bool}`;
//!   `PUT /admin/subjects/{id}/do_not_share` `{"do_not_share": bool}` — the subject id is recorded
//!   only as its keyed hash and never reflected;
//! - `GET /admin/incidents?since=UNIX_MS` → incidents for breach notification.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{
    Action, AppState, ClientAddr, Outcome, RequestId, Seen, authorize, json_response, read_json,
    respond,
};
use crate::error::{ApiError, printable};
use crate::identity::{BoxFuture, Principal};

/// A key to make, as the client asked for it (the store checks names, roles and limits).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// A name for people.
    pub name: String,
    /// At least one role.
    pub roles: Vec<String>,
    /// A lifetime such as `90d`, `12h`, `30m`; none for a key that does not expire.
    #[serde(default)]
    pub expires_in: Option<String>,
    /// The models the key may call; none for every model the policies allow.
    #[serde(default)]
    pub models: Option<Vec<String>>,
    /// Requests per minute.
    #[serde(default)]
    pub requests_per_minute: Option<u64>,
    /// Model tokens per minute.
    #[serde(default)]
    pub tokens_per_minute: Option<u64>,
    /// Model tokens per day.
    #[serde(default)]
    pub tokens_per_day: Option<u64>,
}

/// One thing an admin asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminOperation {
    /// Make a client key.
    CreateKey(KeySpec),
    /// List client keys (never the keys).
    ListKeys,
    /// Revoke a client key by id.
    RevokeKey {
        /// The key's id.
        id: String,
    },
    /// Everything stored about a data subject (right of access).
    ExportSubject {
        /// The subject's id as clients send it.
        subject: String,
    },
    /// Erase a data subject: destroy their data key, delete their rows (right to erasure).
    EraseSubject {
        /// The subject's id as clients send it.
        subject: String,
    },
    /// Record a subject's consent for a purpose, or its withdrawal.
    SetConsent {
        /// The subject's id as clients send it.
        subject: String,
        /// The purpose.
        purpose: String,
        /// Given or withdrawn.
        granted: bool,
    },
    /// Set a subject's CCPA opt-out of sharing.
    SetDoNotShare {
        /// The subject's id as clients send it.
        subject: String,
        /// Opted out or not.
        do_not_share: bool,
    },
    /// Incidents recorded since a time (unix milliseconds).
    ListIncidents {
        /// The earliest creation time listed.
        since_ms: i64,
    },
}

/// `PUT /admin/subjects/{id}/consent/{purpose}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentBody {
    granted: bool,
}

/// `PUT /admin/subjects/{id}/do_not_share`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DoNotShareBody {
    do_not_share: bool,
}

/// `GET /admin/incidents?since=…`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentQuery {
    /// Unix milliseconds.
    since: Option<i64>,
}

/// What an operation answered.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminAnswer {
    /// Whether something was made (201) rather than read or changed (200).
    pub created: bool,
    /// The JSON body.
    pub body: Value,
    /// What it acted on, for the audit trail (a key id); never a secret.
    pub target: Option<String>,
}

/// Why an operation did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The request is wrong (a role that is not a role, a negative limit …): 400, message shown.
    #[error("{0}")]
    Invalid(String),
    /// No such key (or other target): 404, message shown.
    #[error("{0}")]
    NotFound(String),
    /// The store failed: 503; the reason goes to the log only.
    #[error("{0}")]
    Unavailable(String),
}

/// Carries out admin operations on the store.
pub trait AdminStore: Send + Sync + 'static {
    /// Does `operation` for `actor`; the gateway has already authorized it.
    fn run<'a>(
        &'a self,
        operation: AdminOperation,
        actor: &'a Principal,
    ) -> BoxFuture<'a, Result<AdminAnswer, AdminError>>;
}

/// The admin routes (merged into the service by [`crate::app()`]).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/keys", post(create_key).get(list_keys))
        .route("/admin/keys/{id}", delete(revoke_key))
        .route("/admin/policies/reload", post(reload_policies))
        .route("/admin/subjects/{id}/export", get(export_subject))
        .route("/admin/subjects/{id}", delete(erase_subject))
        .route("/admin/subjects/{id}/consent/{purpose}", put(set_consent))
        .route("/admin/subjects/{id}/do_not_share", put(set_do_not_share))
        .route("/admin/incidents", get(list_incidents))
}

async fn create_key(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::CreateKey, request).await
}

async fn list_keys(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::ListKeys, request).await
}

async fn revoke_key(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    Path(key_id): Path<String>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::RevokeKey(key_id), request).await
}

async fn reload_policies(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::ReloadPolicies, request).await
}

async fn export_subject(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    Path(subject): Path<String>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::ExportSubject(subject), request).await
}

async fn erase_subject(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    Path(subject): Path<String>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::EraseSubject(subject), request).await
}

async fn set_consent(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    Path((subject, purpose)): Path<(String, String)>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::SetConsent(subject, purpose), request).await
}

async fn set_do_not_share(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    Path(subject): Path<String>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::SetDoNotShare(subject), request).await
}

async fn list_incidents(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    handle(&state, &id, Route::ListIncidents, request).await
}

/// Which admin route was called, with what its path holds.
enum Route {
    CreateKey,
    ListKeys,
    RevokeKey(String),
    ReloadPolicies,
    ExportSubject(String),
    EraseSubject(String),
    SetConsent(String, String),
    SetDoNotShare(String),
    ListIncidents,
}

impl Route {
    fn action(&self) -> &'static str {
        match self {
            Route::CreateKey => "admin.keys.create",
            Route::ListKeys => "admin.keys.list",
            Route::RevokeKey(_) => "admin.keys.revoke",
            Route::ReloadPolicies => "admin.policies.reload",
            Route::ExportSubject(_) => "admin.subjects.export",
            Route::EraseSubject(_) => "admin.subjects.erase",
            Route::SetConsent(..) => "admin.subjects.consent",
            Route::SetDoNotShare(_) => "admin.subjects.do_not_share",
            Route::ListIncidents => "admin.incidents.list",
        }
    }
}

/// Every admin route: admit the caller, read the body when the route has one, do the work.
async fn handle(state: &AppState, id: &RequestId, route: Route, request: Request) -> Response {
    let mut outcome = Outcome {
        action: Some(route.action()),
        ..Outcome::default()
    };
    let result = async {
        let (parts, body) = request.into_parts();
        let principal = admit(state, &parts.headers, &parts.extensions, &mut outcome).await?;
        let operation = match route {
            Route::CreateKey => AdminOperation::CreateKey(typed_body(state, body).await?),
            Route::ListKeys => AdminOperation::ListKeys,
            Route::RevokeKey(id) => AdminOperation::RevokeKey { id },
            Route::ReloadPolicies => return reload(state, &mut outcome),
            Route::ExportSubject(subject) => {
                outcome.subject = Some(subject.clone());
                AdminOperation::ExportSubject { subject }
            }
            Route::EraseSubject(subject) => {
                outcome.subject = Some(subject.clone());
                AdminOperation::EraseSubject { subject }
            }
            Route::SetConsent(subject, purpose) => {
                outcome.subject = Some(subject.clone());
                let body: ConsentBody = typed_body(state, body).await?;
                AdminOperation::SetConsent {
                    subject,
                    purpose,
                    granted: body.granted,
                }
            }
            Route::SetDoNotShare(subject) => {
                outcome.subject = Some(subject.clone());
                let body: DoNotShareBody = typed_body(state, body).await?;
                AdminOperation::SetDoNotShare {
                    subject,
                    do_not_share: body.do_not_share,
                }
            }
            Route::ListIncidents => {
                let query: IncidentQuery = query_string(parts.uri.query().unwrap_or_default())?;
                AdminOperation::ListIncidents {
                    since_ms: query.since.unwrap_or(0),
                }
            }
        };
        run(state, operation, &principal, &mut outcome).await
    }
    .await;
    respond(result, id, outcome)
}

/// Reads the policy files again; an invalid set is refused and the previous one stays.
fn reload(state: &AppState, outcome: &mut Outcome) -> Result<Response, ApiError> {
    let count = state.policies.reload().map_err(|error| {
        // The file and line are the operator's own configuration: shown to the admin.
        ApiError::invalid_request(format!(
            "the policies were not reloaded; the previous set stays in force: {error}"
        ))
        .with_param("policy")
    })?;
    tracing::info!(policies = count, "policies reloaded through the admin API");
    outcome.target = Some(format!("{count} policies"));
    Ok(json_response(
        StatusCode::OK,
        &json!({"reloaded": true, "policies": count}),
    ))
}

/// Identify the caller and check the admin role and the `admin` action with the policies.
async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    outcome: &mut Outcome,
) -> Result<Principal, ApiError> {
    let principal = crate::app::who(state, headers, extensions).await?;
    outcome.principal = Some(principal.id.clone());
    if !principal.has_role("admin") {
        return Err(ApiError::policy_denied(
            "the admin API requires the `admin` role",
        ));
    }
    let client = extensions.get::<ClientAddr>().copied();
    authorize(
        state,
        &principal,
        Action::Admin,
        None,
        None,
        Seen::default(),
        client,
    )?;
    Ok(principal)
}

/// Hands `operation` to the store and turns its answer into a response.
async fn run(
    state: &AppState,
    operation: AdminOperation,
    principal: &Principal,
    outcome: &mut Outcome,
) -> Result<Response, ApiError> {
    let Some(store) = &state.admin else {
        return Err(ApiError::unavailable(
            "this gateway has no store for the admin API",
        ));
    };
    match store.run(operation, principal).await {
        Ok(answer) => {
            outcome.target = answer.target;
            let status = if answer.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json_response(status, &answer.body))
        }
        Err(AdminError::Invalid(message)) => Err(ApiError::invalid_request(message)),
        Err(AdminError::NotFound(message)) => Err(ApiError::not_found(message)),
        Err(AdminError::Unavailable(reason)) => {
            tracing::error!(%reason, "admin operation failed in the store");
            Err(ApiError::unavailable(
                "the store could not carry out the operation; nothing was changed",
            ))
        }
    }
}

/// The query string as `T` (`since` in unix milliseconds).
fn query_string<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| ApiError::invalid_request("the query string is not valid"))?,
    )
    .map(|query| query.0)
    .map_err(|_| {
        ApiError::invalid_request("the query string is not valid: `since` takes unix milliseconds")
    })
}

/// The JSON body as `T`; unknown and missing fields are named, values are never echoed.
async fn typed_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    body: Body,
) -> Result<T, ApiError> {
    let value = read_json(state, body).await?;
    serde_json::from_value(value).map_err(|error| {
        let text = error.to_string();
        // serde names the field between backticks: `unknown field `x`, expected …`.
        let field = text.split('`').nth(1).map(printable);
        let message = match field {
            Some(field) if text.starts_with("unknown field") => {
                format!("the body has an unknown field `{field}`")
            }
            Some(field) if text.starts_with("missing field") => {
                format!("the body lacks the field `{field}`")
            }
            _ => "a field of the body has the wrong type (see the admin API in docs/OPERATIONS.md)"
                .to_owned(),
        };
        ApiError::invalid_request(message)
    })
}
