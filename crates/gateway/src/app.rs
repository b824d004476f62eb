//! The service: `app(state) -> Router` with every route, and the handlers that run the pipeline.
//!
//! A model call reads top to bottom (SPEC §2): request id → identify → read body (size and time
//! limits) → authorize → route to an upstream → sanitise and inspect input → call upstream → inspect
//! output → restore → respond. Steps that later issues add (Cedar policies, rate limits, audit) slot
//! in at the marked places without changing the others.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use serde_json::{Value, json};
use tracing::Instrument as _;
use warden_scan::{EntityType, Finding, Operator, PseudonymTable, Resources, apply};

use crate::chat;
use crate::config::Config;
use crate::error::{ApiError, Blame, printable};
use crate::identity::{Authenticator, Principal, identify};
use crate::inspect::{Inspector, Tally};
use crate::record::{Decision, Recorder, RequestRecord};
use crate::stream::StreamTransformer;
use crate::upstream::{Upstream, Upstreams, read_body};

/// Everything the handlers share.
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Scanner, sanitiser, actions and keys.
    pub inspector: Arc<Inspector>,
    /// The model providers.
    pub upstreams: Upstreams,
    /// Looks client keys up.
    pub authenticator: Arc<dyn Authenticator>,
    /// Where each request's record goes (the audit trail); `NoRecorder` by default.
    pub recorder: Arc<dyn Recorder>,
    /// Where chat exchanges are kept when `[store] conversations = true`; `None` keeps nothing.
    pub conversations: Option<Arc<dyn crate::record::ConversationSink>>,
    /// Trusted JWT issuers and their keys.
    pub jwt: Arc<crate::jwt::JwtVerifier>,
    /// The Cedar access policies.
    pub policies: Arc<crate::PolicyHolder>,
    /// Per-principal request limiters.
    pub limits: crate::limits::Limits,
    /// The Prometheus series.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The listener's TLS configuration, when `[server] tls` is set.
    pub tls: Option<Arc<crate::tls::TlsReloader>>,
    /// Carries out the admin API's operations; `None` answers them with 503.
    pub admin: Option<Arc<dyn crate::admin::AdminStore>>,
    /// Per-principal anomaly detection and suspensions.
    pub anomalies: Arc<crate::anomaly::Anomalies>,
    /// The alert webhook, when `[alerts] webhook_url` is set.
    pub alerter: Option<Arc<crate::alert::Alerter>>,
    /// Where incidents go (blocked leaks in answers); `None` only logs them.
    pub incidents: Option<Arc<dyn crate::record::IncidentSink>>,
    /// Data subjects' consent and opt-outs; `None`: no subject has any.
    pub subjects: Option<Arc<dyn crate::subjects::SubjectDirectory>>,
}

/// The id of one request, in extensions and in the `x-request-id` header.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// What the pipeline learned about one request: who, which model and upstream, and the entity types
/// found each way (counts, never values). Logged once per request by the request-id layer; the
/// audit event of the store issue is built from the same record.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The principal's id, once identified.
    pub principal: Option<String>,
    /// The data subject the client named (`X-Warden-Subject` or `user`); recorded only as a keyed
    /// hash.
    pub subject: Option<String>,
    /// The model asked for.
    pub model: Option<String>,
    /// The upstream that served it.
    pub upstream: Option<String>,
    /// Findings per type in the input.
    pub found_in: Tally,
    /// Findings per type in a whole answer (a stream logs its own when it ends).
    pub found_out: Tally,
    /// The error code, when the request was refused.
    pub code: Option<&'static str>,
    /// Time from sending to the upstream until its response head.
    pub upstream_latency: Option<std::time::Duration>,
    /// The audit action, when the route does not imply it (`admin.keys.create`).
    pub action: Option<&'static str>,
    /// What an admin action acted on (a key id), for the audit trail.
    pub target: Option<String>,
}

/// Adds a tally to the findings series, with the action configured for each type.
fn count_findings(state: &AppState, direction: &'static str, tally: &Tally) {
    if tally.is_empty() {
        return;
    }
    let actions = if direction == "input" {
        &state.config.input
    } else {
        &state.config.output
    };
    state.metrics.findings(
        direction,
        tally.iter().map(|(entity, count)| {
            let action = match EntityType::parse(entity).map(|e| actions.action(&e)) {
                Some(crate::config::Action::Allow) => "allow".to_owned(),
                Some(crate::config::Action::Block) => "block".to_owned(),
                Some(crate::config::Action::Rewrite(operator)) => operator.name().to_owned(),
                None => "unknown".to_owned(),
            };
            (entity, count, action)
        }),
    );
}

/// `PERSON=2,EMAIL_ADDRESS=1`: a tally for a log field.
fn tally_field(tally: &Tally) -> String {
    tally
        .iter()
        .map(|(entity, n)| format!("{entity}={n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// What a principal wants to do (SPEC §6 actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Chat completions.
    Chat,
    /// Embeddings.
    Embed,
    /// The guard API and model listing.
    Scan,
    /// The admin API.
    Admin,
}

/// The whole HTTP service.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/embeddings", post(embeddings))
        .route("/v1/models", get(models))
        .route("/v1/scan", post(scan))
        .route("/v1/redact", post(redact))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::admin::routes())
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            request_id,
        ))
        .with_state(state)
}

