//! Limit (SPEC §2 step 4): requests and model tokens per principal and per model, over fixed UTC
//! windows (the minute, the day, the calendar month), counted in this process or, with
//! `[limits] redis`, in Redis for every replica.
//!
//! A principal's rates are its key's (`requests_per_minute`, `tokens_per_minute`,
//! `tokens_per_day`), else `[limits]`'s; a model's are `[limits.models."NAME"]`'s, over all
//! principals together. Before the upstream call, [`Limits::admit`] counts the request against
//! every request rate and checks that no token budget is spent — all or nothing: a refused request
//! consumes nothing. After the answer, [`Limits::record_tokens`] adds the tokens it used (the
//! upstream's `usage`, else an estimate of four characters per token) to every token counter.
//! Over a limit → 429 with `Retry-After`: the seconds until the window that is full ends.
//!
//! Fail closed: when Redis cannot be reached, the request is refused with 503, never admitted
//! uncounted.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::config::{LimitsConfig, Rates};
use crate::error::ApiError;
use crate::identity::Principal;

/// How long a Redis call may take before the request is refused.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);
/// Past this many in-memory counters, the expired ones are dropped.
const MEMORY_SWEEP_AT: usize = 50_000;

/// Checks all `counters` and, only if every one has room, adds each one's amount. Returns
/// `{0, 0}` when admitted, else `{seconds to wait, 1-based index of the full counter}`.
/// KEYS: the counters; ARGV: per counter `limit, amount, ttl`.
const TAKE_SCRIPT: &str = r"
local wait, full = 0, 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local amount = tonumber(ARGV[3 * i - 1])
  local ttl = tonumber(ARGV[3 * i])
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  local need = amount
  if need < 1 then need = 1 end
  if current + need > limit and ttl > wait then
    wait, full = ttl, i
  end
end
if wait > 0 then return {wait, full} end
for i = 1, #KEYS do
  local amount = tonumber(ARGV[3 * i - 1])
  if amount > 0 then
    redis.call('INCRBY', KEYS[i], amount)
    redis.call('EXPIRE', KEYS[i], tonumber(ARGV[3 * i]))
  end
end
return {0, 0}
";

/// Rate limits and budgets, with their counters.
pub struct Limits {
    principal: Rates,
    models: HashMap<String, Rates>,
    counters: Counters,
}

enum Counters {
    Memory(Mutex<MemoryCounters>),
    Redis(Box<Shared>),
}

/// The Redis side: its connection (opened on first use) and the script.
struct Shared {
    link: crate::redis_link::RedisLink,
    take: redis::Script,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.counters {
            Counters::Memory(_) => "memory",
            Counters::Redis(_) => "redis",
        };
        f.debug_struct("Limits")
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
}

/// A Redis URL (`limits.redis`, `alerts.redis`) does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {kind}")]
pub struct RedisUrlError {
    /// The configuration key.
    pub key: &'static str,
    /// The kind of error (never the URL, which may carry a password).
    pub kind: String,
}

/// A period a rate counts over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Minute,
    Day,
    Month,
}

impl Period {
    /// The window holding `now` (unix seconds): its number and its end.
    fn window(self, now: u64) -> (u64, u64) {
        match self {
            Period::Minute => (now / 60, (now / 60 + 1) * 60),
            Period::Day => (now / 86_400, (now / 86_400 + 1) * 86_400),
            Period::Month => {
                let date = time::OffsetDateTime::from_unix_timestamp(
                    i64::try_from(now).unwrap_or(i64::MAX),
                )
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                let (year, month) = (date.year(), u8::from(date.month()));
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                let end = time::Month::try_from(next_month)
                    .ok()
                    .and_then(|m| time::Date::from_calendar_date(next_year, m, 1).ok())
                    .map_or(now + 86_400, |d| {
                        u64::try_from(d.midnight().assume_utc().unix_timestamp())
                            .unwrap_or(now + 86_400)
                    });
                let number = u64::try_from(i64::from(year) * 12 + i64::from(month)).unwrap_or(0);
                (number, end)
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Period::Minute => "minute",
            Period::Day => "day",
            Period::Month => "month",
        }
    }
}

/// One counter a request touches.
struct Counter<'a> {
    key: String,
    limit: u64,
    /// What this request adds: 1 for a request rate, 0 for a token budget (checked only).
    amount: u64,
    /// Seconds until the window ends.
    ttl: u64,
    /// Whose counter and over which period: for the refusal's message, written only on refusal.
    scope: Scope<'a>,
    period: Period,
    is_requests: bool,
}

