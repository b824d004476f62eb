//! The Redis connection of a shared feature (rate limits, anomaly detection): a client for the
//! configured URL and one self-reconnecting connection manager, opened on first use, so a Redis
//! that is down at start makes requests wait for it (and fail as each feature decides) instead of
//! stopping the server.

use std::time::Duration;

use crate::config::Secret;
use crate::limits::RedisUrlError;

/// A Redis client and its lazily opened connection.
pub(crate) struct RedisLink {
    client: redis::Client,
    connection: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("RedisLink").finish_non_exhaustive()
    }
}

/// Why a Redis call failed: never the URL (it may carry a password), a key or a payload.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LinkError {
    /// No answer within the time allowed.
    #[error("Redis did not answer in time")]
    Timeout,
    /// Redis answered with an error, or the connection failed.
    #[error("Redis error ({0:?})")]
    Redis(redis::ErrorKind),
}

impl RedisLink {
    /// A link to `url`, the value of configuration key `key` (named in the error).
    pub(crate) fn open(key: &'static str, url: &Secret) -> Result<RedisLink, RedisUrlError> {
        let client = redis::Client::open(url.expose()).map_err(|e| RedisUrlError {
            key,
            kind: format!("{:?}", e.kind()),
        })?;
        Ok(RedisLink {
            client,
            connection: tokio::sync::OnceCell::new(),
        })
    }

    /// The connection, opened on first use within `timeout` (and reopened by the manager).
    pub(crate) async fn connection(
        &self,
        timeout: Duration,
    ) -> Result<redis::aio::ConnectionManager, LinkError> {
        let manager = tokio::time::timeout(
            timeout,
            self.connection
                .get_or_try_init(|| redis::aio::ConnectionManager::new(self.client.clone())),
        )
        .await
        .map_err(|_| LinkError::Timeout)?
        .map_err(|e| LinkError::Redis(e.kind()))?;
        Ok(manager.clone())
    }
}

/// `future` (a Redis call) within `timeout`.
pub(crate) async fn timed<T>(
    timeout: Duration,
    future: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, LinkError> {
    tokio::time::timeout(timeout, future)
        .await
        .map_err(|_| LinkError::Timeout)?
        .map_err(|e| LinkError::Redis(e.kind()))
}
