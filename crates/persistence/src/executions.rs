//! `ExecutionRepository` on PostgreSQL. Every state change is an `UPDATE ... WHERE status = ...`
//! so that concurrent processes never send or settle an execution twice.

mod failures;
mod insert;
mod row;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::execution::{
    ConnectionId, Execution, ExecutionId, ExecutionListQuery, ExecutionRepository, ExecutionStatus,
    NewExecution, ProcessId, ReplyOutcome,
};
use slimrmm_domain::list::Page;
use slimrmm_domain::tenancy::Scope;

use crate::Database;
use crate::error::query_error;
use crate::schema::executions;
use crate::sql::{in_scope, load_page, sorted};
use failures::notify_failures;
pub(crate) use insert::insert_executions;
pub(crate) use row::ExecutionRow;

/// Executions in PostgreSQL.
#[derive(Clone)]
pub struct PgExecutionRepository {
    db: Database,
}

impl PgExecutionRepository {
    /// Executions stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

pub(crate) fn rows(rows: Vec<ExecutionRow>) -> Result<Vec<Execution>, PortError> {
    let mut executions: Vec<Execution> = rows
        .into_iter()
        .map(ExecutionRow::into_domain)
        .collect::<Result<_, _>>()?;
    executions.sort_by_key(|execution| (execution.created_at, execution.id));
    Ok(executions)
}

fn filtered(scope: &Scope, query: &ExecutionListQuery) -> executions::BoxedQuery<'static, Pg> {
    let mut selection = in_scope!(
        executions::table.into_boxed(),
        executions::agent_uuid,
        scope
    );
    if let Some(agent) = query.filter.agent {
        selection = selection.filter(executions::agent_uuid.eq(agent.0));
    }
    if let Some(status) = query.filter.status {
        selection = selection.filter(executions::status.eq(status.as_str()));
    }
    if let Some(action) = &query.filter.action {
        selection = selection.filter(executions::action.eq(action.clone()));
    }
    if let Some(script) = query.filter.script {
        selection = selection.filter(executions::script_id.eq(script.0));
    }
    if let Some(run) = query.filter.policy_run {
        selection = selection.filter(executions::policy_run_id.eq(run.0));
    }
    selection
}

/// Which sent executions a lost connection or a dead process leaves unanswered.
type Lost = Box<
    dyn BoxableExpression<
            executions::table,
            Pg,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
>;

impl PgExecutionRepository {
    /// Settles the sent executions `lost` selects: read-only ones back to the queue, mutating
    /// ones failed with `reason` (with their failure notifications). Returns the failed ones.
    async fn settle_lost(
        &self,
        lost: impl Fn() -> Lost + Send + Sync,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let sent = || executions::status.eq(ExecutionStatus::Sent.as_str());
        let failed = conn
            .transaction(async |conn| {
                let failed: Vec<ExecutionRow> = diesel::update(
                    executions::table
                        .filter(sent())
                        .filter(lost())
                        .filter(executions::mutating),
                )
                .set((
                    executions::status.eq(ExecutionStatus::Failed.as_str()),
                    executions::error.eq(reason),
                    executions::completed_at.eq(now),
                ))
                .returning(ExecutionRow::as_returning())
                .get_results(conn)
                .await?;
                diesel::update(
                    executions::table
                        .filter(sent())
                        .filter(lost())
                        .filter(executions::mutating.eq(false)),
                )
                .set((
                    executions::status.eq(ExecutionStatus::Queued.as_str()),
                    executions::sent_at.eq(None::<DateTime<Utc>>),
                    executions::sent_on.eq(None::<uuid::Uuid>),
                    executions::sent_by.eq(None::<uuid::Uuid>),
                    executions::deadline_at.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)
                .await?;
                notify_failures(conn, &failed).await?;
                diesel::QueryResult::Ok(failed)
            })
            .await
            .map_err(query_error)?;
        rows(failed)
    }
}

#[async_trait]
impl ExecutionRepository for PgExecutionRepository {
    async fn agents_with_queued(&self, now: DateTime<Utc>) -> Result<Vec<AgentId>, PortError> {
        let mut conn = self.db.conn().await?;
        let agents: Vec<uuid::Uuid> = executions::table
            .filter(
                executions::status
                    .eq(ExecutionStatus::Queued.as_str())
                    .and(executions::expires_at.gt(now)),
            )
            .select(executions::agent_uuid)
            .distinct()
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(agents.into_iter().map(AgentId).collect())
    }

    async fn create(&self, new: &NewExecution) -> Result<Execution, PortError> {
        let created = self.create_many(std::slice::from_ref(new)).await?;
        created
            .into_iter()
            .next()
            .ok_or_else(|| PortError::unexpected(anyhow::anyhow!("the insert returned no row")))
    }

    async fn create_many(&self, new: &[NewExecution]) -> Result<Vec<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        conn.transaction(async |conn| insert_executions(conn, new).await)
            .await
            .map_err(query_error)
            .and_then(rows)
    }