impl Counter<'_> {
    /// The refusal's message.
    fn message(&self) -> String {
        let limit = self.limit;
        if self.is_requests {
            format!("{} may send {limit} requests per minute", self.scope.who())
        } else {
            format!(
                "{} has used its {limit} tokens for this {}",
                self.scope.who(),
                self.period.name()
            )
        }
    }
}

/// Whose counter.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Principal(&'a str),
    Model(&'a str),
}

impl Scope<'_> {
    fn key(self, what: &str, window: u64) -> String {
        let (kind, id) = match self {
            Scope::Principal(id) => ("p", id),
            Scope::Model(id) => ("m", id),
        };
        let mut key = String::with_capacity(32 + id.len());
        let _ = write!(key, "warden:limits:{kind}:{what}:{window}:{id}");
        key
    }

    fn who(self) -> String {
        match self {
            Scope::Principal(_) => "this principal".to_owned(),
            Scope::Model(model) => format!("the model `{}`", crate::error::printable(model)),
        }
    }
}

impl Limits {
    /// Limits from `[limits]`; with `redis`, counted there (the connection is opened on first use,
    /// so a Redis that is down at start refuses requests instead of stopping the server).
    pub fn new(config: &LimitsConfig) -> Result<Limits, RedisUrlError> {
        let counters = match &config.redis {
            None => Counters::Memory(Mutex::new(HashMap::new())),
            Some(url) => Counters::Redis(Box::new(Shared {
                link: crate::redis_link::RedisLink::open("limits.redis", url)?,
                take: redis::Script::new(TAKE_SCRIPT),
            })),
        };
        Ok(Limits {
            principal: config.principal,
            models: config
                .models
                .iter()
                .map(|(model, rates)| (model.clone(), *rates))
                .collect(),
            counters,
        })
    }

    /// `principal`'s rates: its key's, else the configured ones, per field.
    fn rates_of(&self, principal: &Principal) -> Rates {
        let own = principal.limits;
        Rates {
            requests_per_minute: own
                .requests_per_minute
                .or(self.principal.requests_per_minute),
            tokens_per_minute: own.tokens_per_minute.or(self.principal.tokens_per_minute),
            tokens_per_day: own.tokens_per_day.or(self.principal.tokens_per_day),
            tokens_per_month: own.tokens_per_month.or(self.principal.tokens_per_month),
        }
    }

