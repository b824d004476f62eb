//! What the SQL backends share: the statements (`query.rs`) and the methods that run them, written
//! once as a macro over the sqlx database type. A macro rather than generic functions: sqlx's
//! generic executor bounds (`Encode + Type` per bound type, `IntoArguments`, higher-ranked
//! lifetimes) would outweigh the code they save, and each backend still reads as plain methods.
//!
//! A backend is a struct with a `pool: sqlx::Pool<DB>` field; `backend_methods!(DB)` inside its
//! `impl` adds the key, audit-page and transaction-body methods. What differs between backends —
//! how a writer takes the lock before migrating or appending — stays in each backend's file.

use aws_lc_rs::hmac;

use crate::audit::{AuditEvent, GENESIS_MAC, chain_mac};
use crate::error::{Error, Result};
use crate::record::{KeyId, RevokeOutcome};
use crate::timestamp::Timestamp;

/// The last audit row (its `seq` and `mac`), read under the writer's lock.
pub(crate) const AUDIT_LAST: &str = "SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1";
/// Binds: after_seq, limit.
pub(crate) const AUDIT_PAGE_ALL: &str =
    "SELECT seq, event, mac FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2";
/// Binds: after_seq, since_ms, until_ms, limit.
pub(crate) const AUDIT_PAGE: &str = "SELECT seq, event, mac FROM audit_events \
     WHERE seq > $1 AND time_ms >= $2 AND time_ms < $3 ORDER BY seq LIMIT $4";
/// Rows per multi-row INSERT (4 parameters each: well under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters).
pub(crate) const AUDIT_ROWS_PER_INSERT: usize = 256;

/// The lock key appenders and purgers of the audit chain take (PostgreSQL advisory lock).
pub(crate) const AUDIT_LOCK: i64 = 0x5741_5244_454e_0002;
/// The lock key writers of the keyring take (PostgreSQL advisory lock; SQLite locks the file).
pub(crate) const KEYRING_LOCK: i64 = 0x5741_5244_454e_0003;

/// A stored conversation row, still sealed.
pub(crate) struct ConversationRow {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) principal: Option<String>,
    pub(crate) request_id: String,
    pub(crate) model: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) body: String,
}

/// One stored audit row.
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) event: String,
    pub(crate) mac: String,
}

/// One row to insert: seq, time_ms, canonical JSON, mac.
pub(crate) type ChainedRow = (i64, i64, String, String);

/// Chains `events` after `last` (the tail's `seq` and `mac`, `None` for an empty chain): their
/// sequence numbers and the rows to insert.
pub(crate) fn chain(
    events: &[AuditEvent],
    key: &hmac::Key,
    last: Option<(i64, String)>,
) -> (Vec<i64>, Vec<ChainedRow>) {
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
    (seqs, rows)
}

