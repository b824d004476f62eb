//! The SQL every backend runs, and the row shape it returns.
//!
//! The statements are portable: `$1`-style placeholders (PostgreSQL's, which SQLite also reads),
//! no `RETURNING`, `ON CONFLICT` or backend functions. A backend binds the parameters in the order
//! the comments give; `KeyRow` decodes rows of any backend.

use sqlx::{ColumnIndex, Database, Decode, FromRow, Row, Type};

use crate::error::{Error, Result};
use crate::record::{KeyId, KeyLimits, KeyRecord, Role};
use crate::timestamp::Timestamp;

/// The columns of a `KeyRecord`, in `KeyRow`'s order.
macro_rules! key_columns {
    () => {
        "id, name, roles, allowed_models, requests_per_minute, tokens_per_minute, tokens_per_day, \
         created_at, expires_at, revoked_at"
    };
}

/// Binds: id, key_hash, name, roles, allowed_models, requests_per_minute, tokens_per_minute,
/// tokens_per_day, created_at, expires_at.
pub(crate) const INSERT_KEY: &str = "INSERT INTO client_keys (id, key_hash, name, roles, \
     allowed_models, requests_per_minute, tokens_per_minute, tokens_per_day, created_at, \
     expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// Binds: key_hash. Uses the unique index on `key_hash`.
pub(crate) const KEY_BY_HASH: &str = concat!(
    "SELECT ",
    key_columns!(),
    ", key_hash FROM client_keys WHERE key_hash = $1"
);
/// No binds. Oldest first.
pub(crate) const LIST_KEYS: &str = concat!(
    "SELECT ",
    key_columns!(),
    " FROM client_keys ORDER BY created_at, id"
);
/// Binds: revoked_at, id. Touches only a live key, so a second revocation keeps the first time.
pub(crate) const REVOKE_KEY: &str =
    "UPDATE client_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
/// Binds: id.
pub(crate) const KEY_REVOKED_AT: &str = "SELECT revoked_at FROM client_keys WHERE id = $1";

/// A `client_keys` row as stored (lists as JSON text, times and limits as `BIGINT`).
pub(crate) struct KeyRow {
    id: String,
    name: String,
    roles: String,
    allowed_models: Option<String>,
    requests_per_minute: Option<i64>,
    tokens_per_minute: Option<i64>,
    tokens_per_day: Option<i64>,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// A row of `KEY_BY_HASH`: the record and its stored hash.
pub(crate) struct HashedKeyRow {
    pub(crate) key: KeyRow,
    pub(crate) key_hash: String,
}

/// The parameters of `INSERT_KEY` but the hash, in database types.
pub(crate) struct KeyParams {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) roles: String,
    pub(crate) allowed_models: Option<String>,
    pub(crate) requests_per_minute: Option<i64>,
    pub(crate) tokens_per_minute: Option<i64>,
    pub(crate) tokens_per_day: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: Option<i64>,
}

impl KeyParams {
    /// A validated record in database types.
    pub(crate) fn of(record: &KeyRecord) -> Result<Self> {
        let roles: Vec<&str> = record.roles.iter().map(Role::as_str).collect();
        let limit = |field: &'static str, value: Option<u64>| {
            value
                .map(i64::try_from)
                .transpose()
                .map_err(|_| Error::LimitTooLarge { field })
        };
        Ok(Self {
            id: record.id.as_str().to_owned(),
            name: record.name.clone(),
            roles: json_list(&roles),
            allowed_models: record.allowed_models.as_deref().map(json_list),
            requests_per_minute: limit("requests_per_minute", record.limits.requests_per_minute)?,
            tokens_per_minute: limit("tokens_per_minute", record.limits.tokens_per_minute)?,
            tokens_per_day: limit("tokens_per_day", record.limits.tokens_per_day)?,
            created_at: record.created_at.unix_millis(),
            expires_at: record.expires_at.map(Timestamp::unix_millis),
        })
    }
}

