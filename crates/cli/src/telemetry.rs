//! Logs and traces of `warden serve`.
//!
//! Logs are JSON lines on standard error, level from `WARDEN_LOG` (default `info`). With
//! `[telemetry] otlp_endpoint` the pipeline's spans (target `warden::otel`, see
//! `warden_gateway::trace`) are exported in batches over OTLP/HTTP (protobuf) by a background
//! thread, W3C trace context is read from callers and passed to upstreams, and warnings and errors
//! logged inside a request become events of its span. Without it no subscriber takes those spans,
//! so they cost one cached check each.

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use warden_gateway::config::TelemetryConfig;

/// What must be flushed before the process ends.
pub(crate) struct Telemetry {
    #[cfg(feature = "otel")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still queued (waiting at most the exporter's timeout) and stops the
    /// exporter. Call outside the async runtime.
    pub(crate) fn shutdown(self) {
        #[cfg(feature = "otel")]
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(%error, "the last trace spans could not be exported");
        }
    }
}

/// The log filter: `WARDEN_LOG`, else `info`; pipeline spans never reach the log lines.
fn log_filter() -> tracing_subscriber::EnvFilter {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    match format!("{}=off", warden_gateway::trace::TARGET).parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    }
}

/// Installs the global subscriber: JSON logs, plus the OTLP exporter when configured.
pub(crate) fn init(config: &TelemetryConfig) -> anyhow::Result<Telemetry> {
    let logs = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .with_span_list(false)
        .with_filter(log_filter());
    let Some(endpoint) = &config.otlp_endpoint else {
        let _ = tracing_subscriber::registry().with(logs).try_init();
        return Ok(Telemetry {
            #[cfg(feature = "otel")]
            provider: None,
        });
    };
    #[cfg(feature = "otel")]
    {
        let (provider, traces) = otel::layer(config, endpoint)?;
        let _ = tracing_subscriber::registry()
            .with(logs)
            .with(traces)
            .try_init();
        tracing::info!(endpoint = %endpoint, sample_ratio = config.sample_ratio, "exporting traces over OTLP");
        Ok(Telemetry {
            provider: Some(provider),
        })
    }
    #[cfg(not(feature = "otel"))]
    {
        let _ = (logs, endpoint);
        anyhow::bail!(
            "[telemetry] otlp_endpoint is set but this warden was built without the `otel` \
             feature: rebuild with default features, or remove the setting"
        )
    }
}

#[cfg(feature = "otel")]
mod otel {
    use std::collections::HashMap;
    use std::time::Duration;

    use anyhow::Context as _;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
    use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
    use tracing::Subscriber;
    use tracing_subscriber::Layer;
    use tracing_subscriber::registry::LookupSpan;
    use warden_gateway::config::TelemetryConfig;

    /// How long one export may take before it is abandoned (and retried by the exporter).
    const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

    pub(super) fn layer<S>(
        config: &TelemetryConfig,
        endpoint: &str,
    ) -> anyhow::Result<(SdkTracerProvider, impl Layer<S>)>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        let headers: HashMap<String, String> = config
            .otlp_headers
            .iter()
            .map(|(name, value)| (name.clone(), value.expose().to_owned()))
            .collect();
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint)
            .with_timeout(EXPORT_TIMEOUT)
            .with_headers(headers)
            .build()
            .context("building the OTLP trace exporter")?;
        let resource = opentelemetry_sdk::Resource::builder()
            .with_service_name(config.service_name.clone())
            .with_attribute(opentelemetry::KeyValue::new(
                "service.version",
                env!("CARGO_PKG_VERSION"),
            ))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                config.sample_ratio,
            ))))
            .with_resource(resource)
            .build();
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        let tracer = provider.tracer("warden");
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(tracing_subscriber::filter::filter_fn(|meta| {
                if meta.is_span() {
                    meta.target() == warden_gateway::trace::TARGET
                } else {
                    *meta.level() <= tracing::Level::WARN
                }
            }));
        Ok((provider, layer))
    }
}
