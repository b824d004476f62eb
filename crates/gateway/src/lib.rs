//! Warden's gateway: an OpenAI-compatible HTTP service that runs every model call through the
//! protection pipeline (SPEC §2) and relays streamed answers without buffering them (SPEC §5).
//!
//! This is the only crate that knows HTTP, tokio and provider wire formats. The scanning engine
//! (`warden-scan`) stays pure; identity lookups go through the [`Authenticator`] trait, so the store
//! behind it can change without touching the pipeline.
//!
//! - [`config`]: `warden.toml` → environment overrides → validated [`Config`];
//! - [`app()`]: the router and handlers (the pipeline reads top to bottom in `app.rs`);
//! - [`chat`]: which texts of a chat request and answer are inspected;
//! - [`inspect`]: sanitise, scan, apply actions, restore pseudonyms;
//! - [`stream`] and [`sse`]: the incremental relay of event streams;
//! - [`upstream`]: routing, timeouts, retries;
//! - [`serve`]: the listener with header timeouts and graceful shutdown that drains open streams.

#![forbid(unsafe_code)]

pub mod admin;
pub mod alert;
pub mod anomaly;
mod app;
pub mod chat;
pub mod config;
pub mod error;
pub mod html_gate;
pub mod identity;
pub mod inspect;
pub mod jwt;
pub mod limits;
pub mod metrics;
pub mod prompt_guard;
pub mod record;
mod redis_link;
pub mod sanitize;
mod server;
pub mod sse;
pub mod stream;
pub mod subjects;
pub mod tls;
pub mod trace;
pub mod upstream;

use std::sync::Arc;

use warden_scan::{EntityType, Keys, OperatorKey, Scanner};

pub use admin::{AdminAnswer, AdminError, AdminOperation, AdminStore, KeySpec};
pub use app::{Action, AppState, ClientAddr, Outcome, RequestId, app};
pub use config::{Config, ConfigError, Environment, ProcessEnvironment};
pub use error::ApiError;
pub use identity::{Authentication, Authenticator, Principal, StaticKeys};
pub use record::{
    ConversationRecord, ConversationSink, IncidentReport, IncidentSink, Recorder, RequestRecord,
};
pub use server::serve;

