//! `PolicyRepository` on PostgreSQL: policies, their runs, and the scheduler's
//! compare-and-swap on each policy's next slot.

mod list;
mod progress;
mod row;
mod runs;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::execution::{Execution, NewExecution};
use slimrmm_domain::list::Page;
use slimrmm_domain::policy::{
    Policy, PolicyDefinition, PolicyId, PolicyListQuery, PolicyRepository, PolicyRun, PolicyRunId,
    RunListQuery, RunSummary, SavePolicyError,
};

use crate::Database;
use crate::error::{query_error, violated_unique_index};
use crate::executions::{insert_executions, rows};
use crate::schema::{policies, policy_runs};
use row::{PolicyRow, RunRow};

/// Policies and their runs in PostgreSQL.
#[derive(Clone)]
pub struct PgPolicyRepository {
    db: Database,
}

impl PgPolicyRepository {
    /// Policies stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn save_error(error: diesel::result::Error) -> SavePolicyError {
    match violated_unique_index(&error) {
        Some("policies_name_key") => SavePolicyError::NameTaken,
        _ => SavePolicyError::Port(query_error(error)),
    }
}

#[async_trait]
impl PolicyRepository for PgPolicyRepository {
    async fn create(&self, policy: &Policy) -> Result<Policy, SavePolicyError> {
        let mut conn = self.db.conn().await?;
        let row: PolicyRow = diesel::insert_into(policies::table)
            .values(PolicyRow::new(policy))
            .returning(PolicyRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(save_error)?;
        Ok(row.into_domain()?)
    }

    async fn find(&self, id: PolicyId) -> Result<Option<Policy>, PortError> {
        let mut conn = self.db.conn().await?;
        policies::table
            .find(id.0)
            .select(PolicyRow::as_select())
            .first::<PolicyRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(PolicyRow::into_domain)
            .transpose()
    }

    async fn list(&self, query: &PolicyListQuery) -> Result<Page<Policy>, PortError> {
        list::list(&self.db, query).await
    }

    async fn update(
        &self,
        id: PolicyId,
        definition: &PolicyDefinition,
        next_run_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<Policy>, SavePolicyError> {
        let Some(current) = self.find(id).await? else {
            return Ok(None);
        };
        let row = PolicyRow::new(&Policy {
            definition: definition.clone(),
            next_run_at,
            updated_at: now,
            ..current
        });
        let mut conn = self.db.conn().await?;
        diesel::update(policies::table.find(id.0))
            .set((
                policies::name.eq(&row.name),
                policies::description.eq(&row.description),
                policies::enabled.eq(row.enabled),
                policies::definition.eq(&row.definition),
                policies::next_run_at.eq(row.next_run_at),
                policies::updated_at.eq(row.updated_at),
            ))
            .returning(PolicyRow::as_returning())
            .get_result::<PolicyRow>(&mut conn)
            .await
            .optional()
            .map_err(save_error)?
            .map(PolicyRow::into_domain)
            .transpose()
            .map_err(SavePolicyError::Port)
    }

    async fn delete(&self, id: PolicyId, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        conn.transaction(async |conn| {
            diesel::sql_query(
                "UPDATE executions SET status = 'cancelled', completed_at = $2, \
                     error = 'the policy was deleted before the agent came online' \
                 WHERE status = 'queued' AND policy_run_id IN \
                     (SELECT id FROM policy_runs WHERE policy_id = $1)",
            )
            .bind::<diesel::sql_types::Uuid, _>(id.0)
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .execute(conn)
            .await?;
            let deleted = diesel::delete(policies::table.find(id.0))
                .execute(conn)
                .await?;
            diesel::QueryResult::Ok(deleted > 0)
        })
        .await
        .map_err(query_error)
    }

    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Policy>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<PolicyRow> = policies::table
            .filter(policies::enabled.and(policies::next_run_at.le(now)))
            .order(policies::next_run_at.asc())
            .limit(i64::from(limit))
            .select(PolicyRow::as_select())
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        rows.into_iter().map(PolicyRow::into_domain).collect()
    }

    async fn advance(
        &self,
        id: PolicyId,
        slot: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let changed = diesel::update(
            policies::table.filter(policies::id.eq(id.0).and(policies::next_run_at.eq(slot))),
        )
        .set(policies::next_run_at.eq(next))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(changed == 1)
    }

    async fn start_run(
        &self,
        run: &PolicyRun,
        new: &[NewExecution],
    ) -> Result<Vec<Execution>, PortError> {
        let mut conn = self.db.conn().await?;
        let stored = conn
            .transaction(async |conn| {
                diesel::insert_into(policy_runs::table)
                    .values(RunRow::new(run))
                    .execute(conn)
                    .await?;
                insert_executions(conn, new).await
            })
            .await
            .map_err(query_error)?;
        rows(stored)
    }

    async fn find_run(&self, id: PolicyRunId) -> Result<Option<RunSummary>, PortError> {
        runs::find(&self.db, id).await
    }

    async fn list_runs(&self, query: &RunListQuery) -> Result<Page<RunSummary>, PortError> {
        runs::list(&self.db, query).await
    }
}
