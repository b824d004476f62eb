//! Data-protection duties (SPEC §8): consent per subject and purpose, the CCPA opt-out of sharing,
//! the subject's export (right of access) and erasure by crypto-shredding (right to erasure),
//! incidents for breach notification, and the audit trail's retention with a signed checkpoint.
//!
//! Subjects are stored only as their keyed reference (`subj_…`, [`Store::subject_ref`]). Erasure
//! destroys the subject's data key in the keyring first — from then on every copy of their sealed
//! rows, backups included, is unreadable — and then deletes the rows. Audit events are kept: they
//! hold only the subject's reference, counts and ids, and the chain must still verify; they leave
//! with the audit trail's own retention.

use aws_lc_rs::hmac;
use serde::Serialize;

use crate::audit::AuditEvent;
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::store::{Backend, Store, on_backend};
use crate::timestamp::Timestamp;

/// The label deriving the checkpoint-signing key from the pepper.
pub(crate) const CHECKPOINT_KEY_LABEL: &str = "warden/audit-checkpoint/v1";

/// Longest purpose name (letters, digits, `_ - . :`).
const MAX_PURPOSE_CHARS: usize = 64;

/// One consent record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// The purpose (`marketing`, `analytics`, …).
    pub purpose: String,
    /// Given (true) or withdrawn (false).
    pub granted: bool,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// An incident to record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewIncident {
    /// What happened: `output_leak_blocked`, `injection_repeated`, `principal_suspended`,
    /// `audit_chain_broken`.
    pub kind: String,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: String,
    /// A sentence for people; ids and counts only, never payload text or values.
    pub summary: String,
    /// Principal ids involved.
    pub principals: Vec<String>,
    /// Data subjects involved, as the ids clients gave (stored as references).
    pub subjects: Vec<String>,
    /// Request ids involved.
    pub request_ids: Vec<String>,
    /// One incident per cause: a second record with the same key is dropped.
    pub dedup: Option<String>,
}

/// A recorded incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// `inc_…`.
    pub id: String,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// What happened.
    pub kind: String,
    /// How bad.
    pub severity: String,
    /// A sentence for people.
    pub summary: String,
    /// Principal ids involved.
    pub principals: Vec<String>,
    /// Subject references involved (`subj_…`).
    pub subjects: Vec<String>,
    /// Request ids involved.
    pub request_ids: Vec<String>,
}

/// Everything stored about one data subject (right of access).
#[derive(Clone, Debug, Serialize)]
pub struct SubjectExport {
    /// The subject's reference (`subj_…`) as it appears in audit events.
    pub subject_ref: String,
    /// When the export was made.
    pub exported_at: Timestamp,
    /// Stored conversations, decrypted.
    pub conversations: Vec<Conversation>,
    /// Consent records.
    pub consents: Vec<Consent>,
    /// The CCPA opt-out of sharing.
    pub do_not_share: bool,
    /// Audit events that concern the subject, with their sequence numbers.
    pub audit_events: Vec<ExportedEvent>,
    /// Incidents that concern the subject.
    pub incidents: Vec<Incident>,
}

/// An audit event in an export.
#[derive(Clone, Debug, Serialize)]
pub struct ExportedEvent {
    /// Its sequence number in the chain.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
}

/// What an erasure removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Erasure {
    /// The subject's reference.
    pub subject_ref: String,
    /// Whether a data key existed and was destroyed.
    pub key_destroyed: bool,
    /// Conversations deleted.
    pub conversations: u64,
    /// Consent and settings rows deleted.
    pub consents: u64,
}

/// What an audit retention purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditPurge {
    /// Events deleted.
    pub deleted: u64,
    /// The checkpoint's sequence number (the last deleted event), when something was deleted.
    pub checkpoint_seq: Option<i64>,
}

