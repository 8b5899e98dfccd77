//! `ScriptRepository` on PostgreSQL.

mod list;
mod row;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::execution::ExecutionStatus;
use slimrmm_domain::list::Page;
use slimrmm_domain::script::{
    SaveScriptError, Script, ScriptDefinition, ScriptId, ScriptListQuery, ScriptRepository,
};

use crate::Database;
use crate::error::{query_error, violated_unique_index};
use crate::schema::{executions, scripts};
use row::ScriptRow;

/// The script library in PostgreSQL.
#[derive(Clone)]
pub struct PgScriptRepository {
    db: Database,
}

impl PgScriptRepository {
    /// Scripts stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn save_error(error: diesel::result::Error) -> SaveScriptError {
    match violated_unique_index(&error) {
        Some("scripts_name_key") => SaveScriptError::NameTaken,
        _ => SaveScriptError::Port(query_error(error)),
    }
}

#[async_trait]
impl ScriptRepository for PgScriptRepository {
    async fn create(&self, script: &Script) -> Result<Script, SaveScriptError> {
        let mut conn = self.db.conn().await?;
        let row: ScriptRow = diesel::insert_into(scripts::table)
            .values(ScriptRow::new(script))
            .returning(ScriptRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(save_error)?;
        Ok(row.into_domain()?)
    }

    async fn find(&self, id: ScriptId) -> Result<Option<Script>, PortError> {
        let mut conn = self.db.conn().await?;
        scripts::table
            .find(id.0)
            .select(ScriptRow::as_select())
            .first::<ScriptRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(ScriptRow::into_domain)
            .transpose()
    }

    async fn list(&self, query: &ScriptListQuery) -> Result<Page<Script>, PortError> {
        list::list(&self.db, query).await
    }

    async fn update(
        &self,
        id: ScriptId,
        definition: &ScriptDefinition,
        now: DateTime<Utc>,
    ) -> Result<Option<Script>, SaveScriptError> {
        let mut conn = self.db.conn().await?;
        let Some(current) = self.find(id).await? else {
            return Ok(None);
        };
        let changed = Script {
            definition: definition.clone(),
            updated_at: now,
            ..current
        };
        diesel::update(scripts::table.find(id.0))
            .set(ScriptRow::new(&changed))
            .returning(ScriptRow::as_returning())
            .get_result::<ScriptRow>(&mut conn)
            .await
            .optional()
            .map_err(save_error)?
            .map(ScriptRow::into_domain)
            .transpose()
            .map_err(SaveScriptError::Port)
    }

    async fn delete(&self, id: ScriptId, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        conn.transaction(async |conn| {
            diesel::update(
                executions::table.filter(
                    executions::script_id
                        .eq(id.0)
                        .and(executions::status.eq(ExecutionStatus::Queued.as_str())),
                ),
            )
            .set((
                executions::status.eq(ExecutionStatus::Cancelled.as_str()),
                executions::error.eq("the script was deleted before the agent came online"),
                executions::completed_at.eq(now),
            ))
            .execute(conn)
            .await?;
            let deleted = diesel::delete(scripts::table.find(id.0))
                .execute(conn)
                .await?;
            diesel::QueryResult::Ok(deleted > 0)
        })
        .await
        .map_err(query_error)
    }
}