/// Gives every request an id (a well-formed incoming `x-request-id` is kept) and every response the
/// header; records every API request (fail closed) and logs it.
async fn request_id(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let incoming = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned);
    let id = incoming.unwrap_or_else(|| format!("req_{}", uuid::Uuid::now_v7().simple()));
    request.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let arrived = std::time::SystemTime::now();
    let method = request.method().clone();
    let raw_path = request.uri().path();
    let audited = raw_path.starts_with("/v1/") || raw_path.starts_with("/admin/");
    // The route's template (`/admin/keys/{id}`), never the raw path: a path segment can hold a
    // subject id or a key pasted by mistake, and neither may reach a log or the audit trail.
    let path = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |m| m.as_str().to_owned());
    let span = crate::trace::request_span(&method, &path, &id, request.headers());
    let run = async move {
        let response = next.run(request).await;
        finish_request(
            &state,
            response,
            (id, method, path),
            (started, arrived),
            audited,
        )
        .await
    };
    run.instrument(span).await
}

/// The rest of [`request_id`] once the handler answered: the header, the record, the signals, the
/// metrics and the log line, inside the request's span.
async fn finish_request(
    state: &AppState,
    mut response: Response,
    (id, method, path): (String, axum::http::Method, String),
    (started, arrived): (Instant, std::time::SystemTime),
    audited: bool,
) -> Response {
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let outcome = response
        .extensions_mut()
        .remove::<Outcome>()
        .unwrap_or_default();
    if audited {
        let record = RequestRecord {
            action: outcome.action,
            target: outcome.target.clone(),
            time: arrived,
            request_id: id.clone(),
            route: path.clone(),
            principal: outcome.principal.clone(),
            subject: outcome.subject.clone(),
            model: outcome.model.clone(),
            upstream: outcome.upstream.clone(),
            decision: if response.status().is_success() {
                Decision::Allowed
            } else {
                Decision::Denied
            },
            reason: outcome.code,
            status: response.status().as_u16(),
            found_in: outcome.found_in.clone(),
            found_out: outcome.found_out.clone(),
            latency: started.elapsed(),
        };
        let recorded = state
            .recorder
            .record(&record)
            .instrument(crate::trace::step("audit"))
            .await;
        if let Err(reason) = recorded {
            // Fail closed: no answer leaves without its record.
            tracing::error!(request_id = %id, error = %reason, "recording failed; the request is refused");
            let mut refused =
                ApiError::unavailable("the request could not be recorded, so it was refused")
                    .into_response();
            if let Ok(value) = HeaderValue::from_str(&id) {
                refused.headers_mut().insert("x-request-id", value);
            }
            return refused;
        }
    }
    if audited && let Some(principal) = &outcome.principal {
        signal(state, principal, crate::anomaly::Signal::Request, &id).await;
        if outcome.code == Some("prompt_injection") {
            signal(state, principal, crate::anomaly::Signal::Injection, &id).await;
        }
    }
    state.metrics.request(
        &path,
        response.status().as_u16(),
        started.elapsed(),
        outcome.upstream.as_deref().zip(outcome.upstream_latency),
        outcome.code,
    );
    count_findings(state, "input", &outcome.found_in);
    count_findings(state, "output", &outcome.found_out);
    let span = tracing::Span::current();
    record_outcome(&span, response.status(), &outcome);
    let trace_id = crate::trace::trace_id(&span);
    tracing::info!(
        request_id = %id,
        trace_id = trace_id.as_deref().unwrap_or(""),
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        principal = outcome.principal.as_deref().unwrap_or(""),
        model = outcome.model.as_deref().unwrap_or(""),
        upstream = outcome.upstream.as_deref().unwrap_or(""),
        found_in = %tally_field(&outcome.found_in),
        found_out = %tally_field(&outcome.found_out),
        code = outcome.code.unwrap_or(""),
        "request"
    );
    response
}

/// What the request's span says of its outcome (names, counts and codes; never payload text).
fn record_outcome(span: &tracing::Span, status: StatusCode, outcome: &Outcome) {
    if span.is_disabled() {
        return;
    }
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    if let Some(principal) = &outcome.principal {
        span.record("warden.principal", principal.as_str());
    }
    if let Some(model) = &outcome.model {
        span.record("warden.model", model.as_str());
    }
    if let Some(upstream) = &outcome.upstream {
        span.record("warden.upstream", upstream.as_str());
    }
    if let Some(code) = outcome.code {
        span.record("warden.refusal", code);
    }
    if !outcome.found_in.is_empty() {
        span.record("warden.found_in", tally_field(&outcome.found_in));
    }
    if !outcome.found_out.is_empty() {
        span.record("warden.found_out", tally_field(&outcome.found_out));
    }
}

