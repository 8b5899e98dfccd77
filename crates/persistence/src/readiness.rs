use async_trait::async_trait;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::health::ReadinessProbe;

use crate::Database;
use crate::error::query_error;

/// Ready when a pooled connection answers `SELECT 1`.
#[derive(Clone)]
pub struct PgReadiness {
    db: Database,
}

impl PgReadiness {
    /// Probes `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl ReadinessProbe for PgReadiness {
    async fn check(&self) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|error| match query_error(error) {
                PortError::Unexpected(error) => PortError::Unavailable(error),
                unavailable => unavailable,
            })
    }
}