/// A stored checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checkpoint {
    pub(crate) seq: i64,
    pub(crate) mac: String,
    pub(crate) purged_before_ms: i64,
    pub(crate) created_at: i64,
    pub(crate) signature: String,
}

/// The checkpoint's signature: HMAC-SHA256 over its fields.
pub(crate) fn checkpoint_signature(
    key: &hmac::Key,
    seq: i64,
    mac: &str,
    purged_before_ms: i64,
    created_at: i64,
) -> String {
    let text =
        format!("warden-audit-checkpoint-v1\n{seq}\n{mac}\n{purged_before_ms}\n{created_at}");
    hex::encode(hmac::sign(key, text.as_bytes()).as_ref())
}

/// A purpose name: 1 to 64 of `a-z A-Z 0-9 _ - . :`.
pub fn valid_purpose(purpose: &str) -> bool {
    (1..=MAX_PURPOSE_CHARS).contains(&purpose.len())
        && purpose
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b))
}

/// A stored incident row.
pub(crate) struct IncidentRow {
    pub(crate) id: String,
    pub(crate) created_at: i64,
    pub(crate) kind: String,
    pub(crate) severity: String,
    pub(crate) summary: String,
    pub(crate) principals: String,
    pub(crate) subjects: String,
    pub(crate) request_ids: String,
}

impl IncidentRow {
    fn into_incident(self) -> Incident {
        let list = |text: &str| serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
        Incident {
            principals: list(&self.principals),
            subjects: list(&self.subjects),
            request_ids: list(&self.request_ids),
            id: self.id,
            created_at: Timestamp::from_unix_millis(self.created_at),
            kind: self.kind,
            severity: self.severity,
            summary: self.summary,
        }
    }
}

