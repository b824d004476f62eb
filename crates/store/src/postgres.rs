//! The PostgreSQL backend: the store many replicas share (SPEC §14). The SQL text is the SQLite
//! backend's (`query.rs`, the migrations); what differs is how writers take turns: SQLite locks
//! the file (`BEGIN IMMEDIATE`), here a transaction-scoped advisory lock serialises migrations and
//! audit appends across every replica, and is released by commit or rollback, even when the
//! process dies.

use std::time::Duration;

use aws_lc_rs::hmac;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::audit::AuditEvent;
use crate::backend::backend_methods;
use crate::error::{Error, Result};

/// Connections per replica.
const POOL_SIZE: u32 = 16;
/// How long a request waits for a pooled connection before it is refused (fail closed, 503).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Advisory-lock keys (arbitrary, fixed): one for migrations, one for the audit chain's tail.
const MIGRATION_LOCK: i64 = 0x5741_5244_454e_0001;
use crate::backend::AUDIT_LOCK;

/// An open PostgreSQL store.
pub(crate) struct Postgres {
    pool: PgPool,
}

impl Postgres {
    /// Connects, migrates, and builds the pool. Fails with the server's address (never the URL's
    /// credentials) when the server cannot be reached.
    pub(crate) async fn open(options: PgConnectOptions, migrate_now: bool) -> Result<Self> {
        let server = describe(&options);
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|source| Error::Connect { server, source })?;
        let store = Self { pool };
        if migrate_now {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Applies pending migrations in one transaction holding the migration advisory lock, so
    /// replicas starting together apply each migration once.
    pub(crate) async fn migrate(&self) -> Result<()> {
        let mut connection = self.pool.acquire().await?;
        let mut transaction = connection.begin().await?;
        advisory_lock(&mut transaction, MIGRATION_LOCK).await?;
        Self::apply_migrations(&mut transaction).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// A transaction holding the advisory lock `lock` (one per resource: every replica writing it
    /// takes turns).
    pub(crate) async fn begin_write(
        &self,
        lock: i64,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut transaction = self.pool.begin().await?;
        advisory_lock(&mut transaction, lock).await?;
        Ok(transaction)
    }

    /// Appends `events` in one transaction that first takes the audit advisory lock (appenders in
    /// every replica take turns on the chain's tail); durable when it returns (the server's
    /// `synchronous_commit`, on by default).
    pub(crate) async fn append_audit(
        &self,
        events: &[AuditEvent],
        key: &hmac::Key,
    ) -> Result<Vec<i64>> {
        let mut connection = self.pool.acquire().await?;
        let mut transaction = connection.begin().await?;
        advisory_lock(&mut transaction, AUDIT_LOCK).await?;
        let seqs = Self::insert_audit(&mut transaction, events, key).await?;
        transaction.commit().await?;
        Ok(seqs)
    }

    backend_methods!(sqlx::Postgres);
    crate::privacy::privacy_methods!(sqlx::Postgres);
}

/// Takes a transaction-scoped advisory lock: held until commit or rollback (or the connection's
/// end), waited for by every other replica asking for the same key.
async fn advisory_lock(
    transaction: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    key: i64,
) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// `host:port/database` for messages; never the user or password.
pub(crate) fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default database)")
    )
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn descriptions_never_carry_credentials() {
        let options =
            PgConnectOptions::from_str("postgres://warden:hunter2@db.internal:6432/audit").unwrap();
        let shown = describe(&options);
        assert_eq!(shown, "db.internal:6432/audit");
    }
}
