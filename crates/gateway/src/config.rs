//! Configuration: `warden.toml` (SPEC §13) → environment overrides → a validated [`Config`].
//!
//! Two stages, so nothing half-checked reaches the server: the TOML text is parsed into a table, the
//! `WARDEN_SECTION__KEY` environment overrides are written into that table, the table is deserialised
//! into `Raw*` structs that reject unknown keys by name, and [`Config::from_raw`] turns those into typed,
//! validated values (addresses parsed, secret references resolved, actions checked per direction).
//! With no file at all the defaults of SPEC §10/§12 apply.
//!
//! The environment is read through [`Environment`], so tests pass a map.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use warden_scan::{
    Category, CustomDetector, DEFAULT_HOLDBACK_CHARS, DEFAULT_MIN_SCORE, DenyList, EntityType,
    Operator, PseudonymStyle, ScannerConfig,
};
use zeroize::Zeroizing;

/// Where `warden serve` listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The upstream used when none is configured.
pub const DEFAULT_UPSTREAM_URL: &str = "https://api.openai.com/v1";
/// The default data directory.
pub const DEFAULT_DATA_DIR: &str = "./warden-data";

/// A configuration problem, naming the key or file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML does not parse or has an unknown key or a wrong type.
    #[error("{origin}: {message}")]
    Parse {
        /// The file, or `environment`.
        origin: String,
        /// The parser's message (it names the key and line).
        message: String,
    },
    /// A value is not acceptable.
    #[error("{key}: {message}")]
    Invalid {
        /// The key, as written in the file (`upstreams[0].base_url`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

/// Reads environment variables. The process environment in production, a map in tests.
pub trait Environment {
    /// The value of `name`, if set and valid Unicode.
    fn var(&self, name: &str) -> Option<String>;
    /// Every variable, for finding `WARDEN_…__…` overrides.
    fn vars(&self) -> Vec<(String, String)>;
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect()
    }
}

impl Environment for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }

    fn vars(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// A secret value resolved from a reference; zeroized on drop, never printed.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Wraps a value (for tests and keys read by the binary).
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Resolves a secret reference (`env:NAME` or `file:/path`); literals are refused.
pub fn resolve_secret(
    key: &str,
    reference: &str,
    env: &dyn Environment,
) -> Result<Secret, ConfigError> {
    if let Some(name) = reference.strip_prefix("env:") {
        return match env.var(name) {
            Some(value) if !value.is_empty() => Ok(Secret::new(value)),
            _ => Err(invalid(
                key,
                format!("environment variable {name} is not set"),
            )),
        };
    }
    if let Some(path) = reference.strip_prefix("file:") {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(key, format!("reading secret file {path}: {e}")))?;
        let value = text.trim_end_matches(['\r', '\n']).to_owned();
        if value.is_empty() {
            return Err(invalid(key, format!("secret file {path} is empty")));
        }
        return Ok(Secret::new(value));
    }
    Err(invalid(
        key,
        "secrets must be references (env:NAME or file:PATH), not literal values",
    ))
}

/// `[store] url`: a literal URL without a password (`sqlite://PATH`,
/// `postgres://USER@HOST:PORT/DB`), or a secret reference (`env:NAME`, `file:PATH`) for one that
/// carries credentials. A literal URL with a password is refused: it would sit in a config file.
pub fn resolve_store_url(raw: &str, env: &dyn Environment) -> Result<Secret, ConfigError> {
    resolve_url("store.url", raw, env)
}

