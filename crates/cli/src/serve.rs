//! `warden serve`: the gateway, with the store as its key authenticator.
//!
//! Without `--config` the defaults of SPEC §10/§12 apply: 127.0.0.1:8080, SQLite under
//! `./warden-data/`, one upstream from `WARDEN_UPSTREAM_URL` with its key from
//! `WARDEN_UPSTREAM_API_KEY`. The first line on standard output is `listening on http://ADDR`
//! (or `https://` with `[server] tls`; useful with `--listen 127.0.0.1:0`); logs are JSON lines on standard error, level from
//! `WARDEN_LOG` (default `info`). SIGINT or SIGTERM starts a graceful shutdown that drains open
//! streams.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use warden_gateway::config::Rates;
use warden_gateway::identity::{Authentication, Authenticator, BoxFuture, Principal};
use warden_gateway::{
    Config, ConversationRecord, ConversationSink, ProcessEnvironment, Recorder, RequestRecord,
    build_state, serve,
};
use warden_store::{AUDIT_FORMAT_VERSION, AuditEvent, NewConversation, Store, Timestamp};

/// Options of `warden serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The configuration file (warden.toml); without it the defaults apply.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on (overrides `[server] listen`).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// The data directory (SQLite database, key pepper).
    #[arg(long, value_name = "DIR", default_value = warden_gateway::config::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(args.config.as_deref(), &ProcessEnvironment)
        .context("loading the configuration")?;
    if let Some(listen) = &args.listen {
        config.server.listen = listen
            .parse::<SocketAddr>()
            .with_context(|| format!("--listen {listen}: not an address like 127.0.0.1:8080"))?;
    }
    let telemetry = crate::telemetry::init(&config.telemetry)?;
    let served = serve_loaded(&args, config);
    // After the runtime is gone: the exporter's last batch goes out on its own thread.
    telemetry.shutdown();
    served
}

fn serve_loaded(args: &ServeArgs, config: Config) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let options = crate::store_options::options(
            &args.data_dir,
            config.store_url.as_ref(),
            config.store_keyring_url.as_ref(),
            config.master_key.as_ref(),
        )?;
        let store = Store::open(options)
            .await
            .with_context(|| format!("opening the store in {}", args.data_dir.display()))?;
        crate::keys::warn_new_master_key(&store);
        let listen = config.server.listen;
        let scheme = if config.server.tls.is_some() { "https" } else { "http" };
        let mut state = build_state(config, Arc::new(StoreAuthenticator(store.clone())))
            .context("building the gateway")?;
        // Audit on (SPEC §12): every API request is recorded in the store's hash chain before it
        // is answered.
        state.recorder = Arc::new(StoreRecorder(store.clone()));
        // The admin API (`/admin/...`) works on the same store.
        state.admin = Some(Arc::new(crate::admin::StoreAdmin(store.clone())));
        // Data subjects' consent and opt-outs.
        state.subjects = Some(Arc::new(crate::admin::StoreSubjects(store.clone())));
        // Incidents (blocked leaks in answers) for breach notification.
        state.incidents = Some(Arc::new(crate::admin::StoreIncidents(store.clone())));
        // Conversations (off by default): sealed under the subject's data key, purged past their
        // retention by a background task (hourly, and once at start).
        let retention =
            Duration::from_secs(u64::from(state.config.retention_conversations_days) * 86_400);
        if state.config.store_conversations {
            state.conversations = Some(Arc::new(StoreConversations {
                store: store.clone(),
                retention,
            }));
        }
        let purger = tokio::spawn(housekeeping(
            store.clone(),
            state.config.retention_audit_days,
        ));
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let local = listener.local_addr().context("reading the listening address")?;
        if !local.ip().is_loopback() && scheme == "http" {
            tracing::warn!(address = %local, "listening beyond loopback without TLS: put a TLS terminator in front");
        }
        let _ = writeln!(std::io::stdout(), "listening on {scheme}://{local}");
        let _ = std::io::stdout().flush();
        tracing::info!(address = %local, "warden is serving");
        serve(Arc::new(state), listener, shutdown_signal())
            .await
            .context("serving")?;
        purger.abort();
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// How often the housekeeping runs (and once at start).
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3_600);