/// The privacy methods every backend shares (see `backend_methods!`).
macro_rules! privacy_methods {
    ($db:ty) => {
        /// Sets (inserts or replaces) a consent record.
        pub(crate) async fn set_consent(
            &self,
            subject: &str,
            purpose: &str,
            granted: bool,
            now: i64,
        ) -> $crate::error::Result<()> {
            sqlx::query(
                "INSERT INTO consents (subject, purpose, granted, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (subject, purpose) DO UPDATE SET granted = excluded.granted, \
                 updated_at = excluded.updated_at",
            )
            .bind(subject)
            .bind(purpose)
            .bind(i64::from(granted))
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        /// A subject's consent records, by purpose.
        pub(crate) async fn consents_of(
            &self,
            subject: &str,
        ) -> $crate::error::Result<Vec<(String, bool, i64)>> {
            use sqlx::Row as _;
            let rows = sqlx::query(
                "SELECT purpose, granted, updated_at FROM consents WHERE subject = $1 ORDER BY purpose",
            )
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let granted: i64 = row.try_get("granted")?;
                    Ok((row.try_get("purpose")?, granted != 0, row.try_get("updated_at")?))
                })
                .collect::<std::result::Result<_, sqlx::Error>>()
                .map_err($crate::error::Error::from)
        }

        /// Sets the subject's opt-out of sharing.
        pub(crate) async fn set_do_not_share(
            &self,
            subject: &str,
            do_not_share: bool,
            now: i64,
        ) -> $crate::error::Result<()> {
            sqlx::query(
                "INSERT INTO subject_settings (subject, do_not_share, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (subject) DO UPDATE SET do_not_share = excluded.do_not_share, \
                 updated_at = excluded.updated_at",
            )
            .bind(subject)
            .bind(i64::from(do_not_share))
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        /// Whether the subject opted out of sharing.
        pub(crate) async fn do_not_share(&self, subject: &str) -> $crate::error::Result<bool> {
            let flag: Option<i64> =
                sqlx::query_scalar("SELECT do_not_share FROM subject_settings WHERE subject = $1")
                    .bind(subject)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(flag.is_some_and(|flag| flag != 0))
        }

        /// Deletes the subject's rows in this database; (conversations, consent and settings rows).
        pub(crate) async fn delete_subject_rows(
            &self,
            subject: &str,
        ) -> $crate::error::Result<(u64, u64)> {
            let mut transaction = self.pool.begin().await?;
            let conversations = sqlx::query("DELETE FROM conversations WHERE subject = $1")
                .bind(subject)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            let consents = sqlx::query("DELETE FROM consents WHERE subject = $1")
                .bind(subject)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            let settings = sqlx::query("DELETE FROM subject_settings WHERE subject = $1")
                .bind(subject)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            transaction.commit().await?;
            Ok((conversations, consents + settings))
        }

        /// Destroys the subject's data key; whether there was one.
        pub(crate) async fn delete_subject_key(&self, subject: &str) -> $crate::error::Result<bool> {
            let mut transaction = self.begin_write($crate::backend::KEYRING_LOCK).await?;
            let deleted = sqlx::query("DELETE FROM subject_keys WHERE subject = $1")
                .bind(subject)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            transaction.commit().await?;
            Ok(deleted > 0)
        }

        /// Inserts an incident unless one with the same `dedup` exists; whether it was inserted.
        pub(crate) async fn insert_incident(
            &self,
            row: &$crate::privacy::IncidentRow,
            dedup: Option<&str>,
        ) -> $crate::error::Result<bool> {
            let inserted = sqlx::query(
                "INSERT INTO incidents (id, created_at, kind, severity, summary, principals, \
                 subjects, request_ids, dedup) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&row.id)
            .bind(row.created_at)
            .bind(&row.kind)
            .bind(&row.severity)
            .bind(&row.summary)
            .bind(&row.principals)
            .bind(&row.subjects)
            .bind(&row.request_ids)
            .bind(dedup)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(inserted > 0)
        }

        /// Incidents created at or after `since`, oldest first, at most `limit`; only those naming
        /// `subject` (a reference) when given.
        pub(crate) async fn incidents(
            &self,
            since: i64,
            subject: Option<&str>,
            limit: i64,
        ) -> $crate::error::Result<Vec<$crate::privacy::IncidentRow>> {
            use sqlx::Row as _;
            // References are `subj_` + hex: no LIKE wildcard can be in one.
            let pattern = subject.map_or_else(|| "%".to_owned(), |s| format!("%\"{s}\"%"));
            let rows = sqlx::query(
                "SELECT id, created_at, kind, severity, summary, principals, subjects, request_ids \
                 FROM incidents WHERE created_at >= $1 AND subjects LIKE $2 \
                 ORDER BY created_at, id LIMIT $3",
            )
            .bind(since)
            .bind(pattern)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok($crate::privacy::IncidentRow {
                        id: row.try_get("id")?,
                        created_at: row.try_get("created_at")?,
                        kind: row.try_get("kind")?,
                        severity: row.try_get("severity")?,
                        summary: row.try_get("summary")?,
                        principals: row.try_get("principals")?,
                        subjects: row.try_get("subjects")?,
                        request_ids: row.try_get("request_ids")?,
                    })
                })
                .collect::<std::result::Result<_, sqlx::Error>>()
                .map_err($crate::error::Error::from)
        }

        /// Audit rows whose event names `subject` (a reference), in order.
        pub(crate) async fn audit_of_subject(
            &self,
            subject: &str,
        ) -> $crate::error::Result<Vec<$crate::backend::AuditRow>> {
            let rows = sqlx::query(
                "SELECT seq, event, mac FROM audit_events WHERE event LIKE $1 ORDER BY seq",
            )
            .bind(format!("%\"subject\":\"{subject}\"%"))
            .fetch_all(&self.pool)
            .await?;
            Self::audit_rows(&rows)
        }

        /// The newest audit checkpoint.
        pub(crate) async fn audit_checkpoint(
            &self,
        ) -> $crate::error::Result<Option<$crate::privacy::Checkpoint>> {
            use sqlx::Row as _;
            let row = sqlx::query(
                "SELECT seq, mac, purged_before_ms, created_at, signature FROM audit_checkpoints \
                 ORDER BY seq DESC LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await?;
            row.map(|row| {
                Ok($crate::privacy::Checkpoint {
                    seq: row.try_get("seq")?,
                    mac: row.try_get("mac")?,
                    purged_before_ms: row.try_get("purged_before_ms")?,
                    created_at: row.try_get("created_at")?,
                    signature: row.try_get("signature")?,
                })
            })
            .transpose()
            .map_err(|error: sqlx::Error| error.into())
        }

        /// Deletes the head of the chain up to the last event older than `before_ms` (never the
        /// tail event, which the next append chains from) and records a signed checkpoint, in one
        /// transaction under the chain's lock.
        pub(crate) async fn purge_audit(
            &self,
            before_ms: i64,
            now: i64,
            key: &aws_lc_rs::hmac::Key,
        ) -> $crate::error::Result<$crate::privacy::AuditPurge> {
            use sqlx::Row as _;
            let mut transaction = self.begin_write($crate::backend::AUDIT_LOCK).await?;
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
                .fetch_one(&mut *transaction)
                .await?;
            let Some(last) = last else {
                return Ok($crate::privacy::AuditPurge::default());
            };
            let cut = sqlx::query(
                "SELECT seq, mac FROM audit_events WHERE time_ms < $1 AND seq < $2 \
                 ORDER BY seq DESC LIMIT 1",
            )
            .bind(before_ms)
            .bind(last)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(cut) = cut else {
                return Ok($crate::privacy::AuditPurge::default());
            };
            let seq: i64 = cut.try_get("seq")?;
            let mac: String = cut.try_get("mac")?;
            let deleted = sqlx::query("DELETE FROM audit_events WHERE seq <= $1")
                .bind(seq)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            let signature =
                $crate::privacy::checkpoint_signature(key, seq, &mac, before_ms, now);
            sqlx::query(
                "INSERT INTO audit_checkpoints (seq, mac, purged_before_ms, created_at, signature) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(seq)
            .bind(&mac)
            .bind(before_ms)
            .bind(now)
            .bind(&signature)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok($crate::privacy::AuditPurge {
                deleted,
                checkpoint_seq: Some(seq),
            })
        }
    };
}

pub(crate) use privacy_methods;

impl Store {
    /// Records that `subject` gave (or withdrew) consent for `purpose`.
    pub async fn set_consent(
        &self,
        subject: &str,
        purpose: &str,
        granted: bool,
        now: Timestamp,
    ) -> Result<()> {
        if !valid_purpose(purpose) {
            return Err(Error::InvalidPurpose);
        }
        let subject = self.subject_ref(subject);
        on_backend!(self.backend(), db => {
            db.set_consent(&subject, purpose, granted, now.unix_millis()).await
        })
    }

    /// The subject's consent records.
    pub async fn consents_of(&self, subject: &str) -> Result<Vec<Consent>> {
        let subject = self.subject_ref(subject);
        let rows = on_backend!(self.backend(), db => db.consents_of(&subject).await?);
        Ok(rows
            .into_iter()
            .map(|(purpose, granted, updated_at)| Consent {
                purpose,
                granted,
                updated_at: Timestamp::from_unix_millis(updated_at),
            })
            .collect())
    }

    /// Sets the subject's CCPA opt-out of sharing.
    pub async fn set_do_not_share(
        &self,
        subject: &str,
        do_not_share: bool,
        now: Timestamp,
    ) -> Result<()> {
        let subject = self.subject_ref(subject);
        on_backend!(self.backend(), db => {
            db.set_do_not_share(&subject, do_not_share, now.unix_millis()).await
        })
    }

    /// Whether the subject opted out of sharing.
    pub async fn do_not_share(&self, subject: &str) -> Result<bool> {
        let subject = self.subject_ref(subject);
        on_backend!(self.backend(), db => db.do_not_share(&subject).await)
    }

    /// Everything stored about the subject: conversations (decrypted), consents, the opt-out, the
    /// audit events and incidents that name them. An unknown subject has an empty export.
    pub async fn export_subject(&self, subject: &str, now: Timestamp) -> Result<SubjectExport> {
        let subject_ref = self.subject_ref(subject);
        let conversations = self.conversations_of(subject).await?;
        let consents = self.consents_of(subject).await?;
        let do_not_share = self.do_not_share(subject).await?;
        let rows = on_backend!(self.backend(), db => db.audit_of_subject(&subject_ref).await?);
        let audit_events = rows
            .into_iter()
            .filter_map(|row| {
                let event: AuditEvent = serde_json::from_str(&row.event).ok()?;
                // The LIKE pattern could match inside another field: keep exact matches only.
                (event.subject.as_deref() == Some(subject_ref.as_str())).then_some(ExportedEvent {
                    seq: row.seq,
                    event,
                })
            })
            .collect();
        let incidents = self
            .incidents(Timestamp::from_unix_millis(0), Some(subject))
            .await?;
        Ok(SubjectExport {
            subject_ref,
            exported_at: now,
            conversations,
            consents,
            do_not_share,
            audit_events,
            incidents,
        })
    }

    /// Erases the subject: destroys their data key in the keyring (crypto-shredding: every copy
    /// of their sealed rows becomes unreadable), then deletes their rows. Erasing twice, or an
    /// unknown subject, is harmless. Audit events stay (references and counts only).
    pub async fn erase_subject(&self, subject: &str) -> Result<Erasure> {
        let subject_ref = self.subject_ref(subject);
        let key_destroyed = on_backend!(self.keyring(), db => {
            db.delete_subject_key(&subject_ref).await?
        });
        let (conversations, consents) =
            on_backend!(self.backend(), db => db.delete_subject_rows(&subject_ref).await?);
        Ok(Erasure {
            subject_ref,
            key_destroyed,
            conversations,
            consents,
        })
    }

    /// Records an incident; `None` when one with the same `dedup` key exists.
    pub async fn record_incident(
        &self,
        incident: NewIncident,
        now: Timestamp,
    ) -> Result<Option<Incident>> {
        let subjects: Vec<String> = incident
            .subjects
            .iter()
            .map(|subject| self.subject_ref(subject))
            .collect();
        let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
        let row = IncidentRow {
            id: format!("inc_{}", crate::client_key::random_base62(16)?),
            created_at: now.unix_millis(),
            kind: incident.kind,
            severity: incident.severity,
            summary: incident.summary,
            principals: json(&incident.principals),
            subjects: json(&subjects),
            request_ids: json(&incident.request_ids),
        };
        let inserted = on_backend!(self.backend(), db => {
            db.insert_incident(&row, incident.dedup.as_deref()).await?
        });
        Ok(inserted.then(|| row.into_incident()))
    }

    /// Incidents since `since`, oldest first (at most 10,000); only those naming `subject` when
    /// given.
    pub async fn incidents(
        &self,
        since: Timestamp,
        subject: Option<&str>,
    ) -> Result<Vec<Incident>> {
        let subject = subject.map(|subject| self.subject_ref(subject));
        let rows = on_backend!(self.backend(), db => {
            db.incidents(since.unix_millis(), subject.as_deref(), 10_000).await?
        });
        Ok(rows.into_iter().map(IncidentRow::into_incident).collect())
    }

    /// Deletes audit events older than `before` from the head of the chain and leaves a signed
    /// checkpoint, so `verify_audit` still passes on the rest.
    pub async fn purge_audit(&self, before: Timestamp, now: Timestamp) -> Result<AuditPurge> {
        on_backend!(self.backend(), db => {
            db.purge_audit(before.unix_millis(), now.unix_millis(), self.checkpoint_key()).await
        })
    }
}
