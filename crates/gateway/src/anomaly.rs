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
//! State is in memory. With `[alerts] redis` (or `[limits] redis`), replicas share what an
//! attacker could spread across them ([`Shared`]): injection refusals and blocked leaks are counted
//! in Redis by one atomic script, which also records the suspension, so the threshold holds
//! however requests are balanced and exactly one replica trips (and raises the incident, the audit
//! event and the alert); suspensions from volume trips are recorded there too; every replica reads
//! the current suspensions every [`FOLLOW_EVERY`] into memory, so checking a request costs no
//! round trip. Request volume is judged per replica against its own share of the principal's
//! traffic. Redis unreachable: counting falls back to this replica's memory (detection goes on)
//! and an error is logged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::AlertsConfig;
use crate::redis_link::{LinkError, RedisLink, timed};

/// Buckets per window.
const BUCKETS: usize = 10;
/// Weight of the newest window in the baseline.
const BASELINE_WEIGHT: f64 = 0.2;
/// Principals tracked at most (the least recently seen are dropped beyond).
const MAX_PRINCIPALS: usize = 100_000;
/// How often a replica reads the suspensions recorded in Redis.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// The longest a Redis call of anomaly detection may take.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// The sorted set of suspensions: member = principal id, score = end (unix milliseconds).
const SUSPENDED_KEY: &str = "warden:suspended";

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
    fn at(head: u64) -> Ring {
        Ring {
            head,
            ..Ring::default()
        }
    }

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

impl PrincipalState {
    fn new(bucket: u64, now: Instant) -> PrincipalState {
        PrincipalState {
            requests: Ring::at(bucket),
            injections: Ring::at(bucket),
            leaks: Ring::at(bucket),
            baseline: None,
            expired: 0,
            baseline_at: bucket,
            suspended_until: None,
            last_seen: now,
        }
    }

    /// Counters restart: a suspension is the response to what they saw.
    fn restart(&mut self, bucket: u64) {
        self.injections = Ring::at(bucket);
        self.leaks = Ring::at(bucket);
        self.requests = Ring::at(bucket);
    }
}

/// The detector, shared by every request.
#[derive(Debug)]
pub struct Anomalies {
    config: AlertsConfig,
    started: Instant,
    principals: Mutex<HashMap<String, PrincipalState>>,
    shared: Option<Shared>,
}

impl Anomalies {
    /// A detector with the thresholds of `config` (sharing through `config.redis` when set; the
    /// connection is opened on first use).
    pub fn new(config: AlertsConfig) -> Result<Anomalies, crate::limits::RedisUrlError> {
        let shared = match &config.redis {
            None => None,
            Some(url) => Some(Shared {
                link: RedisLink::open("alerts.redis", url)?,
                note: redis::Script::new(NOTE_SCRIPT),
            }),
        };
        Ok(Anomalies {
            config,
            started: Instant::now(),
            principals: Mutex::new(HashMap::new()),
            shared,
        })
    }

    /// Whether replicas share counters and suspensions through Redis.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Counts `signal` for `principal` now, across replicas when shared; a trip when this call
    /// crossed a threshold (the principal is then suspended here, and in Redis for the others).
    pub async fn observe(&self, principal: &str, signal: Signal) -> Option<Trip> {
        let now = Instant::now();
        let Some(shared) = &self.shared else {
            return self.note(principal, signal, now);
        };
        if self.suspended(principal, now).is_some() {
            return None;
        }
        let threshold = match signal {
            Signal::Injection => self.config.injection_attempts,
            Signal::Leak => self.config.blocked_leaks,
            Signal::Request => {
                let trip = self.note(principal, signal, now)?;
                if let Err(error) = shared.suspend(principal, self.config.suspend).await {
                    tracing::error!(%error, "recording a suspension in Redis failed; it holds on this replica");
                }
                return Some(trip);
            }
        };
        if threshold == 0 {
            return None;
        }
        match shared
            .note(principal, signal, u64::from(threshold), &self.config)
            .await
        {
            Ok(None) => None,
            Ok(Some(count)) => Some(self.suspend(principal, signal, count, now)),
            Err(error) => {
                tracing::error!(%error, "anomaly counters in Redis unavailable; counting on this replica");
                self.note(principal, signal, now)
            }
        }
    }

    /// Reads the suspensions recorded in Redis into memory, every [`FOLLOW_EVERY`], until the
    /// process ends. Does nothing unless shared.
    pub async fn follow(self: std::sync::Arc<Self>) {
        let Some(shared) = &self.shared else {
            return;
        };
        let mut every = tokio::time::interval(FOLLOW_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            every.tick().await;
            match shared.current().await {
                Ok(suspensions) => {
                    if failing {
                        tracing::info!("suspensions are read from Redis again");
                        failing = false;
                    }
                    let now = Instant::now();
                    for (principal, left) in suspensions {
                        self.hold(&principal, now + left, now);
                    }
                }
                Err(error) if !failing => {
                    tracing::error!(%error, "cannot read suspensions from Redis; those of other replicas are not seen");
                    failing = true;
                }
                Err(_) => {}
            }
        }
    }

    /// Suspends `principal` until `until` (a suspension another replica recorded), unless it
    /// already is for longer; its counters restart.
    fn hold(&self, principal: &str, until: Instant, now: Instant) {
        self.with_state(principal, now, |state, bucket| {
            if state
                .suspended_until
                .is_some_and(|current| current >= until)
            {
                return;
            }
            state.suspended_until = Some(until);
            state.restart(bucket);
        });
    }

