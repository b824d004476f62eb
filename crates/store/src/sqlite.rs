//! The SQLite backend: one database file, WAL mode (readers never wait for the writer, and other
//! processes' commits are visible to the next query), a small connection pool.

use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use aws_lc_rs::hmac;

use crate::audit::AuditEvent;
use crate::backend::backend_methods;
use crate::error::{Error, Result};

/// How long a statement waits for another connection's write lock (in this or another process).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections in the pool: WAL readers run in parallel, so a few cover many concurrent requests;
/// each connection is a worker thread in sqlx.
const POOL_SIZE: u32 = 8;
/// The pause between attempts to switch a new database to WAL mode.
const WAL_RETRY_PAUSE: Duration = Duration::from_millis(20);
/// SQLite's primary result codes for "another connection holds the lock".
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;

/// An open SQLite store.
pub(crate) struct Sqlite {
    pool: SqlitePool,
}

impl Sqlite {
    /// Opens (creating if missing) the database, migrates it when `migrate_now`, and builds the
    /// pool.
    pub(crate) async fn open(options: SqliteConnectOptions, migrate_now: bool) -> Result<Self> {
        let path = options.get_filename().to_owned();
        let open_error = |source| Error::Open {
            path: path.clone(),
            source,
        };
        // FULL: a commit (a revocation) survives power loss, not just a crash; key writes are
        // rare, reads do not sync.
        let options = options
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let mut connection = connect_in_wal_mode(&options).await.map_err(open_error)?;
        if migrate_now {
            migrate(&mut connection).await?;
        }
        connection.close().await?;
        // WAL mode is a property of the file now, so pooled connections need not set it (setting
        // it takes a lock that the busy timeout cannot wait for).
        // No ping before each acquire: the database is a local file, sqlx already pings every
        // connection when it returns to the pool, and the extra round trip to the connection's
        // thread doubled the cost of a lookup (55 -> 30 µs measured).
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        Ok(Self { pool })
    }

    pub(crate) async fn migrate(&self) -> Result<()> {
        let mut connection = self.pool.acquire().await?;
        migrate(&mut connection).await
    }

    /// A transaction holding the database's write lock from its start (`BEGIN IMMEDIATE`): writers
    /// in this and other processes take turns. `_lock` names the resource on backends with finer
    /// locks.
    pub(crate) async fn begin_write(
        &self,
        _lock: i64,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Appends `events` to the chain in one transaction that holds the write lock from its start
    /// (so appenders in other processes take turns); returns their sequence numbers. Durable when it
    /// returns (synchronous = FULL).
    pub(crate) async fn append_audit(
        &self,
        events: &[AuditEvent],
        key: &hmac::Key,
    ) -> Result<Vec<i64>> {
        let mut connection = self.pool.acquire().await?;
        let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
        let seqs = Self::insert_audit(&mut transaction, events, key).await?;
        transaction.commit().await?;
        Ok(seqs)
    }

    backend_methods!(sqlx::Sqlite);
    crate::privacy::privacy_methods!(sqlx::Sqlite);
}

/// A connection with the file in WAL mode. Switching a new file to WAL needs an exclusive lock that
/// SQLite's busy timeout does not wait for, so when several processes create the database at once
/// the losers retry for as long as the busy timeout would have waited.
async fn connect_in_wal_mode(
    options: &SqliteConnectOptions,
) -> Result<SqliteConnection, sqlx::Error> {
    let options = options.clone().journal_mode(SqliteJournalMode::Wal);
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match options.connect().await {
            Err(error) if is_lock_conflict(&error) && Instant::now() < deadline => {
                tokio::time::sleep(WAL_RETRY_PAUSE).await;
            }
            outcome => return outcome,
        }
    }
}

fn is_lock_conflict(error: &sqlx::Error) -> bool {
    let code = error
        .as_database_error()
        .and_then(|error| error.code())
        .and_then(|code| code.parse::<i32>().ok());
    // Extended result codes keep the primary code in the low byte.
    code.is_some_and(|code| matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED))
}

/// Applies pending migrations in one transaction that holds the write lock from its first
/// statement (`BEGIN IMMEDIATE`), so concurrent openers take turns and the second finds nothing
/// left to do.
async fn migrate(connection: &mut SqliteConnection) -> Result<()> {
    let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
    Sqlite::apply_migrations(&mut transaction).await?;
    transaction.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_lock_while_switching_to_wal_is_a_lock_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("lock.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Delete);
        let mut holder = options.connect().await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (x INTEGER); BEGIN; SELECT * FROM t;")
            .execute(&mut holder)
            .await
            .unwrap();
        // A reader holds the file in rollback-journal mode: the switch cannot get its lock.
        let error = options
            .clone()
            .busy_timeout(Duration::ZERO)
            .journal_mode(SqliteJournalMode::Wal)
            .connect()
            .await
            .unwrap_err();
        assert!(is_lock_conflict(&error), "{error}");
        assert!(!is_lock_conflict(&sqlx::Error::RowNotFound));
    }
}