/// Why the gateway could not be built from a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The scanner configuration is invalid (a custom detector's regex, …).
    #[error("scan configuration: {0}")]
    Scanner(#[from] warden_scan::Error),
    /// An upstream client could not be built.
    #[error(transparent)]
    Upstream(#[from] upstream::UpstreamBuildError),
    /// A policy file cannot be read, parsed or validated (names the file, line and policy).
    #[error("policy: {0}")]
    Policy(String),
    /// A JWT issuer's keys cannot be loaded.
    #[error("issuers: {0}")]
    Jwt(String),
    /// A TLS file is unusable.
    #[error("server.tls: {0}")]
    Tls(#[from] tls::TlsError),
    /// The operator key is not 32 bytes of base64.
    #[error("crypto.operator_key: {0}")]
    OperatorKey(String),
    /// `[limits] redis` is not a usable URL.
    #[error(transparent)]
    Limits(#[from] limits::RedisUrlError),
}

/// Builds the shared state: the scanner, the operator keys and the upstream clients.
pub fn build_state(
    config: Config,
    authenticator: Arc<dyn Authenticator>,
) -> Result<AppState, BuildError> {
    let scanner = Arc::new(Scanner::new(&config.scanner)?);
    let output_scanner =
        if config.output.action(&EntityType::PromptInjection) == config::Action::Allow {
            Arc::new(Scanner::new(&config.scanner)?.without_injection())
        } else {
            Arc::clone(&scanner)
        };
    let keys = operator_keys(&config)?;
    // Tool results are data the model reads: injection judged as in a document.
    let document_scanner = Arc::new(
        Scanner::new(&config.scanner)?
            .with_injection_context(warden_scan::InjectionContext::Document),
    );
    let inspector = Arc::new(
        inspect::Inspector::new(&config, scanner, keys)
            .with_output_scanner(output_scanner)
            .with_document_scanner(document_scanner),
    );
    let upstreams = upstream::Upstreams::new(&config.upstreams)?;
    let tls = match &config.server.tls {
        Some(files) => Some(Arc::new(tls::TlsReloader::load(files.clone())?)),
        None => None,
    };
    let policies = Arc::new(PolicyHolder::load(config.policy_files.clone())?);
    let jwt = Arc::new(jwt::JwtVerifier::new(config.issuers.clone()).map_err(BuildError::Jwt)?);
    let config_alerts = config.alerts.clone();
    let limits = limits::Limits::new(&config.limits)?;
    Ok(AppState {
        tls,
        config: Arc::new(config),
        inspector,
        upstreams,
        authenticator,
        recorder: Arc::new(record::NoRecorder),
        conversations: None,
        policies,
        limits,
        metrics: Arc::new(metrics::Metrics::default()),
        jwt,
        admin: None,
        subjects: None,
        incidents: None,
        alerter: alert::Alerter::new(&config_alerts),
        anomalies: Arc::new(anomaly::Anomalies::new(config_alerts)?),
    })
}

/// The current Cedar policy set and the files it came from; replaced whole on reload.
#[derive(Debug)]
pub struct PolicyHolder {
    files: Vec<std::path::PathBuf>,
    current: std::sync::RwLock<Arc<warden_policy::Policies>>,
}

impl PolicyHolder {
    /// Loads `files` (the defaults when empty).
    pub fn load(files: Vec<std::path::PathBuf>) -> Result<PolicyHolder, BuildError> {
        let policies = load_policies(&files)?;
        Ok(PolicyHolder {
            files,
            current: std::sync::RwLock::new(Arc::new(policies)),
        })
    }

    /// The set in force.
    pub fn current(&self) -> Arc<warden_policy::Policies> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the files again; an invalid set is rejected and the previous one stays in force.
    pub fn reload(&self) -> Result<usize, BuildError> {
        let policies = Arc::new(load_policies(&self.files)?);
        let count = policies.len();
        match self.current.write() {
            Ok(mut current) => *current = policies,
            Err(poisoned) => *poisoned.into_inner() = policies,
        }
        Ok(count)
    }
}

/// The Cedar policies from `files`, or the defaults when there are none.
pub fn load_policies(files: &[std::path::PathBuf]) -> Result<warden_policy::Policies, BuildError> {
    if files.is_empty() {
        return warden_policy::Policies::default_policies()
            .map_err(|e| BuildError::Policy(e.to_string()));
    }
    let mut texts = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BuildError::Policy(format!("reading {}: {e}", path.display())))?;
        texts.push((path.display().to_string(), text));
    }
    warden_policy::Policies::load(&texts).map_err(|e| BuildError::Policy(e.to_string()))
}

/// The keys of the keyed operators: from `[crypto] operator_key` (base64 of 32 bytes), or random for
/// this process (hashes and fakes then change on restart, which only matters across requests).
fn operator_keys(config: &Config) -> Result<Keys, BuildError> {
    use base64::Engine;
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    match &config.operator_key {
        Some(secret) => {
            let engines = [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::URL_SAFE,
            ];
            let decoded = engines
                .iter()
                .find_map(|engine| engine.decode(secret.expose().trim()).ok())
                .map(zeroize::Zeroizing::new)
                .ok_or_else(|| BuildError::OperatorKey("not base64".to_owned()))?;
            if decoded.len() != 32 {
                return Err(BuildError::OperatorKey(format!(
                    "must decode to 32 bytes, got {}",
                    decoded.len()
                )));
            }
            bytes.copy_from_slice(&decoded);
        }
        None => aws_lc_rs::rand::fill(bytes.as_mut())
            .map_err(|_| BuildError::OperatorKey("no random source".to_owned()))?,
    }
    let key =
        OperatorKey::from_bytes(*bytes).map_err(|e| BuildError::OperatorKey(e.to_string()))?;
    Keys::derive(&key).map_err(|e| BuildError::OperatorKey(e.to_string()))
}
