//! The one error type of this crate: building a scanner or an operator from configuration can fail,
//! and so can decrypting a token; scanning and rewriting cannot.
//!
//! Messages name the setting that is wrong, never a key, a token's content or a scanned value.

/// Why a scanner or an operator could not be built, or a token not be decrypted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A custom detector's or list's regular expression does not compile.
    #[error("{owner}: invalid regex: {reason}")]
    InvalidRegex {
        /// The detector or list that holds the regex.
        owner: String,
        /// Why it does not compile.
        reason: String,
    },
    /// A custom detector names a validator that does not exist.
    #[error("{owner}: unknown validator `{name}` (known: {known})")]
    UnknownValidator {
        /// The detector.
        owner: String,
        /// The unknown name.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// A score outside [0, 1].
    #[error("{owner}: score {score} is outside 0..=1")]
    InvalidScore {
        /// The detector, list or setting.
        owner: String,
        /// The bad value.
        score: f32,
    },
    /// An entity type name that is neither built in nor a valid custom name.
    #[error("{owner}: invalid entity type `{name}` (custom types are UPPER_SNAKE_CASE)")]
    InvalidEntity {
        /// Where it was named.
        owner: String,
        /// The name.
        name: String,
    },
    /// A key for the hash or encrypt operators that is not usable.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A value that cannot be decrypted with the given key (wrong key, altered or not a token).
    #[error("cannot decrypt: wrong key, altered or malformed token")]
    Decrypt,
    /// The cipher refused to encrypt (not expected with valid keys; the rewriter fails closed).
    #[error("cannot encrypt")]
    Encrypt,
    /// An operator name or option that is not valid.
    #[error("invalid operator: {0}")]
    InvalidOperator(String),
    /// An operator used without something it needs (keys, a pseudonym table, a nonce source).
    #[error("operator `{operator}` needs {needs}")]
    OperatorNeeds {
        /// The operator's name.
        operator: &'static str,
        /// What is missing.
        needs: &'static str,
    },
    /// A serialised pseudonym table that is malformed or ambiguous.
    #[error("invalid pseudonym table: {0}")]
    InvalidPseudonymTable(String),
}
