//! Anomaly detection per principal (SPEC §9) and the automatic response.
//!
//! Three counters per principal over a sliding window (`[alerts] window_seconds`, kept as ten
//! buckets so memory is constant whatever the traffic): prompt-injection refusals, leaks blocked
//! in answers, and requests. A principal trips when injection refusals or blocked leaks reach their
//! threshold within the window, or when its requests in the window exceed `volume_factor` times its
//! own baseline (an exponentially weighted average of its earlier windows) and `volume_min`.
//!
//! A trip suspends the principal for `suspend_seconds` (every request is then refused with 403
//! `principal_suspended` before anything else is done), and the gateway records an incident, an
//! audit event and an alert to the webhook ([`crate::alert`]). One trip per suspension: counters
//! restart when it ends.
//!
//! State is in memory, per replica (documented in docs/OPERATIONS.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::AlertsConfig;

/// Buckets per window.
const BUCKETS: usize = 10;
/// Weight of the newest window in the baseline.
const BASELINE_WEIGHT: f64 = 0.2;
/// Principals tracked at most (the least recently seen are dropped beyond).
const MAX_PRINCIPALS: usize = 100_000;

/// What a principal did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// A request (for the volume rule).
    Request,
    /// A request refused as prompt injection.
    Injection,
    /// A leak blocked in an answer.
    Leak,
}

/// Why a principal was suspended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trip {
    /// The incident kind: `injection_repeated`, `leaks_repeated`, `volume_anomaly`.
    pub kind: &'static str,
    /// A sentence for people: counts and the window, never payload.
    pub summary: String,
    /// How long the suspension lasts.
    pub suspended_for: Duration,
}

/// Counts in ring buckets of `window / BUCKETS`.
#[derive(Clone, Debug, Default)]
struct Ring {
    counts: [u64; BUCKETS],
    /// The absolute bucket index of the newest bucket.
    head: u64,
}

impl Ring {
    /// Moves to bucket `now_index`, zeroing the buckets skipped; returns the counts that left the
    /// window (for the baseline).
    fn advance(&mut self, now_index: u64) -> u64 {
        let mut expired = 0;
        if now_index <= self.head {
            return 0;
        }
        let steps = (now_index - self.head).min(BUCKETS as u64);
        for step in 1..=steps {
            let slot = ((self.head + step) % BUCKETS as u64) as usize;
            expired += self.counts[slot];
            self.counts[slot] = 0;
        }
        self.head = now_index;
        expired
    }