    /// The counters a request of `principal` on `model` touches, at `now`.
    fn counters<'a>(
        &self,
        principal: &'a Principal,
        model: Option<&'a str>,
        now: u64,
    ) -> Vec<Counter<'a>> {
        let mut counters = Vec::new();
        let mut add = |scope: Scope<'a>, rates: Rates| {
            let rules = [
                ("rpm", rates.requests_per_minute, Period::Minute, true),
                ("tpm", rates.tokens_per_minute, Period::Minute, false),
                ("tpd", rates.tokens_per_day, Period::Day, false),
                ("tpmo", rates.tokens_per_month, Period::Month, false),
            ];
            for (what, limit, period, is_requests) in rules {
                let Some(limit) = limit else { continue };
                let (window, end) = period.window(now);
                counters.push(Counter {
                    key: scope.key(what, window),
                    limit,
                    amount: u64::from(is_requests),
                    ttl: end.saturating_sub(now).max(1),
                    scope,
                    period,
                    is_requests,
                });
            }
        };
        add(Scope::Principal(&principal.id), self.rates_of(principal));
        if let Some(model) = model
            && let Some(rates) = self.models.get(model)
        {
            add(Scope::Model(model), *rates);
        }
        counters
    }

    /// Admits one request of `principal` (on `model`, if any), or the 429 (or, when the counters
    /// cannot be reached, the 503) to send.
    ///
    /// Without a model (the guard API: `/v1/scan`, `/v1/redact`) only request rates apply: a spent
    /// token budget does not stop a caller from checking text, which uses no model.
    pub async fn admit(&self, principal: &Principal, model: Option<&str>) -> Result<(), ApiError> {
        let mut counters = self.counters(principal, model, unix_now());
        if model.is_none() {
            counters.retain(|counter| counter.amount > 0);
        }
        if counters.is_empty() {
            return Ok(());
        }
        match self.take(&counters).await? {
            None => Ok(()),
            Some((wait, full)) => {
                let message = counters
                    .get(full)
                    .map_or_else(|| "a rate limit is reached".to_owned(), Counter::message);
                Err(ApiError::rate_limited(message, Some(wait.max(1))))
            }
        }
    }

    /// Adds `tokens` used by a request of `principal` on `model` to every token counter that
    /// limits them. The answer is sent already: a failure is returned for the log, nothing else.
    pub async fn record_tokens(
        &self,
        principal: &Principal,
        model: Option<&str>,
        tokens: u64,
    ) -> Result<(), String> {
        let counters: Vec<Counter<'_>> = self
            .counters(principal, model, unix_now())
            .into_iter()
            .filter(|c| c.amount == 0)
            .map(|c| Counter {
                amount: tokens,
                ..c
            })
            .collect();
        if counters.is_empty() || tokens == 0 {
            return Ok(());
        }
        match &self.counters {
            Counters::Memory(map) => {
                add_all(&mut lock(map), &counters, unix_now());
                Ok(())
            }
            Counters::Redis(shared) => {
                let mut connection = shared.connection().await.map_err(|e| e.message)?;
                let mut pipe = redis::pipe();
                for counter in &counters {
                    pipe.cmd("INCRBY")
                        .arg(&counter.key)
                        .arg(counter.amount)
                        .ignore()
                        .cmd("EXPIRE")
                        .arg(&counter.key)
                        .arg(counter.ttl)
                        .ignore();
                }
                tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<()>(&mut connection))
                    .await
                    .map_err(|_| "Redis did not answer in time".to_owned())?
                    .map_err(|e| format!("Redis: {:?}", e.kind()))
            }
        }
    }

    /// Takes from every counter or from none; `Some((seconds, index))` names the full one.
    async fn take(&self, counters: &[Counter<'_>]) -> Result<Option<(u64, usize)>, ApiError> {
        match &self.counters {
            Counters::Memory(map) => {
                let now = unix_now();
                let mut map = lock(map);
                if map.len() >= MEMORY_SWEEP_AT {
                    map.retain(|_, (end, _)| *end > now);
                }
                let mut full: Option<(u64, usize)> = None;
                for (index, counter) in counters.iter().enumerate() {
                    let current = map
                        .get(&counter.key)
                        .filter(|(end, _)| *end > now)
                        .map_or(0, |(_, count)| *count);
                    if current.saturating_add(counter.amount.max(1)) > counter.limit
                        && full.is_none_or(|(wait, _)| counter.ttl > wait)
                    {
                        full = Some((counter.ttl, index));
                    }
                }
                if full.is_some() {
                    return Ok(full);
                }
                add_all(&mut map, counters, now);
                Ok(None)
            }
            Counters::Redis(shared) => {
                let mut connection = shared.connection().await?;
                let mut invocation = shared.take.prepare_invoke();
                for counter in counters {
                    invocation
                        .key(&counter.key)
                        .arg(counter.limit)
                        .arg(counter.amount)
                        .arg(counter.ttl);
                }
                let answer: (u64, usize) =
                    tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut connection))
                        .await
                        .map_err(|_| unavailable())?
                        .map_err(|error| {
                            tracing::error!(kind = ?error.kind(), "Redis rate-limit call failed");
                            unavailable()
                        })?;
                Ok(match answer {
                    (0, _) => None,
                    (wait, full) => Some((wait, full.saturating_sub(1))),
                })
            }
        }
    }
}

impl Shared {
    /// The shared Redis connection, opened on first use (and reopened by the manager).
    async fn connection(&self) -> Result<redis::aio::ConnectionManager, ApiError> {
        self.link
            .connection(REDIS_TIMEOUT)
            .await
            .map_err(|error| match error {
                crate::redis_link::LinkError::Timeout => unavailable(),
                crate::redis_link::LinkError::Redis(kind) => {
                    tracing::error!(?kind, "cannot connect to Redis for rate limits");
                    unavailable()
                }
            })
    }
}

/// In-memory counters: key → (end of its window, unix seconds; count).
type MemoryCounters = HashMap<String, (u64, u64)>;

fn lock(map: &Mutex<MemoryCounters>) -> std::sync::MutexGuard<'_, MemoryCounters> {
    map.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Adds each counter's amount to its entry (a fresh one when missing or from an ended window).