impl KeyRow {
    /// The record this row stores; `Error::Corrupt` names the column that cannot be read back.
    pub(crate) fn into_record(self) -> Result<KeyRecord> {
        let corrupt = |field| Error::Corrupt {
            id: self.id.clone(),
            field,
        };
        let role_names: Vec<String> =
            serde_json::from_str(&self.roles).map_err(|_| corrupt("roles"))?;
        let roles = role_names
            .iter()
            .map(|name| Role::parse(name))
            .collect::<Result<Vec<_>>>()
            .map_err(|_| corrupt("roles"))?;
        let allowed_models = match &self.allowed_models {
            Some(text) => Some(serde_json::from_str(text).map_err(|_| corrupt("allowed_models"))?),
            None => None,
        };
        let limit = |field, value: Option<i64>| {
            value
                .map(u64::try_from)
                .transpose()
                .map_err(|_| corrupt(field))
        };
        let limits = KeyLimits {
            requests_per_minute: limit("requests_per_minute", self.requests_per_minute)?,
            tokens_per_minute: limit("tokens_per_minute", self.tokens_per_minute)?,
            tokens_per_day: limit("tokens_per_day", self.tokens_per_day)?,
        };
        Ok(KeyRecord {
            id: KeyId::from_stored(self.id),
            name: self.name,
            roles,
            created_at: Timestamp::from_unix_millis(self.created_at),
            expires_at: self.expires_at.map(Timestamp::from_unix_millis),
            revoked_at: self.revoked_at.map(Timestamp::from_unix_millis),
            allowed_models,
            limits,
        })
    }
}

/// Decoding by column name, written by hand (sqlx's `derive` feature is off: DEPENDENCIES.md).
/// Generic over the row type, so SQLite and PostgreSQL share it.
impl<'r, R> FromRow<'r, R> for KeyRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            roles: row.try_get("roles")?,
            allowed_models: row.try_get("allowed_models")?,
            requests_per_minute: row.try_get("requests_per_minute")?,
            tokens_per_minute: row.try_get("tokens_per_minute")?,
            tokens_per_day: row.try_get("tokens_per_day")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
        })
    }
}

impl<'r, R> FromRow<'r, R> for HashedKeyRow
where
    R: Row,
    R::Database: Database,
    &'r str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            key: KeyRow::from_row(row)?,
            key_hash: row.try_get("key_hash")?,
        })
    }
}

/// A JSON array of strings (serialising strings cannot fail).
fn json_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::Value::from(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl KeyRow {
        fn sample() -> Self {
            Self {
                id: "key_0123456789abcdef".into(),
                name: "ci".into(),
                roles: "[\"user\"]".into(),
                allowed_models: None,
                requests_per_minute: None,
                tokens_per_minute: None,
                tokens_per_day: None,
                created_at: 0,
                expires_at: None,
                revoked_at: None,
            }
        }
    }

    #[test]
    fn lists_are_json_arrays() {
        assert_eq!(json_list(&["a", "b\"c"]), r#"["a","b\"c"]"#);
        assert_eq!(json_list::<&str>(&[]), "[]");
    }

    #[test]
    fn select_statements_name_every_column() {
        assert!(KEY_BY_HASH.starts_with("SELECT id, name, roles,"));
        assert!(KEY_BY_HASH.ends_with("key_hash FROM client_keys WHERE key_hash = $1"));
        assert!(
            !LIST_KEYS.contains("key_hash"),
            "listing never reads hashes"
        );
    }

    #[test]
    fn limits_must_fit_a_bigint() {
        let mut record = KeyRow::sample().into_record().unwrap();
        record.limits.tokens_per_day = Some(i64::MAX as u64);
        assert!(KeyParams::of(&record).is_ok());
        record.limits.tokens_per_day = Some(i64::MAX as u64 + 1);
        assert!(matches!(
            KeyParams::of(&record),
            Err(Error::LimitTooLarge {
                field: "tokens_per_day"
            })
        ));
    }

    #[test]
    fn a_row_with_broken_roles_is_named_corrupt() {
        let row = KeyRow {
            roles: "[\"Not A Role\"]".into(),
            ..KeyRow::sample()
        };
        let error = row.into_record().unwrap_err();
        assert_eq!(
            error.to_string(),
            "stored key key_0123456789abcdef has an unreadable roles"
        );
    }
}