/// Identify (SPEC §2 step 2), then refuse a principal that anomaly detection suspended.
pub(crate) async fn who(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Result<Principal, ApiError> {
    let by_certificate = if headers.contains_key(header::AUTHORIZATION) {
        None
    } else {
        extensions
            .get::<Option<Arc<crate::tls::ClientCert>>>()
            .and_then(Option::as_deref)
            .and_then(|cert| certificate_principal(&state.config.server.client_certs, cert))
    };
    let principal = match by_certificate {
        Some(principal) => principal,
        None => identify(state.authenticator.as_ref(), &state.jwt, headers).await?,
    };
    if let Some(left) = state.anomalies.suspended(&principal.id, Instant::now()) {
        return Err(ApiError::suspended(left.as_secs().max(1)));
    }
    Ok(principal)
}

/// The principal configured for the first of `cert`'s names that `[[server.client_certs]]` lists.
fn certificate_principal(
    mapped: &[crate::config::ClientCertPrincipal],
    cert: &crate::tls::ClientCert,
) -> Option<Principal> {
    let entry = cert
        .identities
        .iter()
        .find_map(|name| mapped.iter().find(|entry| entry.subject == *name))?;
    Some(Principal {
        id: format!("mtls:{}", entry.subject),
        name: entry.subject.clone(),
        roles: entry.roles.clone(),
        allowed_models: entry.models.clone(),
        limits: crate::config::Rates::default(),
        mfa: false,
    })
}

/// Feeds anomaly detection; a trip suspends the principal (done by the detector) and is recorded
/// as an incident and an audit event and sent to the alert webhook.
pub(crate) async fn signal(
    state: &AppState,
    principal: &str,
    signal: crate::anomaly::Signal,
    request_id: &str,
) {
    let Some(trip) = state.anomalies.observe(principal, signal).await else {
        return;
    };
    tracing::warn!(
        request_id,
        principal,
        kind = trip.kind,
        "principal suspended by anomaly detection"
    );
    let record = RequestRecord {
        time: std::time::SystemTime::now(),
        request_id: request_id.to_owned(),
        route: "(anomaly detection)".to_owned(),
        action: Some("anomaly.suspend"),
        target: Some(trip.kind.to_owned()),
        principal: Some(principal.to_owned()),
        subject: None,
        model: None,
        upstream: None,
        decision: Decision::Denied,
        reason: None,
        status: 0,
        found_in: Tally::new(),
        found_out: Tally::new(),
        latency: std::time::Duration::ZERO,
    };
    if let Err(reason) = state.recorder.record(&record).await {
        tracing::error!(request_id, %reason, "recording the suspension failed");
    }
    if let Some(sink) = &state.incidents {
        let report = crate::record::IncidentReport {
            kind: trip.kind,
            severity: "high",
            summary: trip.summary.clone(),
            principal: Some(principal.to_owned()),
            subject: None,
            request_id: request_id.to_owned(),
        };
        if let Err(reason) = sink.raise(report).await {
            tracing::error!(request_id, %reason, "recording the suspension incident failed");
        }
    }
    if let Some(alerter) = &state.alerter {
        alerter.send(json!({
            "type": "principal_suspended",
            "kind": trip.kind,
            "principal": principal,
            "summary": trip.summary,
            "request_id": request_id,
            "suspended_seconds": trip.suspended_for.as_secs(),
            "time_ms": std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
        }));
    }
}

/// Reads a JSON body within the size and time limits.
pub(crate) async fn read_json(state: &AppState, body: Body) -> Result<Value, ApiError> {
    let limit = state.config.server.max_body_bytes;
    let read = axum::body::to_bytes(body, limit);
    let bytes = match tokio::time::timeout(state.config.server.body_timeout, read).await {
        Err(_) => return Err(ApiError::body_timeout()),
        Ok(Err(error)) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return Err(if too_large {
                ApiError::too_large(format!("the body is larger than {limit} bytes"))
            } else {
                ApiError::invalid_request("the body could not be read")
            });
        }
        Ok(Ok(bytes)) => bytes,
    };
    if bytes.is_empty() {
        return Err(ApiError::invalid_json(
            "the body is empty: send a JSON object",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|error| {
        let what = match error.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "not valid JSON"
            }
            serde_json::error::Category::Io => "not UTF-8",
            serde_json::error::Category::Data => "not the expected JSON",
        };
        ApiError::invalid_json(format!(
            "the body is {what} (line {}, column {})",
            error.line(),
            error.column()
        ))
    })
}

/// The client's address, set per connection by the server.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// A key's own model allow-list (checked before anything else is done for the request).
fn check_key_models(principal: &Principal, model: Option<&str>) -> Result<(), ApiError> {
    if let (Some(model), Some(allowed)) = (model, &principal.allowed_models)
        && !allowed.iter().any(|m| m == model)
    {
        return Err(ApiError::policy_denied(format!(
            "this key may not use the model `{}`",
            printable(model)
        ))
        .with_param("model"));
    }
    Ok(())
}

/// What authorization sees of a request besides who and what: the entity types found in the input
/// and the data subject's choices.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen<'a> {
    /// Findings per type in the input.
    pub(crate) found: Option<&'a Tally>,
    /// The subject's consent and opt-out.
    pub(crate) subject: Option<&'a crate::subjects::SubjectState>,
}