/// Retention and integrity, now and then every [`HOUSEKEEPING_EVERY`]: deletes conversations past
/// their retention (whether or not conversations are kept now: rows kept under an earlier
/// configuration still expire), purges the head of the audit trail past `audit_days` (leaving a
/// signed checkpoint), and verifies the chain: a break is an incident (one per first bad event),
/// and the gateway keeps serving.
async fn housekeeping(store: Store, audit_days: u32) {
    let mut every = tokio::time::interval(HOUSEKEEPING_EVERY);
    loop {
        every.tick().await;
        let now = Timestamp::now();
        match store.purge_conversations(now).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired conversations purged"),
            Err(error) => tracing::error!(%error, "purging expired conversations failed"),
        }
        let retention = Duration::from_secs(u64::from(audit_days) * 86_400);
        let before = now.saturating_sub(retention);
        match store.purge_audit(before, now).await {
            Ok(purge) if purge.deleted > 0 => {
                tracing::info!(deleted = purge.deleted, checkpoint = ?purge.checkpoint_seq, "audit events past retention purged");
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "purging the audit trail failed"),
        }
        crate::audit::verify_and_report(&store, now).await;
    }
}

/// The store as the gateway's conversation sink.
struct StoreConversations {
    store: Store,
    retention: Duration,
}

impl ConversationSink for StoreConversations {
    fn save(&self, conversation: ConversationRecord) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let new = NewConversation {
                subject: conversation.subject,
                principal: conversation.principal,
                request_id: conversation.request_id,
                model: conversation.model,
                prompt: conversation.prompt,
                answer: conversation.answer,
            };
            self.store
                .save_conversation(new, Timestamp::now(), Some(self.retention))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}

/// The store as the gateway's key authenticator.
struct StoreAuthenticator(Store);

impl Authenticator for StoreAuthenticator {
    fn authenticate<'a>(
        &'a self,
        key: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Authentication, String>> {
        Box::pin(async move {
            let outcome = self
                .0
                .authenticate(key, Timestamp::from(now))
                .await
                .map_err(|e| e.to_string())?;
            Ok(match outcome {
                warden_store::Authentication::Valid(record) => Authentication::Valid(Principal {
                    id: record.id.as_str().to_owned(),
                    name: record.name,
                    roles: record.roles.iter().map(|r| r.as_str().to_owned()).collect(),
                    allowed_models: record.allowed_models,
                    limits: Rates {
                        requests_per_minute: record.limits.requests_per_minute,
                        tokens_per_minute: record.limits.tokens_per_minute,
                        tokens_per_day: record.limits.tokens_per_day,
                        tokens_per_month: None,
                    },
                    mfa: false,
                }),
                warden_store::Authentication::Unknown => Authentication::Unknown,
                warden_store::Authentication::Revoked => Authentication::Revoked,
                warden_store::Authentication::Expired => Authentication::Expired,
                // Future outcomes of the store are refusals too.
                _ => Authentication::Malformed,
            })
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.0.list_keys().await.is_ok() })
    }
}

/// The store's audit trail as the gateway's recorder.
struct StoreRecorder(Store);

impl Recorder for StoreRecorder {
    fn record<'a>(&'a self, record: &'a RequestRecord) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let action = record.action.unwrap_or(match record.route.as_str() {
                "/v1/chat/completions" => "chat",
                "/v1/embeddings" => "embed",
                "/v1/models" => "models",
                "/v1/scan" | "/v1/redact" => "scan",
                _ => "other",
            });
            let counts = |tally: &std::collections::BTreeMap<String, usize>| {
                tally.iter().map(|(k, v)| (k.clone(), *v as u64)).collect()
            };
            let event = AuditEvent {
                v: AUDIT_FORMAT_VERSION,
                time_ms: Timestamp::from(record.time).unix_millis(),
                request_id: record.request_id.clone(),
                principal: record.principal.clone(),
                subject: record
                    .subject
                    .as_deref()
                    .map(|subject| self.0.subject_ref(subject)),
                action: action.to_owned(),
                route: Some(record.route.clone()),
                model: record.model.clone(),
                upstream: record.upstream.clone(),
                decision: record.decision.as_str().to_owned(),
                // A refusal's code, or what an allowed admin action acted on (a key id).
                reason: record
                    .reason
                    .map(str::to_owned)
                    .or_else(|| record.target.clone()),
                status: record.status,
                entities_in: counts(&record.found_in),
                entities_out: counts(&record.found_out),
                latency_us: u64::try_from(record.latency.as_micros()).unwrap_or(u64::MAX),
            };
            self.0
                .append_audit(event)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
