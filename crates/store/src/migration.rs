//! Schema migrations: numbered SQL files embedded in the binary, applied in order, each recorded
//! in `warden_schema` with a SHA-256 of its text.
//!
//! Why not `sqlx::migrate!`: it needs sqlx's `macros` feature, which compiles the drivers twice
//! (DEPENDENCIES.md). Why not a hand-built `sqlx::migrate::Migrator`: on SQLite it takes no lock,
//! so two processes opening a new database at once both try to apply migration 1 and one fails.
//! Here every backend runs the whole check-and-apply inside one transaction that first takes the
//! database's write lock (SQLite: `BEGIN IMMEDIATE`, waited for through the busy timeout;
//! PostgreSQL, later: an advisory transaction lock), so concurrent openers apply each migration
//! exactly once and a failed migration leaves nothing behind.
//!
//! Rules for migration files: portable SQL (no SQLite- or PostgreSQL-only syntax), never edited
//! once released (an applied migration whose text changed is an error), new versions only appended.

use aws_lc_rs::digest;

use crate::error::{Error, Result};

/// One migration.
#[derive(Debug)]
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

impl Migration {
    /// Lowercase hex SHA-256 of the SQL text.
    pub(crate) fn checksum(&self) -> String {
        hex::encode(digest::digest(&digest::SHA256, self.sql.as_bytes()).as_ref())
    }
}

/// Every migration, in version order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "client_keys",
        sql: include_str!("../migrations/0001_client_keys.sql"),
    },
    Migration {
        version: 2,
        name: "audit_events",
        sql: include_str!("../migrations/0002_audit_events.sql"),
    },
    Migration {
        version: 3,
        name: "encryption",
        sql: include_str!("../migrations/0003_encryption.sql"),
    },
    Migration {
        version: 4,
        name: "privacy",
        sql: include_str!("../migrations/0004_privacy.sql"),
    },
];

/// The newest version this build ships.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// The bookkeeping table (portable SQL).
pub(crate) const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS warden_schema (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";
pub(crate) const SELECT_APPLIED: &str =
    "SELECT version, checksum FROM warden_schema ORDER BY version";
pub(crate) const INSERT_APPLIED: &str =
    "INSERT INTO warden_schema (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)";

/// The migrations still to apply, given the `(version, checksum)` rows already recorded; an error
/// if the database is newer than this build or an applied migration was edited.
pub(crate) fn pending(applied: &[(i64, String)]) -> Result<Vec<&'static Migration>> {
    let known = MIGRATIONS.last().map_or(0, |migration| migration.version);
    for (version, checksum) in applied {
        let Some(migration) = MIGRATIONS.iter().find(|m| m.version == *version) else {
            return Err(Error::SchemaTooNew {
                found: *version,
                known,
            });
        };
        if *checksum != migration.checksum() {
            return Err(Error::MigrationChanged {
                version: migration.version,
                name: migration.name,
            });
        }
    }
    Ok(MIGRATIONS
        .iter()
        .filter(|migration| {
            !applied
                .iter()
                .any(|(version, _)| *version == migration.version)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
        }
    }

    #[test]
    fn nothing_applied_means_everything_pending() {
        assert_eq!(pending(&[]).unwrap().len(), MIGRATIONS.len());
    }

    #[test]
    fn applied_migrations_are_skipped() {
        let first = &MIGRATIONS[0];
        let pending = pending(&[(first.version, first.checksum())]).unwrap();
        assert!(pending.iter().all(|m| m.version != first.version));
    }

    #[test]
    fn edited_and_unknown_migrations_are_refused() {
        let edited = pending(&[(1, "0".repeat(64))]).unwrap_err();
        assert!(matches!(edited, Error::MigrationChanged { version: 1, .. }));
        let newer = pending(&[(99, String::new())]).unwrap_err();
        assert!(matches!(newer, Error::SchemaTooNew { found: 99, .. }));
    }
}