/// Authorize (SPEC §2 step 3): the Cedar policies decide with the principal, the action, the model
/// and the context — client address, time, and the entity types found in the input (so this runs
/// after inspection). A denial is a 403 naming the action, never the policy text.
pub(crate) fn authorize(
    state: &AppState,
    principal: &Principal,
    action: Action,
    upstream: Option<&Upstream>,
    model: Option<&str>,
    seen: Seen<'_>,
    client: Option<ClientAddr>,
) -> Result<(), ApiError> {
    check_key_models(principal, model)?;
    let (policy_action, name) = match action {
        Action::Chat => (warden_policy::Action::Chat, "chat"),
        Action::Embed => (warden_policy::Action::Embed, "embed"),
        Action::Scan => (warden_policy::Action::Scan, "scan"),
        Action::Admin => (warden_policy::Action::Admin, "admin"),
    };
    let who = warden_policy::PrincipalInfo {
        id: principal.id.clone(),
        roles: principal.roles.clone(),
        kind: if principal.id.starts_with("jwt:") {
            "jwt"
        } else if principal.id.starts_with("mtls:") {
            "mtls"
        } else {
            "key"
        }
        .to_owned(),
        mfa: principal.mfa,
    };
    let resource = warden_policy::ModelInfo {
        name: model.unwrap_or("warden").to_owned(),
        upstream: upstream
            .map(|u| u.config().name.clone())
            .unwrap_or_default(),
        shares_data: upstream.is_some_and(|u| u.config().shares_data),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = now / 86_400;
    let context = warden_policy::RequestContext {
        // Unknown (no socket, as in some tests): the unspecified address, which no allow-list holds.
        client_ip: client.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()),
        hour: u8::try_from(now % 86_400 / 3_600).unwrap_or(0),
        // 1970-01-01 was a Thursday; 1 = Monday.
        weekday: u8::try_from((days + 3) % 7 + 1).unwrap_or(1),
        entities: seen
            .found
            .map(|found| found.keys().cloned().collect())
            .unwrap_or_default(),
        injection_score: 0,
        consent: seen
            .subject
            .map(|subject| subject.consents.clone())
            .unwrap_or_default(),
        do_not_share: seen.subject.is_some_and(|subject| subject.do_not_share),
    };
    let decision = state
        .policies
        .current()
        .decide(&who, policy_action, &resource, &context);
    if !decision.allowed {
        return Err(ApiError::policy_denied(format!(
            "the access policies do not allow `{name}` on `{}` for this principal",
            printable(&resource.name)
        )));
    }
    Ok(())
}

fn route<'a>(state: &'a AppState, model: &str) -> Result<&'a Upstream, ApiError> {
    state
        .upstreams
        .route(model)
        .ok_or_else(|| ApiError::model_not_found(model))
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Logs a refusal by blame, without any payload.
fn log_error(error: &ApiError, id: &RequestId) {
    match error.blame {
        Blame::Client => {
            tracing::info!(request_id = %id.0, status = error.status.as_u16(), code = error.code, "request refused")
        }
        Blame::Upstream => {
            tracing::warn!(request_id = %id.0, status = error.status.as_u16(), code = error.code, "upstream failure")
        }
        Blame::Internal => {
            tracing::error!(request_id = %id.0, status = error.status.as_u16(), code = error.code, "internal failure")
        }
    }
}

pub(crate) fn respond(
    result: Result<Response, ApiError>,
    id: &RequestId,
    mut outcome: Outcome,
) -> Response {
    let mut response = match result {
        Ok(response) => response,
        Err(error) => {
            log_error(&error, id);
            outcome.code = Some(error.code);
            error.into_response()
        }
    };
    response.extensions_mut().insert(outcome);
    response
}

async fn chat_completions(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    let mut outcome = Outcome::default();
    let result = chat_pipeline(&state, request, &id, &mut outcome).await;
    respond(result, &id, outcome)
}

