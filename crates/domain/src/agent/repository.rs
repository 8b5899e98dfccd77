use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Agent, AgentFacts, AgentId, AgentListQuery, AgentSecrets, AgentSelector, AgentStatus,
    DisplayName, NewAgent, Tags, Target,
};
use crate::PortError;
use crate::enrollment::{CertificateRecord, CertificateSerial};
use crate::list::Page;
use crate::tenancy::{ClientId, Scope, SiteId};
use crate::user::UserId;

/// An agent with the digests of its secrets, for the enrollment checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgent {
    /// The agent.
    pub agent: Agent,
    /// Its secrets' digests.
    pub secrets: AgentSecrets,
}

/// Changes technicians make to an agent; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentLabelChanges {
    /// A new display name, or `Some(None)` to remove it.
    pub display_name: Option<Option<DisplayName>>,
    /// The new set of tags.
    pub tags: Option<Tags>,
}

/// Why storing a newly enrolled agent failed.
#[derive(Debug, thiserror::Error)]
pub enum EnrollAgentError {
    /// The enrollment token was revoked, expired or used up between the check and the store.
    #[error("the enrollment token is no longer valid")]
    TokenNoLongerValid,
    /// The store failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Where agents and their certificates are kept. Deleted agents are invisible to every method.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AgentRepository: Send + Sync {
    /// In one transaction: takes one use of the agent's enrollment token (refusing with
    /// [`EnrollAgentError::TokenNoLongerValid`] if it is revoked, expired at `now` or used up),
    /// stores the agent, records `certificate` if one was issued, and, when the agent waits for
    /// approval, writes an `AgentPendingApproval` notification to the outbox.
    async fn enroll(
        &self,
        agent: &NewAgent,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Agent, EnrollAgentError>;

    /// The agent and its secrets.
    async fn find(&self, id: AgentId) -> Result<Option<StoredAgent>, PortError>;

    /// In one transaction: replaces the facts and secrets of a re-installed agent, revokes
    /// every certificate issued before, and records `certificate` if one was issued.
    async fn reinstall(
        &self,
        id: AgentId,
        facts: &AgentFacts,
        secrets: &AgentSecrets,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError>;

    /// One page of the agents inside `scope`; the total counts those alone.
    async fn list(&self, scope: &Scope, query: &AgentListQuery) -> Result<Page<Agent>, PortError>;

    /// Every approved agent inside `scope` that `selector` reaches (see [`AgentSelector`]),
    /// by host name.
    async fn select(
        &self,
        scope: &Scope,
        selector: &AgentSelector,
    ) -> Result<Vec<Target>, PortError>;

    /// The live agents of the clients in `clients`.
    async fn ids_of(&self, clients: &[ClientId]) -> Result<Vec<AgentId>, PortError>;

    /// Moves a live agent that is still in client `from` to another site (and that site's
    /// client); `None` when the agent is gone or no longer in `from`, or the site is gone.
    async fn move_to(
        &self,
        id: AgentId,
        from: ClientId,
        site: SiteId,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError>;

    /// Moves the agent from `from` to `to` if it is in `from` (compare-and-swap), recording
    /// who approved it when `to` is approved. Leaving the approved states revokes its
    /// certificates. `None` when the agent is gone or no longer in `from`.
    async fn transition(
        &self,
        id: AgentId,
        from: AgentStatus,
        to: AgentStatus,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError>;

    /// Applies label changes.
    async fn update_labels(
        &self,
        id: AgentId,
        changes: &AgentLabelChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError>;

    /// Deletes the agent (its uuid is never accepted again) and revokes its certificates.
    /// False when there was no such agent.
    async fn delete(&self, id: AgentId, now: DateTime<Utc>) -> Result<bool, PortError>;

    /// Records a certificate issued to an agent.
    async fn add_certificate(&self, record: &CertificateRecord) -> Result<(), PortError>;

    /// Records a certificate renewing `presented`, atomically with a check that `presented`
    /// is still unrevoked and the agent not deleted: serialized with the revocations of a
    /// re-install, a rejection or a deletion, so a renewal racing one cannot slip a fresh
    /// certificate past it. False (nothing recorded) when `presented` was revoked meanwhile.
    async fn add_renewed_certificate(
        &self,
        record: &CertificateRecord,
        presented: &CertificateSerial,
    ) -> Result<bool, PortError>;

    /// The certificate with this serial, revoked or not.
    async fn certificate(
        &self,
        serial: &CertificateSerial,
    ) -> Result<Option<CertificateRecord>, PortError>;

    /// The agent's unrevoked certificate that expires last.
    async fn latest_certificate(&self, id: AgentId)
    -> Result<Option<CertificateRecord>, PortError>;
}
