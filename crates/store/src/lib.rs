//! Warden's store: the only crate that knows SQL and the on-disk format.
//!
//! It keeps client keys (SPEC §6) and the audit chain (SPEC §7) in SQLite (embedded default) or
//! PostgreSQL (shared by replicas, SPEC §14), with one set of migrations.
//!
//! # Client keys
//! A key is `wdn_` + 43 base62 characters (32 random bytes), 47 characters in all. The store keeps
//! only HMAC-SHA256(pepper, key) in lowercase hex, under a unique index, next to the key's record
//! ([`KeyRecord`]: id, name, roles, times, allowed models, limits). The plaintext key exists once,
//! in the [`PlaintextKey`] that [`Store::create_key`] returns (redacting `Debug`, zeroized on
//! drop). A plain hash would do against guessing — the keys have 256 bits — but the HMAC's secret
//! pepper also makes a stolen database useless for checking candidate keys, and, unlike a password
//! hash (argon2), it costs a microsecond and can be looked up by index. See [`Pepper`] for where
//! the pepper lives.
//!
//! # Authentication and revocation
//! [`Store::authenticate`] answers [`Authentication`]: `Valid(record)`, `Unknown`, `Revoked`,
//! `Expired` or `Malformed`. Malformed strings never reach the database. There is deliberately
//! **no cache**: every call is one indexed read on a pooled connection (sqlx caches the prepared
//! statement per connection), so a revocation written by another process — `warden keys revoke`
//! while the gateway runs — is seen by the very next request. In WAL mode readers never wait for
//! writers, and the read costs tens of microseconds (crates/store/examples/auth_latency.rs), well
//! inside the budget of a model call; a cache would need an invalidation channel across processes
//! and replicas (SPEC §14's Redis broadcast) to be safe, which is the PostgreSQL issue's business.
//! The caller passes `now` to every time-dependent call, so tests need no clock.
//!
//! # One type over backends, not a trait
//! [`Store`] is a concrete, cloneable handle over an internal enum of backends (SQLite,
//! PostgreSQL). The gateway names one type, with no boxed futures, no `async-trait` and no
//! generic parameter threading through its state. The SQL text is shared (`query.rs`: portable
//! statements with `$1` placeholders, times as `BIGINT` unix milliseconds, lists as JSON `TEXT`),
//! and so are the methods that run it (`backend.rs`, one macro over the sqlx database type); a
//! backend adds only how its writers take turns: SQLite's `BEGIN IMMEDIATE` file lock, a
//! PostgreSQL transaction-scoped advisory lock (`postgres.rs`). Tests of the gateway
//! use a real SQLite store in a temporary directory, which is as fast as a mock.
//!
//! # Migrations
//! Numbered SQL files in `migrations/`, embedded with `include_str!`, recorded with a checksum in
//! `warden_schema`, applied by [`Store::open`] in one transaction under the write lock, so
//! concurrent openers are safe; see `migration.rs` for why not sqlx's migrator.
//!
//! # Errors
//! One [`Error`] enum. No message contains a key, a hash, the pepper or a database URL (only its
//! scheme).

#![forbid(unsafe_code)]

pub mod audit;
mod backend;
mod client_key;
mod conversation;
mod crypto;
mod error;
mod migration;
mod pepper;
mod postgres;
mod privacy;
mod query;
mod record;
mod sqlite;
mod store;
mod timestamp;

pub use audit::{AUDIT_FORMAT_VERSION, AuditEvent, BadEvent, Verification};
pub use client_key::{KEY_LEN, KEY_PREFIX, PlaintextKey, is_well_formed};
pub use conversation::{Conversation, NewConversation};
pub use crypto::{MASTER_KEY_FILE, MasterKey};
pub use error::{Error, Result};
pub use pepper::{PEPPER_FILE, Pepper};
pub use privacy::{
    AuditPurge, Consent, Erasure, ExportedEvent, Incident, NewIncident, SubjectExport,
    valid_purpose,
};
pub use record::{
    Authentication, KeyId, KeyLimits, KeyRecord, KeyStatus, NewKey, RevokeOutcome, Role,
};
pub use store::{DATABASE_FILE, KEYRING_FILE, Store, StoreOptions};
pub use timestamp::Timestamp;
