//! `AlertRepository` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, Hostname};
use slimrmm_domain::alert::{Alert, AlertId, AlertListQuery, AlertRepository};
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::{Notification, Severity};
use slimrmm_domain::protocol::ThresholdAlert;
use slimrmm_domain::tenancy::Scope;
use slimrmm_domain::user::UserId;
use uuid::Uuid;

use crate::Database;
use crate::error::query_error;
use crate::outbox::enqueue;
use crate::schema::alerts;
use crate::sql::{in_scope, load_page, sorted};

/// Alerts in PostgreSQL.
#[derive(Clone)]
pub struct PgAlertRepository {
    db: Database,
}

impl PgAlertRepository {
    /// Alerts stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = alerts, check_for_backend(Pg))]
struct AlertRow {
    id: i64,
    agent_uuid: Uuid,
    metric: String,
    severity: String,
    current_value: Option<f64>,
    threshold: Option<f64>,
    duration_seconds: Option<i64>,
    message: String,
    raised_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<i64>,
}

impl From<AlertRow> for Alert {
    fn from(row: AlertRow) -> Self {
        Alert {
            id: AlertId(row.id),
            agent: AgentId(row.agent_uuid),
            details: ThresholdAlert {
                metric: row.metric,
                severity: row.severity,
                current_value: row.current_value,
                threshold: row.threshold,
                duration_seconds: row.duration_seconds,
                message: row.message,
            },
            raised_at: row.raised_at,
            acknowledged_at: row.acknowledged_at,
            acknowledged_by: row.acknowledged_by.map(UserId),
        }
    }
}

fn filtered(scope: &Scope, query: &AlertListQuery) -> alerts::BoxedQuery<'static, Pg> {
    let mut selection = in_scope!(alerts::table.into_boxed(), alerts::agent_uuid, scope);
    if let Some(agent) = query.filter.agent {
        selection = selection.filter(alerts::agent_uuid.eq(agent.0));
    }
    match query.filter.acknowledged {
        Some(true) => selection = selection.filter(alerts::acknowledged_at.is_not_null()),
        Some(false) => selection = selection.filter(alerts::acknowledged_at.is_null()),
        None => {}
    }
    if let Some(severity) = &query.filter.severity {
        selection = selection.filter(alerts::severity.eq(severity.clone()));
    }
    selection
}

#[async_trait]
impl AlertRepository for PgAlertRepository {
    async fn create(
        &self,
        agent: AgentId,
        hostname: &Hostname,
        details: &ThresholdAlert,
        at: DateTime<Utc>,
    ) -> Result<Alert, PortError> {
        let mut conn = self.db.conn().await?;
        let severity = details
            .severity
            .parse::<Severity>()
            .unwrap_or(Severity::Warning);
        let row: AlertRow = conn
            .transaction(async |conn| {
                let row: AlertRow = diesel::insert_into(alerts::table)
                    .values((
                        alerts::agent_uuid.eq(agent.0),
                        alerts::metric.eq(&details.metric),
                        alerts::severity.eq(&details.severity),
                        alerts::current_value.eq(details.current_value),
                        alerts::threshold.eq(details.threshold),
                        alerts::duration_seconds.eq(details.duration_seconds),
                        alerts::message.eq(&details.message),
                        alerts::raised_at.eq(at),
                    ))
                    .returning(AlertRow::as_returning())
                    .get_result(conn)
                    .await?;
                let notification = Notification::ThresholdAlert {
                    alert: AlertId(row.id),
                    agent,
                    hostname: hostname.clone(),
                    metric: details.metric.clone(),
                    severity,
                    message: details.message.clone(),
                    at,
                };
                enqueue(conn, &[notification], None).await?;
                diesel::QueryResult::Ok(row)
            })
            .await
            .map_err(query_error)?;
        Ok(row.into())
    }

    async fn list(&self, scope: &Scope, query: &AlertListQuery) -> Result<Page<Alert>, PortError> {
        let mut conn = self.db.conn().await?;
        let ordered = sorted!(
            filtered(scope, query),
            query.sort_order,
            alerts::raised_at,
            alerts::id
        )
        .select(AlertRow::as_select());
        let total = filtered(scope, query).count();
        let page = load_page(&mut conn, query.page, total, ordered).await?;
        Ok(page.map(Alert::from))
    }

    async fn find(&self, id: AlertId) -> Result<Option<Alert>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<AlertRow> = alerts::table
            .find(id.0)
            .select(AlertRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(row.map(Alert::from))
    }

    async fn acknowledge(
        &self,
        id: AlertId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Alert>, PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(
            alerts::table
                .find(id.0)
                .filter(alerts::acknowledged_at.is_null()),
        )
        .set((
            alerts::acknowledged_at.eq(at),
            alerts::acknowledged_by.eq(by.0),
        ))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let row: Option<AlertRow> = alerts::table
            .find(id.0)
            .select(AlertRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(row.map(Alert::from))
    }
}
