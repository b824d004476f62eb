//! What the store keeps about a client key (never the key itself), and the answers it gives.

use std::fmt;

use serde::Serialize;

use crate::client_key;
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// The longest key or model name accepted, in characters.
const MAX_NAME_CHARS: usize = 200;
/// The longest role name accepted, in characters.
const MAX_ROLE_CHARS: usize = 64;
/// `key_` + 16 base62 characters: about 95 random bits, so ids never collide in practice.
const KEY_ID_PREFIX: &str = "key_";
const KEY_ID_RANDOM_CHARS: usize = 16;

/// A key's public identifier, `key_` + 16 letters or digits: stable, printable, not secret. Admins
/// revoke by id; the audit trail names principals by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// Parses an id; anything but `key_` + 16 ASCII letters or digits is `Error::MalformedKeyId`.
    pub fn parse(text: &str) -> Result<Self> {
        let well_formed = text.strip_prefix(KEY_ID_PREFIX).is_some_and(|random| {
            random.len() == KEY_ID_RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !well_formed {
            return Err(Error::MalformedKeyId);
        }
        Ok(Self(text.to_owned()))
    }

    /// A fresh random id.
    pub(crate) fn generate() -> Result<Self> {
        let random = client_key::random_base62(KEY_ID_RANDOM_CHARS)?;
        Ok(Self(format!("{KEY_ID_PREFIX}{random}")))
    }

    /// An id read back from the database, trusted as written.
    pub(crate) fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A role name: 1 to 64 characters from `a-z 0-9 _ -` (policies match roles by name, so one
/// spelling per role).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Role(String);

impl Role {
    /// Parses a role name.
    pub fn parse(text: &str) -> Result<Self> {
        let valid = (1..=MAX_ROLE_CHARS).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(Error::InvalidRole(text.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The role as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Per-key rate limits and budget. Stored now; enforcing them is the gateway's limit stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KeyLimits {
    /// Requests per minute.
    pub requests_per_minute: Option<u64>,
    /// Model tokens (prompt + completion) per minute.
    pub tokens_per_minute: Option<u64>,
    /// Model tokens per day: the budget.
    pub tokens_per_day: Option<u64>,
}

/// A key to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// A name for people ("ci", "alice's laptop"): 1 to 200 characters, no control characters.
    pub name: String,
    /// At least one role; duplicates are dropped, order kept.
    pub roles: Vec<Role>,
    /// When the key stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// The models the key may call; `None` for every model the policies allow.
    pub allowed_models: Option<Vec<String>>,
    /// Rate limits and budget.
    pub limits: KeyLimits,
}

impl NewKey {
    /// Checks the name and models, drops duplicate roles and models. (Limits are checked where
    /// they become database integers: `KeyParams::of`.)
    pub(crate) fn validated(mut self) -> Result<Self> {
        if !is_printable_name(&self.name) {
            return Err(Error::InvalidName);
        }
        dedup_keep_order(&mut self.roles);
        if self.roles.is_empty() {
            return Err(Error::NoRoles);
        }
        if let Some(models) = &mut self.allowed_models {
            if let Some(bad) = models.iter().find(|model| !is_printable_name(model)) {
                return Err(Error::InvalidModel(bad.clone()));
            }
            dedup_keep_order(models);
        }
        Ok(self)
    }
}

/// What the store knows about a key: everything but the key and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// The key's public id.
    pub id: KeyId,
    /// Its name.
    pub name: String,
    /// Its roles (at least one).
    pub roles: Vec<Role>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// The models it may call; `None` for all.
    pub allowed_models: Option<Vec<String>>,
    /// Its rate limits and budget.
    pub limits: KeyLimits,
}

impl KeyRecord {
    /// Whether the key works at `now`: revocation wins over expiry. A key expires at the instant
    /// `expires_at` (not a millisecond later).
    pub fn status(&self, now: Timestamp) -> KeyStatus {
        if self.revoked_at.is_some() {
            return KeyStatus::Revoked;
        }
        match self.expires_at {
            Some(expires_at) if expires_at <= now => KeyStatus::Expired,
            _ => KeyStatus::Active,
        }
    }
}

/// Whether a key works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// It authenticates.
    Active,
    /// It was revoked.
    Revoked,
    /// Its expiry has passed.
    Expired,
}

/// The answer to a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// A live key: who it is.
    Valid(KeyRecord),
    /// Well-formed, but no key has this hash (never issued, mistyped, or issued under another
    /// pepper).
    Unknown,
    /// The key was revoked.
    Revoked,
    /// The key's expiry has passed.
    Expired,
    /// Not `wdn_` + 43 letters or digits: answered without touching the database.
    Malformed,
}

/// What `revoke_key` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// The key was live (or expired) and is now revoked.
    Revoked {
        /// The revocation time written.
        at: Timestamp,
    },
    /// The key had been revoked before; nothing changed.
    AlreadyRevoked {
        /// The earlier revocation time.
        at: Timestamp,
    },
}

/// 1 to 200 characters, none of them control characters (names are printed in terminals).
fn is_printable_name(text: &str) -> bool {
    let n_chars = text.chars().count();
    (1..=MAX_NAME_CHARS).contains(&n_chars) && !text.chars().any(char::is_control)
}

fn dedup_keep_order<T: PartialEq + Clone>(items: &mut Vec<T>) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    *items = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_key(name: &str, roles: &[&str]) -> NewKey {
        NewKey {
            name: name.to_owned(),
            roles: roles
                .iter()
                .map(|role| Role::parse(role).unwrap())
                .collect(),
            expires_at: None,
            allowed_models: None,
            limits: KeyLimits::default(),
        }
    }

    #[test]
    fn roles_are_lowercase_words() {
        for good in ["user", "admin", "data-eng", "team_42", "a"] {
            assert_eq!(Role::parse(good).unwrap().as_str(), good);
        }
        let too_long = "r".repeat(65);
        for bad in ["", "Admin", "a b", "ops,dev", "é", "a\n", too_long.as_str()] {
            assert!(
                matches!(Role::parse(bad), Err(Error::InvalidRole(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn key_ids_are_checked_without_echoing_them() {
        assert!(KeyId::parse("key_0123456789abcdEF").is_ok());
        for bad in [
            "",
            "key_",
            "key_0123456789abcde",
            "key_0123456789abcdef0",
            "KEY_0123456789abcdef",
            "key_0123456789abcd-f",
            "wdn_0123456789abcdef",
        ] {
            let error = KeyId::parse(bad).unwrap_err();
            assert!(matches!(error, Error::MalformedKeyId), "{bad:?}");
            assert!(
                bad.len() <= 4 || !error.to_string().contains(bad),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generated_ids_parse_and_differ() {
        let first = KeyId::generate().unwrap();
        let second = KeyId::generate().unwrap();
        assert_eq!(KeyId::parse(first.as_str()).unwrap(), first);
        assert_ne!(first, second);
    }

    #[test]
    fn new_keys_are_validated() {
        let key = new_key("ci", &["user", "admin", "user"])
            .validated()
            .unwrap();
        let roles: Vec<&str> = key.roles.iter().map(Role::as_str).collect();
        assert_eq!(roles, ["user", "admin"]);

        assert!(matches!(
            new_key("ci", &[]).validated(),
            Err(Error::NoRoles)
        ));
        for bad_name in ["", "tab\there", "\u{1b}[31mred"] {
            let error = new_key(bad_name, &["user"]).validated().unwrap_err();
            assert!(matches!(error, Error::InvalidName), "{bad_name:?}");
        }
        let mut models = new_key("ci", &["user"]);
        models.allowed_models = Some(vec!["gpt-4o".into(), "gpt-4o".into(), "o3".into()]);
        assert_eq!(
            models.validated().unwrap().allowed_models.unwrap(),
            ["gpt-4o", "o3"]
        );
        let mut empty_model = new_key("ci", &["user"]);
        empty_model.allowed_models = Some(vec![String::new()]);
        assert!(matches!(
            empty_model.validated(),
            Err(Error::InvalidModel(_))
        ));
    }

    #[test]
    fn revocation_wins_over_expiry_and_expiry_is_inclusive() {
        let mut record = KeyRecord {
            id: KeyId::parse("key_0123456789abcdef").unwrap(),
            name: "ci".into(),
            roles: vec![Role::parse("user").unwrap()],
            created_at: Timestamp::from_unix_millis(0),
            expires_at: Some(Timestamp::from_unix_millis(100)),
            revoked_at: None,
            allowed_models: None,
            limits: KeyLimits::default(),
        };
        assert_eq!(
            record.status(Timestamp::from_unix_millis(99)),
            KeyStatus::Active
        );
        assert_eq!(
            record.status(Timestamp::from_unix_millis(100)),
            KeyStatus::Expired
        );
        record.revoked_at = Some(Timestamp::from_unix_millis(50));
        assert_eq!(
            record.status(Timestamp::from_unix_millis(10)),
            KeyStatus::Revoked
        );
        assert_eq!(
            record.status(Timestamp::from_unix_millis(200)),
            KeyStatus::Revoked
        );
    }
}
