//! Trace spans of the request pipeline, for OpenTelemetry.
//!
//! Every span here has the target [`TARGET`]. The binary routes that target to its OTLP exporter
//! only when `[telemetry] otlp_endpoint` is set and keeps it out of the JSON logs, so without an
//! exporter no subscriber is interested and each span costs one cached interest check.
//!
//! Span attributes name the route, the principal, the model, the upstream, the status and the
//! refusal code: never payload text, never a key (SPEC §7).
//!
//! With the `otel` feature, a request's span continues the trace of an incoming W3C
//! `traceparent` header, and calls to the upstream carry the context of their span onwards.

use tracing::Span;

/// The target of every pipeline span.
pub const TARGET: &str = "warden::otel";

/// The span of one HTTP request (kind server), a child of the caller's trace when its
/// `traceparent` header is well formed.
pub(crate) fn request_span(
    method: &http::Method,
    route: &str,
    request_id: &str,
    headers: &http::HeaderMap,
) -> Span {
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        warden.request_id = request_id,
        warden.principal = tracing::field::Empty,
        warden.model = tracing::field::Empty,
        warden.upstream = tracing::field::Empty,
        warden.refusal = tracing::field::Empty,
        warden.found_in = tracing::field::Empty,
        warden.found_out = tracing::field::Empty,
    );
    #[cfg(feature = "otel")]
    if !span.is_disabled() {
        otel::continue_trace(&span, headers);
    }
    #[cfg(not(feature = "otel"))]
    let _ = headers;
    span
}

/// A step of the pipeline (`identify`, `authorize`, `inspect.input`, …) under the current span.
pub(crate) fn step(name: &'static str) -> Span {
    tracing::info_span!(target: TARGET, "step", otel.name = name)
}

/// The call to an upstream (kind client).
pub(crate) fn upstream_span(upstream: &str, path: &str) -> Span {
    tracing::info_span!(
        target: TARGET,
        "upstream",
        otel.name = %format_args!("POST {path}"),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        http.request.method = "POST",
        url.path = path,
        http.response.status_code = tracing::field::Empty,
        warden.upstream = upstream,
        warden.attempts = tracing::field::Empty,
    )
}

/// The relay of a streamed answer, from its first upstream chunk to its end.
pub(crate) fn stream_span() -> Span {
    tracing::info_span!(
        target: TARGET,
        "stream",
        otel.name = "relay stream",
        otel.status_code = tracing::field::Empty,
        warden.found_out = tracing::field::Empty,
        warden.failed = tracing::field::Empty,
    )
}

/// The OpenTelemetry trace id of `span` (32 hex digits), when it has one, for log lines.
pub(crate) fn trace_id(span: &Span) -> Option<String> {
    #[cfg(feature = "otel")]
    {
        otel::trace_id(span)
    }
    #[cfg(not(feature = "otel"))]
    {
        let _ = span;
        None
    }
}

/// `request` with the current span's context in its `traceparent` header.
pub(crate) fn inject(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    #[cfg(feature = "otel")]
    {
        otel::inject(request)
    }
    #[cfg(not(feature = "otel"))]
    {
        request
    }
}

#[cfg(feature = "otel")]
mod otel {
    use opentelemetry::propagation::{Extractor, Injector};
    use opentelemetry::trace::TraceContextExt as _;
    use tracing::Span;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;

    struct Incoming<'a>(&'a http::HeaderMap);

    impl Extractor for Incoming<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|value| value.to_str().ok())
        }

        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(http::HeaderName::as_str).collect()
        }
    }

    struct Outgoing(Vec<(String, String)>);

    impl Injector for Outgoing {
        fn set(&mut self, key: &str, value: String) {
            self.0.push((key.to_owned(), value));
        }
    }

    pub(super) fn continue_trace(span: &Span, headers: &http::HeaderMap) {
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&Incoming(headers))
        });
        if parent.span().span_context().is_valid() {
            // Fails only when the span is not an OpenTelemetry span (no exporter): nothing to do.
            let _ = span.set_parent(parent);
        }
    }

    pub(super) fn trace_id(span: &Span) -> Option<String> {
        if span.is_disabled() {
            return None;
        }
        let context = span.context();
        let span_context = context.span().span_context().clone();
        span_context
            .is_valid()
            .then(|| span_context.trace_id().to_string())
    }

    pub(super) fn inject(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let current = Span::current();
        if current.is_disabled() {
            return request;
        }
        let context = current.context();
        let mut outgoing = Outgoing(Vec::new());
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut outgoing);
        });
        outgoing
            .0
            .into_iter()
            .fold(request, |request, (key, value)| request.header(key, value))
    }
}
