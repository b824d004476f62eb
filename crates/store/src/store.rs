//! `Store`: the handle the gateway and the CLI hold. Opens the configured backend, owns the pepper
//! (as an HMAC key) and answers key questions.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use aws_lc_rs::{constant_time, hmac};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use tokio::sync::{mpsc, oneshot};

use crate::audit::{AuditEvent, Verification, Verifier};
use crate::backend::ConversationRow;
use crate::client_key::{self, PlaintextKey};
use crate::conversation::{Body, Conversation, NewConversation, body_aad};
use crate::crypto::{DataKey, MASTER_KEY_FILE, MasterKey};
use crate::error::{Error, Result};
use crate::pepper::{self, KeyHasher, Pepper};
use crate::postgres::Postgres;
use crate::record::{Authentication, KeyId, KeyRecord, KeyStatus, NewKey, RevokeOutcome};
use crate::sqlite::Sqlite;
use crate::timestamp::Timestamp;

/// The database file's name in the data directory when no URL is configured.
pub const DATABASE_FILE: &str = "warden.db";
/// The keyring's database file in the data directory (SQLite stores without a `keyring_url`).
pub const KEYRING_FILE: &str = "keyring.db";
/// The label deriving the subject-reference key from the pepper.
const SUBJECT_KEY_LABEL: &str = "warden subject reference v1";