async fn chat_pipeline(
    state: &Arc<AppState>,
    request: Request,
    id: &RequestId,
    outcome: &mut Outcome,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    // Identify.
    let principal = who(state, &parts.headers, &parts.extensions)
        .instrument(crate::trace::step("identify"))
        .await?;
    outcome.principal = Some(principal.id.clone());
    // Read the body within the limits.
    let mut body = read_json(state, body).await?;
    let request = chat::validate(&body, &state.config.server)?;
    outcome.subject = named_subject(&parts.headers, &body);
    // What a kept conversation needs from the request as the client sent it.
    let mut capture = state.conversations.as_ref().map(|_| Capture {
        subject: data_subject(&parts.headers, &body, &principal.id),
        prompt: body
            .get("messages")
            .map(Value::to_string)
            .unwrap_or_default(),
        principal: principal.id.clone(),
        request_id: id.0.clone(),
        model: request.model.clone(),
    });
    outcome.model = Some(request.model.clone());
    check_key_models(&principal, Some(&request.model))?;
    let routed = route(state, &request.model)?;
    // The data subject's choices: consent the upstream needs, the opt-out of sharing.
    let subject =
        crate::subjects::lookup(state.subjects.as_deref(), outcome.subject.as_deref()).await?;
    let upstream = crate::subjects::gate(
        &state.upstreams,
        routed,
        &request.model,
        outcome.subject.as_deref(),
        &subject,
    )?;
    outcome.upstream = Some(upstream.config().name.clone());
    // Sanitise and inspect input (the tally is kept even when the input is refused).
    let mut input = crate::inspect::InputState::default();
    let inspected = crate::trace::step("inspect.input").in_scope(|| {
        chat::inspect_input(
            &state.inspector,
            &mut body,
            &state.config.server,
            state.config.allow_uninspected_parts,
            &mut input,
        )
    });
    outcome.found_in = input.found.clone();
    inspected?;
    // The system prompt as forwarded (pseudonymised), with its canary when configured.
    let guard = crate::prompt_guard::PromptGuard::arm(
        &mut body,
        state.config.canary,
        state.config.system_prompt_overlap_words,
    );
    // Authorize with what the input holds, then limit.
    let client = parts.extensions.get::<ClientAddr>().copied();
    crate::trace::step("authorize").in_scope(|| {
        authorize(
            state,
            &principal,
            Action::Chat,
            Some(upstream),
            Some(&request.model),
            Seen {
                found: Some(&input.found),
                subject: Some(&subject),
            },
            client,
        )
    })?;
    state
        .limits
        .admit(&principal, Some(&request.model))
        .instrument(crate::trace::step("limits"))
        .await?;
    let table = Arc::new(input.table);
    // Call upstream.
    let started = Instant::now();
    let forward = Bytes::from(body.to_string());
    let prompt_chars = forward.len();
    let response = upstream.post("/chat/completions", forward, started).await?;
    outcome.upstream_latency = Some(started.elapsed());
    let deadline = upstream.deadline(started);
    if !request.stream {
        // Inspect the output and restore.
        let bytes = read_body(response, deadline).await?;
        let mut answer: Value = serde_json::from_slice(&bytes)
            .map_err(|_| ApiError::upstream("the upstream answered with invalid JSON"))?;
        let tokens = crate::limits::tokens_used(answer.get("usage"), prompt_chars, bytes.len());
        note_tokens(state, &principal, &request.model, tokens, id).await;
        let inspected = crate::trace::step("inspect.output").in_scope(|| {
            chat::inspect_output(
                &state.inspector,
                &mut answer,
                &table,
                &mut outcome.found_out,
                guard.as_ref(),
            )
        });
        raise_leak(
            state,
            &outcome.found_out,
            Some(&principal.id),
            outcome.subject.as_deref(),
            id,
        )
        .await;
        inspected?;
        if let (Some(sink), Some(capture)) = (&state.conversations, capture.take()) {
            // Fail closed: an exchange that must be kept and cannot be is not answered.
            sink.save(capture.into_record(answer_text(&answer)))
                .await
                .map_err(|reason| {
                    tracing::error!(request_id = %id.0, %reason, "conversation not stored");
                    ApiError::unavailable("the conversation store is unavailable")
                })?;
        }
        return Ok(json_response(StatusCode::OK, &answer));
    }
    let is_event_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_event_stream {
        return Err(ApiError::upstream(
            "the upstream did not answer with an event stream",
        ));
    }
    let relay = StreamTransformer::new(Arc::clone(&state.inspector), table).with_guard(guard);
    Ok(stream_response(
        Arc::clone(state),
        relay,
        response,
        deadline,
        (id.clone(), principal.id.clone(), outcome.subject.clone()),
        capture,
        (principal, request.model.clone(), prompt_chars),
    ))
}

/// Adds the tokens a request used to its principal's and model's budgets. The answer is the
/// client's already, so a failure is logged (the next request is refused if the store is down).
async fn note_tokens(
    state: &AppState,
    principal: &Principal,
    model: &str,
    tokens: u64,
    id: &RequestId,
) {
    if let Err(reason) = state
        .limits
        .record_tokens(principal, Some(model), tokens)
        .await
    {
        tracing::error!(request_id = %id.0, %reason, "token usage not counted");
    }
}

/// Raises an `output_leak_blocked` incident when an answer held a secret or a blocked type.
async fn raise_leak(
    state: &AppState,
    found: &Tally,
    principal: Option<&str>,
    subject: Option<&str>,
    id: &RequestId,
) {
    let Some(summary) = crate::record::leak_in_answer(found, &state.config) else {
        return;
    };
    tracing::warn!(request_id = %id.0, found_out = %tally_field(found), "a leak in an answer was blocked");
    if let Some(principal) = principal {
        signal(state, principal, crate::anomaly::Signal::Leak, &id.0).await;
    }
    let Some(sink) = &state.incidents else {
        return;
    };
    let report = crate::record::IncidentReport {
        kind: "output_leak_blocked",
        severity: "high",
        summary,
        principal: principal.map(str::to_owned),
        subject: subject.map(str::to_owned),
        request_id: id.0.clone(),
    };
    if let Err(reason) = sink.raise(report).await {
        tracing::error!(request_id = %id.0, %reason, "recording an incident failed");
    }
}

/// The request-side half of a kept conversation.
struct Capture {
    subject: String,
    prompt: String,
    principal: String,
    request_id: String,
    model: String,
}

impl Capture {
    fn into_record(self, answer: String) -> crate::record::ConversationRecord {
        crate::record::ConversationRecord {
            subject: self.subject,
            principal: Some(self.principal),
            request_id: self.request_id,
            model: Some(self.model),
            prompt: self.prompt,
            answer,
        }
    }
}

/// The most bytes of a streamed answer kept for its conversation record.
const CAPTURE_LIMIT: usize = 1 << 20;

/// The data subject of a request (SPEC §8): `X-Warden-Subject`, else the OpenAI `user` field, else
/// the principal itself. Never logged; the store keeps only a keyed hash of it.
fn data_subject(headers: &HeaderMap, body: &Value, principal: &str) -> String {
    named_subject(headers, body).unwrap_or_else(|| format!("principal:{principal}"))
}

