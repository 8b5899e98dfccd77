use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    ConnectionId, Execution, ExecutionId, ExecutionListQuery, NewExecution, ProcessId, ReplyOutcome,
};
use crate::PortError;
use crate::agent::AgentId;
use crate::list::Page;
use crate::tenancy::Scope;

/// Where executions are kept. Shared by every server process: each state change is a
/// compare-and-swap on the status, so two processes never send or settle one execution twice.
/// A script or policy execution that ends `failed`, `timed_out` or `expired` writes a
/// `RunFailed` notification to the outbox in the same transaction.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ExecutionRepository: Send + Sync {
    /// Stores a queued execution.
    async fn create(&self, execution: &NewExecution) -> Result<Execution, PortError>;

    /// Stores queued executions, all or none.
    async fn create_many(&self, executions: &[NewExecution]) -> Result<Vec<Execution>, PortError>;

    /// One execution.
    async fn find(&self, id: ExecutionId) -> Result<Option<Execution>, PortError>;

    /// One page of the executions of agents inside `scope` (for a restricted scope, only of
    /// live agents).
    async fn list(
        &self,
        scope: &Scope,
        query: &ExecutionListQuery,
    ) -> Result<Page<Execution>, PortError>;

    /// Cancels the execution if it is still queued; `None` otherwise.
    async fn cancel(
        &self,
        id: ExecutionId,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError>;

    /// Marks at most `limit` of the agent's queued, unexpired executions as sent on
    /// `connection` of `process` (oldest first) and returns them for sending: `status` sent, `sent_at` now,
    /// `attempts` + 1, and `deadline_at` now + the [`NewExecution::timeout_seconds`] it was
    /// created with (so a store keeps that value with the execution). Executions claimed by
    /// one caller are not returned to another.
    async fn claim(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        process: ProcessId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Execution>, PortError>;

    /// The agents that have queued executions not yet expired at `now` (for the delivery
    /// sweep, in case a wake-up was missed).
    async fn agents_with_queued(&self, now: DateTime<Utc>) -> Result<Vec<AgentId>, PortError>;

    /// Settles a sent (or timed-out) execution of `agent` with its answer; `None` when it was
    /// already settled (the agent answers some actions twice), is unknown, or belongs to
    /// another agent.
    async fn complete(
        &self,
        id: ExecutionId,
        agent: AgentId,
        outcome: &ReplyOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<Execution>, PortError>;

    /// The connection dropped: its sent read-only executions go back to the queue, its sent
    /// mutating ones fail with `reason` (they are never re-sent). Returns the failed ones.
    async fn connection_lost(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError>;

    /// `process` died: every execution it had sent and not seen answered is settled as by
    /// [`connection_lost`](Self::connection_lost) (read-only back to the queue, mutating ones
    /// failed with `reason`). Returns the failed ones.
    async fn abandoned(
        &self,
        process: ProcessId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Execution>, PortError>;

    /// Expires queued executions past their expiry and times out sent ones past their
    /// deadline. Returns what changed.
    async fn sweep(&self, now: DateTime<Utc>) -> Result<Vec<Execution>, PortError>;
}

/// Tells whichever server process holds an agent's connection that it has work queued.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait ExecutionWaker: Send + Sync {
    /// The agent has queued executions.
    fn wake(&self, agent: AgentId);
}