    fn add(&mut self) {
        let slot = (self.head % BUCKETS as u64) as usize;
        self.counts[slot] = self.counts[slot].saturating_add(1);
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[derive(Debug)]
struct PrincipalState {
    requests: Ring,
    injections: Ring,
    leaks: Ring,
    /// Requests per window, on average, before now (None until a whole window has passed).
    baseline: Option<f64>,
    /// Requests that left the window since the baseline last moved.
    expired: u64,
    /// Bucket index when the baseline last moved.
    baseline_at: u64,
    suspended_until: Option<Instant>,
    last_seen: Instant,
}

/// The detector, shared by every request.
#[derive(Debug)]
pub struct Anomalies {
    config: AlertsConfig,
    started: Instant,
    principals: Mutex<HashMap<String, PrincipalState>>,
}

impl Anomalies {
    /// A detector with the thresholds of `config`.
    pub fn new(config: AlertsConfig) -> Anomalies {
        Anomalies {
            config,
            started: Instant::now(),
            principals: Mutex::new(HashMap::new()),
        }
    }

    /// Until when `principal` is suspended, if it is at `now`.
    pub fn suspended(&self, principal: &str, now: Instant) -> Option<Duration> {
        let principals = self.principals.lock().ok()?;
        let until = principals.get(principal)?.suspended_until?;
        (until > now).then(|| until - now)
    }

    /// Counts `signal` for `principal` at `now`; a trip when it crosses a threshold (the principal
    /// is then suspended).
    pub fn note(&self, principal: &str, signal: Signal, now: Instant) -> Option<Trip> {
        let bucket = self.bucket(now);
        let mut principals = match self.principals.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if principals.len() >= MAX_PRINCIPALS && !principals.contains_key(principal) {
            evict_oldest(&mut principals);
        }
        let state = principals
            .entry(principal.to_owned())
            .or_insert_with(|| PrincipalState {
                requests: Ring {
                    head: bucket,
                    ..Ring::default()
                },
                injections: Ring {
                    head: bucket,
                    ..Ring::default()
                },
                leaks: Ring {
                    head: bucket,
                    ..Ring::default()
                },
                baseline: None,
                expired: 0,
                baseline_at: bucket,
                suspended_until: None,
                last_seen: now,
            });
        state.last_seen = now;
        if state.suspended_until.is_some_and(|until| until > now) {
            return None;
        }
        state.expired += state.requests.advance(bucket);
        state.injections.advance(bucket);
        state.leaks.advance(bucket);
        // Each whole window that passed moves the baseline towards what left it.
        let windows = (bucket - state.baseline_at) / BUCKETS as u64;
        if windows > 0 {
            let per_window = state.expired as f64 / windows as f64;
            let mut baseline = state.baseline.unwrap_or(per_window);
            for _ in 0..windows.min(50) {
                baseline = baseline * (1.0 - BASELINE_WEIGHT) + per_window * BASELINE_WEIGHT;
            }
            state.baseline = Some(baseline);
            state.expired = 0;
            state.baseline_at += windows * BUCKETS as u64;
        }
        let window = self.config.window.as_secs();
        let trip = match signal {
            Signal::Injection => {
                state.injections.add();
                let n = state.injections.total();
                (self.config.injection_attempts > 0
                    && n >= u64::from(self.config.injection_attempts))
                .then(|| {
                    (
                        "injection_repeated",
                        format!("{n} prompt-injection attempts in {window} s"),
                    )
                })
            }
            Signal::Leak => {
                state.leaks.add();
                let n = state.leaks.total();
                (self.config.blocked_leaks > 0 && n >= u64::from(self.config.blocked_leaks)).then(
                    || {
                        (
                            "leaks_repeated",
                            format!("{n} leaks blocked in answers in {window} s"),
                        )
                    },
                )
            }
            Signal::Request => {
                state.requests.add();
                let n = state.requests.total();
                let factor = self.config.volume_factor;
                state.baseline.and_then(|baseline| {
                    (factor > 0.0
                        && n >= self.config.volume_min
                        && n as f64 > factor * baseline.max(1.0))
                    .then(|| {
                        (
                            "volume_anomaly",
                            format!(
                                "{n} requests in {window} s against a baseline of {baseline:.0}"
                            ),
                        )
                    })
                })
            }
        };
        let (kind, summary) = trip?;
        state.suspended_until = Some(now + self.config.suspend);
        // Counters restart: the suspension is the response to what they saw.
        state.injections = Ring {
            head: bucket,
            ..Ring::default()
        };
        state.leaks = Ring {
            head: bucket,
            ..Ring::default()
        };
        state.requests = Ring {
            head: bucket,
            ..Ring::default()
        };
        Some(Trip {
            kind,
            summary: format!(
                "{summary}: suspended for {} s",
                self.config.suspend.as_secs()
            ),
            suspended_for: self.config.suspend,
        })
    }

    fn bucket(&self, now: Instant) -> u64 {
        let width = (self.config.window.as_millis() / BUCKETS as u128).max(1);
        let elapsed = now.saturating_duration_since(self.started).as_millis();
        u64::try_from(elapsed / width).unwrap_or(u64::MAX)
    }
}

fn evict_oldest(principals: &mut HashMap<String, PrincipalState>) {
    let oldest = principals
        .iter()
        .min_by_key(|(_, state)| state.last_seen)
        .map(|(id, _)| id.clone());
    if let Some(oldest) = oldest {
        principals.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector() -> (Anomalies, Instant) {
        let config = AlertsConfig {
            window: Duration::from_secs(100),
            injection_attempts: 3,
            blocked_leaks: 2,
            volume_factor: 5.0,
            volume_min: 20,
            suspend: Duration::from_secs(60),
            ..AlertsConfig::default()
        };
        let anomalies = Anomalies::new(config);
        let start = anomalies.started;
        (anomalies, start)
    }

    #[test]
    fn repeated_injections_within_the_window_suspend_and_old_ones_expire() {
        let (anomalies, t0) = detector();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(anomalies.note("p", Signal::Injection, at(0)), None);
        assert_eq!(anomalies.note("p", Signal::Injection, at(10)), None);
        // The first leaves the window before the third arrives.
        assert_eq!(anomalies.note("p", Signal::Injection, at(105)), None);
        assert_eq!(anomalies.note("other", Signal::Injection, at(106)), None);
        let trip = anomalies.note("p", Signal::Injection, at(106)).unwrap();
        assert_eq!(trip.kind, "injection_repeated");
        assert!(
            trip.summary
                .contains("3 prompt-injection attempts in 100 s"),
            "{}",
            trip.summary
        );
        assert_eq!(
            anomalies.suspended("p", at(107)),
            Some(Duration::from_secs(59))
        );
        assert_eq!(anomalies.suspended("other", at(107)), None);
        // Nothing more trips while suspended; it ends on time and the counters restarted.
        assert_eq!(anomalies.note("p", Signal::Injection, at(110)), None);
        assert_eq!(anomalies.suspended("p", at(166)), None);
        assert_eq!(anomalies.note("p", Signal::Injection, at(170)), None);
    }

    #[test]
    fn leaks_trip_their_own_threshold() {
        let (anomalies, t0) = detector();
        assert_eq!(anomalies.note("p", Signal::Leak, t0), None);
        let trip = anomalies
            .note("p", Signal::Leak, t0 + Duration::from_secs(1))
            .unwrap();
        assert_eq!(trip.kind, "leaks_repeated");
    }

    #[test]
    fn volume_is_judged_against_the_principals_own_baseline() {
        let (anomalies, t0) = detector();
        // Five quiet windows of 4 requests each: baseline about 4.
        for window in 0..5u64 {
            for i in 0..4u64 {
                let at = t0 + Duration::from_secs(window * 100 + i * 20);
                assert_eq!(anomalies.note("p", Signal::Request, at), None);
            }
        }
        // A burst: more than 5 × 4 and at least 20 in the window trips; a busy principal with a
        // high baseline doing the same does not (see the next test).
        let burst = t0 + Duration::from_secs(550);
        let mut tripped = None;
        for _ in 0..30 {
            if let Some(trip) = anomalies.note("p", Signal::Request, burst) {
                tripped = Some(trip);
                break;
            }
        }
        let trip = tripped.expect("the burst trips");
        assert_eq!(trip.kind, "volume_anomaly");
    }

    #[test]
    fn a_steadily_busy_principal_and_a_new_one_are_not_anomalies() {
        let (anomalies, t0) = detector();
        for window in 0..6u64 {
            for i in 0..50u64 {
                let at = t0 + Duration::from_millis(window * 100_000 + i * 1_000);
                assert_eq!(anomalies.note("busy", Signal::Request, at), None);
            }
        }
        // No baseline yet: a new principal's first window never trips on volume.
        for _ in 0..500 {
            assert_eq!(anomalies.note("new", Signal::Request, t0), None);
        }
    }
}
