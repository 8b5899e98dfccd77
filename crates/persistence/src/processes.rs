//! `ProcessRegistry` on PostgreSQL: one row per server process, its heartbeat and since when it
//! has beaten without a gap, all on the database's clock.

use async_trait::async_trait;
use chrono::TimeDelta;
use diesel::sql_types::{Integer, Interval, Text};
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::execution::ProcessId;
use slimrmm_domain::gateway::ProcessRegistry;

use crate::Database;
use crate::error::query_error;

/// The server processes sharing a database.
#[derive(Clone)]
pub struct PgProcessRegistry {
    db: Database,
    hostname: String,
    pid: i32,
}

impl PgProcessRegistry {
    /// The registry in `db`; this process is named by its host and process id in the table
    /// (for operators).
    pub fn new(db: Database) -> Self {
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|name| name.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        Self {
            db,
            hostname,
            pid: i32::try_from(std::process::id()).unwrap_or_default(),
        }
    }
}

fn interval(delta: TimeDelta) -> diesel::pg::data_types::PgInterval {
    diesel::pg::data_types::PgInterval::from_microseconds(
        delta.num_microseconds().unwrap_or(i64::MAX),
    )
}

const BEAT: &str = "
INSERT INTO server_processes (id, hostname, pid, started_at, heartbeat_at)
VALUES ($1, $2, $3, now(), now())
ON CONFLICT (id) DO UPDATE SET
    started_at = CASE WHEN server_processes.heartbeat_at < now() - $4
                      THEN now() ELSE server_processes.started_at END,
    heartbeat_at = now()";

const DEAD: &str = "
SELECT other.id FROM server_processes other, server_processes judge
WHERE judge.id = $1 AND judge.started_at <= now() - $2
  AND other.id <> judge.id AND other.heartbeat_at < now() - $2";

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
}

#[async_trait]
impl ProcessRegistry for PgProcessRegistry {
    async fn beat(&self, process: ProcessId, gap: TimeDelta) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query(BEAT)
            .bind::<diesel::sql_types::Uuid, _>(process.0)
            .bind::<Text, _>(&self.hostname)
            .bind::<Integer, _>(self.pid)
            .bind::<Interval, _>(interval(gap))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn dead(
        &self,
        judge: ProcessId,
        silent_for: TimeDelta,
    ) -> Result<Vec<ProcessId>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<Row> = diesel::sql_query(DEAD)
            .bind::<diesel::sql_types::Uuid, _>(judge.0)
            .bind::<Interval, _>(interval(silent_for))
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(rows.into_iter().map(|row| ProcessId(row.id)).collect())
    }

    async fn forget(&self, process: ProcessId) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query("DELETE FROM server_processes WHERE id = $1")
            .bind::<diesel::sql_types::Uuid, _>(process.0)
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }
}