/// Where the store lives and how its keys are peppered.
pub struct StoreOptions {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE` (`[store] url`); `None` for
    /// `warden.db` in `data_dir`.
    pub url: Option<String>,
    /// The data directory: the default database and `pepper.key` live here. Created (mode 0700)
    /// when either is needed; the default database file is created with mode 0600.
    pub data_dir: PathBuf,
    /// The pepper, when the caller keeps it (the gateway's configuration); `None` to use (and on
    /// first open create) `data_dir/pepper.key`.
    pub pepper: Option<Pepper>,
    /// The master key (`WARDEN_MASTER_KEY` or `[crypto] master_key`); `None` to use (and on first
    /// open create, see [`Store::created_master_key_file`]) `data_dir/master.key`.
    pub master_key: Option<MasterKey>,
    /// Where the keyring (the wrapped data keys) lives, apart from the data so that a backup of the
    /// data taken before an erasure cannot be decrypted after it. `None`: `keyring.db` in
    /// `data_dir` for SQLite stores, the store's own database for PostgreSQL (set a separate
    /// database in production: docs/OPERATIONS.md).
    pub keyring_url: Option<String>,
}

impl StoreOptions {
    /// Everything in `data_dir`: `warden.db` and `pepper.key`.
    pub fn in_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            url: None,
            data_dir: data_dir.into(),
            pepper: None,
            master_key: None,
            keyring_url: None,
        }
    }
}

impl fmt::Debug for StoreOptions {
    /// Shows only the URL's scheme: a database URL may carry a password.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StoreOptions")
            .field("url_scheme", &self.url.as_deref().map(scheme_of))
            .field("data_dir", &self.data_dir)
            .field("pepper", &self.pepper)
            .field("master_key", &self.master_key)
            .field(
                "keyring_url_scheme",
                &self.keyring_url.as_deref().map(scheme_of),
            )
            .finish()
    }
}

/// A handle on the store: cheap to clone, `Send + Sync`, shared by every request.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    /// The keyring's database; `None` when it is `backend` itself.
    keyring: Option<Backend>,
    master: MasterKey,
    /// Set when this open created `master.key`: the operator must back it up.
    created_master_key_file: Option<PathBuf>,
    /// Keys subject ids into subject references.
    subject_key: hmac::Key,
    hasher: KeyHasher,
    /// The audit chain's MAC key, derived from the pepper.
    chain_key: hmac::Key,
    /// Signs audit checkpoints, derived from the pepper.
    checkpoint_key: hmac::Key,
    /// The group-commit writer of audit events, started on first use.
    audit_writer: OnceLock<mpsc::Sender<PendingEvent>>,
    /// Keys found valid lately, by keyed hash: the record, the revocation stamp read with it and
    /// when (see [`Store::authenticate`]).
    valid_keys: Mutex<HashMap<String, (KeyRecord, Stamp, Instant)>>,
    /// The revocation stamp file beside an SQLite database; `None` (PostgreSQL, in-memory
    /// databases): keys are read from the database on every request.
    revocations: Option<PathBuf>,
}

/// The contents of the revocation stamp file: random bytes every revocation rewrites.
type Stamp = [u8; 16];

/// Appended to the SQLite database's file name for the revocation stamp (`warden.db-revoked`).
pub(crate) const REVOCATIONS_SUFFIX: &str = "-revoked";
/// The longest a key found valid is used without reading the database again, even when the stamp
/// did not change (a bound for what no stamp can announce, such as a row edited by hand).
const KEY_CACHE_TTL: Duration = Duration::from_secs(5);
/// The most keys remembered; the memory is emptied when full.
const KEY_CACHE_ENTRIES: usize = 10_000;

/// An event waiting for the writer, and where to send its sequence number.
type PendingEvent = (
    AuditEvent,
    oneshot::Sender<std::result::Result<i64, String>>,
);

/// The most events one audit transaction commits.
const AUDIT_BATCH: usize = 512;
/// How often the writer re-reads a tail that another writer moved before giving up on a batch.
const AUDIT_APPEND_ATTEMPTS: usize = 16;

/// The database behind the store. An enum, not a trait object: see the crate docs.
pub(crate) enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Runs the same method on whichever backend is open: `on_backend!(backend, db => db.call())`.
macro_rules! on_backend {
    ($backend:expr, $db:ident => $call:expr) => {
        match $backend {
            Backend::Sqlite($db) => $call,
            Backend::Postgres($db) => $call,
        }
    };
}
pub(crate) use on_backend;

impl Store {
    /// Opens the store: creates the data directory and the database when missing, loads or makes
    /// the pepper, and applies pending migrations (see `migrate`). Safe to call from several
    /// processes at once on the same directory.
    pub async fn open(options: StoreOptions) -> Result<Self> {
        let StoreOptions {
            url,
            data_dir,
            pepper,
            master_key,
            keyring_url,
        } = options;
        let location = match url.as_deref() {
            Some(url) => Location::parse(url)?,
            None => {
                Location::Sqlite(SqliteConnectOptions::new().filename(data_dir.join(DATABASE_FILE)))
            }
        };
        // Beside an SQLite database: the file a revocation rewrites (see `authenticate`).
        let revocations = match &location {
            Location::Sqlite(options) => {
                let file = options.get_filename();
                let name = file.as_os_str();
                (!name.is_empty() && name != ":memory:").then(|| {
                    let mut marker = name.to_owned();
                    marker.push(REVOCATIONS_SUFFIX);
                    PathBuf::from(marker)
                })
            }
            Location::Postgres(_) => None,
        };
        let keyring_location = match (keyring_url.as_deref(), &location) {
            (Some(url), _) => Some(Location::parse(url)?),
            (None, Location::Sqlite(_)) => Some(Location::Sqlite(
                SqliteConnectOptions::new().filename(data_dir.join(KEYRING_FILE)),
            )),
            (None, Location::Postgres(_)) => None,
        };
        let needs_dir = url.is_none()
            || pepper.is_none()
            || master_key.is_none()
            || (keyring_url.is_none() && matches!(keyring_location, Some(Location::Sqlite(_))));
        if needs_dir {
            create_private_dir(&data_dir)?;
        }
        // Blocking file IO, once, at start-up: 32-byte reads.
        let pepper = match pepper {
            Some(pepper) => pepper,
            None => pepper::load_or_create(&data_dir)?,
        };
        let hasher = KeyHasher::new(&pepper);
        drop(pepper);
        let chain_key = hasher.derive(crate::audit::CHAIN_KEY_LABEL);
        let checkpoint_key = hasher.derive(crate::privacy::CHECKPOINT_KEY_LABEL);
        let subject_key = hasher.derive(SUBJECT_KEY_LABEL);
        // The keyring first, unmigrated: a wrong or missing master key is refused before anything
        // is touched.
        let keyring = match keyring_location {
            Some(location) => Some(open_backend(location, keyring_url.is_none(), false).await?),
            None => None,
        };
        let (master, created_master_key_file) = match master_key {
            Some(master) => (master, None),
            None => {
                let path = data_dir.join(MASTER_KEY_FILE);
                let made_keyring = match &keyring {
                    Some(keyring) => keyring.keyring_meta().await?,
                    None => None,
                };
                match (path.exists(), made_keyring) {
                    // A keyring exists but its key is not here: never make a new one over it.
                    (false, Some((kek_id, _))) => {
                        if let Some(keyring) = &keyring {
                            on_backend!(keyring, db => db.close().await);
                        }
                        return Err(Error::WrongMasterKey {
                            expected: kek_id,
                            given: format!("none (no master key given and no {})", path.display()),
                        });
                    }
                    _ => {
                        let (bytes, created) =
                            pepper::load_or_create_key_file(&data_dir, MASTER_KEY_FILE)?;
                        let created = created.then_some(path);
                        (MasterKey::from_bytes(bytes.as_ref())?, created)
                    }
                }
            }
        };
        let backend = match &keyring {
            Some(keyring) => {
                check_master_key(keyring, &master).await?;
                keyring.migrate().await?;
                open_backend(location, url.is_none(), true).await?
            }
            None => {
                let backend = open_backend(location, url.is_none(), false).await?;
                check_master_key(&backend, &master).await?;
                backend.migrate().await?;
                backend
            }
        };
        let keyring_backend = keyring.as_ref().unwrap_or(&backend);
        if keyring_backend.keyring_meta().await?.is_none() {
            keyring_backend
                .init_keyring_meta(
                    &master.id(),
                    &master.check_value()?,
                    Timestamp::now().unix_millis(),
                )
                .await?;
            // Another process may have initialised it first with another key.
            check_master_key(keyring_backend, &master).await?;
        }
        let inner = Arc::new(Inner {
            backend,
            keyring,
            master,
            created_master_key_file,
            subject_key,
            hasher,
            chain_key,
            checkpoint_key,
            audit_writer: OnceLock::new(),
            valid_keys: Mutex::new(HashMap::new()),
            revocations,
        });
        Ok(Self { inner })
    }

    /// Applies the migrations this build ships that the database lacks, in one transaction under
    /// the database's write lock; a no-op when up to date. `open` already did this; it is public
    /// for an operator's explicit `migrate` step. Fails, changing nothing, if the database is newer
    /// than this build or an applied migration was edited.
    pub async fn migrate(&self) -> Result<()> {
        on_backend!(&self.inner.backend, db => db.migrate().await)
    }

    /// `Some(path)` when this open created the master key file: it must be backed up apart from
    /// the data (without it nothing encrypted can be read), or replaced by `WARDEN_MASTER_KEY`.
    pub fn created_master_key_file(&self) -> Option<&Path> {
        self.inner.created_master_key_file.as_deref()
    }

    /// The master key's public id (`kek_…`).
    pub fn master_key_id(&self) -> String {
        self.inner.master.id()
    }

    /// The reference under which a data subject's id is stored and audited: `subj_` + 32 hex digits
    /// of an HMAC keyed from the pepper. Stable for one store, meaningless without its pepper.
    pub fn subject_ref(&self, subject: &str) -> String {
        let mac = hmac::sign(&self.inner.subject_key, subject.as_bytes());
        format!("subj_{}", hex::encode(&mac.as_ref()[..16]))
    }

    /// The keyring's database (the data database when no separate keyring is configured).
    pub(crate) fn keyring(&self) -> &Backend {
        self.inner.keyring.as_ref().unwrap_or(&self.inner.backend)
    }

    /// The data database.
    pub(crate) fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    /// The key audit checkpoints are signed with.
    pub(crate) fn checkpoint_key(&self) -> &hmac::Key {
        &self.inner.checkpoint_key
    }

    /// The subject's data key, made (and stored wrapped) on first use. Fails closed: a key that
    /// does not unwrap (a rotated master key, an altered row) is an error, never a new key.
    async fn data_key(&self, subject_ref: &str, now: Timestamp) -> Result<DataKey> {
        let master = &self.inner.master;
        let stored = on_backend!(self.keyring(), db => db.subject_key(subject_ref).await?);
        let wrapped = match stored {
            Some((wrapped, _)) => wrapped,
            None => {
                let fresh = DataKey::generate()?.wrap(master, subject_ref)?;
                on_backend!(self.keyring(), db => {
                    db.insert_subject_key(subject_ref, &fresh, &master.id(), now.unix_millis())
                        .await?
                })
            }
        };
        DataKey::unwrap(master, subject_ref, &wrapped)
    }

    /// Stores a conversation sealed under its subject's data key, kept until `now + retention`
    /// (`None`: until erased); its id.
    pub async fn save_conversation(
        &self,
        conversation: NewConversation,
        now: Timestamp,
        retention: Option<std::time::Duration>,
    ) -> Result<String> {
        let subject_ref = self.subject_ref(&conversation.subject);
        let key = self.data_key(&subject_ref, now).await?;
        let id = format!("conv_{}", client_key::random_base62(16)?);
        let body = serde_json::to_vec(&Body {
            prompt: conversation.prompt,
            answer: conversation.answer,
        })
        .map_err(|_| Error::Decrypt {
            what: "conversation",
        })?;
        let body = zeroize::Zeroizing::new(body);
        let sealed = key.seal(&body, &body_aad(&id, &subject_ref))?;
        let expires_at = retention.map(|retention| {
            let millis = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
            now.unix_millis().saturating_add(millis)
        });
        let row = ConversationRow {
            id: id.clone(),
            subject: subject_ref,
            principal: conversation.principal,
            request_id: conversation.request_id,
            model: conversation.model,
            created_at: now.unix_millis(),
            expires_at,
            body: sealed,
        };
        on_backend!(&self.inner.backend, db => db.insert_conversation(&row).await?);
        Ok(id)
    }

    /// Every stored conversation of a subject (by the id the client gave), decrypted, oldest
    /// first. An unknown subject has none.
    pub async fn conversations_of(&self, subject: &str) -> Result<Vec<Conversation>> {
        let subject_ref = self.subject_ref(subject);
        let rows = on_backend!(&self.inner.backend, db => db.conversations_of(&subject_ref).await?);
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let stored = on_backend!(self.keyring(), db => db.subject_key(&subject_ref).await?);
        let Some((wrapped, _)) = stored else {
            // Rows without a key: the key was destroyed (erasure); they cannot be read.
            return Err(Error::Decrypt {
                what: "conversation (its data key was destroyed)",
            });
        };
        let key = DataKey::unwrap(&self.inner.master, &subject_ref, &wrapped)?;
        rows.into_iter()
            .map(|row| {
                let plain = zeroize::Zeroizing::new(key.open(
                    &row.body,
                    &body_aad(&row.id, &row.subject),
                    "conversation",
                )?);
                let body: Body = serde_json::from_slice(&plain).map_err(|_| Error::Decrypt {
                    what: "conversation",
                })?;
                Ok(Conversation {
                    id: row.id,
                    subject_ref: row.subject,
                    principal: row.principal,
                    request_id: row.request_id,
                    model: row.model,
                    created_at: Timestamp::from_unix_millis(row.created_at),
                    expires_at: row.expires_at.map(Timestamp::from_unix_millis),
                    prompt: body.prompt,
                    answer: body.answer,
                })
            })
            .collect()
    }

    /// Deletes conversations whose retention ended at or before `now`; how many.
    pub async fn purge_conversations(&self, now: Timestamp) -> Result<u64> {
        on_backend!(&self.inner.backend, db => db.purge_conversations(now.unix_millis()).await)
    }

    /// Re-wraps every data key under `new` (the store's current master key must be the keyring's);
    /// the data sealed under the data keys is untouched. Returns how many keys were re-wrapped.
    /// Afterwards this handle's master key is stale: open the store again with `new`.
    pub async fn rotate_master_key(&self, new: &MasterKey, now: Timestamp) -> Result<u64> {
        on_backend!(self.keyring(), db => {
            db.rewrap_subject_keys(&self.inner.master, new, now.unix_millis()).await
        })
    }

    /// The schema version the database is at (the highest migration applied), and the newest this
    /// build ships.
    pub async fn schema_version(&self) -> Result<(i64, i64)> {
        let applied = on_backend!(&self.inner.backend, db => db.schema_version().await?);
        Ok((applied, crate::migration::LATEST))
    }

    /// Who presents `presented_key`, at `now`.
    ///
    /// A string that is not shaped like a key is `Malformed` without touching the database.
    /// Otherwise its HMAC is looked up through the unique index and compared again in constant
    /// time. Every call reads the database (no cache), so a revocation made by any process is
    /// seen by the next call. Revocation wins over expiry; a key expires at `expires_at`.
    /// An `Err` (the database unreachable, a corrupt row) is no answer: callers fail closed.
    pub async fn authenticate(
        &self,
        presented_key: &str,
        now: Timestamp,
    ) -> Result<Authentication> {
        if !client_key::is_well_formed(presented_key) {
            return Ok(Authentication::Malformed);
        }
        let key_hash = self.inner.hasher.hash(presented_key);
        // A key read valid is used again while no revocation happened since: every revocation, by
        // any process on this database, rewrites the stamp file before it returns, so the next
        // request after a revocation reads the database. Without a readable stamp (PostgreSQL,
        // an IO error), every request reads the database.
        let stamp = self.revocation_stamp();
        if let Some(stamp) = stamp {
            let remembered = self
                .inner
                .valid_keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key_hash)
                .filter(|(_, seen, read)| *seen == stamp && read.elapsed() < KEY_CACHE_TTL)
                .map(|(record, _, _)| record.clone());
            if let Some(record) = remembered {
                // Found by its keyed hash (a secret-keyed MAC of the key), so the lookup's timing
                // says nothing about the key; expiry is judged now, not when it was read.
                return Ok(status_of(record, now));
            }
        }
        let stored = on_backend!(&self.inner.backend, db => db.key_by_hash(&key_hash).await?);
        let Some(stored) = stored else {
            return Ok(Authentication::Unknown);
        };
        // The index matched on equality already; this guards against a backend whose comparison
        // is looser (collations) and keeps the final decision constant-time.
        if constant_time::verify_slices_are_equal(stored.key_hash.as_bytes(), key_hash.as_bytes())
            .is_err()
        {
            return Ok(Authentication::Unknown);
        }
        let record = stored.key.into_record()?;
        if let Some(stamp) = stamp
            && record.status(now) == KeyStatus::Active
        {
            let mut valid = self
                .inner
                .valid_keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if valid.len() >= KEY_CACHE_ENTRIES {
                valid.clear();
            }
            valid.insert(key_hash, (record.clone(), stamp, Instant::now()));
        }
        Ok(status_of(record, now))
    }

    /// Makes a key: validates `new_key`, draws 32 random bytes, stores only their HMAC. The
    /// plaintext key is returned here and nowhere else, ever.
    pub async fn create_key(
        &self,
        new_key: NewKey,
        now: Timestamp,
    ) -> Result<(KeyRecord, PlaintextKey)> {
        let new_key = new_key.validated()?;
        let key = PlaintextKey::generate()?;
        let key_hash = self.inner.hasher.hash(key.expose_secret());
        let record = KeyRecord {
            id: KeyId::generate()?,
            name: new_key.name,
            roles: new_key.roles,
            created_at: now,
            expires_at: new_key.expires_at,
            revoked_at: None,
            allowed_models: new_key.allowed_models,
            limits: new_key.limits,
        };
        on_backend!(&self.inner.backend, db => db.insert_key(&record, &key_hash).await?);
        Ok((record, key))
    }

    /// Every key, oldest first, revoked and expired ones included. Never a key or a hash.
    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>> {
        on_backend!(&self.inner.backend, db => db.list_keys().await)
    }

    /// Revokes a key at `now`; it fails the next `authenticate` in every process. Revoking twice
    /// keeps the first time (`AlreadyRevoked`); an unknown id is `Error::NotFound`.
    ///
    /// Every process on the same SQLite database notices at its next request: the revocation
    /// rewrites the stamp file beside the database before returning. If that write fails, the
    /// revocation is stored but servers may accept the key for up to 5 seconds: the error says so.
    pub async fn revoke_key(&self, id: &KeyId, now: Timestamp) -> Result<RevokeOutcome> {
        let outcome = on_backend!(&self.inner.backend, db => db.revoke_key(id, now).await);
        // Whatever the outcome (an error may follow a commit), nothing remembered survives.
        self.inner
            .valid_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        if let Some(path) = &self.inner.revocations {
            write_stamp(path).map_err(|source| Error::RevocationStamp {
                path: path.clone(),
                source,
            })?;
        }
        outcome
    }

    /// The current revocation stamp; `None` when keys must not be remembered.
    fn revocation_stamp(&self) -> Option<Stamp> {
        let path = self.inner.revocations.as_ref()?;
        match std::fs::read(path) {
            Ok(bytes) => Stamp::try_from(bytes.as_slice()).ok(),
            // No revocation ever: the all-zero stamp.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Some([0; 16]),
            Err(_) => None,
        }
    }

    /// Appends one event to the audit chain; returns its sequence number once it is durable.
    ///
    /// Concurrent callers are committed together (group commit, up to 512 events per transaction,
    /// by one writer task), and each caller's future resolves only after the transaction holding
    /// its event committed. An `Err` means the event may not be stored: callers fail closed.
    pub async fn append_audit(&self, event: AuditEvent) -> Result<i64> {
        let writer = self
            .inner
            .audit_writer
            .get_or_init(|| spawn_audit_writer(Arc::downgrade(&self.inner)));
        let (reply, answer) = oneshot::channel();
        writer
            .send((event, reply))
            .await
            .map_err(|_| Error::Audit("the audit writer stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| Error::Audit("the audit writer stopped".to_owned()))?
            .map_err(Error::Audit)
    }

    /// Appends events in one transaction, directly (no writer task): for the CLI and tests.
    pub async fn append_audit_batch(&self, events: &[AuditEvent]) -> Result<Vec<i64>> {
        on_backend!(&self.inner.backend, db => db.append_audit(events, &self.inner.chain_key).await)
    }

    /// Walks the whole chain in order; names the first event that breaks it.
    pub async fn verify_audit(&self) -> Result<Verification> {
        let mut verifier = Verifier::new(&self.inner.chain_key);
        let mut after = 0;
        // After a retention purge the chain starts from its signed checkpoint.
        let checkpoint = on_backend!(&self.inner.backend, db => db.audit_checkpoint().await?);
        if let Some(checkpoint) = checkpoint {
            let expected = crate::privacy::checkpoint_signature(
                &self.inner.checkpoint_key,
                checkpoint.seq,
                &checkpoint.mac,
                checkpoint.purged_before_ms,
                checkpoint.created_at,
            );
            let signed = aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.as_bytes(),
                checkpoint.signature.as_bytes(),
            )
            .is_ok();
            if !signed {
                return Ok(Verification {
                    checked: 0,
                    last_seq: None,
                    first_bad: Some(crate::audit::BadEvent {
                        seq: checkpoint.seq.saturating_add(1),
                        reason: "the checkpoint the chain starts from is not signed by this store"
                            .to_owned(),
                    }),
                });
            }
            verifier.start_after(checkpoint.seq, &checkpoint.mac);
            after = checkpoint.seq;
        }
        loop {
            let page = on_backend!(&self.inner.backend, db => {
                db.audit_page(after, i64::MIN, i64::MAX, 10_000).await?
            });
            let Some(last) = page.last() else {
                return Ok(verifier.result);
            };
            after = last.seq;
            for row in &page {
                if !verifier.row(row.seq, &row.event, &row.mac) {
                    return Ok(verifier.result);
                }
            }
        }
    }

    /// Audit events with `since_ms <= time < until_ms`, in order, as `(seq, canonical JSON)`, a page
    /// of at most `limit` after `after_seq`.
    pub async fn export_audit(
        &self,
        after_seq: i64,
        since_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        let page = on_backend!(&self.inner.backend, db => {
            db.audit_page(after_seq, since_ms, until_ms, limit).await?
        });
        Ok(page.into_iter().map(|row| (row.seq, row.event)).collect())
    }

    /// Closes the connections; later calls fail. Lets SQLite fold its write-ahead log back into
    /// the database file.
    pub async fn close(&self) {
        if let Some(keyring) = &self.inner.keyring {
            on_backend!(keyring, db => db.close().await);
        }
        on_backend!(&self.inner.backend, db => db.close().await)
    }
}

/// Rewrites the revocation stamp with fresh random bytes, atomically (a reader sees the old
/// stamp or the new one, never a torn one).
fn write_stamp(path: &Path) -> std::io::Result<()> {
    let mut stamp: Stamp = [0; 16];
    aws_lc_rs::rand::fill(&mut stamp).map_err(|_| std::io::Error::other("no randomness"))?;
    // A name of its own (concurrent revocations in this or another process each rename theirs).
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".");
    for byte in stamp {
        temporary.push(format!("{byte:02x}"));
    }
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, stamp)?;
    std::fs::rename(&temporary, path)
}

/// What a key record means at `now`.
fn status_of(record: KeyRecord, now: Timestamp) -> Authentication {
    match record.status(now) {
        KeyStatus::Active => Authentication::Valid(record),
        KeyStatus::Revoked => Authentication::Revoked,
        KeyStatus::Expired => Authentication::Expired,
    }
}

/// The group-commit writer: takes what is queued (up to [`AUDIT_BATCH`]), commits it in one
/// transaction, answers every caller. Ends when the store is dropped.
fn spawn_audit_writer(inner: Weak<Inner>) -> mpsc::Sender<PendingEvent> {
    let (sender, mut receiver) = mpsc::channel::<PendingEvent>(4 * AUDIT_BATCH);
    tokio::spawn(async move {
        // The tail this writer last wrote or read; `None`: read it before the next append.
        let mut tail: Option<Option<(i64, String)>> = None;
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < AUDIT_BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let Some(inner) = inner.upgrade() else {
                return;
            };
            let (events, replies): (Vec<AuditEvent>, Vec<_>) = batch.into_iter().unzip();
            let outcome = append_after_tail(&inner, &events, &mut tail).await;
            match outcome {
                Ok(seqs) => {
                    for (reply, seq) in replies.into_iter().zip(seqs) {
                        let _ = reply.send(Ok(seq));
                    }
                }
                Err(error) => {
                    let message = error.to_string();
                    for reply in replies {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
        }
    });
    sender
}

/// Appends `events` after the chain's tail in one self-committing statement: one round trip to
/// the database instead of a transaction's four (begin, read the tail, insert, commit), which is
/// most of the audit's share of a request's latency.
///
/// Safe against other writers (other processes, other replicas, the CLI) without a lock: `seq` is
/// the primary key, so if the tail moved since this writer saw it, the insert of the next `seq`
/// fails as a whole, and the writer re-reads the tail and chains again. A retention purge never
/// deletes the tail, so a remembered tail stays the one to chain from.
async fn append_after_tail(
    inner: &Inner,
    events: &[AuditEvent],
    tail: &mut Option<Option<(i64, String)>>,
) -> Result<Vec<i64>> {
    for _ in 0..AUDIT_APPEND_ATTEMPTS {
        let last = match tail.take() {
            Some(last) => last,
            None => on_backend!(&inner.backend, db => db.audit_tail().await?),
        };
        let (seqs, rows) = crate::backend::chain(events, &inner.chain_key, last);
        if on_backend!(&inner.backend, db => db.insert_chained(&rows).await?) {
            *tail = Some(rows.last().map(|(seq, _, _, mac)| (*seq, mac.clone())));
            return Ok(seqs);
        }
    }
    Err(Error::Audit(
        "other writers kept moving the audit chain's tail; the events were not written".to_owned(),
    ))
}

impl fmt::Debug for Store {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.inner.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        formatter
            .debug_struct("Store")
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
}

/// Where a `[store] url` points.
enum Location {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

impl Location {
    /// `sqlite://PATH` or `postgres://…` (`postgresql://` too); any other scheme is refused by
    /// name only (the rest of a URL may hold a password).
    fn parse(url: &str) -> Result<Self> {
        let scheme = scheme_of(url);
        match scheme.as_str() {
            "sqlite" => Ok(Self::Sqlite(SqliteConnectOptions::from_str(url)?)),
            "postgres" | "postgresql" => PgConnectOptions::from_str(url)
                .map(Self::Postgres)
                .map_err(|_| Error::UnsupportedUrl {
                    scheme,
                    reason: "not a valid postgres://user@host:port/database URL",
                }),
            _ => Err(Error::UnsupportedUrl {
                scheme,
                reason: "use sqlite://PATH or postgres://USER@HOST:PORT/DATABASE",
            }),
        }
    }
}