/// What a revocation that changed no row means, given the key's stored `revoked_at` (`None`: no
/// such key).
pub(crate) fn revoke_outcome(id: &KeyId, revoked_at: Option<Option<i64>>) -> Result<RevokeOutcome> {
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

/// The methods every backend shares; `$db` is the sqlx database type (`sqlx::Sqlite`,
/// `sqlx::Postgres`).
macro_rules! backend_methods {
    ($db:ty) => {
        pub(crate) async fn insert_key(
            &self,
            record: &$crate::record::KeyRecord,
            key_hash: &str,
        ) -> $crate::error::Result<()> {
            let params = $crate::query::KeyParams::of(record)?;
            sqlx::query($crate::query::INSERT_KEY)
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

        pub(crate) async fn key_by_hash(
            &self,
            key_hash: &str,
        ) -> $crate::error::Result<Option<$crate::query::HashedKeyRow>> {
            let row = sqlx::query_as::<_, $crate::query::HashedKeyRow>($crate::query::KEY_BY_HASH)
                .bind(key_hash)
                .fetch_optional(&self.pool)
                .await?;
            Ok(row)
        }

        pub(crate) async fn list_keys(
            &self,
        ) -> $crate::error::Result<Vec<$crate::record::KeyRecord>> {
            let rows = sqlx::query_as::<_, $crate::query::KeyRow>($crate::query::LIST_KEYS)
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter()
                .map($crate::query::KeyRow::into_record)
                .collect()
        }

        pub(crate) async fn revoke_key(
            &self,
            id: &$crate::record::KeyId,
            now: $crate::timestamp::Timestamp,
        ) -> $crate::error::Result<$crate::record::RevokeOutcome> {
            let updated = sqlx::query($crate::query::REVOKE_KEY)
                .bind(now.unix_millis())
                .bind(id.as_str().to_owned())
                .execute(&self.pool)
                .await?;
            if updated.rows_affected() > 0 {
                return Ok($crate::record::RevokeOutcome::Revoked { at: now });
            }
            let revoked_at: Option<Option<i64>> = sqlx::query_scalar($crate::query::KEY_REVOKED_AT)
                .bind(id.as_str().to_owned())
                .fetch_optional(&self.pool)
                .await?;
            $crate::backend::revoke_outcome(id, revoked_at)
        }

        /// The highest migration applied.
        pub(crate) async fn schema_version(&self) -> $crate::error::Result<i64> {
            let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM warden_schema")
                .fetch_one(&self.pool)
                .await?;
            Ok(version.unwrap_or(0))
        }

        pub(crate) async fn close(&self) {
            self.pool.close().await;
        }

        /// Up to `limit` audit rows after `after_seq`, in `seq` order, with times in
        /// `[since, until)`.
        pub(crate) async fn audit_page(
            &self,
            after_seq: i64,
            since_ms: i64,
            until_ms: i64,
            limit: i64,
        ) -> $crate::error::Result<Vec<$crate::backend::AuditRow>> {
            // Without a time filter, walk the primary key (the time index would need a sort).
            let rows = if since_ms == i64::MIN && until_ms == i64::MAX {
                sqlx::query($crate::backend::AUDIT_PAGE_ALL)
                    .bind(after_seq)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            } else {
                sqlx::query($crate::backend::AUDIT_PAGE)
                    .bind(after_seq)
                    .bind(since_ms)
                    .bind(until_ms)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            };
            Self::audit_rows(&rows)
        }

        /// `seq, event, mac` rows as [`AuditRow`]s.
        pub(crate) fn audit_rows(
            rows: &[<$db as sqlx::Database>::Row],
        ) -> $crate::error::Result<Vec<$crate::backend::AuditRow>> {
            use sqlx::Row as _;
            rows.iter()
                .map(|row| {
                    Ok($crate::backend::AuditRow {
                        seq: row.try_get("seq")?,
                        event: row.try_get("event")?,
                        mac: row.try_get("mac")?,
                    })
                })
                .collect::<std::result::Result<_, sqlx::Error>>()
                .map_err($crate::error::Error::from)
        }

        /// The keyring's `(kek_id, check_value)`; `None` for a new keyring. Read before migrating
        /// (to refuse a wrong master key before touching anything), so a missing table is `None`.
        pub(crate) async fn keyring_meta(
            &self,
        ) -> $crate::error::Result<Option<(String, String)>> {
            use sqlx::Row as _;
            let row = match sqlx::query("SELECT kek_id, check_value FROM keyring_meta WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
            {
                Ok(row) => row,
                // A database this build has not migrated yet: no keyring.
                Err(sqlx::Error::Database(_)) => None,
                Err(error) => return Err(error.into()),
            };
            row.map(|row| Ok((row.try_get("kek_id")?, row.try_get("check_value")?)))
                .transpose()
                .map_err(|error: sqlx::Error| error.into())
        }

        /// Records the master key's id and check value in a new keyring; a keyring that another
        /// opener initialised meanwhile is kept (the caller reads it back).
        pub(crate) async fn init_keyring_meta(
            &self,
            kek_id: &str,
            check_value: &str,
            now: i64,
        ) -> $crate::error::Result<()> {
            let mut transaction = self.begin_write($crate::backend::KEYRING_LOCK).await?;
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM keyring_meta WHERE id = 1")
                .fetch_optional(&mut *transaction)
                .await?;
            if existing.is_none() {
                sqlx::query(
                    "INSERT INTO keyring_meta (id, kek_id, check_value, created_at) \
                     VALUES (1, $1, $2, $3)",
                )
                .bind(kek_id)
                .bind(check_value)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
            Ok(())
        }

        /// A subject's wrapped data key and the master key id it is wrapped under.
        pub(crate) async fn subject_key(
            &self,
            subject: &str,
        ) -> $crate::error::Result<Option<(String, String)>> {
            use sqlx::Row as _;
            let row = sqlx::query("SELECT wrapped_key, kek_id FROM subject_keys WHERE subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?;
            row.map(|row| Ok((row.try_get("wrapped_key")?, row.try_get("kek_id")?)))
                .transpose()
                .map_err(|error: sqlx::Error| error.into())
        }

        /// Stores a new subject's wrapped data key unless one exists (another request made it
        /// first), under the keyring lock, and only if the keyring is still under `kek_id` (a
        /// rotation by another process makes this process's master key stale: refused). Returns
        /// the wrapped key that is stored now.
        pub(crate) async fn insert_subject_key(
            &self,
            subject: &str,
            wrapped: &str,
            kek_id: &str,
            now: i64,
        ) -> $crate::error::Result<String> {
            let mut transaction = self.begin_write($crate::backend::KEYRING_LOCK).await?;
            let current: Option<String> =
                sqlx::query_scalar("SELECT kek_id FROM keyring_meta WHERE id = 1")
                    .fetch_optional(&mut *transaction)
                    .await?;
            if current.as_deref() != Some(kek_id) {
                return Err($crate::error::Error::WrongMasterKey {
                    expected: current.unwrap_or_default(),
                    given: kek_id.to_owned(),
                });
            }
            let existing: Option<String> =
                sqlx::query_scalar("SELECT wrapped_key FROM subject_keys WHERE subject = $1")
                    .bind(subject)
                    .fetch_optional(&mut *transaction)
                    .await?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
            sqlx::query(
                "INSERT INTO subject_keys (subject, wrapped_key, kek_id, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(subject)
            .bind(wrapped)
            .bind(kek_id)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(wrapped.to_owned())
        }

        /// Re-wraps every data key from the master key `old` to `new` in one transaction under
        /// the keyring lock; the number re-wrapped. Nothing changes if any key fails to unwrap.
        pub(crate) async fn rewrap_subject_keys(
            &self,
            old: &$crate::crypto::MasterKey,
            new: &$crate::crypto::MasterKey,
            now: i64,
        ) -> $crate::error::Result<u64> {
            use sqlx::Row as _;
            let mut transaction = self.begin_write($crate::backend::KEYRING_LOCK).await?;
            let check: Option<String> =
                sqlx::query_scalar("SELECT check_value FROM keyring_meta WHERE id = 1")
                    .fetch_optional(&mut *transaction)
                    .await?;
            if !check.as_deref().is_some_and(|check| old.opens(check)) {
                return Err($crate::error::Error::WrongMasterKey {
                    expected: String::from("(the keyring's)"),
                    given: old.id(),
                });
            }
            let rows = sqlx::query("SELECT subject, wrapped_key FROM subject_keys ORDER BY subject")
                .fetch_all(&mut *transaction)
                .await?;
            let new_id = new.id();
            let mut count = 0_u64;
            for row in &rows {
                let subject: String = row.try_get("subject")?;
                let wrapped: String = row.try_get("wrapped_key")?;
                let key = $crate::crypto::DataKey::unwrap(old, &subject, &wrapped)?;
                sqlx::query("UPDATE subject_keys SET wrapped_key = $1, kek_id = $2 WHERE subject = $3")
                    .bind(key.wrap(new, &subject)?)
                    .bind(&new_id)
                    .bind(&subject)
                    .execute(&mut *transaction)
                    .await?;
                count += 1;
            }
            sqlx::query(
                "UPDATE keyring_meta SET kek_id = $1, check_value = $2, rotated_at = $3 WHERE id = 1",
            )
            .bind(&new_id)
            .bind(new.check_value()?)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(count)
        }

        pub(crate) async fn insert_conversation(
            &self,
            row: &$crate::backend::ConversationRow,
        ) -> $crate::error::Result<()> {
            sqlx::query(
                "INSERT INTO conversations (id, subject, principal, request_id, model, created_at, \
                 expires_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&row.id)
            .bind(&row.subject)
            .bind(&row.principal)
            .bind(&row.request_id)
            .bind(&row.model)
            .bind(row.created_at)
            .bind(row.expires_at)
            .bind(&row.body)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        /// A subject's conversations, oldest first, still sealed.
        pub(crate) async fn conversations_of(
            &self,
            subject: &str,
        ) -> $crate::error::Result<Vec<$crate::backend::ConversationRow>> {
            use sqlx::Row as _;
            let rows = sqlx::query(
                "SELECT id, subject, principal, request_id, model, created_at, expires_at, body \
                 FROM conversations WHERE subject = $1 ORDER BY created_at, id",
            )
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok($crate::backend::ConversationRow {
                        id: row.try_get("id")?,
                        subject: row.try_get("subject")?,
                        principal: row.try_get("principal")?,
                        request_id: row.try_get("request_id")?,
                        model: row.try_get("model")?,
                        created_at: row.try_get("created_at")?,
                        expires_at: row.try_get("expires_at")?,
                        body: row.try_get("body")?,
                    })
                })
                .collect::<std::result::Result<_, sqlx::Error>>()
                .map_err($crate::error::Error::from)
        }

        /// Deletes conversations whose retention ended at or before `now`; how many.
        pub(crate) async fn purge_conversations(&self, now: i64) -> $crate::error::Result<u64> {
            let deleted = sqlx::query(
                "DELETE FROM conversations WHERE expires_at IS NOT NULL AND expires_at <= $1",
            )
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(deleted.rows_affected())
        }

        /// Inside a transaction that holds the chain's write lock: chains `events` after the
        /// stored tail and inserts them; their sequence numbers. One statement per 256 rows: a
        /// round trip per event would dominate.
        async fn insert_audit(
            transaction: &mut sqlx::Transaction<'_, $db>,
            events: &[$crate::audit::AuditEvent],
            key: &aws_lc_rs::hmac::Key,
        ) -> $crate::error::Result<Vec<i64>> {
            use sqlx::Row as _;
            let last = sqlx::query($crate::backend::AUDIT_LAST)
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| -> std::result::Result<(i64, String), sqlx::Error> {
                    Ok((row.try_get("seq")?, row.try_get("mac")?))
                })
                .transpose()?;
            let (seqs, rows) = $crate::backend::chain(events, key, last);
            for chunk in rows.chunks($crate::backend::AUDIT_ROWS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO audit_events (seq, time_ms, event, mac) ",
                );
                insert.push_values(chunk, |mut row, (seq, time_ms, json, mac)| {
                    row.push_bind(*seq)
                        .push_bind(*time_ms)
                        .push_bind(json.as_str())
                        .push_bind(mac.as_str());
                });
                insert.build().execute(&mut **transaction).await?;
            }
            Ok(seqs)
        }

        /// The chain's tail (`seq` and `mac` of its last event), `None` for an empty chain.
        pub(crate) async fn audit_tail(
            &self,
        ) -> $crate::error::Result<Option<(i64, String)>> {
            use sqlx::Row as _;
            sqlx::query($crate::backend::AUDIT_LAST)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| -> std::result::Result<(i64, String), sqlx::Error> {
                    Ok((row.try_get("seq")?, row.try_get("mac")?))
                })
                .transpose()
                .map_err(Into::into)
        }

        /// Inserts already chained rows in one statement, which commits on its own (atomically:
        /// all rows or none). `Ok(false)`: a row's `seq` exists already, so another writer moved
        /// the tail and nothing was written; the caller re-reads the tail and chains again.
        pub(crate) async fn insert_chained(
            &self,
            rows: &[$crate::backend::ChainedRow],
        ) -> $crate::error::Result<bool> {
            let mut insert =
                sqlx::QueryBuilder::<$db>::new("INSERT INTO audit_events (seq, time_ms, event, mac) ");
            insert.push_values(rows, |mut row, (seq, time_ms, json, mac)| {
                row.push_bind(*seq)
                    .push_bind(*time_ms)
                    .push_bind(json.as_str())
                    .push_bind(mac.as_str());
            });
            match insert.build().execute(&self.pool).await {
                Ok(_) => Ok(true),
                Err(error)
                    if error
                        .as_database_error()
                        .is_some_and(|error| error.is_unique_violation()) =>
                {
                    Ok(false)
                }
                Err(error) => Err(error.into()),
            }
        }

        /// Inside a transaction that holds the migration lock: creates the bookkeeping table and
        /// applies what is pending, recording each.
        async fn apply_migrations(
            transaction: &mut sqlx::Transaction<'_, $db>,
        ) -> $crate::error::Result<()> {
            use sqlx::Row as _;
            sqlx::raw_sql($crate::migration::CREATE_SCHEMA_TABLE)
                .execute(&mut **transaction)
                .await?;
            let applied = sqlx::query($crate::migration::SELECT_APPLIED)
                .fetch_all(&mut **transaction)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("version")?, row.try_get("checksum")?)))
                .collect::<std::result::Result<Vec<(i64, String)>, sqlx::Error>>()?;
            for pending in $crate::migration::pending(&applied)? {
                sqlx::raw_sql(pending.sql)
                    .execute(&mut **transaction)
                    .await?;
                sqlx::query($crate::migration::INSERT_APPLIED)
                    .bind(pending.version)
                    .bind(pending.name)
                    .bind(pending.checksum())
                    .bind($crate::timestamp::Timestamp::now().unix_millis())
                    .execute(&mut **transaction)
                    .await?;
            }
            Ok(())
        }
    };
}

pub(crate) use backend_methods;
