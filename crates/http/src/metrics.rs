//! `GET /metrics` in the Prometheus text format: requests by route and status with their
//! latency, connected agents, heartbeats received, agent records dropped or waiting for the
//! database, executions by state, the outbox backlog and the database pool.
//!
//! The figures of this process are always served; the ones read from the database
//! (executions, outbox) only while it answers, with `slimrmm_database_up` saying which: a
//! monitoring system must not go blind exactly when the database does.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use slimrmm_domain::health::{Backlog, DropReason, DroppedKind, DroppedRecords, OperationsProbe};

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    kind: &'static str,
    reason: &'static str,
}

/// The dropped-records counts, read at scrape time.
#[derive(Debug)]
struct DroppedCollector(DroppedRecords);

impl Collector for DroppedCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(
            "agent_records_dropped",
            "Agent records this process dropped: refused by the database (unstorable) or \
             received while it was down with the buffer full (buffer_full), by kind",
            None,
            MetricType::Counter,
        )?;
        for kind in DroppedKind::ALL {
            for reason in DropReason::ALL {
                let labels = DropLabels {
                    kind: kind.as_str(),
                    reason: reason.as_str(),
                };
                ConstCounter::new(self.0.count(kind, reason))
                    .encode(metric.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

/// This process's metrics, and where the scrape-time figures come from.
#[derive(Clone)]
pub struct Metrics {
    /// This process's figures, always served.
    registry: Arc<Registry>,
    /// The figures read from the database, served while it answers.
    database: Arc<Registry>,
    database_up: Gauge,
    deferred: Gauge,
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
    /// The last backlog read (`None`: the database did not answer) and when: scrapes within
    /// `BACKLOG_TTL` reuse it, so hammering `/metrics` cannot hammer the database.
    backlog: Arc<Mutex<Option<BacklogRead>>>,
}

/// A backlog read (`None`: the database did not answer) and when it was made.
type BacklogRead = (Instant, Option<Backlog>);

/// How long a backlog read is reused.
const BACKLOG_TTL: Duration = Duration::from_secs(5);
/// How long a scrape waits for the database before leaving its figures out.
const BACKLOG_WAIT: Duration = Duration::from_secs(2);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Registers every metric; `probe` answers the backlog and pool figures at scrape time,
    /// `dropped` counts the agent records dropped.
    pub fn new(probe: Arc<dyn OperationsProbe>, dropped: DroppedRecords) -> Self {
        let mut registry = Registry::with_prefix("slimrmm");
        let mut database = Registry::with_prefix("slimrmm");
        registry.register_collector(Box::new(DroppedCollector(dropped)));
        let database_up = Gauge::default();
        registry.register(
            "database_up",
            "1 when the database answered this scrape (the executions and outbox figures are \
             then present), 0 when it did not",
            database_up.clone(),
        );
        let deferred = Gauge::default();
        registry.register(
            "agent_messages_deferred",
            "Agent messages this process keeps until the database is back",
            deferred.clone(),
        );
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
        database.register(
            "executions_active",
            "Executions queued or sent now, by status (all processes)",
            executions_active.clone(),
        );
        let executions_last_hour = Family::<StatusLabels, Gauge>::default();
        database.register(
            "executions_last_hour",
            "Executions created in the last hour, by status (all processes)",
            executions_last_hour.clone(),
        );
        let notifications_unrouted = Gauge::default();
        database.register(
            "notifications_unrouted",
            "Notifications in the outbox not yet routed to a channel",
            notifications_unrouted.clone(),
        );
        let deliveries = Family::<StatusLabels, Gauge>::default();
        database.register(
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
            database: Arc::new(database),
            database_up,
            deferred,
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

    /// The backlog, or `None` when the database did not answer within [`BACKLOG_WAIT`]. A
    /// read (or a failure) is reused for [`BACKLOG_TTL`].
    async fn backlog(&self) -> Option<Backlog> {
        if let Some((at, backlog)) = &*self.backlog.lock().expect("backlog cache")
            && at.elapsed() < BACKLOG_TTL
        {
            return backlog.clone();
        }
        let backlog = match tokio::time::timeout(BACKLOG_WAIT, self.probe.backlog()).await {
            Ok(Ok(backlog)) => Some(backlog),
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "metrics: the database did not answer; its figures are left out");
                None
            }
            Err(_) => {
                tracing::warn!(
                    "metrics: the database did not answer in time; its figures are left out"
                );
                None
            }
        };
        *self.backlog.lock().expect("backlog cache") = Some((Instant::now(), backlog.clone()));
        backlog
    }

    /// The text exposition, after reading the scrape-time figures. Never fails for want of
    /// the database: its figures are left out then.
    async fn render(&self, connected: usize, deferred: usize) -> Result<String, ApiError> {
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.agents_connected
            .set(i64::try_from(connected).unwrap_or(i64::MAX));
        self.deferred
            .set(i64::try_from(deferred).unwrap_or(i64::MAX));
        let set = |family: &Family<StatusLabels, Gauge>, status: &str, value: u64| {
            family
                .get_or_create(&StatusLabels {
                    status: status.to_owned(),
                })
                .set(gauge(value));
        };
        let pool = self.probe.pool();
        set(&self.pool, "open", pool.open);
        set(&self.pool, "idle", pool.idle);
        set(&self.pool, "max", pool.max);
        let backlog = self.backlog().await;
        self.database_up.set(i64::from(backlog.is_some()));
        if let Some(backlog) = &backlog {
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
        }
        let mut text = String::new();
        let encoded = encode_registry(&mut text, &self.registry)
            .and_then(|()| match backlog {
                Some(_) => encode_registry(&mut text, &self.database),
                None => Ok(()),
            })
            .and_then(|()| encode_eof(&mut text));
        encoded.map_err(|error| ApiError::internal(&format!("encoding metrics: {error}")))?;
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
    let text = state
        .metrics
        .render(state.connections.len(), state.gateway.deferred())
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