/// The subject the client named: `X-Warden-Subject`, else a non-empty `user` field.
fn named_subject(headers: &HeaderMap, body: &Value) -> Option<String> {
    if let Some(subject) = headers
        .get("x-warden-subject")
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
    {
        return Some(subject.to_owned());
    }
    body.get("user")
        .and_then(Value::as_str)
        .filter(|user| !user.is_empty())
        .map(str::to_owned)
}

/// The delivered text of a whole answer: every choice's content and tool-call arguments, in order.
fn answer_text(answer: &Value) -> String {
    let mut text = String::new();
    let choices = answer.get("choices").and_then(Value::as_array);
    for choice in choices.into_iter().flatten() {
        let Some(message) = choice.get("message") else {
            continue;
        };
        if let Some(content) = message.get("content").and_then(Value::as_str) {
            text.push_str(content);
        }
        let calls = message.get("tool_calls").and_then(Value::as_array);
        for call in calls.into_iter().flatten() {
            if let Some(arguments) = call.pointer("/function/arguments").and_then(Value::as_str) {
                text.push_str(arguments);
            }
        }
    }
    text
}

/// The delivered text of a relayed stream, read back from the SSE we sent (our own, well-formed):
/// content and tool-call argument deltas, in order.
fn streamed_text(sse: &[u8]) -> String {
    let mut text = String::new();
    for line in String::from_utf8_lossy(sse).lines() {
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let Ok(chunk) = serde_json::from_str::<Value>(data.trim_start()) else {
            continue;
        };
        let choices = chunk.get("choices").and_then(Value::as_array);
        for choice in choices.into_iter().flatten() {
            if let Some(content) = choice.pointer("/delta/content").and_then(Value::as_str) {
                text.push_str(content);
            }
            let calls = choice
                .pointer("/delta/tool_calls")
                .and_then(Value::as_array);
            for call in calls.into_iter().flatten() {
                if let Some(arguments) = call.pointer("/function/arguments").and_then(Value::as_str)
                {
                    text.push_str(arguments);
                }
            }
        }
    }
    text
}