/// A URL that may carry credentials (`[store] url`, `[limits] redis`): literal without a password,
/// else a secret reference.
fn resolve_url(key: &str, raw: &str, env: &dyn Environment) -> Result<Secret, ConfigError> {
    if raw.starts_with("env:") || raw.starts_with("file:") {
        return resolve_secret(key, raw, env);
    }
    if reqwest::Url::parse(raw).is_ok_and(|url| url.password().is_some()) {
        return Err(invalid(
            key,
            "the URL carries a password: put it in the environment or a file and write \
             env:NAME or file:PATH",
        ));
    }
    Ok(Secret::new(raw.to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Raw form: exactly the TOML, unknown keys rejected.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    server: RawServer,
    upstreams: Vec<RawUpstream>,
    store: RawStore,
    crypto: RawCrypto,
    scan: RawScan,
    stream: RawStream,
    output: RawOutput,
    sanitize: RawSanitize,
    retention: RawRetention,
    issuers: Vec<RawIssuer>,
    policy: RawPolicy,
    alerts: RawAlerts,
    limits: RawLimits,
    telemetry: RawTelemetry,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawTelemetry {
    otlp_endpoint: Option<String>,
    otlp_headers: BTreeMap<String, String>,
    service_name: Option<String>,
    sample_ratio: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLimits {
    redis: Option<String>,
    // The principal's rates, at the top of `[limits]` (serde's `flatten` ignores
    // `deny_unknown_fields`, so they are spelt out).
    requests_per_minute: Option<u64>,
    tokens_per_minute: Option<u64>,
    tokens_per_day: Option<u64>,
    tokens_per_month: Option<u64>,
    models: BTreeMap<String, RawRates>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
struct RawRates {
    requests_per_minute: Option<u64>,
    tokens_per_minute: Option<u64>,
    tokens_per_day: Option<u64>,
    tokens_per_month: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawAlerts {
    redis: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    window_seconds: Option<u64>,
    injection_attempts: Option<u32>,
    blocked_leaks: Option<u32>,
    volume_factor: Option<f64>,
    volume_min: Option<u64>,
    suspend_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPolicy {
    files: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    issuer: String,
    audience: String,
    #[serde(default)]
    jwks_file: Option<PathBuf>,
    #[serde(default)]
    jwks_url: Option<String>,
    #[serde(default)]
    algorithms: Option<Vec<String>>,
    #[serde(default)]
    roles_claim: Option<String>,
    #[serde(default)]
    role_map: BTreeMap<String, String>,
    #[serde(default)]
    refresh_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    listen: Option<String>,
    max_body_bytes: Option<usize>,
    header_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    drain_timeout_ms: Option<u64>,
    max_messages: Option<usize>,
    max_text_chars: Option<usize>,
    tls: Option<RawTls>,
    client_certs: Vec<RawClientCert>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClientCert {
    subject: String,
    roles: Vec<String>,
    #[serde(default)]
    models: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert: PathBuf,
    key: PathBuf,
    #[serde(default)]
    client_ca: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    name: String,
    base_url: String,
    #[serde(default)]
    api_key: Option<String>,
    #[serde(default)]
    models: Vec<String>,
    #[serde(default = "yes")]
    shares_data: bool,
    #[serde(default)]
    require_consent: Vec<String>,
    #[serde(default)]
    connect_timeout_ms: Option<u64>,
    #[serde(default)]
    first_byte_timeout_ms: Option<u64>,
    #[serde(default)]
    total_timeout_ms: Option<u64>,
    #[serde(default)]
    max_retries: Option<u32>,
    #[serde(default)]
    danger_allow_http: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStore {
    url: Option<String>,
    keyring_url: Option<String>,
    conversations: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCrypto {
    master_key: Option<String>,
    operator_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawScan {
    entities: Vec<EntityType>,
    min_score: f32,
    allow: Vec<String>,
    allow_patterns: Vec<String>,
    deny: Vec<DenyList>,
    detectors: Vec<CustomDetector>,
    ner: bool,
    injection_threshold: f32,
    pseudonym_style: PseudonymStyle,
    input: BTreeMap<String, String>,
    output: BTreeMap<String, String>,
    danger_allow_uninspected_parts: bool,
}

impl Default for RawScan {
    fn default() -> RawScan {
        let scanner = ScannerConfig::default();
        RawScan {
            entities: scanner.entities,
            min_score: DEFAULT_MIN_SCORE,
            allow: scanner.allow,
            allow_patterns: scanner.allow_patterns,
            deny: scanner.deny,
            detectors: scanner.detectors,
            ner: scanner.ner,
            injection_threshold: scanner.injection_threshold,
            pseudonym_style: PseudonymStyle::Placeholder,
            input: BTreeMap::new(),
            output: BTreeMap::new(),
            danger_allow_uninspected_parts: false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStream {
    holdback_chars: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawOutput {
    allowed_hosts: Vec<String>,
    canary: bool,
    system_prompt_overlap_words: Option<usize>,
    html: Option<HtmlMode>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSanitize {
    html: Option<HtmlMode>,
    allowed_tags: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRetention {
    conversations_days: Option<u32>,
    audit_days: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Validated form.

/// What happens to a finding of one type in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Passed on unchanged.
    Allow,
    /// The request (input) or the answer (output) is refused.
    Block,
    /// Rewritten by the operator (`redact`, `pseudonymize`, `mask`, `hash`, …).
    Rewrite(Operator),
}

impl Action {
    fn parse(direction: Direction, key: &str, text: &str) -> Result<Action, ConfigError> {
        match text.trim() {
            "allow" => return Ok(Action::Allow),
            "block" => return Ok(Action::Block),
            _ => {}
        }
        let operator: Operator = text.parse().map_err(|e| {
            invalid(
                key,
                format!(
                    "{e}: use allow, block, redact, pseudonymize, replace, mask, hash or encrypt"
                ),
            )
        })?;
        if direction == Direction::Output && operator.is_reversible() {
            return Err(invalid(
                key,
                format!(
                    "`{}` applies to input only: answers may use allow, block, redact, replace, mask or hash",
                    operator.name()
                ),
            ));
        }
        Ok(Action::Rewrite(operator))
    }
}

/// Input (towards the model) or output (the answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Prompts, tool results, everything the client sends.
    Input,
    /// Answers and tool-call arguments the model writes.
    Output,
}

/// The actions per entity type for one direction, with the SPEC §12 defaults for unlisted types.
#[derive(Clone, Debug)]
pub struct Actions {
    direction: Direction,
    by_type: HashMap<EntityType, Action>,
    pseudonym_style: PseudonymStyle,
}

impl Actions {
    /// The defaults of SPEC §12 for `direction`, with `overrides` on top.
    fn new(
        direction: Direction,
        overrides: &BTreeMap<String, String>,
        pseudonym_style: PseudonymStyle,
        scanner: &ScannerConfig,
    ) -> Result<Actions, ConfigError> {
        let section = match direction {
            Direction::Input => "scan.input",
            Direction::Output => "scan.output",
        };
        let mut by_type = HashMap::new();
        for (name, action) in overrides {
            let key = format!("{section}.{name}");
            // A custom type is known only if a custom detector or a deny list reports it.
            let known = |entity: &EntityType| {
                EntityType::builtin(name).is_some()
                    || scanner.detectors.iter().any(|d| d.entity == *entity)
                    || scanner.deny.iter().any(|d| d.entity == *entity)
            };
            let entity = EntityType::parse(name)
                .filter(known)
                .ok_or_else(|| invalid(&key, format!("unknown entity type `{name}`")))?;
            by_type.insert(entity, Action::parse(direction, &key, action)?);
        }
        Ok(Actions {
            direction,
            by_type,
            pseudonym_style,
        })
    }

    /// The action for `entity`.
    pub fn action(&self, entity: &EntityType) -> Action {
        if let Some(action) = self.by_type.get(entity) {
            return action.clone();
        }
        let redact = Action::Rewrite(Operator::default());
        match (self.direction, entity.category()) {
            (_, Category::Secret) => redact,
            (Direction::Input, Category::Injection) => Action::Block,
            (Direction::Output, Category::Injection) => Action::Allow,
            (Direction::Input, _) => Action::Rewrite(Operator::Pseudonymize {
                style: self.pseudonym_style,
            }),
            (Direction::Output, _) => redact,
        }
    }
}

/// Whether and how HTML in input text is cleaned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HtmlMode {
    /// Texts containing HTML elements are cleaned with the tag allow-list (default).
    #[default]
    Clean,
    /// HTML is passed on as text.
    Off,
}

/// Input sanitising options (SPEC §2 step 5).
#[derive(Clone, Debug)]
pub struct SanitizeConfig {
    /// HTML cleaning.
    pub html: HtmlMode,
    /// Tags kept by the HTML cleaner (like bleach's `ALLOWED_TAGS`).
    pub allowed_tags: Vec<String>,
}

/// The HTML tags kept by default: text formatting only, no links, images, scripts, styles or forms.
pub const DEFAULT_ALLOWED_TAGS: &[&str] = &[
    "b",
    "i",
    "em",
    "strong",
    "u",
    "s",
    "code",
    "pre",
    "kbd",
    "samp",
    "sub",
    "sup",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// One model provider.
#[derive(Clone, Debug)]
pub struct UpstreamConfig {
    /// The name used in logs and errors.
    pub name: String,
    /// The API root, e.g. `https://api.openai.com/v1`, without a trailing slash.
    pub base_url: String,
    /// The provider key (never the client's).
    pub api_key: Option<Secret>,
    /// Models routed here; empty means every model not claimed by another upstream.
    pub models: Vec<String>,
    /// Whether the provider may keep or train on data (for CCPA opt-outs and policies).
    pub shares_data: bool,
    /// Purposes the data subject must have consented to before this upstream gets their request.
    pub require_consent: Vec<String>,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time until the response headers arrive.
    pub first_byte_timeout: Duration,
    /// Time for the whole exchange, streams included.
    pub total_timeout: Duration,
    /// Retries of a failed call (429, 5xx, connection errors) before the client sees the failure.
    pub max_retries: u32,
}

/// Server limits (SPEC §2 step 1 and 5).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The listening address.
    pub listen: SocketAddr,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// Time allowed for the request headers.
    pub header_timeout: Duration,
    /// Time allowed for the request body.
    pub body_timeout: Duration,
    /// Time graceful shutdown waits for open requests and streams.
    pub drain_timeout: Duration,
    /// The most messages one chat request may carry.
    pub max_messages: usize,
    /// The most characters of text one request may carry in total.
    pub max_text_chars: usize,
    /// TLS certificate files; `None` = plain HTTP.
    pub tls: Option<crate::tls::TlsFiles>,
    /// Principals for verified client certificates (`[[server.client_certs]]`, mTLS).
    pub client_certs: Vec<ClientCertPrincipal>,
}

/// A principal for clients whose verified certificate carries `subject` (a DNS, URI or e-mail
/// subject alternative name, or the subject's common name). Such a client needs no API key; one
/// that sends an `Authorization` header is identified by it instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertPrincipal {
    /// The name to match, exactly.
    pub subject: String,
    /// The principal's roles.
    pub roles: Vec<String>,
    /// The only models it may use; `None`: what the policies allow.
    pub models: Option<Vec<String>>,
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Listening and limits.
    pub server: ServerConfig,
    /// Providers, in the order they were configured.
    pub upstreams: Vec<UpstreamConfig>,
    /// The store URL (`sqlite://…` or `postgres://…`), resolved when it was a secret reference;
    /// `None` = SQLite in the data directory.
    pub store_url: Option<Secret>,
    /// Where the keyring (wrapped data keys) lives, resolved; `None` = the store's default.
    pub store_keyring_url: Option<Secret>,
    /// Whether conversations are stored (encrypted).
    pub store_conversations: bool,
    /// The master key reference, resolved.
    pub master_key: Option<Secret>,
    /// The key for keyed operators (`hash`, `encrypt`, fakes), resolved.
    pub operator_key: Option<Secret>,
    /// How the scanner is built.
    pub scanner: ScannerConfig,
    /// Input actions.
    pub input: Actions,
    /// Output actions.
    pub output: Actions,
    /// Stream hold-back in characters.
    pub holdback_chars: usize,
    /// Hosts whose links and images may stay in answers (a leading `.` allows subdomains too).
    pub allowed_hosts: Vec<String>,
    /// Insert a canary into system prompts and refuse answers that repeat it (`[output] canary`).
    pub canary: bool,
    /// Refuse answers repeating this many consecutive words of a system message; 0 = off.
    pub system_prompt_overlap_words: usize,
    /// Raw HTML in answers: cleaned with `[sanitize] allowed_tags`, or passed (`off`, default).
    pub output_html: HtmlMode,
    /// Input sanitising.
    pub sanitize: SanitizeConfig,
    /// Whether image, audio and file parts (which cannot be inspected) are forwarded.
    pub allow_uninspected_parts: bool,
    /// Trusted JWT issuers.
    pub issuers: Vec<crate::jwt::IssuerConfig>,
    /// Cedar policy files; empty = the default policies (SPEC §12).
    pub policy_files: Vec<PathBuf>,
    /// Anomaly detection, automatic suspension and the alert webhook (`[alerts]`).
    pub alerts: AlertsConfig,
    /// Rate limits and token budgets (`[limits]`).
    pub limits: LimitsConfig,
    /// OpenTelemetry traces (`[telemetry]`).
    pub telemetry: TelemetryConfig,
    /// Conversation retention in days.
    pub retention_conversations_days: u32,
    /// Audit retention in days.
    pub retention_audit_days: u32,
}

impl Config {
    /// The configuration from `path` (or the defaults when `None`), with environment overrides.
    pub fn load(path: Option<&Path>, env: &dyn Environment) -> Result<Config, ConfigError> {
        let (origin, text) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                (path.display().to_string(), text)
            }
            None => ("defaults".to_owned(), String::new()),
        };
        Config::parse(&origin, &text, env)
    }

    /// The configuration from TOML `text` (`origin` names it in errors), with environment overrides.
    pub fn parse(origin: &str, text: &str, env: &dyn Environment) -> Result<Config, ConfigError> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        apply_overrides(&mut table, env)?;
        let raw =
            RawConfig::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Parse {
                origin: origin.to_owned(),
                message: e.to_string().trim_end().to_owned(),
            })?;
        Config::from_raw(raw, env)
    }

    fn from_raw(raw: RawConfig, env: &dyn Environment) -> Result<Config, ConfigError> {
        let listen_text = raw.server.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!("`{listen_text}` is not an address like 127.0.0.1:8080"),
            )
        })?;
        let ms = |value: Option<u64>, default: u64| Duration::from_millis(value.unwrap_or(default));
        let mut server = ServerConfig {
            listen,
            max_body_bytes: positive("server.max_body_bytes", raw.server.max_body_bytes, 4 << 20)?,
            header_timeout: ms(raw.server.header_timeout_ms, 10_000),
            body_timeout: ms(raw.server.body_timeout_ms, 30_000),
            drain_timeout: ms(raw.server.drain_timeout_ms, 30_000),
            max_messages: positive("server.max_messages", raw.server.max_messages, 2_048)?,
            max_text_chars: positive(
                "server.max_text_chars",
                raw.server.max_text_chars,
                2_000_000,
            )?,
            tls: raw.server.tls.map(|tls| crate::tls::TlsFiles {
                cert: tls.cert,
                key: tls.key,
                client_ca: tls.client_ca,
            }),
            client_certs: Vec::new(),
        };
        for (i, raw) in raw.server.client_certs.into_iter().enumerate() {
            let key = format!("server.client_certs[{i}]");
            if server
                .tls
                .as_ref()
                .is_none_or(|tls| tls.client_ca.is_none())
            {
                return Err(invalid(
                    key,
                    "needs server.tls.client_ca (client certificates are verified against it)",
                ));
            }
            if raw.subject.trim().is_empty() || raw.subject.chars().any(char::is_control) {
                return Err(invalid(
                    format!("{key}.subject"),
                    "must be a printable name",
                ));
            }
            if raw.roles.is_empty() {
                return Err(invalid(format!("{key}.roles"), "needs at least one role"));
            }
            if server.client_certs.iter().any(|c| c.subject == raw.subject) {
                return Err(invalid(format!("{key}.subject"), "listed twice"));
            }
            server.client_certs.push(ClientCertPrincipal {
                subject: raw.subject,
                roles: raw.roles,
                models: raw.models,
            });
        }

        let mut upstreams = Vec::new();
        for (i, upstream) in raw.upstreams.into_iter().enumerate() {
            upstreams.push(upstream_config(&format!("upstreams[{i}]"), upstream, env)?);
        }
        if upstreams.is_empty() {
            upstreams.push(default_upstream(env)?);
        }
        check_upstreams(&upstreams)?;

        let secret = |key: &str, reference: Option<String>| {
            reference.map(|r| resolve_secret(key, &r, env)).transpose()
        };
        let master_key = secret("crypto.master_key", raw.crypto.master_key)?;
        let store_url = raw
            .store
            .url
            .as_deref()
            .map(|url| resolve_store_url(url, env))
            .transpose()?;
        let store_keyring_url = raw
            .store
            .keyring_url
            .as_deref()
            .map(|url| resolve_store_url(url, env))
            .transpose()?;
        let operator_key = secret("crypto.operator_key", raw.crypto.operator_key)?;

        let scan = raw.scan;
        if !(0.0..=1.0).contains(&scan.min_score) {
            return Err(invalid("scan.min_score", "must be between 0 and 1"));
        }
        if !(0.0..=1.0).contains(&scan.injection_threshold) {
            return Err(invalid(
                "scan.injection_threshold",
                "must be between 0 and 1",
            ));
        }
        let scanner = ScannerConfig {
            entities: scan.entities,
            min_score: scan.min_score,
            allow: scan.allow,
            allow_patterns: scan.allow_patterns,
            deny: scan.deny,
            detectors: scan.detectors,
            ner: scan.ner,
            injection_threshold: scan.injection_threshold,
        };
        let input = Actions::new(
            Direction::Input,
            &scan.input,
            scan.pseudonym_style,
            &scanner,
        )?;
        let output = Actions::new(
            Direction::Output,
            &scan.output,
            scan.pseudonym_style,
            &scanner,
        )?;

        let holdback_chars = raw.stream.holdback_chars.unwrap_or(DEFAULT_HOLDBACK_CHARS);
        if holdback_chars < 64 {
            return Err(invalid("stream.holdback_chars", "must be at least 64"));
        }

        let mut allowed_hosts = Vec::new();
        for (i, host) in raw.output.allowed_hosts.iter().enumerate() {
            let host = host.trim().to_ascii_lowercase();
            let bare = host.strip_prefix('.').unwrap_or(&host);
            let valid = !bare.is_empty()
                && bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ':');
            if !valid {
                return Err(invalid(
                    format!("output.allowed_hosts[{i}]"),
                    "a host name like docs.example.com or .example.com",
                ));
            }
            allowed_hosts.push(host);
        }

        let sanitize = SanitizeConfig {
            html: raw.sanitize.html.unwrap_or_default(),
            allowed_tags: raw.sanitize.allowed_tags.unwrap_or_else(|| {
                DEFAULT_ALLOWED_TAGS
                    .iter()
                    .map(|t| (*t).to_owned())
                    .collect()
            }),
        };
        for (i, tag) in sanitize.allowed_tags.iter().enumerate() {
            if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid(
                    format!("sanitize.allowed_tags[{i}]"),
                    "a tag name like p or code",
                ));
            }
            if matches!(tag.to_ascii_lowercase().as_str(), "script" | "style") {
                return Err(invalid(
                    format!("sanitize.allowed_tags[{i}]"),
                    "script and style can never be allowed",
                ));
            }
        }

        let mut issuers = Vec::new();
        for (i, raw) in raw.issuers.into_iter().enumerate() {
            issuers.push(issuer_config(&format!("issuers[{i}]"), raw)?);
        }

        let limits = limits_config(raw.limits, &served_models(&upstreams), env)?;
        let alerts = alerts_config(raw.alerts, env)?;
        Ok(Config {
            policy_files: raw.policy.files,
            issuers,
            server,
            upstreams,
            store_url,
            store_keyring_url,
            store_conversations: raw.store.conversations,
            master_key,
            operator_key,
            scanner,
            input,
            output,
            holdback_chars,
            allowed_hosts,
            canary: raw.output.canary,
            system_prompt_overlap_words: raw.output.system_prompt_overlap_words.unwrap_or(24),
            output_html: raw.output.html.unwrap_or(HtmlMode::Off),
            sanitize,
            allow_uninspected_parts: scan.danger_allow_uninspected_parts,
            retention_conversations_days: raw.retention.conversations_days.unwrap_or(30),
            retention_audit_days: raw.retention.audit_days.unwrap_or(365),
            alerts: AlertsConfig {
                // Replicas sharing rate limits share suspensions too, unless told otherwise.
                redis: match alerts.redis {
                    Some(url) => Some(url),
                    None => limits.redis.clone(),
                },
                ..alerts
            },
            telemetry: telemetry_config(raw.telemetry, env)?,
            limits,
        })
    }
}

/// Requests and tokens allowed per period; `None`: no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rates {
    /// Requests per minute.
    pub requests_per_minute: Option<u64>,
    /// Model tokens (prompt + completion) per minute.
    pub tokens_per_minute: Option<u64>,
    /// Model tokens per day (UTC).
    pub tokens_per_day: Option<u64>,
    /// Model tokens per calendar month (UTC).
    pub tokens_per_month: Option<u64>,
}

impl Rates {
    /// True if nothing is limited.
    pub fn is_empty(&self) -> bool {
        *self == Rates::default()
    }
}

/// `[limits]`: rate limits and token budgets per principal and per model, counted in this process
/// or, with `redis`, in Redis for every replica.
#[derive(Clone, Debug, Default)]
pub struct LimitsConfig {
    /// `redis://…` (or a secret reference to one): the shared counters.
    pub redis: Option<Secret>,
    /// Every principal's limits, unless its key sets its own (`[limits]` top level).
    pub principal: Rates,
    /// Limits on a model, over all principals together (`[limits.models."NAME"]`).
    pub models: BTreeMap<String, Rates>,
}

/// The models the upstreams serve (a `[limits.models]` entry must name one).
fn served_models(upstreams: &[UpstreamConfig]) -> Vec<String> {
    upstreams
        .iter()
        .flat_map(|upstream| upstream.models.iter().cloned())
        .collect()
}

/// A `redis` key: a `redis://` or `rediss://` URL, literal without a password or a secret reference.
fn redis_url(
    key: &str,
    raw: Option<&str>,
    env: &dyn Environment,
) -> Result<Option<Secret>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let url = resolve_url(key, raw, env)?;
    let scheme = url.expose().split("://").next().unwrap_or_default();
    if !matches!(scheme, "redis" | "rediss") {
        return Err(invalid(key, "must be a redis:// or rediss:// URL"));
    }
    Ok(Some(url))
}

fn limits_config(
    raw: RawLimits,
    models: &[String],
    env: &dyn Environment,
) -> Result<LimitsConfig, ConfigError> {
    let rates = |key: &str, raw: RawRates| -> Result<Rates, ConfigError> {
        for (name, value) in [
            ("requests_per_minute", raw.requests_per_minute),
            ("tokens_per_minute", raw.tokens_per_minute),
            ("tokens_per_day", raw.tokens_per_day),
            ("tokens_per_month", raw.tokens_per_month),
        ] {
            if value == Some(0) {
                return Err(invalid(
                    format!("{key}{name}"),
                    "must be at least 1 (leave it out for no limit)",
                ));
            }
        }
        Ok(Rates {
            requests_per_minute: raw.requests_per_minute,
            tokens_per_minute: raw.tokens_per_minute,
            tokens_per_day: raw.tokens_per_day,
            tokens_per_month: raw.tokens_per_month,
        })
    };
    let mut per_model = BTreeMap::new();
    for (model, raw) in raw.models {
        if !models.contains(&model) {
            return Err(invalid(
                format!("limits.models.{model}"),
                "no upstream serves this model",
            ));
        }
        per_model.insert(
            model.clone(),
            rates(&format!("limits.models.{model}."), raw)?,
        );
    }
    let redis = redis_url("limits.redis", raw.redis.as_deref(), env)?;
    Ok(LimitsConfig {
        redis,
        principal: rates(
            "limits.",
            RawRates {
                requests_per_minute: raw.requests_per_minute,
                tokens_per_minute: raw.tokens_per_minute,
                tokens_per_day: raw.tokens_per_day,
                tokens_per_month: raw.tokens_per_month,
            },
        )?,
        models: per_model,
    })
}

/// `[alerts]`: per-principal thresholds over a sliding window, what a trip does, where alerts go.
#[derive(Clone, Debug)]
pub struct AlertsConfig {
    /// `redis://…`: injection and leak counters and suspensions shared by every replica
    /// (`[alerts] redis`, else `[limits] redis`); `None`: per replica.
    pub redis: Option<Secret>,
    /// Where alerts are POSTed (JSON, HMAC-signed); none: incidents and logs only.
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key signing webhook bodies (required with a URL).
    pub webhook_secret: Option<Secret>,
    /// The sliding window.
    pub window: Duration,
    /// Prompt-injection refusals per window that suspend a principal (0: never).
    pub injection_attempts: u32,
    /// Leaks blocked in answers per window that suspend a principal (0: never).
    pub blocked_leaks: u32,
    /// Requests per window above this multiple of the principal's own baseline suspend it (0:
    /// never)…
    pub volume_factor: f64,
    /// … when they are also at least this many.
    pub volume_min: u64,
    /// How long a suspension lasts.
    pub suspend: Duration,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            redis: None,
            webhook_url: None,
            webhook_secret: None,
            window: Duration::from_secs(300),
            injection_attempts: 5,
            blocked_leaks: 10,
            volume_factor: 10.0,
            volume_min: 300,
            suspend: Duration::from_secs(900),
        }
    }
}

