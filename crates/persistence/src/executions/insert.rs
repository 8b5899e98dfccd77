use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::execution::{ExecutionStatus, NewExecution};

use super::ExecutionRow;
use crate::schema::executions;

/// Rows per `INSERT`: well under PostgreSQL's 65,535 bind parameters.
const CHUNK: usize = 1000;

#[derive(Insertable)]
#[diesel(table_name = executions)]
struct NewExecutionRow<'a> {
    id: uuid::Uuid,
    agent_uuid: uuid::Uuid,
    action: &'a str,
    params: &'a serde_json::Value,
    mutating: bool,
    timeout_seconds: i32,
    status: &'static str,
    created_by: Option<i64>,
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    script_id: Option<uuid::Uuid>,
    policy_run_id: Option<uuid::Uuid>,
}

impl<'a> From<&'a NewExecution> for NewExecutionRow<'a> {
    fn from(new: &'a NewExecution) -> Self {
        Self {
            id: new.id.0,
            agent_uuid: new.agent.0,
            action: &new.action,
            params: &new.params,
            mutating: new.mutating,
            timeout_seconds: i32::try_from(new.timeout_seconds).unwrap_or(i32::MAX),
            status: ExecutionStatus::Queued.as_str(),
            created_by: new.created_by.map(|user| user.0),
            created_at: new.created_at,
            expires_at: new.expires_at,
            script_id: new.script.map(|script| script.0),
            policy_run_id: new.policy_run.map(|run| run.0),
        }
    }
}

/// Inserts queued executions in chunks, on a connection the caller holds (inside its
/// transaction, so that all or none are stored).
pub(crate) async fn insert_executions(
    conn: &mut AsyncPgConnection,
    new: &[NewExecution],
) -> diesel::QueryResult<Vec<ExecutionRow>> {
    let mut stored = Vec::with_capacity(new.len());
    for chunk in new.chunks(CHUNK) {
        let rows: Vec<NewExecutionRow<'_>> = chunk.iter().map(NewExecutionRow::from).collect();
        let inserted: Vec<ExecutionRow> = diesel::insert_into(executions::table)
            .values(&rows)
            .returning(ExecutionRow::as_returning())
            .get_results(conn)
            .await?;
        stored.extend(inserted);
    }
    Ok(stored)
}