/// Relays an upstream event stream through a [`StreamTransformer`], chunk by chunk.
fn stream_response(
    state: Arc<AppState>,
    relay: StreamTransformer,
    upstream: reqwest::Response,
    deadline: Instant,
    (id, principal, subject): (RequestId, String, Option<String>),
    capture: Option<Capture>,
    (caller, model, prompt_chars): (Principal, String, usize),
) -> Response {
    // What was sent, for a kept conversation (bounded).
    let mut kept = capture.map(|capture| (capture, Vec::new()));
    // The body is polled by the client's connection task itself: no extra task or channel between
    // the upstream read and the client write. When the client goes away, hyper drops the body and
    // with it the upstream response, which closes that connection too.
    let guard = state.metrics.stream_started();
    let span = crate::trace::stream_span();
    let stream = futures_util::stream::unfold(
        Some((
            upstream,
            relay,
            (id, principal, subject, (caller, model, prompt_chars)),
            state,
            guard,
            kept.take(),
        )),
        move |stream_state| {
            let span = span.clone();
            async move {
            let (mut upstream, mut relay, who, state, guard, mut kept) = stream_state?;
            let (id, principal, subject, (caller, model, prompt_chars)) = &who;
            loop {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let output = match tokio::time::timeout(remaining, upstream.chunk()).await {
                    Err(_) => relay.fail(ApiError::upstream_timeout("stream not complete in time")),
                    Ok(Err(_)) => relay.fail(ApiError::upstream(
                        "the upstream connection broke mid-stream",
                    )),
                    Ok(Ok(None)) => relay.finish(),
                    Ok(Ok(Some(bytes))) => relay.push(&bytes),
                };
                if let Some((_, sent)) = &mut kept {
                    let room = CAPTURE_LIMIT.saturating_sub(sent.len());
                    sent.extend_from_slice(&output.bytes[..output.bytes.len().min(room)]);
                }
                if output.finished
                    && !relay.failed()
                    && let (Some(sink), Some((capture, sent))) = (&state.conversations, kept.take())
                {
                    // Kept before the stream's last bytes go out, so a client that saw the end
                    // of its answer can count on the record. The rest of the answer is the
                    // client's already: a failure is logged, not refused.
                    let record = capture.into_record(streamed_text(&sent));
                    if let Err(reason) = sink.save(record).await {
                        tracing::error!(request_id = %id.0, %reason, "streamed conversation not stored");
                    }
                }
                if output.finished {
                    let tokens = crate::limits::tokens_used(
                        relay.usage(),
                        *prompt_chars,
                        relay.text_bytes(),
                    );
                    note_tokens(&state, caller, model, tokens, id).await;
                    let span = tracing::Span::current();
                    span.record("warden.failed", relay.failed());
                    span.record("warden.found_out", tally_field(relay.found()));
                    if relay.failed() {
                        span.record("otel.status_code", "ERROR");
                    }
                    tracing::info!(
                        request_id = %id.0,
                        failed = relay.failed(),
                        found_out = %tally_field(relay.found()),
                        "stream finished"
                    );
                    count_findings(&state, "output", relay.found());
                    raise_leak(
                        &state,
                        relay.found(),
                        Some(principal),
                        subject.as_deref(),
                        id,
                    )
                    .await;
                }
                if output.finished && !relay.failed() {
                    // After `[DONE]` the upstream's body has (at most) its end left: read it in the
                    // background so the connection returns to the pool instead of being closed.
                    tokio::spawn(drain(upstream));
                    let bytes = Bytes::from(output.bytes);
                    return (!bytes.is_empty()).then(|| (Ok::<Bytes, Infallible>(bytes), None));
                }
                let bytes = Bytes::from(output.bytes);
                match (bytes.is_empty(), output.finished) {
                    (true, true) => return None,
                    (true, false) => continue,
                    (false, true) => return Some((Ok::<Bytes, Infallible>(bytes), None)),
                    (false, false) => {
                        return Some((Ok(bytes), Some((upstream, relay, who, state, guard, kept))));
                    }
                }
            }
            }
            .instrument(span)
        },
    );
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Reads what is left of a finished upstream body (bounded), so its connection can be reused.
async fn drain(mut upstream: reqwest::Response) {
    let mut left = 1 << 20;
    let reading = async {
        while let Ok(Some(chunk)) = upstream.chunk().await {
            left -= chunk.len().min(left);
            if left == 0 {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), reading).await;
}

async fn embeddings(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    let result = embeddings_pipeline(&state, request, &id).await;
    respond(result, &id, Outcome::default())
}

async fn embeddings_pipeline(
    state: &Arc<AppState>,
    request: Request,
    id: &RequestId,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let principal = who(state, &parts.headers, &parts.extensions).await?;
    let mut body = read_json(state, body).await?;
    let Some(model) = body.get("model").and_then(Value::as_str).map(str::to_owned) else {
        return Err(
            ApiError::invalid_request("missing required string field `model`").with_param("model"),
        );
    };
    check_key_models(&principal, Some(&model))?;
    let routed = route(state, &model)?;
    let named = named_subject(&parts.headers, &body);
    let subject = crate::subjects::lookup(state.subjects.as_deref(), named.as_deref()).await?;
    let upstream =
        crate::subjects::gate(&state.upstreams, routed, &model, named.as_deref(), &subject)?;
    let mut input = crate::inspect::InputState::default();
    let inspector = &state.inspector;
    let mut total_chars = 0usize;
    let mut inspect = |text: &mut String, param: &str| -> Result<(), ApiError> {
        let clean = inspector.sanitize(text);
        total_chars = total_chars.saturating_add(clean.chars().count());
        if total_chars > state.config.server.max_text_chars {
            return Err(ApiError::too_large("the input holds too much text"));
        }
        input.table.reserve(&clean);
        *text = inspector.input_text(
            &clean,
            &mut input,
            param,
            warden_scan::InjectionContext::Prompt,
        )?;
        Ok(())
    };
    match body.get_mut("input") {
        Some(Value::String(text)) => inspect(text, "input")?,
        Some(Value::Array(items)) if !items.is_empty() => {
            for (i, item) in items.iter_mut().enumerate() {
                match item {
                    Value::String(text) => inspect(text, &format!("input[{i}]"))?,
                    _ => {
                        return Err(ApiError::invalid_request(
                            "token arrays cannot be inspected for personal data: send text",
                        )
                        .with_param(format!("input[{i}]")));
                    }
                }
            }
        }
        _ => {
            return Err(ApiError::invalid_request(
                "`input` must be a string or a non-empty array of strings",
            )
            .with_param("input"));
        }
    }
    if let Some(Value::String(user)) = body.get_mut("user") {
        *user = warden_scan::operator::hash(inspector.keys(), &EntityType::Person, user, 32);
    }
    let client = parts.extensions.get::<ClientAddr>().copied();
    authorize(
        state,
        &principal,
        Action::Embed,
        Some(upstream),
        Some(&model),
        Seen {
            found: Some(&input.found),
            subject: Some(&subject),
        },
        client,
    )?;
    state.limits.admit(&principal, Some(&model)).await?;
    let started = Instant::now();
    let forward = Bytes::from(body.to_string());
    let prompt_chars = forward.len();
    let response = upstream.post("/embeddings", forward, started).await?;
    let bytes = read_body(response, upstream.deadline(started)).await?;
    let answer: Value = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::upstream("the upstream answered with invalid JSON"))?;
    let tokens = crate::limits::tokens_used(answer.get("usage"), prompt_chars, 0);
    note_tokens(state, &principal, &model, tokens, id).await;
    Ok(json_response(StatusCode::OK, &answer))
}

async fn models(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let result = async {
        let principal = who(&state, &parts.headers, &parts.extensions).await?;
        authorize(&state, &principal, Action::Scan, None, None, Seen::default(), None)?;
        let mut data = Vec::new();
        for upstream in state.upstreams.all() {
            let config = upstream.config();
            let mut ids: Vec<String> = config.models.clone();
            if ids.is_empty() {
                // A catch-all upstream: list what it serves.
                let listed = upstream.get_json("/models").await?;
                ids = listed
                    .get("data")
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            for model in ids {
                let allowed = principal
                    .allowed_models
                    .as_ref()
                    .is_none_or(|allowed| allowed.contains(&model));
                if allowed {
                    data.push(json!({"id": model, "object": "model", "created": 0, "owned_by": config.name}));
                }
            }
        }
        Ok(json_response(StatusCode::OK, &json!({"object": "list", "data": data})))
    }
    .await;
    respond(result, &id, Outcome::default())
}

/// A finding as the guard API reports it (no value).
fn finding_json(finding: &Finding) -> Value {
    let mut value = json!({
        "entity_type": finding.entity_type.as_str(),
        "start": finding.start,
        "end": finding.end,
        "score": finding.score,
        "detector": finding.detector,
    });
    if let (Some(subtype), Some(object)) = (finding.subtype, value.as_object_mut()) {
        object.insert("subtype".to_owned(), Value::String(subtype.to_owned()));
    }
    value
}

/// Identify, read and authorize a guard API request; returns its body, text and entity filter.
async fn guard_request(
    state: &AppState,
    request: Request,
) -> Result<(Value, String, Option<Vec<EntityType>>), ApiError> {
    let (parts, body) = request.into_parts();
    let principal = who(state, &parts.headers, &parts.extensions).await?;
    let body = read_json(state, body).await?;
    let client = parts.extensions.get::<ClientAddr>().copied();
    authorize(
        state,
        &principal,
        Action::Scan,
        None,
        None,
        Seen::default(),
        client,
    )?;
    state.limits.admit(&principal, None).await?;
    let (text, entities) = guard_text(state, &body)?;
    Ok((body, text, entities))
}

/// The text and entity filter of a guard API request.
fn guard_text(
    state: &AppState,
    body: &Value,
) -> Result<(String, Option<Vec<EntityType>>), ApiError> {
    let Some(text) = body.get("text").and_then(Value::as_str) else {
        return Err(
            ApiError::invalid_request("missing required string field `text`").with_param("text"),
        );
    };
    if text.chars().count() > state.config.server.max_text_chars {
        return Err(ApiError::too_large("`text` is over the text limit").with_param("text"));
    }
    let entities = match body.get("entities") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) => {
            let mut entities = Vec::new();
            for (i, name) in names.iter().enumerate() {
                let entity = name.as_str().and_then(EntityType::parse).ok_or_else(|| {
                    ApiError::invalid_request(format!(
                        "unknown entity type `{}`",
                        printable(name.as_str().unwrap_or(""))
                    ))
                    .with_param(format!("entities[{i}]"))
                })?;
                entities.push(entity);
            }
            Some(entities)
        }
        Some(_) => {
            return Err(
                ApiError::invalid_request("`entities` must be an array of names")
                    .with_param("entities"),
            );
        }
    };
    Ok((text.to_owned(), entities))
}