fn alerts_config(raw: RawAlerts, env: &dyn Environment) -> Result<AlertsConfig, ConfigError> {
    let defaults = AlertsConfig::default();
    if let Some(url) = &raw.webhook_url {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| invalid("alerts.webhook_url", format!("not a URL: {e}")))?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            _ => {
                return Err(invalid(
                    "alerts.webhook_url",
                    "use https (plain http only to loopback addresses)",
                ));
            }
        }
        if raw.webhook_secret.is_none() {
            return Err(invalid(
                "alerts.webhook_secret",
                "required with webhook_url: alert bodies are HMAC-signed",
            ));
        }
    }
    let webhook_secret = raw
        .webhook_secret
        .map(|reference| resolve_secret("alerts.webhook_secret", &reference, env))
        .transpose()?;
    let window = raw.window_seconds.unwrap_or(300);
    if !(1..=86_400).contains(&window) {
        return Err(invalid("alerts.window_seconds", "must be 1 to 86400"));
    }
    let volume_factor = raw.volume_factor.unwrap_or(defaults.volume_factor);
    if !(volume_factor == 0.0 || (1.0..=1_000_000.0).contains(&volume_factor)) {
        return Err(invalid(
            "alerts.volume_factor",
            "must be 0 (off) or between 1 and 1000000",
        ));
    }
    Ok(AlertsConfig {
        redis: redis_url("alerts.redis", raw.redis.as_deref(), env)?,
        webhook_url: raw.webhook_url,
        webhook_secret,
        window: Duration::from_secs(window),
        injection_attempts: raw
            .injection_attempts
            .unwrap_or(defaults.injection_attempts),
        blocked_leaks: raw.blocked_leaks.unwrap_or(defaults.blocked_leaks),
        volume_factor,
        volume_min: raw.volume_min.unwrap_or(defaults.volume_min),
        suspend: Duration::from_secs(raw.suspend_seconds.unwrap_or(900).min(30 * 86_400)),
    })
}