    async fn find(&self, id: ExecutionId) -> Result<Option<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        executions::table
            .find(id.0)
            .select(ExecutionRow::as_select())
            .first::<ExecutionRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(ExecutionRow::into_domain)
            .transpose()
    }

    async fn list(
        &self,
        scope: &Scope,
        query: &ExecutionListQuery,
    ) -> Result<Page<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let order = query.sort_order;
        let ordered = sorted!(
            filtered(scope, query),
            order,
            executions::created_at,
            executions::id
        )
        .select(ExecutionRow::as_select());
        load_page(
            &mut conn,
            query.page,
            filtered(scope, query).count(),
            ordered,
        )
        .await?
        .try_map(ExecutionRow::into_domain)
    }

    async fn cancel(
        &self,
        id: ExecutionId,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(
            executions::table.filter(
                executions::id
                    .eq(id.0)
                    .and(executions::status.eq(ExecutionStatus::Queued.as_str())),
            ),
        )
        .set((
            executions::status.eq(ExecutionStatus::Cancelled.as_str()),
            executions::completed_at.eq(now),
        ))
        .returning(ExecutionRow::as_returning())
        .get_result::<ExecutionRow>(&mut conn)
        .await
        .optional()
        .map_err(query_error)?
        .map(ExecutionRow::into_domain)
        .transpose()
    }

    async fn claim(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        process: ProcessId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let claimed: Vec<ExecutionRow> = diesel::sql_query(
            "UPDATE executions SET status = 'sent', sent_at = $3, sent_on = $2, sent_by = $5, \
                 deadline_at = $3 + make_interval(secs => timeout_seconds), attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM executions \
                 WHERE agent_uuid = $1 AND status = 'queued' AND expires_at > $3 \
                 ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
        )
        .bind::<diesel::sql_types::Uuid, _>(agent.0)
        .bind::<diesel::sql_types::Uuid, _>(connection.0)
        .bind::<Timestamptz, _>(now)
        .bind::<diesel::sql_types::BigInt, _>(i64::from(limit))
        .bind::<diesel::sql_types::Uuid, _>(process.0)
        .load(&mut conn)
        .await
        .map_err(query_error)?;
        rows(claimed)
    }

    async fn complete(
        &self,
        id: ExecutionId,
        agent: AgentId,
        outcome: &ReplyOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let open = [
            ExecutionStatus::Sent.as_str(),
            ExecutionStatus::TimedOut.as_str(),
        ];
        let settled: Option<ExecutionRow> = conn
            .transaction(async |conn| {
                let settled: Option<ExecutionRow> = diesel::update(
                    executions::table.filter(
                        executions::id
                            .eq(id.0)
                            .and(executions::agent_uuid.eq(agent.0))
                            .and(executions::status.eq_any(open)),
                    ),
                )
                .set((
                    executions::status.eq(outcome.status.as_str()),
                    executions::result.eq(&outcome.result),
                    executions::error.eq(&outcome.error),
                    executions::truncated.eq(outcome.truncated),
                    executions::completed_at.eq(now),
                ))
                .returning(ExecutionRow::as_returning())
                .get_result::<ExecutionRow>(conn)
                .await
                .optional()?;
                notify_failures(conn, settled.as_slice()).await?;
                diesel::QueryResult::Ok(settled)
            })
            .await
            .map_err(query_error)?;
        settled.map(ExecutionRow::into_domain).transpose()
    }

    async fn connection_lost(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError> {
        let sent_here = move || -> Lost {
            Box::new(
                executions::agent_uuid
                    .eq(agent.0)
                    .and(executions::sent_on.eq(connection.0)),
            )
        };
        self.settle_lost(sent_here, reason, now).await
    }

    async fn abandoned(
        &self,
        process: ProcessId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError> {
        let sent_by = move || -> Lost { Box::new(executions::sent_by.eq(process.0)) };
        self.settle_lost(sent_by, reason, now).await
    }

    async fn sweep(&self, now: DateTime<Utc>) -> Result<Vec<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let changed = conn
            .transaction(async |conn| {
                let mut changed: Vec<ExecutionRow> = diesel::update(
                    executions::table.filter(
                        executions::status
                            .eq(ExecutionStatus::Queued.as_str())
                            .and(executions::expires_at.le(now)),
                    ),
                )
                .set((
                    executions::status.eq(ExecutionStatus::Expired.as_str()),
                    executions::error
                        .eq("the agent did not come online before the command expired"),
                    executions::completed_at.eq(now),
                ))
                .returning(ExecutionRow::as_returning())
                .get_results(conn)
                .await?;
                let timed_out: Vec<ExecutionRow> = diesel::update(
                    executions::table.filter(
                        executions::status
                            .eq(ExecutionStatus::Sent.as_str())
                            .and(executions::deadline_at.le(now)),
                    ),
                )
                .set((
                    executions::status.eq(ExecutionStatus::TimedOut.as_str()),
                    executions::error.eq("the agent did not answer in time"),
                    executions::completed_at.eq(now),
                ))
                .returning(ExecutionRow::as_returning())
                .get_results(conn)
                .await?;
                changed.extend(timed_out);
                notify_failures(conn, &changed).await?;
                diesel::QueryResult::Ok(changed)
            })
            .await
            .map_err(query_error)?;
        rows(changed)
    }
}
