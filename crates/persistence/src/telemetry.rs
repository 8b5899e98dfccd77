//! Reading what agents reported: the latest state and the metric history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Double, Interval, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::telemetry::{
    AgentState, AgentStateRepository, DiskPoint, MetricPoint, MetricsRepository, Resolution,
};

use crate::Database;
use crate::error::query_error;
use crate::schema::agent_state;

/// Agent state and metrics in PostgreSQL.
#[derive(Clone)]
pub struct PgTelemetry {
    db: Database,
}

impl PgTelemetry {
    /// Telemetry stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AgentStateRepository for PgTelemetry {
    async fn state(&self, agent: AgentId) -> Result<Option<AgentState>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(DateTime<Utc>, String, Option<Value>, Value)> = agent_state::table
            .find(agent.0)
            .select((
                agent_state::last_heartbeat_at,
                agent_state::heartbeat_kind,
                agent_state::stats,
                agent_state::blocks,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(row.map(
            |(last_heartbeat_at, heartbeat_kind, stats, blocks)| AgentState {
                last_heartbeat_at,
                heartbeat_kind,
                stats,
                blocks,
            },
        ))
    }
}

#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Double>)]
    cpu_avg: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    cpu_max: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    memory_avg: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    memory_max: Option<f64>,
}

#[derive(QueryableByName)]
struct DiskBucket {
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    mountpoint: String,
    #[diesel(sql_type = Double)]
    used_avg: f64,
    #[diesel(sql_type = Double)]
    used_max: f64,
}

fn interval(resolution: Resolution) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(
        resolution.bucket().num_microseconds().unwrap_or(60_000_000),
    )
}

#[async_trait]
impl MetricsRepository for PgTelemetry {
    async fn series(
        &self,
        agent: AgentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        resolution: Resolution,
    ) -> Result<Vec<MetricPoint>, PortError> {
        let mut conn = self.db.conn().await?;
        let buckets: Vec<Bucket> = diesel::sql_query(
            "SELECT date_bin($1, minute, TIMESTAMPTZ 'epoch') AS at, \
                    avg(cpu_percent)::float8 AS cpu_avg, max(cpu_percent)::float8 AS cpu_max, \
                    avg(memory_percent)::float8 AS memory_avg, max(memory_percent)::float8 AS memory_max \
             FROM agent_metrics WHERE agent_uuid = $2 AND minute >= $3 AND minute < $4 \
             GROUP BY 1 ORDER BY 1",
        )
        .bind::<Interval, _>(interval(resolution))
        .bind::<diesel::sql_types::Uuid, _>(agent.0)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .load(&mut conn)
        .await
        .map_err(query_error)?;
        let disks: Vec<DiskBucket> = diesel::sql_query(
            "SELECT date_bin($1, minute, TIMESTAMPTZ 'epoch') AS at, disk->>'mountpoint' AS mountpoint, \
                    avg((disk->>'used_percent')::float8) AS used_avg, max((disk->>'used_percent')::float8) AS used_max \
             FROM agent_metrics, jsonb_array_elements(disks) AS disk \
             WHERE agent_uuid = $2 AND minute >= $3 AND minute < $4 AND disk->>'mountpoint' IS NOT NULL \
             GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .bind::<Interval, _>(interval(resolution))
        .bind::<diesel::sql_types::Uuid, _>(agent.0)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .load(&mut conn)
        .await
        .map_err(query_error)?;
        let mut points: Vec<MetricPoint> = buckets
            .into_iter()
            .map(|bucket| MetricPoint {
                at: bucket.at,
                cpu_avg: bucket.cpu_avg,
                cpu_max: bucket.cpu_max,
                memory_avg: bucket.memory_avg,
                memory_max: bucket.memory_max,
                disks: Vec::new(),
            })
            .collect();
        for disk in disks {
            if let Ok(index) = points.binary_search_by_key(&disk.at, |point| point.at) {
                points[index].disks.push(DiskPoint {
                    mountpoint: disk.mountpoint,
                    used_avg: disk.used_avg,
                    used_max: disk.used_max,
                });
            }
        }
        Ok(points)
    }
}
