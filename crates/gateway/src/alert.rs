//! The alert webhook (`[alerts] webhook_url`): each alert is POSTed as JSON, signed with
//! HMAC-SHA256 under `webhook_secret`, and retried with exponential backoff and full jitter until
//! the receiver answers 2xx (at most [`ATTEMPTS`] tries, in the background: a slow receiver never
//! delays a request).
//!
//! Headers: `X-Warden-Timestamp` (unix seconds) and `X-Warden-Signature: sha256=<hex>` where the MAC
//! covers `timestamp + "." + body`, so a receiver can reject replays of old bodies. Bodies hold ids,
//! kinds, counts and times — never payload text or keys.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use serde_json::Value;

use crate::config::AlertsConfig;

/// Deliveries tried per alert.
pub const ATTEMPTS: u32 = 6;
/// The first retry waits up to this; the bound doubles each time (full jitter), capped at
/// [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between deliveries.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Sends alerts to the webhook.
pub struct Alerter {
    url: String,
    key: hmac::Key,
    client: reqwest::Client,
}

impl std::fmt::Debug for Alerter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Alerter").finish_non_exhaustive()
    }
}

impl Alerter {
    /// An alerter for the configured webhook; `None` without one.
    pub fn new(config: &AlertsConfig) -> Option<Arc<Alerter>> {
        let url = config.webhook_url.clone()?;
        let secret = config.webhook_secret.as_ref()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok()?;
        Some(Arc::new(Alerter {
            url,
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes()),
            client,
        }))
    }

    /// Delivers `alert` in the background, with retries.
    pub fn send(self: &Arc<Self>, alert: Value) {
        let alerter = Arc::clone(self);
        tokio::spawn(async move { alerter.deliver(&alert).await });
    }

    /// Delivers `alert`; whether the receiver took it.
    pub async fn deliver(&self, alert: &Value) -> bool {
        let body = alert.to_string();
        for attempt in 1..=ATTEMPTS {
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                .to_string();
            let signature = signature(&self.key, &timestamp, &body);
            let outcome = self
                .client
                .post(&self.url)
                .header("content-type", "application/json")
                .header("x-warden-timestamp", &timestamp)
                .header("x-warden-signature", format!("sha256={signature}"))
                .body(body.clone())
                .send()
                .await;
            match outcome {
                Ok(response) if response.status().is_success() => return true,
                Ok(response) => {
                    tracing::warn!(
                        attempt,
                        status = response.status().as_u16(),
                        "alert webhook refused the alert"
                    );
                }
                Err(_) => tracing::warn!(attempt, "alert webhook unreachable"),
            }
            if attempt < ATTEMPTS {
                let wait = crate::upstream::full_jitter(FIRST_BACKOFF, attempt - 1);
                tokio::time::sleep(wait.min(MAX_BACKOFF)).await;
            }
        }
        tracing::error!("alert not delivered after {ATTEMPTS} attempts");
        false
    }
}

/// Hex HMAC-SHA256 of `timestamp.body`.
pub fn signature(key: &hmac::Key, timestamp: &str, body: &str) -> String {
    let mut context = hmac::Context::with_key(key);
    context.update(timestamp.as_bytes());
    context.update(b".");
    context.update(body.as_bytes());
    hex::encode(context.sign().as_ref())
}
