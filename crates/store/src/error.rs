//! The store's one error type.
//!
//! Messages are lowercase, name the thing that is wrong (a file, a key id, a migration) and never
//! contain a client key, a key hash, the pepper or a database password.

use std::path::PathBuf;

use crate::record::KeyId;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A key file (`pepper.key`, `master.key`) could not be read or written.
    #[error("key file {path}")]
    PepperFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A key file does not hold exactly 32 bytes.
    #[error("key file {path} must hold exactly 32 bytes, it holds {len}")]
    PepperLength {
        /// The file.
        path: PathBuf,
        /// How many bytes it holds (at most 33 are read).
        len: usize,
    },
    /// A pepper given as bytes is not 32 bytes long.
    #[error("a pepper must be exactly 32 bytes, got {len}")]
    PepperSize {
        /// The length given.
        len: usize,
    },
    /// A key file can be read by other users.
    #[error("key file {path} is readable by group or others (mode {mode:o}): chmod 600 it")]
    PepperPermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The store URL names a database this build cannot use. Only the scheme is kept: a URL may
    /// carry a password.
    #[error("unsupported store url scheme {scheme:?}: {reason}")]
    UnsupportedUrl {
        /// The URL's scheme (the text before the first `:`), at most 32 characters.
        scheme: String,
        /// What to use instead.
        reason: &'static str,
    },
    /// The database could not be opened.
    #[error("cannot open the database {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL server could not be reached or refused the connection. Names the server
    /// and database, never the URL's user or password.
    #[error("cannot connect to PostgreSQL at {server}")]
    Connect {
        /// `host:port/database`.
        server: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The master key is not the one this store's data keys are wrapped with.
    #[error(
        "the master key does not open this store's keyring (the keyring was made with master key \
         {expected}, this one is {given}): give the right WARDEN_MASTER_KEY or key file, or \
         rotate with `warden keys rotate-master`"
    )]
    WrongMasterKey {
        /// The keyring's master key id (a keyed fingerprint, not the key).
        expected: String,
        /// The given key's id.
        given: String,
    },
    /// `WARDEN_MASTER_KEY` (or the configured reference) is not base64 of 32 bytes.
    #[error("the master key must be base64 of exactly 32 bytes")]
    MasterKeyFormat,
    /// A stored ciphertext does not open: altered, or sealed under another key.
    #[error("stored {what} cannot be decrypted: altered, or made under another key")]
    Decrypt {
        /// What it was (`conversation`, `data key`).
        what: &'static str,
    },
    /// A revocation was stored but the stamp that tells running servers could not be written.
    #[error(
        "the revocation is stored, but {path} could not be rewritten ({source}): running servers \
         may accept the key for up to 5 seconds"
    )]
    RevocationStamp {
        /// The stamp file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The audit event could not be stored.
    #[error("audit trail: {0}")]
    Audit(String),
    /// A query failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The database was migrated by a newer Warden.
    #[error("the database schema is at version {found}, newer than this warden knows ({known})")]
    SchemaTooNew {
        /// The newest version applied to the database.
        found: i64,
        /// The newest version this build ships.
        known: i64,
    },
    /// An applied migration differs from the one this build ships.
    #[error("migration {version} ({name}) differs from the one applied to the database")]
    MigrationChanged {
        /// Its version.
        version: i64,
        /// Its name.
        name: &'static str,
    },
    /// A stored row cannot be read back.
    #[error("stored key {id} has an unreadable {field}")]
    Corrupt {
        /// The key's id as stored.
        id: String,
        /// The column.
        field: &'static str,
    },
    /// No key has this id.
    #[error("unknown key id {0}")]
    NotFound(KeyId),
    /// A key id is not `key_` followed by 16 letters or digits. The text is not repeated: it may
    /// be a client key given by mistake.
    #[error("invalid key id: expected key_ followed by 16 letters or digits")]
    MalformedKeyId,
    /// A role name is empty, too long, or has characters outside `a-z 0-9 _ -`.
    #[error("invalid role {0:?}: use 1 to 64 characters from a-z, 0-9, _ and -")]
    InvalidRole(String),
    /// A key was asked for without roles.
    #[error("a key needs at least one role")]
    NoRoles,
    /// A key name is empty, too long or has control characters.
    #[error("invalid key name: use 1 to 200 characters, no control characters")]
    InvalidName,
    /// A model name is empty, too long or has control characters.
    #[error("invalid model name {0:?}: use 1 to 200 characters, no control characters")]
    InvalidModel(String),
    /// A limit does not fit the database's signed 64-bit integers.
    #[error("{field} is too large")]
    LimitTooLarge {
        /// The limit.
        field: &'static str,
    },
    /// A consent purpose is empty, too long, or has characters outside `a-z A-Z 0-9 _ - . :`.
    #[error("invalid purpose: use 1 to 64 characters from a-z, A-Z, 0-9, _, -, . and :")]
    InvalidPurpose,
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
