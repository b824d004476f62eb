//! The listener: accepts connections (TLS when configured), enforces the header read timeout, and
//! shuts down gracefully.
//!
//! On shutdown the listener closes at once (new connections are refused), idle keep-alive connections
//! are closed, and requests in flight — streams included — run to their end, up to the drain timeout.
//! With TLS, the handshake must finish within the header timeout, and SIGHUP reloads the certificate
//! files (a failed reload keeps the previous ones).

use std::future::Future;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::app::{AppState, app};

/// Serves `state` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    state: Arc<AppState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let header_timeout = state.config.server.header_timeout;
    let drain_timeout = state.config.server.drain_timeout;
    let tls = state.tls.clone();
    spawn_reload_on_sighup(tls.clone(), Arc::clone(&state.policies));
    if let Some(period) = state.jwt.refresh_period() {
        // Issuers' keys are fetched before the first connection is accepted, then periodically.
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        for failure in state.jwt.refresh(&client).await {
            tracing::warn!(error = %failure, "JWKS fetch failed; tokens of that issuer are refused until it succeeds");
        }
        let jwt = Arc::clone(&state.jwt);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                for failure in jwt.refresh(&client).await {
                    tracing::warn!(error = %failure, "JWKS refresh failed; the previous keys stay");
                }
            }
        });
    }
    // Suspensions other replicas recorded in Redis, read into memory (nothing without Redis).
    let follower = state
        .anomalies
        .is_shared()
        .then(|| tokio::spawn(Arc::clone(&state.anomalies).follow()));
    let router = app(state);
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: back off briefly, keep serving.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let routes = router.clone().layer(axum::Extension(crate::app::ClientAddr(peer)));
                let watcher = graceful.watcher();
                let builder = Arc::clone(&builder);
                match &tls {
                    None => {
                        let service = TowerToHyperService::new(routes);
                        let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                        tokio::spawn(watcher.watch(connection));
                    }
                    Some(tls) => {
                        let acceptor = tls.acceptor();
                        tokio::spawn(async move {
                            let handshake = tokio::time::timeout(header_timeout, acceptor.accept(stream)).await;
                            let Ok(Ok(stream)) = handshake else {
                                tracing::debug!("TLS handshake failed or timed out");
                                return;
                            };
                            // The verified client certificate (mTLS), for identification.
                            let cert = stream
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|chain| chain.first())
                                .map(|leaf| Arc::new(crate::tls::ClientCert::from_der(leaf)));
                            let service = TowerToHyperService::new(routes.layer(axum::Extension(cert)));
                            let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                            let _ = watcher.watch(connection).await;
                        });
                    }
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: draining open requests and streams");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("drained"),
        () = tokio::time::sleep(drain_timeout) => tracing::warn!("drain timeout reached; closing open connections"),
    }
    if let Some(follower) = follower {
        follower.abort();
    }
    Ok(())
}

/// Reloads the TLS files and the policy files on every SIGHUP; a failed reload keeps what was in
/// force and logs why (naming the file).
fn spawn_reload_on_sighup(
    tls: Option<Arc<crate::tls::TlsReloader>>,
    policies: Arc<crate::PolicyHolder>,
) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::warn!(
                "cannot listen for SIGHUP: certificates and policies will not be reloaded"
            );
            return;
        };
        while hangups.recv().await.is_some() {
            if let Some(tls) = &tls {
                match tls.reload() {
                    Ok(()) => tracing::info!("TLS certificates reloaded"),
                    Err(error) => {
                        tracing::error!(%error, "TLS reload failed; the previous certificates stay")
                    }
                }
            }
            match policies.reload() {
                Ok(count) => tracing::info!(policies = count, "policies reloaded"),
                Err(error) => {
                    tracing::error!(%error, "policy reload failed; the previous policies stay")
                }
            }
        }
    });
    #[cfg(not(unix))]
    let _ = (tls, policies);
}