/// `[telemetry]`: where the pipeline's trace spans are exported (OTLP over HTTP, protobuf).
#[derive(Clone, Debug)]
pub struct TelemetryConfig {
    /// The collector's traces URL (`…/v1/traces`); `None`: no traces (the default).
    pub otlp_endpoint: Option<String>,
    /// Headers sent with every export (an API key of a hosted collector), resolved from secret
    /// references.
    pub otlp_headers: Vec<(String, Secret)>,
    /// The `service.name` resource attribute.
    pub service_name: String,
    /// The share of new traces sampled (0 to 1); a caller's sampled `traceparent` is followed.
    pub sample_ratio: f64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            otlp_endpoint: None,
            otlp_headers: Vec::new(),
            service_name: "warden".to_owned(),
            sample_ratio: 1.0,
        }
    }
}

fn telemetry_config(
    raw: RawTelemetry,
    env: &dyn Environment,
) -> Result<TelemetryConfig, ConfigError> {
    let defaults = TelemetryConfig::default();
    let otlp_endpoint = match raw.otlp_endpoint {
        None => None,
        Some(text) => {
            let mut url = reqwest::Url::parse(&text)
                .map_err(|e| invalid("telemetry.otlp_endpoint", format!("not a URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(invalid(
                    "telemetry.otlp_endpoint",
                    "must be an http or https URL of an OTLP/HTTP collector",
                ));
            }
            if url.password().is_some() {
                return Err(invalid(
                    "telemetry.otlp_endpoint",
                    "the URL carries a password: send credentials with otlp_headers \
                     (secret references)",
                ));
            }
            // A bare collector address gets the traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does.
            if url.path() == "/" {
                url.set_path("/v1/traces");
            }
            Some(url.to_string())
        }
    };
    if !raw.otlp_headers.is_empty() && otlp_endpoint.is_none() {
        return Err(invalid(
            "telemetry.otlp_headers",
            "set otlp_endpoint too: headers go with exports",
        ));
    }
    let mut otlp_headers = Vec::with_capacity(raw.otlp_headers.len());
    for (name, reference) in raw.otlp_headers {
        let key = format!("telemetry.otlp_headers.{name}");
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(invalid(&key, "not a valid header name"));
        }
        let value = resolve_secret(&key, &reference, env)?;
        if http::HeaderValue::from_str(value.expose()).is_err() {
            return Err(invalid(&key, "the value is not a valid header value"));
        }
        otlp_headers.push((name, value));
    }
    let service_name = raw.service_name.unwrap_or(defaults.service_name);
    if service_name.trim().is_empty() {
        return Err(invalid("telemetry.service_name", "must not be empty"));
    }
    let sample_ratio = raw.sample_ratio.unwrap_or(defaults.sample_ratio);
    if !(0.0..=1.0).contains(&sample_ratio) {
        return Err(invalid("telemetry.sample_ratio", "must be between 0 and 1"));
    }
    Ok(TelemetryConfig {
        otlp_endpoint,
        otlp_headers,
        service_name,
        sample_ratio,
    })
}

