//! What the gateway's Redis tests share: the server `scripts/test` starts, and names of their own
//! per run.

#![allow(unreachable_pub, clippy::print_stderr, clippy::unwrap_used)]

/// `WARDEN_TEST_REDIS_URL`, or `None` with a message saying why the test skips.
pub fn redis_url() -> Option<String> {
    match std::env::var("WARDEN_TEST_REDIS_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            eprintln!("skipping: set WARDEN_TEST_REDIS_URL (scripts/test starts Redis)");
            None
        }
    }
}

/// `prefix` with this moment's nanoseconds: a name (model, principal) of this run only, so state
/// an earlier run left in Redis does not count.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
