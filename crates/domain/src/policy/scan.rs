use uuid::Uuid;

use super::crud::require;
use super::{PolicyId, PolicyService};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::execution::{Execution, ExecutionId, NewExecution, announce};
use crate::tenancy::Scope;

/// The read-only `get_available_updates` handler answers within 30 s, plus the network.
const SCAN_ANSWER_WITHIN: u32 = 45;

/// A scan queued on a policy's agents.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyScan {
    /// The policy.
    pub policy: PolicyId,
    /// One `get_available_updates` per agent; each answer is stored as the agent's available
    /// updates.
    pub executions: Vec<Execution>,
    /// How many agents are offline (theirs wait).
    pub offline: usize,
}

/// Why a policy's targets could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanPolicyError {
    /// Viewers scan nothing.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such policy.
    #[error("policy not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl PolicyService {
    /// Asks every agent the policy targets for its available updates (technicians and
    /// admins), so an operator sees what a run would install before running it.
    pub async fn scan(&self, actor: &Actor, id: PolicyId) -> Result<PolicyScan, ScanPolicyError> {
        require(actor, Capability::Operate).map_err(ScanPolicyError::Forbidden)?;
        let policy = self
            .ports
            .policies
            .find(id)
            .await?
            .ok_or(ScanPolicyError::NotFound)?;
        let targets = self
            .ports
            .agents
            .select(&Scope::All, &policy.definition.targets)
            .await?;
        let now = self.ports.clock.now();
        let new: Vec<NewExecution> = targets
            .iter()
            .map(|target| NewExecution {
                id: ExecutionId(Uuid::new_v4()),
                agent: target.id,
                action: "get_available_updates".into(),
                params: serde_json::json!({}),
                mutating: false,
                timeout_seconds: SCAN_ANSWER_WITHIN,
                created_by: Some(actor.id()),
                created_at: now,
                expires_at: now + self.executions.default_expiry,
                script: None,
                policy_run: None,
            })
            .collect();
        let executions = if new.is_empty() {
            Vec::new()
        } else {
            self.ports.executions.create_many(&new).await?
        };
        announce(
            self.ports.waker.as_ref(),
            self.ports.events.as_ref(),
            &executions,
        );
        let record = AuditRecord::by(actor, "policy.scan")
            .target("policy", id)
            .details(serde_json::json!({"agents": executions.len()}));
        self.ports.audit.record(record).await;
        Ok(PolicyScan {
            policy: id,
            offline: targets.iter().filter(|target| !target.online).count(),
            executions,
        })
    }
}