fn guard_findings(state: &AppState, text: &str, entities: Option<&[EntityType]>) -> Vec<Finding> {
    let mut findings = state.inspector.scanner().scan(text);
    if let Some(entities) = entities {
        findings.retain(|f| entities.contains(&f.entity_type));
    }
    findings
}

async fn scan(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    let result = async {
        let (_, text, entities) = guard_request(&state, request).await?;
        let findings = guard_findings(&state, &text, entities.as_deref());
        let findings: Vec<Value> = findings.iter().map(finding_json).collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({"findings": findings}),
        ))
    }
    .await;
    respond(result, &id, Outcome::default())
}

async fn redact(
    State(state): State<Arc<AppState>>,
    Extension(id): Extension<RequestId>,
    request: Request,
) -> Response {
    let result = async {
        let (body, text, entities) = guard_request(&state, request).await?;
        let operator: Operator = match body.get("operator") {
            None | Some(Value::Null) => Operator::Replace,
            Some(Value::String(name)) => name.parse().map_err(|_| {
                ApiError::invalid_request(format!(
                    "unknown operator `{}`: use redact, replace, mask, hash, encrypt or pseudonymize",
                    printable(name)
                ))
                .with_param("operator")
            })?,
            Some(_) => return Err(ApiError::invalid_request("`operator` must be a string").with_param("operator")),
        };
        let findings = guard_findings(&state, &text, entities.as_deref());
        let mut table = PseudonymTable::default();
        table.reserve(&text);
        let mut nonces = || {
            let mut nonce = [0u8; 12];
            aws_lc_rs::rand::fill(&mut nonce).ok()?;
            Some(nonce)
        };
        let resources = Resources {
            keys: Some(state.inspector.keys()),
            table: Some(&mut table),
            nonces: Some(&mut nonces),
        };
        let mut rewriter = operator
            .rewriter(resources)
            .map_err(|_| ApiError::internal("the operator cannot run"))?;
        let redacted = apply(&text, &findings, &mut rewriter);
        let findings: Vec<Value> = findings.iter().map(finding_json).collect();
        Ok(json_response(StatusCode::OK, &json!({"text": redacted, "findings": findings})))
    }
    .await;
    respond(result, &id, Outcome::default())
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut response = state.metrics.encode().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}))
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let store = state.authenticator.ready().await;
    let upstreams = !state.upstreams.all().is_empty();
    let status = if store && upstreams {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(
        status,
        &json!({"status": if status == StatusCode::OK { "ready" } else { "not_ready" }, "store": store, "upstreams": upstreams}),
    )
}