fn add_all(map: &mut MemoryCounters, counters: &[Counter<'_>], now: u64) {
    for counter in counters.iter().filter(|c| c.amount > 0) {
        let entry = map
            .entry(counter.key.clone())
            .or_insert((now + counter.ttl, 0));
        if entry.0 <= now {
            *entry = (now + counter.ttl, 0);
        }
        entry.1 = entry.1.saturating_add(counter.amount);
    }
}

fn unavailable() -> ApiError {
    ApiError::unavailable("the rate-limit store cannot be reached; the request was refused")
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Tokens a request used: the upstream's `usage.total_tokens`, else an estimate of one token per
/// four bytes of the forwarded request and of the answer's text (rounded up; JSON framing makes
/// it generous, which errs on the budget's side).
pub fn tokens_used(
    usage: Option<&serde_json::Value>,
    prompt_chars: usize,
    answer_chars: usize,
) -> u64 {
    if let Some(total) = usage
        .and_then(|usage| usage.get("total_tokens"))
        .and_then(serde_json::Value::as_u64)
    {
        return total;
    }
    u64::try_from(prompt_chars.saturating_add(answer_chars).div_ceil(4)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(id: &str, limits: Rates) -> Principal {
        Principal {
            id: id.to_owned(),
            name: id.to_owned(),
            roles: vec!["user".to_owned()],
            allowed_models: None,
            limits,
            mfa: false,
        }
    }

    fn rpm(n: u64) -> Rates {
        Rates {
            requests_per_minute: Some(n),
            ..Rates::default()
        }
    }

    #[tokio::test]
    async fn over_the_limit_is_429_with_retry_after() {
        let limits = Limits::new(&LimitsConfig::default()).unwrap();
        let limited = principal("a", rpm(3));
        for _ in 0..3 {
            limits.admit(&limited, None).await.unwrap();
        }
        let error = limits.admit(&limited, None).await.unwrap_err();
        assert_eq!(error.status.as_u16(), 429);
        assert_eq!(error.code, "rate_limited");
        assert!(error.retry_after.is_some_and(|s| (1..=60).contains(&s)));
        // Another principal and an unlimited one are not affected.
        limits.admit(&principal("b", rpm(3)), None).await.unwrap();
        for _ in 0..100 {
            limits
                .admit(&principal("c", Rates::default()), None)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn token_budgets_refuse_once_spent_and_models_share_their_limit() {
        let config = LimitsConfig {
            redis: None,
            principal: Rates {
                tokens_per_day: Some(100),
                ..Rates::default()
            },
            models: [("m".to_owned(), rpm(2))].into_iter().collect(),
        };
        let limits = Limits::new(&config).unwrap();
        let (a, b) = (
            principal("a", Rates::default()),
            principal("b", Rates::default()),
        );
        limits.admit(&a, Some("x")).await.unwrap();
        limits.record_tokens(&a, Some("x"), 99).await.unwrap();
        limits.admit(&a, Some("x")).await.unwrap();
        limits.record_tokens(&a, Some("x"), 1).await.unwrap();
        let spent = limits.admit(&a, Some("x")).await.unwrap_err();
        assert_eq!(spent.status.as_u16(), 429);
        assert!(
            spent.message.contains("100 tokens for this day"),
            "{}",
            spent.message
        );
        // Checking text uses no model: the spent budget does not stop it.
        limits.admit(&a, None).await.unwrap();
        // A key's own budget replaces the configured one.
        let own = principal(
            "a",
            Rates {
                tokens_per_day: Some(1_000),
                ..Rates::default()
            },
        );
        limits.admit(&own, Some("x")).await.unwrap();
        // The model's limit counts every principal; a refusal consumes nothing.
        limits.admit(&a, Some("other")).await.unwrap_err();
        limits.admit(&b, Some("m")).await.unwrap();
        limits.admit(&own, Some("m")).await.unwrap();
        let full = limits.admit(&b, Some("m")).await.unwrap_err();
        assert!(
            full.message.contains("`m` may send 2 requests"),
            "{}",
            full.message
        );
    }

    #[test]
    fn windows_end_at_the_next_minute_day_and_month() {
        // 2026-11-23T18:49:38Z.
        let now = 1_795_459_778;
        assert_eq!(Period::Minute.window(now).1, 1_795_459_800);
        assert_eq!(Period::Day.window(now).1, 1_795_478_400);
        // 2026-12-01T00:00:00Z.
        assert_eq!(Period::Month.window(now).1, 1_796_083_200);
        // December rolls into January.
        let december = 1_796_083_200 + 86_400;
        assert_eq!(Period::Month.window(december).1, 1_798_761_600);
    }

    #[test]
    fn tokens_come_from_usage_else_four_characters_each() {
        let usage = serde_json::json!({"total_tokens": 42});
        assert_eq!(tokens_used(Some(&usage), 1_000, 1_000), 42);
        assert_eq!(tokens_used(None, 10, 3), 4);
    }
}