fn issuer_config(key: &str, raw: RawIssuer) -> Result<crate::jwt::IssuerConfig, ConfigError> {
    use crate::jwt::{JwksSource, parse_algorithm};
    if raw.issuer.trim().is_empty() || raw.audience.trim().is_empty() {
        return Err(invalid(key, "issuer and audience must not be empty"));
    }
    let jwks = match (raw.jwks_file, raw.jwks_url) {
        (Some(file), None) => JwksSource::File(file),
        (None, Some(url)) => {
            let parsed = reqwest::Url::parse(&url)
                .map_err(|e| invalid(format!("{key}.jwks_url"), format!("not a URL: {e}")))?;
            let secure =
                parsed.scheme() == "https" || (parsed.scheme() == "http" && is_loopback(&parsed));
            if !secure {
                return Err(invalid(
                    format!("{key}.jwks_url"),
                    "must be https (plain http only to loopback)",
                ));
            }
            JwksSource::Url(url)
        }
        _ => return Err(invalid(key, "give exactly one of jwks_file and jwks_url")),
    };
    let names = raw
        .algorithms
        .unwrap_or_else(|| vec!["RS256".to_owned(), "ES256".to_owned()]);
    if names.is_empty() {
        return Err(invalid(format!("{key}.algorithms"), "must not be empty"));
    }
    let mut algorithms = Vec::new();
    for (j, name) in names.iter().enumerate() {
        algorithms
            .push(parse_algorithm(name).map_err(|e| invalid(format!("{key}.algorithms[{j}]"), e))?);
    }
    Ok(crate::jwt::IssuerConfig {
        issuer: raw.issuer,
        audience: raw.audience,
        jwks,
        algorithms,
        roles_claim: raw.roles_claim.unwrap_or_else(|| "roles".to_owned()),
        role_map: raw.role_map,
        refresh: Duration::from_secs(raw.refresh_secs.unwrap_or(300).max(10)),
    })
}

fn positive(key: &str, value: Option<usize>, default: usize) -> Result<usize, ConfigError> {
    match value {
        Some(0) => Err(invalid(key, "must be greater than 0")),
        Some(value) => Ok(value),
        None => Ok(default),
    }
}

fn default_upstream(env: &dyn Environment) -> Result<UpstreamConfig, ConfigError> {
    let base_url = env
        .var("WARDEN_UPSTREAM_URL")
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_UPSTREAM_URL.to_owned());
    let api_key = env
        .var("WARDEN_UPSTREAM_API_KEY")
        .filter(|k| !k.is_empty())
        .map(Secret::new);
    upstream_config(
        "WARDEN_UPSTREAM_URL",
        RawUpstream {
            name: "default".to_owned(),
            base_url,
            api_key: None,
            models: Vec::new(),
            shares_data: true,
            require_consent: Vec::new(),
            connect_timeout_ms: None,
            first_byte_timeout_ms: None,
            total_timeout_ms: None,
            max_retries: None,
            danger_allow_http: false,
        },
        env,
    )
    .map(|mut upstream| {
        upstream.api_key = api_key;
        upstream
    })
}

