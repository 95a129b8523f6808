//! Prometheus metrics: requests by route, status and caller kind, request latency, the
//! storage condition, the database pool, and what a role adds of its own (a log's size, a
//! queue's depth), read when scraped.

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
    /// The kind of the calling node's certificate (`municipality`, `hub` …), `none` without one.
    caller: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabel {
    state: &'static str,
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

/// What runs before each scrape to bring a gauge up to date.
type Probe = Box<dyn Fn() + Send + Sync>;

struct Inner {
    registry: std::sync::Mutex<Registry>,
    probes: std::sync::Mutex<Vec<Probe>>,
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
        Self {
            inner: Arc::new(Inner {
                registry: std::sync::Mutex::new(registry),
                probes: std::sync::Mutex::default(),
                requests,
                latency,
                storage,
                storage_errors,
            }),
        }
    }

    /// A gauge of the role's own (`myna_<name>`), set by `read` at each scrape.
    pub fn gauge(&self, name: &str, help: &str, read: impl Fn() -> i64 + Send + Sync + 'static) {
        let g = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        if let Ok(mut r) = self.inner.registry.lock() {
            r.register(name, help, g.clone());
        }
        self.probe(move || {
            g.set(read());
        });
    }

    fn probe(&self, f: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut p) = self.inner.probes.lock() {
            p.push(Box::new(f));
        }
    }

    /// The database pool's connections: open, idle, and the most it opens.
    pub fn watch_db(&self, db: &myna_store::Db) {
        let family = Family::<PoolLabel, Gauge>::default();
        if let Ok(mut r) = self.inner.registry.lock() {
            r.register("db_connections", "The database pool's connections (open, idle, max)", family.clone());
        }
        let pool = db.pool.clone();
        self.probe(move || {
            family.get_or_create(&PoolLabel { state: "open" }).set(i64::from(pool.size()));
            family.get_or_create(&PoolLabel { state: "idle" }).set(pool.num_idle() as i64);
            family.get_or_create(&PoolLabel { state: "max" }).set(i64::from(pool.options().get_max_connections()));
        });
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
        if let Ok(probes) = self.inner.probes.lock() {
            probes.iter().for_each(|p| p());
        }
        let mut out = String::new();
        match self.inner.registry.lock() {
            Ok(r) if encode(&mut out, &r).is_ok() => {}
            _ => out.clear(),
        }
        out
    }

    /// Axum middleware recording every request.
    pub async fn track(State(m): State<Metrics>, req: Request, next: Next) -> Response {
        let route =
            req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
        let method = req.method().to_string();
        let caller = match req.extensions().get::<Option<crate::Peer>>() {
            Some(Some(p)) => p.0.to_string().split(':').next().unwrap_or_default().to_string(),
            _ => "none".into(),
        };
        let start = Instant::now();
        let res = next.run(req).await;
        m.inner.latency.get_or_create(&RouteOnly { route: route.clone() }).observe(start.elapsed().as_secs_f64());
        m.inner.requests.get_or_create(&RouteLabels { method, route, status: res.status().as_u16(), caller }).inc();
        res
    }
}
