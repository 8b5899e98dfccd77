//! Counts for operators: the `OperationsProbe` port, each count on an index.

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::execution::ExecutionStatus;
use slimrmm_domain::health::{Backlog, OperationsProbe, PoolUsage};

use crate::Database;
use crate::error::query_error;

/// Reads the backlog from PostgreSQL and the pool's use from the pool.
#[derive(Clone)]
pub struct PgOperations {
    db: Database,
}

impl PgOperations {
    /// Probes `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    family: String,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// One statement, each part on an index: active executions (the partial indexes on
/// `status = 'queued'` and `status = 'sent'`), the last hour's executions (`created_at`), the
/// outbox (`routed_at IS NULL`, and the partial indexes on pending and dead deliveries).
const BACKLOG: &str = "\
    SELECT 'active' AS family, 'queued' AS label, count(*) AS value FROM executions \
        WHERE status = 'queued' \
    UNION ALL SELECT 'active', 'sent', count(*) FROM executions WHERE status = 'sent' \
    UNION ALL SELECT 'last_hour', status, count(*) FROM executions \
        WHERE created_at > now() - interval '1 hour' GROUP BY status \
    UNION ALL SELECT 'unrouted', '', count(*) FROM notifications WHERE routed_at IS NULL \
    UNION ALL SELECT 'deliveries', 'pending', count(*) FROM notification_deliveries \
        WHERE status = 'pending' \
    UNION ALL SELECT 'deliveries', 'dead', count(*) FROM notification_deliveries \
        WHERE status = 'dead'";

#[async_trait]
impl OperationsProbe for PgOperations {
    async fn backlog(&self) -> Result<Backlog, PortError> {
        let mut conn = self.db.conn().await?;
        let counts: Vec<Count> = diesel::sql_query(BACKLOG)
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        let mut backlog = Backlog::default();
        for count in counts {
            let value = u64::try_from(count.value).unwrap_or_default();
            let status = count.label.parse::<ExecutionStatus>().ok();
            match (count.family.as_str(), count.label.as_str(), status) {
                ("active", _, Some(status)) => backlog.executions_active.push((status, value)),
                ("last_hour", _, Some(status)) => {
                    backlog.executions_last_hour.push((status, value));
                }
                ("unrouted", _, _) => backlog.notifications_unrouted = value,
                ("deliveries", "pending", _) => backlog.deliveries_pending = value,
                ("deliveries", "dead", _) => backlog.deliveries_dead = value,
                _ => {}
            }
        }
        Ok(backlog)
    }

    fn pool(&self) -> PoolUsage {
        self.db.usage()
    }
}