/// A consent purpose: 1 to 64 of `a-z A-Z 0-9 _ - . :` (as the store accepts).
fn valid_purpose(purpose: &str) -> bool {
    (1..=64).contains(&purpose.len())
        && purpose
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b))
}

fn upstream_config(
    key: &str,
    raw: RawUpstream,
    env: &dyn Environment,
) -> Result<UpstreamConfig, ConfigError> {
    if raw.name.trim().is_empty() {
        return Err(invalid(format!("{key}.name"), "must not be empty"));
    }
    if let Some(bad) = raw.require_consent.iter().find(|p| !valid_purpose(p)) {
        return Err(invalid(
            format!("{key}.require_consent"),
            format!(
                "`{}` is not a purpose: use 1 to 64 of a-z, A-Z, 0-9, _, -, . and :",
                bad.chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect::<String>()
            ),
        ));
    }
    let base_url = raw.base_url.trim().trim_end_matches('/').to_owned();
    let url = reqwest::Url::parse(&base_url)
        .map_err(|e| invalid(format!("{key}.base_url"), format!("not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            format!("{key}.base_url"),
            "credentials in the URL are not allowed: use api_key",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if raw.danger_allow_http || is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                format!("{key}.base_url"),
                "plain http is only allowed to loopback addresses (or with danger_allow_http = true)",
            ));
        }
        other => {
            return Err(invalid(
                format!("{key}.base_url"),
                format!("unsupported scheme `{other}`: use https"),
            ));
        }
    }
    let api_key = raw
        .api_key
        .map(|reference| resolve_secret(&format!("{key}.api_key"), &reference, env))
        .transpose()?;
    let ms = |value: Option<u64>, default: u64| Duration::from_millis(value.unwrap_or(default));
    Ok(UpstreamConfig {
        name: raw.name,
        base_url,
        api_key,
        models: raw.models,
        shares_data: raw.shares_data,
        require_consent: raw.require_consent,
        connect_timeout: ms(raw.connect_timeout_ms, 5_000),
        first_byte_timeout: ms(raw.first_byte_timeout_ms, 120_000),
        total_timeout: ms(raw.total_timeout_ms, 600_000),
        max_retries: raw.max_retries.unwrap_or(2).min(10),
    })
}

