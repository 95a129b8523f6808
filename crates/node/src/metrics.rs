//! Prometheus metrics: requests by route and status, and request latency.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConditionLabel {
    condition: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOnly {
    route: String,
}

/// A node's metrics registry. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<RouteOnly, Histogram, fn() -> Histogram>,
    storage: Family<ConditionLabel, Gauge>,
    storage_errors: Gauge,
}

fn latency_histogram() -> Histogram {
    // 100 µs to ~1.6 s.
    Histogram::new([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.6])
}

impl Metrics {
    pub fn new(node: &str) -> Self {
        let mut registry = Registry::with_prefix("myna");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<RouteOnly, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register("http_requests", format!("HTTP requests answered by the {node} node"), requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request", latency.clone());
        let storage = Family::<ConditionLabel, Gauge>::default();
        let storage_errors = Gauge::default();
        registry.register(
            "storage_condition",
            "1 while writes are refused for this storage condition (full, read_only, failing, unreachable)",
            storage.clone(),
        );
        registry.register(
            "storage_errors",
            "Database errors that showed a storage condition since the process started",
            storage_errors.clone(),
        );
        Self { inner: Arc::new(Inner { registry, requests, latency, storage, storage_errors }) }
    }

    /// Adds a metric of the role's own (e.g. a gauge of residents).
    pub fn with_registry<R>(&self, f: impl FnOnce(&Registry) -> R) -> R {
        f(&self.inner.registry)
    }

    pub fn render(&self) -> String {
        let report = myna_store::StorageReport::now();
        for c in myna_store::StorageReport::conditions() {
            self.inner
                .storage
                .get_or_create(&ConditionLabel { condition: c.as_str() })
                .set(i64::from(report.condition == Some(c)));
        }
        self.inner.storage_errors.set(report.refused as i64);
        let mut out = String::new();
        if encode(&mut out, &self.inner.registry).is_err() {
            out.clear();
        }
        out
    }

    /// Axum middleware recording every request.
    pub async fn track(State(m): State<Metrics>, req: Request, next: Next) -> Response {
        let route =
            req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
        let method = req.method().to_string();
        let start = Instant::now();
        let res = next.run(req).await;
        m.inner.latency.get_or_create(&RouteOnly { route: route.clone() }).observe(start.elapsed().as_secs_f64());
        m.inner.requests.get_or_create(&RouteLabels { method, route, status: res.status().as_u16() }).inc();
        res
    }
}
