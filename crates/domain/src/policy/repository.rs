use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Policy, PolicyDefinition, PolicyId, PolicyListQuery, PolicyRun, PolicyRunId, RunListQuery,
    RunSummary,
};
use crate::PortError;
use crate::execution::{Execution, NewExecution};
use crate::list::Page;

/// Why a policy could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SavePolicyError {
    /// Another policy has this name.
    #[error("a policy with this name exists")]
    NameTaken,
    /// The store failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Where policies and their runs are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PolicyRepository: Send + Sync {
    /// Stores a new policy.
    async fn create(&self, policy: &Policy) -> Result<Policy, SavePolicyError>;

    /// One policy.
    async fn find(&self, id: PolicyId) -> Result<Option<Policy>, PortError>;

    /// One page of policies.
    async fn list(&self, query: &PolicyListQuery) -> Result<Page<Policy>, PortError>;

    /// Replaces a policy's definition and next slot.
    async fn update(
        &self,
        id: PolicyId,
        definition: &PolicyDefinition,
        next_run_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<Policy>, SavePolicyError>;

    /// Deletes a policy with its runs, cancelling its executions that were not sent yet.
    /// False when there was no such policy.
    async fn delete(&self, id: PolicyId, now: DateTime<Utc>) -> Result<bool, PortError>;

    /// Enabled policies whose next slot is at or before `now` (at most `limit`).
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Policy>, PortError>;

    /// Moves a policy's next slot from `slot` to `next` if it is still `slot`
    /// (compare-and-swap): true for exactly one caller, however many processes try.
    async fn advance(
        &self,
        id: PolicyId,
        slot: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, PortError>;

    /// In one transaction: stores the run and its executions (queued).
    async fn start_run(
        &self,
        run: &PolicyRun,
        executions: &[NewExecution],
    ) -> Result<Vec<Execution>, PortError>;

    /// One run with its progress.
    async fn find_run(&self, id: PolicyRunId) -> Result<Option<RunSummary>, PortError>;

    /// One page of runs in `query.sort` order, with their progress.
    async fn list_runs(&self, query: &RunListQuery) -> Result<Page<RunSummary>, PortError>;
}
