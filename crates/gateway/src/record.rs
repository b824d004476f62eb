//! Record (SPEC §2 step 10): one record per API request, whatever the outcome, handed to a
//! [`Recorder`] before the client gets its answer.
//!
//! The gateway does not know where records go: the store implements [`Recorder`] (the audit trail),
//! tests use [`MemoryRecorder`]. The contract is durability: when `record` resolves `Ok`, the record
//! survives a crash. If it fails, the gateway refuses the request with 503 instead of answering
//! (fail closed) — an answered request always has its record. A streamed answer is recorded when its
//! response starts (decision, input findings), before its first byte; what the stream later finds
//! in the answer is logged when it ends.
//!
//! A record holds ids, names, counts, statuses and times — never payload text, keys or values.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::identity::BoxFuture;
use crate::inspect::Tally;

/// What happened to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// When the request arrived.
    pub time: SystemTime,
    /// The request id (`x-request-id`).
    pub request_id: String,
    /// The route (`/v1/chat/completions`).
    pub route: String,
    /// The action when the route does not imply it (the admin API's `admin.keys.create`, …).
    pub action: Option<&'static str>,
    /// What an admin action acted on (a key id); never a secret or a raw subject id.
    pub target: Option<String>,
    /// The principal's id, if it was identified.
    pub principal: Option<String>,
    /// The data subject the client named, raw: the recorder stores only a keyed hash of it.
    pub subject: Option<String>,
    /// The model asked for.
    pub model: Option<String>,
    /// The upstream that served it.
    pub upstream: Option<String>,
    /// `allowed` or `denied`.
    pub decision: Decision,
    /// The error code when refused (`pii_blocked`, `invalid_api_key`, …).
    pub reason: Option<&'static str>,
    /// The HTTP status sent.
    pub status: u16,
    /// Findings per type in the input.
    pub found_in: Tally,
    /// Findings per type in a whole answer.
    pub found_out: Tally,
    /// Time from arrival to the response head.
    pub latency: Duration,
}

/// Whether the request went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Answered successfully.
    Allowed,
    /// Refused (by identity, policy, inspection, limits) or failed.
    Denied,
}

impl Decision {
    /// `allowed` or `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Denied => "denied",
        }
    }
}

/// Where records go. Implementations must make a record durable before resolving `Ok`.
pub trait Recorder: Send + Sync + 'static {
    /// Stores `record`; `Err` (a reason for the operator's log) makes the gateway refuse the request.
    fn record<'a>(&'a self, record: &'a RequestRecord) -> BoxFuture<'a, Result<(), String>>;
}

/// One chat exchange to keep (`[store] conversations = true`): the prompt as the client sent it and
/// the answer as the client received it. The sink encrypts it (the store seals it under the data
/// subject's key); it never goes to a log.
#[derive(Clone)]
pub struct ConversationRecord {
    /// The data subject: `X-Warden-Subject`, else the `user` field, else `principal:<id>`.
    pub subject: String,
    /// The principal's id.
    pub principal: Option<String>,
    /// The request id.
    pub request_id: String,
    /// The model asked for.
    pub model: Option<String>,
    /// The request's `messages`, as JSON text.
    pub prompt: String,
    /// The answer's text as delivered (contents and tool-call arguments, in order).
    pub answer: String,
}

impl std::fmt::Debug for ConversationRecord {
    /// Ids only: the texts are personal data.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ConversationRecord")
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// Where kept conversations go. `Ok` once stored durably; a non-streamed answer whose conversation
/// cannot be stored is refused (503), a streamed one is logged and counted (its bytes are sent).
pub trait ConversationSink: Send + Sync + 'static {
    /// Stores one exchange.
    fn save(&self, conversation: ConversationRecord) -> BoxFuture<'_, Result<(), String>>;
}

/// Something a security team must look at (SPEC §8 incidents): raised by the gateway, stored by the
/// sink (the store) with its subjects as keyed references. Ids and counts only, never payload text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentReport {
    /// What happened: `output_leak_blocked`, …
    pub kind: &'static str,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: &'static str,
    /// A sentence for people: entity types and counts, never values.
    pub summary: String,
    /// The principal involved.
    pub principal: Option<String>,
    /// The data subject involved, raw (the sink stores only its keyed reference).
    pub subject: Option<String>,
    /// The request involved.
    pub request_id: String,
}

/// Where incidents go. A failure is logged: the incident's cause was already handled (a leak
/// removed), so the answer is not refused for it.
pub trait IncidentSink: Send + Sync + 'static {
    /// Stores one incident.
    fn raise(&self, incident: IncidentReport) -> BoxFuture<'_, Result<(), String>>;
}

/// The incident a tally of an answer's findings calls for: a secret, or a type whose output action
/// is `block`, was in the answer (and was removed or refused before the client saw it).
pub(crate) fn leak_in_answer(found: &Tally, config: &crate::config::Config) -> Option<String> {
    let leaked: Vec<String> = found
        .iter()
        .filter(|(entity, _)| {
            let parsed = warden_scan::EntityType::parse(entity);
            let action = parsed.as_ref().map(|e| config.output.action(e));
            let blocked = matches!(action, Some(crate::config::Action::Block));
            let secret = entity.starts_with("SECRET")
                && !matches!(action, Some(crate::config::Action::Allow));
            blocked || secret || entity.as_str() == crate::prompt_guard::LEAK_LABEL
        })
        .map(|(entity, count)| format!("{count} {entity}"))
        .collect();
    (!leaked.is_empty()).then(|| {
        format!(
            "an answer held {}; removed before it reached the client",
            leaked.join(", ")
        )
    })
}

/// Keeps nothing: for deployments without an audit trail and for tests that do not look.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRecorder;

impl Recorder for NoRecorder {
    fn record<'a>(&'a self, _record: &'a RequestRecord) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// Keeps records in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryRecorder {
    records: Mutex<Vec<RequestRecord>>,
    failing: std::sync::atomic::AtomicBool,
}

impl MemoryRecorder {
    /// The records so far.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.records.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Makes every later `record` fail (to test failing closed).
    pub fn fail(&self) {
        self.failing
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Recorder for MemoryRecorder {
    fn record<'a>(&'a self, record: &'a RequestRecord) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
                return Err("the recorder is failing".to_owned());
            }
            self.records
                .lock()
                .map_err(|_| "poisoned".to_owned())?
                .push(record.clone());
            Ok(())
        })
    }
}
