//! `warden-mock`: the mock OpenAI upstream as a process, for the Python SDK suite and the load
//! benchmark. Prints `listening on http://ADDR` as its first line on stdout, then serves until
//! SIGTERM or Ctrl-C. Nothing is logged per request.

#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use axum::serve::ListenerExt;
use clap::Parser;
use tokio::net::TcpListener;
use warden_testkit::{DEFAULT_RECORD_LIMIT, MockUpstream};

/// A mock OpenAI upstream (chat completions, embeddings, models) with a control API under /_mock.
#[derive(Debug, Parser)]
#[command(name = "warden-mock", version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed on the first line).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Accept only this bearer token (otherwise any non-empty token).
    #[arg(long, env = "WARDEN_MOCK_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Model ids listed by GET /v1/models, comma-separated.
    #[arg(long, value_delimiter = ',')]
    models: Option<Vec<String>>,
    /// Print the address line (it is always printed; accepted so scripts can ask for it).
    #[arg(long)]
    print_addr: bool,
    /// Keep at most this many recorded requests (the latest).
    #[arg(long, default_value_t = DEFAULT_RECORD_LIMIT)]
    max_recorded: usize,
    /// Record nothing (for load benchmarks).
    #[arg(long)]
    no_record: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut builder =
        MockUpstream::builder().record_limit(if args.no_record { 0 } else { args.max_recorded });
    if let Some(api_key) = args.api_key {
        builder = builder.api_key(api_key);
    }
    if let Some(models) = args.models {
        builder = builder.models(models);
    }
    let state = builder.into_state();

    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}").context("writing the address line")?;
    stdout.flush().context("writing the address line")?;
    drop(stdout);

    tokio::spawn({
        let state = state.clone();
        async move {
            stop_requested().await;
            state.begin_shutdown();
        }
    });
    let stopping = state.clone();
    axum::serve(
        listener.tap_io(|tcp| {
            // Frames go out as written, like a real provider's token stream (no Nagle delay).
            let _ = tcp.set_nodelay(true);
        }),
        MockUpstream::router(state),
    )
    .with_graceful_shutdown(async move { stopping.shutdown_signal().await })
    .await
    .context("serving")
}

/// SIGTERM or Ctrl-C. If a handler cannot be installed, that signal is simply not awaited.
async fn stop_requested() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
