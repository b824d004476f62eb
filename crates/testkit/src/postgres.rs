//! Throwaway PostgreSQL databases for tests, on the server `WARDEN_TEST_PG_URL` names
//! (`./scripts/test` starts one on loopback).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable naming the test server (a `postgres://` URL to any database on it).
pub const PG_URL_VAR: &str = "WARDEN_TEST_PG_URL";

/// Creates a new, empty database named `PREFIX_PID_N_MILLIS` on the test server and returns its
/// URL; `None` when `WARDEN_TEST_PG_URL` is unset (the caller skips, saying so).
///
/// # Panics
/// When the variable is set but the server cannot be reached or refuses: a test run that was
/// promised a database must not silently skip. `prefix` must be lowercase letters and underscores.
#[allow(clippy::expect_used, clippy::panic)]
pub async fn fresh_database(prefix: &str) -> Option<String> {
    let admin_url = std::env::var(PG_URL_VAR).ok()?;
    assert!(
        prefix.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "database prefix {prefix:?}: lowercase letters and underscores only"
    );
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    let name = format!(
        "{prefix}_{}_{}_{millis}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    );
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap_or_else(|error| panic!("{PG_URL_VAR} is set but unusable: {error}"));
    // The name is lowercase letters, underscores and digits (checked above): safe to splice.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("CREATE DATABASE on the test server");
    admin.close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("WARDEN_TEST_PG_URL ends with /DATABASE");
    Some(format!("{base}/{name}"))
}
