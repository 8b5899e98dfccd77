//! Executions, stored in the [`MemoryDb`].

use anyhow::anyhow;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::execution::{
    ConnectionId, Execution, ExecutionId, ExecutionListQuery, ExecutionRepository, ExecutionStatus,
    NewExecution, ProcessId, ReplyOutcome,
};
use slimrmm_domain::gateway::ProcessRegistry;
use slimrmm_domain::list::Page;

use super::{ExecutionRow, MemoryDb, paginate, time};

#[async_trait]
impl ExecutionRepository for MemoryDb {
    async fn create(&self, new: &NewExecution) -> Result<Execution, PortError> {
        let created = self.lock().insert_executions(std::slice::from_ref(new))?;
        created
            .into_iter()
            .next()
            .ok_or_else(|| PortError::unexpected(anyhow!("nothing was stored")))
    }

    async fn create_many(&self, new: &[NewExecution]) -> Result<Vec<Execution>, PortError> {
        self.lock().insert_executions(new)
    }

    async fn find(&self, id: ExecutionId) -> Result<Option<Execution>, PortError> {
        let db = self.lock();
        let row = db.executions.iter().find(|row| row.execution.id == id);
        Ok(row.map(|row| row.execution.clone()))
    }

    async fn list(&self, query: &ExecutionListQuery) -> Result<Page<Execution>, PortError> {
        let db = self.lock();
        let filter = &query.filter;
        let rows = db
            .executions
            .iter()
            .map(|row| row.execution.clone())
            .filter(|e| filter.agent.is_none_or(|agent| e.agent == agent))
            .filter(|e| filter.status.is_none_or(|status| e.status == status))
            .filter(|e| {
                filter
                    .action
                    .as_ref()
                    .is_none_or(|action| e.action == *action)
            })
            .filter(|e| filter.script.is_none_or(|script| e.script == Some(script)))
            .filter(|e| {
                filter
                    .policy_run
                    .is_none_or(|run| e.policy_run == Some(run))
            })
            .collect();
        Ok(paginate(rows, query, |execution, _| {
            time(execution.created_at)
        }))
    }

    async fn cancel(
        &self,
        id: ExecutionId,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError> {
        let mut db = self.lock();
        let Some(row) = db
            .executions
            .iter_mut()
            .find(|row| row.execution.id == id && row.execution.status == ExecutionStatus::Queued)
        else {
            return Ok(None);
        };
        row.execution.status = ExecutionStatus::Cancelled;
        row.execution.completed_at = Some(now);
        Ok(Some(row.execution.clone()))
    }

    async fn claim(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        process: ProcessId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Execution>, PortError> {
        let mut db = self.lock();
        let mut due: Vec<&mut ExecutionRow> = db
            .executions
            .iter_mut()
            .filter(|row| {
                let e = &row.execution;
                e.agent == agent && e.status == ExecutionStatus::Queued && e.expires_at > now
            })
            .collect();
        due.sort_by_key(|row| row.execution.created_at);
        let mut claimed = Vec::new();
        for row in due.into_iter().take(limit as usize) {
            let deadline = now + TimeDelta::seconds(i64::from(row.timeout_seconds));
            let execution = &mut row.execution;
            execution.status = ExecutionStatus::Sent;
            execution.sent_at = Some(now);
            execution.deadline_at = Some(deadline);
            execution.attempts += 1;
            row.sent_on = Some((connection, process));
            claimed.push(row.execution.clone());
        }
        Ok(claimed)
    }

    async fn complete(
        &self,
        id: ExecutionId,
        agent: AgentId,
        outcome: &ReplyOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError> {
        let mut db = self.lock();
        let open = [ExecutionStatus::Sent, ExecutionStatus::TimedOut];
        let Some(row) = db.executions.iter_mut().find(|row| {
            let e = &row.execution;
            e.id == id && e.agent == agent && open.contains(&e.status)
        }) else {
            return Ok(None);
        };
        let execution = &mut row.execution;
        execution.status = outcome.status;
        execution.result = outcome.result.clone();
        execution.error = outcome.error.clone();
        execution.truncated = outcome.truncated;
        execution.completed_at = Some(now);
        let settled = execution.clone();
        db.notify_failed_runs(std::slice::from_ref(&settled));
        Ok(Some(settled))
    }

    async fn connection_lost(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError> {
        let lost = |row: &ExecutionRow| {
            row.execution.agent == agent && row.sent_on.is_some_and(|(on, _)| on == connection)
        };
        Ok(self.settle_lost(lost, reason, now))
    }

    async fn abandoned(
        &self,
        process: ProcessId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError> {
        Ok(self.settle_lost(
            |row| row.sent_on.is_some_and(|(_, by)| by == process),
            reason,
            now,
        ))
    }

    async fn agents_with_queued(&self, now: DateTime<Utc>) -> Result<Vec<AgentId>, PortError> {
        let mut agents: Vec<AgentId> = self
            .lock()
            .executions
            .iter()
            .filter(|row| {
                row.execution.status == ExecutionStatus::Queued && row.execution.expires_at > now
            })
            .map(|row| row.execution.agent)
            .collect();
        agents.sort_by_key(|agent| agent.0);
        agents.dedup();
        Ok(agents)
    }

    async fn sweep(&self, now: DateTime<Utc>) -> Result<Vec<Execution>, PortError> {
        let mut db = self.lock();
        let mut changed = Vec::new();
        for row in &mut db.executions {
            let e = &mut row.execution;
            let (status, error) = match e.status {
                ExecutionStatus::Queued if e.expires_at <= now => (
                    ExecutionStatus::Expired,
                    "the agent did not come online before the command expired",
                ),
                ExecutionStatus::Sent if e.deadline_at.is_some_and(|d| d <= now) => (
                    ExecutionStatus::TimedOut,
                    "the agent did not answer in time",
                ),
                _ => continue,
            };
            e.status = status;
            e.error = Some(error.to_owned());
            e.completed_at = Some(now);
            changed.push(e.clone());
        }
        db.notify_failed_runs(&changed);
        Ok(changed)
    }
}

impl MemoryDb {
    /// Settles the sent executions `lost` selects: read-only ones back to the queue, mutating
    /// ones failed with `reason`. Returns the failed ones.
    fn settle_lost(
        &self,
        lost: impl Fn(&ExecutionRow) -> bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Vec<Execution> {
        let mut db = self.lock();
        let mut failed = Vec::new();
        for row in &mut db.executions {
            if row.execution.status != ExecutionStatus::Sent || !lost(row) {
                continue;
            }
            let e = &mut row.execution;
            if e.mutating {
                e.status = ExecutionStatus::Failed;
                e.error = Some(reason.to_owned());
                e.completed_at = Some(now);
                failed.push(e.clone());
            } else {
                e.status = ExecutionStatus::Queued;
                e.sent_at = None;
                e.deadline_at = None;
                row.sent_on = None;
            }
        }
        db.notify_failed_runs(&failed);
        failed
    }
}

/// One process embeds the domain here: it is never judged dead by another.
#[async_trait]
impl ProcessRegistry for MemoryDb {
    async fn beat(&self, _: ProcessId, _: TimeDelta) -> Result<(), PortError> {
        Ok(())
    }

    async fn dead(&self, _: ProcessId, _: TimeDelta) -> Result<Vec<ProcessId>, PortError> {
        Ok(Vec::new())
    }

    async fn forget(&self, _: ProcessId) -> Result<(), PortError> {
        Ok(())
    }
}
