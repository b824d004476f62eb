//! The SQLite backend: one database file, WAL mode (readers never wait for the writer, and other
//! processes' commits are visible to the next query), a small connection pool.

use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};

use aws_lc_rs::hmac;

use crate::audit::{AuditEvent, GENESIS_MAC, chain_mac};
use crate::error::{Error, Result};
use crate::migration::{self, CREATE_SCHEMA_TABLE, INSERT_APPLIED, SELECT_APPLIED};
use crate::query::{
    HashedKeyRow, INSERT_KEY, KEY_BY_HASH, KEY_REVOKED_AT, KeyParams, KeyRow, LIST_KEYS, REVOKE_KEY,
};
use crate::record::{KeyId, KeyRecord, RevokeOutcome};
use crate::timestamp::Timestamp;

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
    /// Opens (creating if missing) the database, migrates it, and builds the pool.
    pub(crate) async fn open(options: SqliteConnectOptions) -> Result<Self> {
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
        migrate(&mut connection).await?;
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

    pub(crate) async fn insert_key(&self, record: &KeyRecord, key_hash: &str) -> Result<()> {
        let params = KeyParams::of(record)?;
        sqlx::query(INSERT_KEY)
            .bind(params.id)
            .bind(key_hash.to_owned())
            .bind(params.name)
            .bind(params.roles)
            .bind(params.allowed_models)
            .bind(params.requests_per_minute)
            .bind(params.tokens_per_minute)
            .bind(params.tokens_per_day)
            .bind(params.created_at)
            .bind(params.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn key_by_hash(&self, key_hash: &str) -> Result<Option<HashedKeyRow>> {
        let row = sqlx::query_as::<_, HashedKeyRow>(KEY_BY_HASH)
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    pub(crate) async fn list_keys(&self) -> Result<Vec<KeyRecord>> {
        let rows = sqlx::query_as::<_, KeyRow>(LIST_KEYS)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(KeyRow::into_record).collect()
    }

    pub(crate) async fn revoke_key(&self, id: &KeyId, now: Timestamp) -> Result<RevokeOutcome> {
        let updated = sqlx::query(REVOKE_KEY)
            .bind(now.unix_millis())
            .bind(id.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() > 0 {
            return Ok(RevokeOutcome::Revoked { at: now });
        }
        let revoked_at: Option<Option<i64>> = sqlx::query_scalar(KEY_REVOKED_AT)
            .bind(id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        match revoked_at {
            None => Err(Error::NotFound(id.clone())),
            Some(Some(millis)) => Ok(RevokeOutcome::AlreadyRevoked {
                at: Timestamp::from_unix_millis(millis),
            }),
            // The update skipped a row that is not revoked: only a bad row can do that.
            Some(None) => Err(Error::Corrupt {
                id: id.to_string(),
                field: "revoked_at",
            }),
        }
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
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
        let last = sqlx::query(AUDIT_LAST)
            .fetch_optional(&mut *transaction)
            .await?
            .map(|row| -> std::result::Result<(i64, String), sqlx::Error> {
                Ok((row.try_get("seq")?, row.try_get("mac")?))
            })
            .transpose()?;
        let (mut seq, mut previous) = last.unwrap_or((0, GENESIS_MAC.to_owned()));
        let mut seqs = Vec::with_capacity(events.len());
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            seq += 1;
            let json = event.canonical();
            let mac = chain_mac(key, seq, &previous, &json);
            previous.clone_from(&mac);
            rows.push((seq, event.time_ms, json, mac));
            seqs.push(seq);
        }
        // One statement per batch: a round trip to SQLite's thread per event would dominate.
        for chunk in rows.chunks(AUDIT_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO audit_events (seq, time_ms, event, mac) ",
            );
            insert.push_values(chunk, |mut row, (seq, time_ms, json, mac)| {
                row.push_bind(*seq)
                    .push_bind(*time_ms)
                    .push_bind(json.as_str())
                    .push_bind(mac.as_str());
            });
            insert.build().execute(&mut *transaction).await?;
        }
        transaction.commit().await?;
        Ok(seqs)
    }

    /// Up to `limit` audit rows after `after_seq`, in `seq` order, with times in `[since, until)`.
    pub(crate) async fn audit_page(
        &self,
        after_seq: i64,
        since_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        // Without a time filter, walk the primary key (the time index would need a sort).
        let rows = if since_ms == i64::MIN && until_ms == i64::MAX {
            sqlx::query(AUDIT_PAGE_ALL)
                .bind(after_seq)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
        } else {
            sqlx::query(AUDIT_PAGE)
                .bind(after_seq)
                .bind(since_ms)
                .bind(until_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
        };
        rows.iter()
            .map(|row| {
                Ok(AuditRow {
                    seq: row.try_get("seq")?,
                    event: row.try_get("event")?,
                    mac: row.try_get("mac")?,
                })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(Error::from)
    }
}

/// One stored audit row.
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) event: String,
    pub(crate) mac: String,
}

const AUDIT_LAST: &str = "SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1";
/// Rows per multi-row INSERT (4 parameters each, well under SQLite's limit).
const AUDIT_ROWS_PER_INSERT: usize = 256;
const AUDIT_PAGE_ALL: &str =
    "SELECT seq, event, mac FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2";
const AUDIT_PAGE: &str = "SELECT seq, event, mac FROM audit_events \
     WHERE seq > $1 AND time_ms >= $2 AND time_ms < $3 ORDER BY seq LIMIT $4";

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
    sqlx::raw_sql(CREATE_SCHEMA_TABLE)
        .execute(&mut *transaction)
        .await?;
    let applied = sqlx::query(SELECT_APPLIED)
        .fetch_all(&mut *transaction)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("version")?, row.try_get("checksum")?)))
        .collect::<Result<Vec<(i64, String)>, sqlx::Error>>()?;
    for pending in migration::pending(&applied)? {
        sqlx::raw_sql(pending.sql)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(INSERT_APPLIED)
            .bind(pending.version)
            .bind(pending.name)
            .bind(pending.checksum())
            .bind(Timestamp::now().unix_millis())
            .execute(&mut *transaction)
            .await?;
    }
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
