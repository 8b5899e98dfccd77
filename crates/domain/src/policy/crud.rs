use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Policy, PolicyChanges, PolicyDefinition, PolicyId, PolicyInput, PolicyListQuery, PolicyService,
    SavePolicyError,
};
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::list::Page;
use crate::{InvalidField, PortError};

/// Why a policy operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The caller's role does not allow it.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such policy.
    #[error("policy not found")]
    NotFound,
    /// Fields break the rules (each named).
    #[error("invalid policy: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<InvalidField>),
    /// Another policy has this name.
    #[error("a policy with this name exists")]
    NameTaken,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<SavePolicyError> for PolicyError {
    fn from(error: SavePolicyError) -> Self {
        match error {
            SavePolicyError::NameTaken => Self::NameTaken,
            SavePolicyError::Port(port) => Self::Port(port),
        }
    }
}

/// Whether `actor` may read (`Read`) or change and run (`Operate`) policies; the refusal's
/// reason otherwise. A policy's selector reaches every client, so policies are for users who
/// see every client.
pub(super) fn require(actor: &Actor, capability: Capability) -> Result<(), &'static str> {
    match (actor.can_globally(capability), capability) {
        (true, _) => Ok(()),
        _ if actor.can(capability) => {
            Err("patch policies reach every client: only users of every client may use them")
        }
        (false, Capability::Read) => Err("you may not read policies"),
        (false, _) => Err("only technicians and admins may change or run policies"),
    }
}

/// The slot a policy's schedule fires at next, after `now`: none when it is disabled or has
/// no schedule.
pub(super) fn next_run(definition: &PolicyDefinition, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let schedule = definition
        .schedule
        .as_ref()
        .filter(|_| definition.enabled)?;
    schedule.next_slot(now, definition.maintenance_window.as_ref())
}

impl PolicyService {
    /// Creates a policy (technicians and admins).
    pub async fn create(&self, actor: &Actor, input: PolicyInput) -> Result<Policy, PolicyError> {
        require(actor, Capability::Operate).map_err(PolicyError::Forbidden)?;
        let now = self.ports.clock.now();
        let definition = input.check(now).map_err(PolicyError::Invalid)?;
        let policy = Policy {
            id: PolicyId(Uuid::now_v7()),
            next_run_at: next_run(&definition, now),
            definition,
            created_by: Some(actor.id()),
            created_at: now,
            updated_at: now,
        };
        let created = self.ports.policies.create(&policy).await?;
        tracing::info!(policy = %created.id, name = %created.definition.name, by = %actor.id(), "policy created");
        self.record(actor, "policy.create", &created).await;
        Ok(created)
    }

    /// One policy.
    pub async fn get(&self, actor: &Actor, id: PolicyId) -> Result<Policy, PolicyError> {
        require(actor, Capability::Read).map_err(PolicyError::Forbidden)?;
        self.ports
            .policies
            .find(id)
            .await?
            .ok_or(PolicyError::NotFound)
    }

    /// One page of policies.
    pub async fn list(
        &self,
        actor: &Actor,
        query: &PolicyListQuery,
    ) -> Result<Page<Policy>, PolicyError> {
        require(actor, Capability::Read).map_err(PolicyError::Forbidden)?;
        Ok(self.ports.policies.list(query).await?)
    }

    /// Changes a policy (technicians and admins); its next slot is computed afresh, so a
    /// re-enabled policy never fires for slots it was disabled through.
    pub async fn update(
        &self,
        actor: &Actor,
        id: PolicyId,
        changes: PolicyChanges,
    ) -> Result<Policy, PolicyError> {
        require(actor, Capability::Operate).map_err(PolicyError::Forbidden)?;
        let current = self
            .ports
            .policies
            .find(id)
            .await?
            .ok_or(PolicyError::NotFound)?;
        let now = self.ports.clock.now();
        let definition = changes
            .apply(&current.definition)
            .check(now)
            .map_err(PolicyError::Invalid)?;
        let next_run_at = next_run(&definition, now);
        let updated = self
            .ports
            .policies
            .update(id, &definition, next_run_at, now)
            .await?
            .ok_or(PolicyError::NotFound)?;
        tracing::info!(policy = %id, by = %actor.id(), "policy updated");
        self.record(actor, "policy.update", &updated).await;
        Ok(updated)
    }

    /// Deletes a policy and its runs (technicians and admins); patches not sent yet are
    /// cancelled.
    pub async fn delete(&self, actor: &Actor, id: PolicyId) -> Result<(), PolicyError> {
        require(actor, Capability::Operate).map_err(PolicyError::Forbidden)?;
        if !self
            .ports
            .policies
            .delete(id, self.ports.clock.now())
            .await?
        {
            return Err(PolicyError::NotFound);
        }
        tracing::info!(policy = %id, by = %actor.id(), "policy deleted");
        let record = AuditRecord::by(actor, "policy.delete").target("policy", id);
        self.ports.audit.record(record).await;
        Ok(())
    }

    async fn record(&self, actor: &Actor, action: &'static str, policy: &Policy) {
        let record = AuditRecord::by(actor, action)
            .target("policy", policy.id)
            .details(json!({"name": policy.definition.name.as_str()}));
        self.ports.audit.record(record).await;
    }
}