    /// Runs `f` on `principal`'s state (made when new, the least recently seen dropped beyond
    /// [`MAX_PRINCIPALS`]) with the bucket index of `now`.
    fn with_state<R>(
        &self,
        principal: &str,
        now: Instant,
        f: impl FnOnce(&mut PrincipalState, u64) -> R,
    ) -> R {
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
            .or_insert_with(|| PrincipalState::new(bucket, now));
        f(state, bucket)
    }

    /// The trip of a shared threshold crossed by this replica's call: suspended here now.
    fn suspend(&self, principal: &str, signal: Signal, count: u64, now: Instant) -> Trip {
        self.hold(principal, now + self.config.suspend, now);
        let window = self.config.window.as_secs();
        let (kind, summary) = match signal {
            Signal::Leak => (
                "leaks_repeated",
                format!("{count} leaks blocked in answers in {window} s"),
            ),
            _ => (
                "injection_repeated",
                format!("{count} prompt-injection attempts in {window} s"),
            ),
        };
        Trip {
            kind,
            summary: format!(
                "{summary}: suspended for {} s",
                self.config.suspend.as_secs()
            ),
            suspended_for: self.config.suspend,
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
        self.with_state(principal, now, |state, bucket| {
            self.count(state, bucket, signal, now)
        })
    }

    fn count(
        &self,
        state: &mut PrincipalState,
        bucket: u64,
        signal: Signal,
        now: Instant,
    ) -> Option<Trip> {
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
        state.restart(bucket);
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

/// Counts one signal in the principal's buckets (a hash of bucket index → count, expiring after a
/// window) unless it is suspended; at the threshold records the suspension and restarts both of
/// its shared counters. Returns `{-1, 0}` (suspended already), `{0, total}` or `{1, total}` (trip).
/// KEYS: this signal's counter, the other signal's counter, the suspensions. ARGV: principal,
/// bucket index, buckets per window, window in ms, threshold, now in unix ms, suspension in ms.
const NOTE_SCRIPT: &str = r"
local ends = redis.call('ZSCORE', KEYS[3], ARGV[1])
if ends and tonumber(ends) > tonumber(ARGV[6]) then return {-1, 0} end
local bucket = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  if tonumber(fields[i]) <= bucket - tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    total = total + tonumber(fields[i + 1])
  end
end
if total >= tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[3], tonumber(ARGV[6]) + tonumber(ARGV[7]), ARGV[1])
  redis.call('DEL', KEYS[1], KEYS[2])
  return {1, total}
end
return {0, total}
";

/// What replicas share through Redis.
#[derive(Debug)]
struct Shared {
    link: RedisLink,
    note: redis::Script,
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Shared {
    async fn connection(&self) -> Result<redis::aio::ConnectionManager, LinkError> {
        self.link.connection(REDIS_TIMEOUT).await
    }

    /// Counts `signal`; `Some(total)` when this call crossed `threshold` (the suspension is then
    /// recorded).
    async fn note(
        &self,
        principal: &str,
        signal: Signal,
        threshold: u64,
        config: &AlertsConfig,
    ) -> Result<Option<u64>, LinkError> {
        let mut connection = self.connection().await?;
        let window_ms = u64::try_from(config.window.as_millis()).unwrap_or(u64::MAX);
        let width = (window_ms / BUCKETS as u64).max(1);
        let now = unix_ms();
        let (this, other) = match signal {
            Signal::Leak => ("leaks", "injections"),
            _ => ("injections", "leaks"),
        };
        let mut invocation = self.note.prepare_invoke();
        invocation
            .key(format!("warden:anomaly:{this}:{principal}"))
            .key(format!("warden:anomaly:{other}:{principal}"))
            .key(SUSPENDED_KEY)
            .arg(principal)
            .arg(now / width)
            .arg(BUCKETS)
            .arg(window_ms)
            .arg(threshold)
            .arg(now)
            .arg(u64::try_from(config.suspend.as_millis()).unwrap_or(u64::MAX));
        let (tripped, total): (i64, u64) =
            timed(REDIS_TIMEOUT, invocation.invoke_async(&mut connection)).await?;
        Ok((tripped == 1).then_some(total))
    }

    /// Records a suspension of `principal` for `length` from now (kept if one ends later).
    async fn suspend(&self, principal: &str, length: Duration) -> Result<(), LinkError> {
        let mut connection = self.connection().await?;
        let until = unix_ms().saturating_add(u64::try_from(length.as_millis()).unwrap_or(0));
        let mut command = redis::cmd("ZADD");
        command
            .arg(SUSPENDED_KEY)
            .arg("GT")
            .arg(until)
            .arg(principal);
        timed(REDIS_TIMEOUT, command.query_async::<i64>(&mut connection)).await?;
        Ok(())
    }

    /// The suspensions in force, with the time each has left; drops those that ended.
    async fn current(&self) -> Result<Vec<(String, Duration)>, LinkError> {
        let mut connection = self.connection().await?;
        let now = unix_ms();
        let mut pipe = redis::pipe();
        pipe.cmd("ZREMRANGEBYSCORE")
            .arg(SUSPENDED_KEY)
            .arg("-inf")
            .arg(now)
            .ignore()
            .cmd("ZRANGE")
            .arg(SUSPENDED_KEY)
            .arg(format!("({now}"))
            .arg("+inf")
            .arg("BYSCORE")
            .arg("WITHSCORES");
        let (members,): (Vec<(String, u64)>,) =
            timed(REDIS_TIMEOUT, pipe.query_async(&mut connection)).await?;
        Ok(members
            .into_iter()
            .map(|(principal, until)| (principal, Duration::from_millis(until.saturating_sub(now))))
            .collect())
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
        let Ok(anomalies) = Anomalies::new(config) else {
            unreachable!("no Redis URL to parse");
        };
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
