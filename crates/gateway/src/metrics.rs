//! `/metrics` in Prometheus text format (SPEC §9), with prometheus-client (no global recorder).
//!
//! Series (all prefixed `warden_`): requests by route and status; request latency and Warden's own
//! overhead (latency minus the upstream's share) as histograms with sub-millisecond buckets; upstream
//! latency by upstream; findings by direction, entity type and action; blocks by reason; injection
//! detections; active streams; rate-limit rejections. Labels are bounded: routes are the known ones
//! (anything else is `other`), entity types come from the engine's catalogue and configuration.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Histogram buckets in seconds: fine below a millisecond (Warden's overhead), coarse for model calls.
const BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.000_75, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Route and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: &'static str,
    status: u16,
}

/// Route only.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

/// Upstream name.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabel {
    upstream: String,
}

/// One kind of finding.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabel {
    direction: &'static str,
    entity_type: String,
    action: String,
}

/// Why a request was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn histogram() -> Histogram {
    Histogram::new(BUCKETS.iter().copied())
}

/// Every series, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: HistogramFamily<RouteLabel>,
    overhead: HistogramFamily<RouteLabel>,
    upstream_latency: HistogramFamily<UpstreamLabel>,
    findings: Family<FindingLabel, Counter>,
    blocks: Family<ReasonLabel, Counter>,
    injections: Counter,
    rate_limited: Counter,
    active_streams: Gauge<i64, AtomicI64>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("warden");
        let requests = Family::<RouteStatus, Counter>::default();
        let latency: HistogramFamily<RouteLabel> = Family::new_with_constructor(histogram);
        let overhead: HistogramFamily<RouteLabel> = Family::new_with_constructor(histogram);
        let upstream_latency: HistogramFamily<UpstreamLabel> =
            Family::new_with_constructor(histogram);
        let findings = Family::<FindingLabel, Counter>::default();
        let blocks = Family::<ReasonLabel, Counter>::default();
        let injections = Counter::default();
        let rate_limited = Counter::default();
        let active_streams = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "requests",
            "API requests by route and status",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival to its response head",
            latency.clone(),
        );
        registry.register(
            "overhead_duration_seconds",
            "Request time minus the upstream's share: what Warden itself adds",
            overhead.clone(),
        );
        registry.register(
            "upstream_duration_seconds",
            "Time from sending to an upstream to its response head",
            upstream_latency.clone(),
        );
        registry.register(
            "findings",
            "Findings by direction, entity type and the action applied",
            findings.clone(),
        );
        registry.register("blocks", "Refused requests by reason", blocks.clone());
        registry.register(
            "injection_detections",
            "Prompt-injection findings in input",
            injections.clone(),
        );
        registry.register(
            "rate_limit_rejections",
            "Requests refused by a rate limit",
            rate_limited.clone(),
        );
        registry.register(
            "active_streams",
            "Streamed answers in flight",
            active_streams.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            overhead,
            upstream_latency,
            findings,
            blocks,
            injections,
            rate_limited,
            active_streams,
        }
    }
}

/// The bounded route label of a path.
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/v1/chat/completions" => "/v1/chat/completions",
        "/v1/embeddings" => "/v1/embeddings",
        "/v1/models" => "/v1/models",
        "/v1/scan" => "/v1/scan",
        "/v1/redact" => "/v1/redact",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

impl Metrics {
    /// Counts one finished request.
    pub fn request(
        &self,
        path: &str,
        status: u16,
        latency: Duration,
        upstream: Option<(&str, Duration)>,
        code: Option<&'static str>,
    ) {
        let route = route_label(path);
        self.requests
            .get_or_create(&RouteStatus { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabel { route })
            .observe(latency.as_secs_f64());
        let upstream_share = upstream.map_or(Duration::ZERO, |(_, d)| d);
        self.overhead
            .get_or_create(&RouteLabel { route })
            .observe(latency.saturating_sub(upstream_share).as_secs_f64());
        if let Some((name, duration)) = upstream {
            self.upstream_latency
                .get_or_create(&UpstreamLabel {
                    upstream: name.to_owned(),
                })
                .observe(duration.as_secs_f64());
        }
        if let Some(reason) = code {
            self.blocks.get_or_create(&ReasonLabel { reason }).inc();
            if reason == "rate_limited" {
                self.rate_limited.inc();
            }
        }
    }

    /// Counts findings of one direction.
    pub fn findings<'a>(
        &self,
        direction: &'static str,
        found: impl IntoIterator<Item = (&'a String, &'a usize, String)>,
    ) {
        for (entity, count, action) in found {
            if direction == "input" && entity == "PROMPT_INJECTION" {
                self.injections.inc_by(*count as u64);
            }
            self.findings
                .get_or_create(&FindingLabel {
                    direction,
                    entity_type: entity.clone(),
                    action,
                })
                .inc_by(*count as u64);
        }
    }

    /// A stream started; the guard ends it when dropped.
    pub fn stream_started(self: &Arc<Self>) -> StreamGuard {
        self.active_streams.inc();
        StreamGuard(Arc::clone(self))
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Keeps `warden_active_streams` counted while a stream is open.
#[derive(Debug)]
pub struct StreamGuard(Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.active_streams.dec();
    }
}