impl Backend {
    async fn migrate(&self) -> Result<()> {
        on_backend!(self, db => db.migrate().await)
    }

    async fn keyring_meta(&self) -> Result<Option<(String, String)>> {
        on_backend!(self, db => db.keyring_meta().await)
    }

    async fn init_keyring_meta(&self, kek_id: &str, check: &str, now: i64) -> Result<()> {
        on_backend!(self, db => db.init_keyring_meta(kek_id, check, now).await)
    }
}

/// Opens a database: a SQLite file (`private`: the default file in the data directory, created
/// 0600 before SQLite makes it; otherwise its directory is made) or a PostgreSQL server.
async fn open_backend(location: Location, private: bool, migrate_now: bool) -> Result<Backend> {
    Ok(match location {
        Location::Sqlite(location) => {
            if private {
                // Before SQLite creates it: its journal files take the database file's mode.
                create_private_file(location.get_filename())?;
            } else if let Some(parent) = location.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                create_private_dir(parent)?;
            }
            Backend::Sqlite(Sqlite::open(location, migrate_now).await?)
        }
        Location::Postgres(location) => {
            Backend::Postgres(Postgres::open(location, migrate_now).await?)
        }
    })
}

/// Refuses a master key that does not open the keyring's check value (a new keyring has none).
/// On refusal the keyring's connections are closed, so SQLite leaves its files as they were.
async fn check_master_key(keyring: &Backend, master: &MasterKey) -> Result<()> {
    let refused = match keyring.keyring_meta().await {
        Ok(Some((kek_id, check))) if !master.opens(&check) => Error::WrongMasterKey {
            expected: kek_id,
            given: master.id(),
        },
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    on_backend!(keyring, db => db.close().await);
    Err(refused)
}

/// The URL's scheme, lowercased, cut to 32 characters; never the rest (it may hold a password).
fn scheme_of(url: &str) -> String {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    scheme.chars().take(32).collect::<String>().to_lowercase()
}

/// Creates `path` and missing parents, readable only by the owner on unix; an existing directory
/// is left as it is.
fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|source| Error::DataDir {
        path: path.to_owned(),
        source,
    })
}

/// Creates an empty file readable only by the owner on unix (SQLite takes an empty file for a new
/// database); an existing file is left as it is.
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::DataDir {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_refused_by_scheme_only() {
        let error = Location::parse("mysql://root:hunter2@db").err().unwrap();
        let message = error.to_string();
        assert!(message.contains("\"mysql\""), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        let error = Location::parse("postgres://warden:hunter2@db:notaport/x")
            .err()
            .unwrap();
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(matches!(
            Location::parse("sqlite://./data/warden.db"),
            Ok(Location::Sqlite(_))
        ));
        assert!(matches!(
            Location::parse("postgresql://warden@localhost/warden"),
            Ok(Location::Postgres(_))
        ));
    }

    #[test]
    fn options_debug_hides_the_url() {
        let options = StoreOptions {
            url: Some("postgres://warden:hunter2@db/warden".into()),
            ..StoreOptions::in_dir("data")
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres"), "{shown}");
    }
}
