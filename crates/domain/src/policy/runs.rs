//! Reading a policy's runs: one run with its progress, a page of them.

use super::crud::require;
use super::{PolicyId, PolicyRunId, PolicyService, RunListQuery, RunSummary};
use crate::PortError;
use crate::auth::{Actor, Capability};
use crate::list::Page;

/// Why runs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadRunsError {
    /// The caller's role does not allow reading policies.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such policy (listing its runs).
    #[error("policy not found")]
    PolicyNotFound,
    /// No such run.
    #[error("policy run not found")]
    RunNotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl PolicyService {
    /// One run with its progress.
    pub async fn run(&self, actor: &Actor, id: PolicyRunId) -> Result<RunSummary, ReadRunsError> {
        require(actor, Capability::Read).map_err(ReadRunsError::Forbidden)?;
        self.ports
            .policies
            .find_run(id)
            .await?
            .ok_or(ReadRunsError::RunNotFound)
    }

    /// One page of a policy's runs.
    pub async fn runs(
        &self,
        actor: &Actor,
        policy: PolicyId,
        query: RunListQuery,
    ) -> Result<Page<RunSummary>, ReadRunsError> {
        require(actor, Capability::Read).map_err(ReadRunsError::Forbidden)?;
        if self.ports.policies.find(policy).await?.is_none() {
            return Err(ReadRunsError::PolicyNotFound);
        }
        let query = query.map_filter(|mut filter| {
            filter.policy = Some(policy);
            filter
        });
        Ok(self.ports.policies.list_runs(&query).await?)
    }
}
