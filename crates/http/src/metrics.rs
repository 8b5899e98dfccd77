//! `GET /metrics` in the Prometheus text format: requests by route and status with their
//! latency, connected agents, heartbeats received, executions by state, the outbox backlog
//! and the database pool.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use slimrmm_domain::health::{Backlog, OperationsProbe};

use crate::AppState;
use crate::error::ApiError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

/// This process's metrics, and where the scrape-time figures come from.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    heartbeats: Family<KindLabels, Counter>,
    agents_connected: Gauge,
    executions_active: Family<StatusLabels, Gauge>,
    executions_last_hour: Family<StatusLabels, Gauge>,
    notifications_unrouted: Gauge,
    deliveries: Family<StatusLabels, Gauge>,
    pool: Family<StatusLabels, Gauge>,
    probe: Arc<dyn OperationsProbe>,
    /// The last backlog read and when: scrapes within `BACKLOG_TTL` reuse it, so hammering
    /// `/metrics` cannot hammer the database.
    backlog: Arc<Mutex<Option<(Instant, Backlog)>>>,
}

/// How long a backlog read is reused.
const BACKLOG_TTL: Duration = Duration::from_secs(5);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Registers every metric; `probe` answers the backlog and pool figures at scrape time.
    pub fn new(probe: Arc<dyn OperationsProbe>) -> Self {
        let mut registry = Registry::with_prefix("slimrmm");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_5, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route pattern",
            latency.clone(),
        );
        let heartbeats = Family::<KindLabels, Counter>::default();
        registry.register(
            "agent_heartbeats",
            "Heartbeats received from agents by this process, by kind",
            heartbeats.clone(),
        );
        let agents_connected = Gauge::default();
        registry.register(
            "agents_connected",
            "Agent WebSockets open on this process",
            agents_connected.clone(),
        );
        let executions_active = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "executions_active",
            "Executions queued or sent now, by status (all processes)",
            executions_active.clone(),
        );
        let executions_last_hour = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "executions_last_hour",
            "Executions created in the last hour, by status (all processes)",
            executions_last_hour.clone(),
        );
        let notifications_unrouted = Gauge::default();
        registry.register(
            "notifications_unrouted",
            "Notifications in the outbox not yet routed to a channel",
            notifications_unrouted.clone(),
        );
        let deliveries = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "notification_deliveries",
            "Outbox deliveries pending (to send or retry) and dead (given up)",
            deliveries.clone(),
        );
        let pool = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "database_connections",
            "This process's database pool: open, idle and max connections",
            pool.clone(),
        );
        Self {
            registry: Arc::new(registry),
            requests,
            latency,
            heartbeats,
            agents_connected,
            executions_active,
            executions_last_hour,
            notifications_unrouted,
            deliveries,
            pool,
            probe,
            backlog: Arc::default(),
        }
    }

    /// Counts a heartbeat of `kind` (`minimal`, `stats`, `full`).
    pub fn heartbeat(&self, kind: &str) {
        self.heartbeats
            .get_or_create(&KindLabels {
                kind: kind.to_owned(),
            })
            .inc();
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.requests
            .get_or_create(&RequestLabels {
                method: method.clone(),
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    async fn backlog(&self) -> Result<Backlog, ApiError> {
        if let Some((at, backlog)) = &*self.backlog.lock().expect("backlog cache")
            && at.elapsed() < BACKLOG_TTL
        {
            return Ok(backlog.clone());
        }
        let backlog = self.probe.backlog().await?;
        *self.backlog.lock().expect("backlog cache") = Some((Instant::now(), backlog.clone()));
        Ok(backlog)
    }

    /// The text exposition, after reading the scrape-time figures.
    async fn render(&self, connected: usize) -> Result<String, ApiError> {
        self.agents_connected
            .set(i64::try_from(connected).unwrap_or(i64::MAX));
        let backlog = self.backlog().await?;
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        let set = |family: &Family<StatusLabels, Gauge>, status: &str, value: u64| {
            family
                .get_or_create(&StatusLabels {
                    status: status.to_owned(),
                })
                .set(gauge(value));
        };
        for (family, counts) in [
            (&self.executions_active, &backlog.executions_active),
            (&self.executions_last_hour, &backlog.executions_last_hour),
        ] {
            family.clear();
            for (status, count) in counts {
                set(family, status.as_str(), *count);
            }
        }
        self.notifications_unrouted
            .set(gauge(backlog.notifications_unrouted));
        set(&self.deliveries, "pending", backlog.deliveries_pending);
        set(&self.deliveries, "dead", backlog.deliveries_dead);
        let pool = self.probe.pool();
        set(&self.pool, "open", pool.open);
        set(&self.pool, "idle", pool.idle);
        set(&self.pool, "max", pool.max);
        let mut text = String::new();
        encode(&mut text, &self.registry)
            .map_err(|error| ApiError::internal(&format!("encoding metrics: {error}")))?;
        Ok(text)
    }
}

/// Records every request's route pattern (never the raw path, so ids do not explode the label
/// set), status and latency.
pub(crate) async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    // Clients choose the method: anything unusual is one label, or the label set would grow
    // without bound.
    let method = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
    let started = Instant::now();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(
            method,
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

/// Prometheus metrics of this process (and a few of the whole installation). An operations
/// endpoint, not part of the REST API: on the main address unless `SLIMRMM_METRICS_BIND` moves
/// it to an address of its own.
#[get("/metrics")]
pub async fn serve_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render(state.connections.len()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
