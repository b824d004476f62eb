//! Limit (SPEC §2 step 4), the single-node part: requests per minute per principal, from the key's
//! `requests_per_minute`, as a GCRA limiter (governor) per principal. Over the limit → 429 with
//! `Retry-After` (whole seconds, rounded up). Token budgets and the Redis-backed limiter for several
//! replicas come with the access issue.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::identity::Principal;

/// Per-principal request limiters, created on first use.
#[derive(Debug, Default)]
pub struct Limits {
    limiters: Mutex<HashMap<String, (u32, Arc<DefaultDirectRateLimiter>)>>,
}

impl Limits {
    /// Admits one request of `principal`, or the 429 to send.
    pub fn admit(&self, principal: &Principal) -> Result<(), ApiError> {
        let Some(per_minute) = principal
            .requests_per_minute
            .and_then(|n| u32::try_from(n).ok())
            .and_then(NonZeroU32::new)
        else {
            return Ok(());
        };
        let limiter = {
            let mut limiters = match self.limiters.lock() {
                Ok(limiters) => limiters,
                Err(poisoned) => poisoned.into_inner(),
            };
            let entry = limiters
                .entry(principal.id.clone())
                .or_insert_with(|| (per_minute.get(), Arc::new(limiter(per_minute))));
            // The key's limit changed (edited in the store): start a fresh limiter.
            if entry.0 != per_minute.get() {
                *entry = (per_minute.get(), Arc::new(limiter(per_minute)));
            }
            Arc::clone(&entry.1)
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError::rate_limited(
                format!("this key may send {per_minute} requests per minute"),
                Some(seconds.max(1)),
            )
        })
    }
}

fn limiter(per_minute: NonZeroU32) -> DefaultDirectRateLimiter {
    RateLimiter::direct(Quota::per_minute(per_minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(id: &str, per_minute: Option<u64>) -> Principal {
        Principal {
            id: id.to_owned(),
            name: id.to_owned(),
            roles: vec!["user".to_owned()],
            allowed_models: None,
            requests_per_minute: per_minute,
            mfa: false,
        }
    }

    #[test]
    fn over_the_limit_is_429_with_retry_after() {
        let limits = Limits::default();
        let limited = principal("a", Some(3));
        for _ in 0..3 {
            limits.admit(&limited).unwrap();
        }
        let error = limits.admit(&limited).unwrap_err();
        assert_eq!(error.status.as_u16(), 429);
        assert_eq!(error.code, "rate_limited");
        assert!(error.retry_after.is_some_and(|s| (1..=20).contains(&s)));
        // Another principal and an unlimited one are not affected.
        limits.admit(&principal("b", Some(3))).unwrap();
        for _ in 0..100 {
            limits.admit(&principal("c", None)).unwrap();
        }
    }
}