fn check_upstreams(upstreams: &[UpstreamConfig]) -> Result<(), ConfigError> {
    let mut names = HashMap::new();
    let mut models = HashMap::new();
    let mut private_for = HashMap::new();
    let mut catch_all = None;
    for (i, upstream) in upstreams.iter().enumerate() {
        if let Some(first) = names.insert(upstream.name.as_str(), i) {
            return Err(invalid(
                format!("upstreams[{i}].name"),
                format!("`{}` is also the name of upstreams[{first}]", upstream.name),
            ));
        }
        if upstream.models.is_empty()
            && let Some(first) = catch_all.replace(i)
        {
            return Err(invalid(
                format!("upstreams[{i}].models"),
                format!(
                    "only one upstream may serve every model (upstreams[{first}] already does): list the models"
                ),
            ));
        }
        for model in &upstream.models {
            // A second upstream for a model is allowed only as the place where subjects who opted
            // out of sharing go: it must not share data, and the first must.
            let Some(&first) = models.get(model.as_str()) else {
                models.insert(model.as_str(), i);
                continue;
            };
            let alternative = !upstream.shares_data
                && upstreams
                    .get(first)
                    .is_some_and(|first: &UpstreamConfig| first.shares_data);
            if !alternative || private_for.insert(model.as_str(), i).is_some() {
                return Err(invalid(
                    format!("upstreams[{i}].models"),
                    format!(
                        "`{model}` is also served by upstreams[{first}] (a second upstream for a \
                         model is allowed once, with shares_data = false, as the one for subjects \
                         who opted out of sharing)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Writes `WARDEN_SECTION__KEY=value` overrides into `table`.
///
/// Path segments are matched case-insensitively against existing keys; new keys are lower-cased,
/// except under `scan.input` and `scan.output`, whose keys are entity types. A numeric segment indexes
/// an array (`WARDEN_UPSTREAMS__0__BASE_URL`). The value is read as TOML when it parses as a TOML
/// value (`true`, `5`, `["a", "b"]`) and as a string otherwise.
fn apply_overrides(table: &mut toml::Table, env: &dyn Environment) -> Result<(), ConfigError> {
    let mut overrides: Vec<(String, String)> = env
        .vars()
        .into_iter()
        .filter(|(name, _)| name.starts_with("WARDEN_") && name.contains("__"))
        .collect();
    overrides.sort();
    for (name, value) in overrides {
        let path: Vec<&str> = name["WARDEN_".len()..].split("__").collect();
        if path.iter().any(|segment| segment.is_empty()) {
            return Err(invalid(&name, "empty segment in an override name"));
        }
        let value = parse_override_value(&value);
        set_path(table, &path, value, &name)?;
    }
    Ok(())
}

fn parse_override_value(text: &str) -> toml::Value {
    let document = format!("v = {text}");
    match toml::from_str::<toml::Table>(&document) {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(text.to_owned())),
        Err(_) => toml::Value::String(text.to_owned()),
    }
}

fn set_path(
    table: &mut toml::Table,
    path: &[&str],
    value: toml::Value,
    name: &str,
) -> Result<(), ConfigError> {
    let mut current = table;
    let mut keys_are_entities = false;
    for (depth, segment) in path.iter().enumerate() {
        let key = match current.keys().find(|k| k.eq_ignore_ascii_case(segment)) {
            Some(existing) => existing.clone(),
            None if keys_are_entities => segment.to_ascii_uppercase(),
            None => segment.to_ascii_lowercase(),
        };
        if depth + 1 == path.len() {
            current.insert(key, value);
            return Ok(());
        }
        keys_are_entities = depth == 1
            && path[0].eq_ignore_ascii_case("scan")
            && (segment.eq_ignore_ascii_case("input") || segment.eq_ignore_ascii_case("output"));
        let next = current
            .entry(key)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match next {
            toml::Value::Table(inner) => inner,
            toml::Value::Array(items) => {
                let Some(index) = path.get(depth + 1).and_then(|s| s.parse::<usize>().ok()) else {
                    return Err(invalid(name, "an array section needs an index (…__0__…)"));
                };
                if depth + 2 == path.len() {
                    return Err(invalid(name, "cannot replace a whole array entry"));
                }
                let Some(toml::Value::Table(item)) = items.get_mut(index) else {
                    return Err(invalid(name, format!("no entry {index} to override")));
                };
                return set_path(item, &path[depth + 2..], value, name);
            }
            _ => return Err(invalid(name, "overrides a value that is not a section")),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
        vars.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn error(text: &str, vars: &[(&str, &str)]) -> String {
        Config::parse("warden.toml", text, &env(vars))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_model_has_one_upstream_plus_one_that_does_not_share_data() {
        let upstream = |name: &str, shares: bool, extra: &str| {
            format!(
                "[[upstreams]]\nname = \"{name}\"\nbase_url = \"https://{name}.example\"\n\
                 models = [\"m\"]\nshares_data = {shares}\n{extra}"
            )
        };
        let ok = format!(
            "{}{}",
            upstream(
                "a",
                true,
                "require_consent = [\"assistant\", \"eu:support\"]\n"
            ),
            upstream("b", false, "")
        );
        let config = Config::parse("t", &ok, &env(&[])).unwrap();
        assert_eq!(
            config.upstreams[0].require_consent,
            ["assistant", "eu:support"]
        );
        for bad in [
            format!("{}{}", upstream("a", true, ""), upstream("b", true, "")),
            format!("{}{}", upstream("a", false, ""), upstream("b", false, "")),
            format!(
                "{}{}{}",
                upstream("a", true, ""),
                upstream("b", false, ""),
                upstream("c", false, "")
            ),
        ] {
            let error = Config::parse("t", &bad, &env(&[])).unwrap_err().to_string();
            assert!(error.contains("is also served by"), "{error}");
        }
        let bad_purpose = upstream("a", true, "require_consent = [\"no spaces\"]\n");
        let error = Config::parse("t", &bad_purpose, &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("require_consent"), "{error}");
    }

    #[test]
    fn defaults_need_no_file() {
        let config = Config::parse("defaults", "", &env(&[])).unwrap();
        assert_eq!(config.server.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.upstreams.len(), 1);
        assert_eq!(config.upstreams[0].base_url, DEFAULT_UPSTREAM_URL);
        assert!(config.upstreams[0].api_key.is_none());
        assert_eq!(
            config.input.action(&EntityType::Person),
            Action::Rewrite(Operator::Pseudonymize {
                style: PseudonymStyle::Placeholder
            })
        );
        assert_eq!(
            config.input.action(&EntityType::Secret),
            Action::Rewrite(Operator::default())
        );
        assert_eq!(
            config.input.action(&EntityType::PromptInjection),
            Action::Block
        );
        assert_eq!(
            config.output.action(&EntityType::UsSsn),
            Action::Rewrite(Operator::default())
        );
        assert_eq!(
            config.output.action(&EntityType::Secret),
            Action::Rewrite(Operator::default())
        );
    }

    #[test]
    fn default_upstream_from_environment() {
        let config = Config::parse(
            "defaults",
            "",
            &env(&[
                ("WARDEN_UPSTREAM_URL", "http://127.0.0.1:9/v1/"),
                ("WARDEN_UPSTREAM_API_KEY", "sk-test"),
            ]),
        )
        .unwrap();
        assert_eq!(config.upstreams[0].base_url, "http://127.0.0.1:9/v1");
        assert_eq!(
            config.upstreams[0].api_key.as_ref().unwrap().expose(),
            "sk-test"
        );
        assert!(!format!("{config:?}").contains("sk-test"));
    }

    #[test]
    fn spec_example_parses() {
        let text = r#"
[server]
listen = "127.0.0.1:8080"

[[upstreams]]
name = "openai"
base_url = "https://api.openai.com/v1"
api_key = "env:OPENAI_API_KEY"
models = ["gpt-4o-mini", "text-embedding-3-small"]
shares_data = true

[store]
url = "sqlite://./warden-data/warden.db"
conversations = false

[crypto]
master_key = "env:WARDEN_MASTER_KEY"

[scan.input]
PERSON = "pseudonymize"
CREDIT_CARD = "block"

[scan.output]
US_SSN = "block"

[retention]
conversations_days = 30
audit_days = 365
"#;
        let config = Config::parse(
            "warden.toml",
            text,
            &env(&[
                ("OPENAI_API_KEY", "sk-x"),
                ("WARDEN_MASTER_KEY", "bWFzdGVy"),
            ]),
        )
        .unwrap();
        assert_eq!(config.input.action(&EntityType::CreditCard), Action::Block);
        assert_eq!(config.output.action(&EntityType::UsSsn), Action::Block);
        assert_eq!(config.upstreams[0].models.len(), 2);
    }

    #[test]
    fn unknown_keys_are_named() {
        assert!(error("[server]\nlisten = \"127.0.0.1:1\"\nlisen = 1\n", &[]).contains("lisen"));
        assert!(error("[sever]\n", &[]).contains("sever"));
        assert!(error("[scan.input]\nPERSNO = \"redact\"\n", &[]).contains("scan.input.PERSNO"));
    }

    #[test]
    fn limits_are_parsed_and_bad_ones_named() {
        let upstream = "[[upstreams]]\nname = \"u\"\nbase_url = \"http://127.0.0.1:1/v1\"\n\
                        models = [\"m\"]\n";
        let text = format!(
            "{upstream}[limits]\nredis = \"redis://cache:6379/0\"\nrequests_per_minute = 60\n\
             tokens_per_month = 9\n[limits.models.m]\ntokens_per_day = 5\n"
        );
        let config = Config::parse("t", &text, &env(&[])).unwrap();
        assert_eq!(config.limits.principal.requests_per_minute, Some(60));
        assert_eq!(config.limits.principal.tokens_per_month, Some(9));
        assert_eq!(config.limits.models["m"].tokens_per_day, Some(5));
        assert_eq!(
            config.limits.redis.as_ref().map(Secret::expose),
            Some("redis://cache:6379/0")
        );
        for (bad, named) in [
            ("[limits]\nrequests_per_minut = 1\n", "requests_per_minut"),
            ("[limits]\ntokens_per_day = 0\n", "limits.tokens_per_day"),
            (
                "[limits.models.other]\nrequests_per_minute = 1\n",
                "limits.models.other",
            ),
            ("[limits.models.m]\nrequests = 1\n", "requests"),
            ("[limits]\nredis = \"http://cache\"\n", "limits.redis"),
            (
                "[limits]\nredis = \"redis://:hunter2@cache\"\n",
                "limits.redis",
            ),
        ] {
            let message = error(&format!("{upstream}{bad}"), &[]);
            assert!(message.contains(named), "{bad}: {message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn store_urls_with_passwords_must_be_references() {
        let env: HashMap<String, String> =
            HashMap::from([("DB".into(), "postgres://w:pw@db/warden".into())]);
        let error = resolve_store_url("postgres://w:hunter2@db/warden", &env).unwrap_err();
        assert!(error.to_string().contains("store.url"), "{error}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        let url = resolve_store_url("env:DB", &env).unwrap();
        assert_eq!(url.expose(), "postgres://w:pw@db/warden");
        let plain = resolve_store_url("postgres://warden@db:5432/warden", &env).unwrap();
        assert_eq!(plain.expose(), "postgres://warden@db:5432/warden");
        assert!(resolve_store_url("sqlite://./warden-data/warden.db", &env).is_ok());
    }

    #[test]
    fn literal_secrets_are_refused() {
        let text = "[[upstreams]]\nname = \"a\"\nbase_url = \"https://x.example/v1\"\napi_key = \"sk-literal\"\n";
        let message = error(text, &[]);
        assert!(message.contains("upstreams[0].api_key"), "{message}");
        assert!(message.contains("references"), "{message}");
        assert!(!message.contains("sk-literal"));
    }

    #[test]
    fn missing_secret_names_the_variable() {
        let text = "[[upstreams]]\nname = \"a\"\nbase_url = \"https://x.example/v1\"\napi_key = \"env:NOPE\"\n";
        assert!(error(text, &[]).contains("NOPE"));
    }

    #[test]
    fn secret_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "sk-from-file\n").unwrap();
        let secret = resolve_secret("k", &format!("file:{}", path.display()), &env(&[])).unwrap();
        assert_eq!(secret.expose(), "sk-from-file");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let upstream = |url: &str, danger: bool| {
            format!(
                "[[upstreams]]\nname = \"a\"\nbase_url = \"{url}\"\ndanger_allow_http = {danger}\n"
            )
        };
        assert!(error(&upstream("http://api.example.com/v1", false), &[]).contains("loopback"));
        for ok in [
            "http://127.0.0.1:9/v1",
            "http://localhost/v1",
            "http://[::1]:8/v1",
            "https://api.example.com/v1",
        ] {
            Config::parse("t", &upstream(ok, false), &env(&[])).unwrap();
        }
        Config::parse("t", &upstream("http://api.example.com/v1", true), &env(&[])).unwrap();
        assert!(error(&upstream("ftp://x/v1", false), &[]).contains("scheme"));
        assert!(error(&upstream("https://u:p@x/v1", false), &[]).contains("credentials"));
    }

    #[test]
    fn environment_overrides() {
        let text = "[[upstreams]]\nname = \"a\"\nbase_url = \"https://x.example/v1\"\n";
        let config = Config::parse(
            "t",
            text,
            &env(&[
                ("WARDEN_SERVER__LISTEN", "0.0.0.0:8443"),
                ("WARDEN_UPSTREAMS__0__MODELS", "[\"m1\", \"m2\"]"),
                ("WARDEN_SCAN__OUTPUT__US_SSN", "block"),
                ("WARDEN_STREAM__HOLDBACK_CHARS", "256"),
            ]),
        )
        .unwrap();
        assert_eq!(config.server.listen.to_string(), "0.0.0.0:8443");
        assert_eq!(config.upstreams[0].models, ["m1", "m2"]);
        assert_eq!(config.output.action(&EntityType::UsSsn), Action::Block);
        assert_eq!(config.holdback_chars, 256);
        assert!(error("", &[("WARDEN_SERVER__LISTN", "x")]).contains("listn"));
    }

    #[test]
    fn output_cannot_pseudonymize() {
        assert!(error("[scan.output]\nPERSON = \"pseudonymize\"\n", &[]).contains("input only"));
        assert!(error("[scan.input]\nPERSON = \"shred\"\n", &[]).contains("scan.input.PERSON"));
    }

    #[test]
    fn upstream_models_must_not_overlap() {
        let text = "[[upstreams]]\nname = \"a\"\nbase_url = \"https://a.example/v1\"\nmodels = [\"m\"]\n\
                    [[upstreams]]\nname = \"b\"\nbase_url = \"https://b.example/v1\"\nmodels = [\"m\"]\n";
        assert!(error(text, &[]).contains("also served"));
    }

    #[test]
    fn issuers_refuse_hmac_none_and_plain_http() {
        let issuer = |extra: &str| {
            format!("[[issuers]]\nissuer = \"https://id.example\"\naudience = \"warden\"\n{extra}")
        };
        assert!(
            error(
                &issuer("jwks_url = \"https://id.example/jwks\"\nalgorithms = [\"HS256\"]\n"),
                &[]
            )
            .contains("HMAC")
        );
        assert!(
            error(
                &issuer("jwks_url = \"https://id.example/jwks\"\nalgorithms = [\"none\"]\n"),
                &[]
            )
            .contains("issuers[0].algorithms[0]")
        );
        assert!(error(&issuer("jwks_url = \"http://id.example/jwks\"\n"), &[]).contains("https"));
        assert!(error(&issuer(""), &[]).contains("exactly one"));
        let config = Config::parse(
            "t",
            &issuer("jwks_url = \"http://127.0.0.1:9/jwks\"\n"),
            &env(&[]),
        )
        .unwrap();
        assert_eq!(config.issuers[0].roles_claim, "roles");
    }

    #[test]
    fn suspensions_are_shared_through_the_limits_redis_unless_told_otherwise() {
        let upstream = "[[upstreams]]\nname = \"u\"\nbase_url = \"https://u.example\"\n\
                        models = [\"m\"]\n";
        let config = Config::parse("t", upstream, &env(&[])).unwrap();
        assert!(config.alerts.redis.is_none());
        let limits = format!("{upstream}[limits]\nredis = \"redis://cache:6379/0\"\n");
        let config = Config::parse("t", &limits, &env(&[])).unwrap();
        assert_eq!(
            config.alerts.redis.as_ref().map(Secret::expose),
            Some("redis://cache:6379/0")
        );
        let own = format!("{limits}[alerts]\nredis = \"redis://other:6379/1\"\n");
        let config = Config::parse("t", &own, &env(&[])).unwrap();
        assert_eq!(
            config.alerts.redis.as_ref().map(Secret::expose),
            Some("redis://other:6379/1")
        );
        assert!(error("[alerts]\nredis = \"http://cache\"\n", &[]).contains("alerts.redis"));
        assert!(error("[alerts]\nredis = \"redis://:pw@cache\"\n", &[]).contains("password"));
    }

    #[test]
    fn telemetry_is_off_by_default_and_checked_when_set() {
        let config = Config::parse("t", "", &env(&[])).unwrap();
        assert!(config.telemetry.otlp_endpoint.is_none());
        assert_eq!(config.telemetry.service_name, "warden");
        let text = "[telemetry]\notlp_endpoint = \"http://127.0.0.1:4318\"\n\
                    otlp_headers = { x-api-key = \"env:OTLP_KEY\" }\nsample_ratio = 0.25\n";
        let config = Config::parse("t", text, &env(&[("OTLP_KEY", "k-123")])).unwrap();
        let telemetry = &config.telemetry;
        // A bare collector address gets the traces path; a full one is kept.
        assert_eq!(
            telemetry.otlp_endpoint.as_deref(),
            Some("http://127.0.0.1:4318/v1/traces")
        );
        assert_eq!(telemetry.otlp_headers[0].0, "x-api-key");
        assert_eq!(telemetry.otlp_headers[0].1.expose(), "k-123");
        assert!((telemetry.sample_ratio - 0.25).abs() < f64::EPSILON);
        let full = "[telemetry]\notlp_endpoint = \"https://otel.example/custom/traces\"\n";
        let config = Config::parse("t", full, &env(&[])).unwrap();
        assert_eq!(
            config.telemetry.otlp_endpoint.as_deref(),
            Some("https://otel.example/custom/traces")
        );
        // The override mechanism reaches it too.
        let config = Config::parse(
            "t",
            "",
            &env(&[("WARDEN_TELEMETRY__OTLP_ENDPOINT", "http://10.0.0.5:4318")]),
        )
        .unwrap();
        assert!(config.telemetry.otlp_endpoint.is_some());

        let bad = |body: &str| error(&format!("[telemetry]\n{body}"), &[]);
        assert!(bad("otlp_endpoint = \"grpc://c:4317\"\n").contains("http or https"));
        assert!(bad("otlp_endpoint = \"not a url\"\n").contains("not a URL"));
        assert!(bad("otlp_endpoint = \"https://u:pw@c.example\"\n").contains("password"));
        assert!(bad("sample_ratio = 1.5\n").contains("between 0 and 1"));
        assert!(bad("service_name = \" \"\n").contains("must not be empty"));
        assert!(bad("otlp_headers = { a = \"env:X\" }\n").contains("set otlp_endpoint too"));
        let literal = "otlp_endpoint = \"http://127.0.0.1:4318\"\notlp_headers = { a = \"k\" }\n";
        assert!(bad(literal).contains("references"));
        assert!(bad("endpoint = \"http://127.0.0.1:4318\"\n").contains("unknown field"));
    }

    #[test]
    fn script_tags_cannot_be_allowed() {
        assert!(error("[sanitize]\nallowed_tags = [\"p\", \"script\"]\n", &[]).contains("never"));
    }
}
