use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::{CertificateAuthority, EnrollmentTokenRepository, IssuedCertificate};
use crate::PortError;
use crate::agent::{AgentId, AgentRepository};
use crate::audit::AuditService;
use crate::auth::SecretGenerator;
use crate::clock::Clock;
use crate::event::EventPublisher;
use crate::tenancy::TenancyRepository;

/// Certificate lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrollmentSettings {
    /// How long an agent certificate is valid (90 days).
    pub certificate_validity: TimeDelta,
    /// A renewal is granted when the current certificate has less than this left (30 days).
    pub renew_within: TimeDelta,
    /// Certificates start this long before issuance, for agents whose clocks run behind.
    pub backdate: TimeDelta,
}

impl Default for EnrollmentSettings {
    fn default() -> Self {
        Self {
            certificate_validity: TimeDelta::days(90),
            renew_within: TimeDelta::days(30),
            backdate: TimeDelta::minutes(5),
        }
    }
}

/// The ports enrollment needs.
#[derive(Clone)]
pub struct EnrollmentPorts {
    /// Agents.
    pub agents: Arc<dyn AgentRepository>,
    /// Enrollment tokens.
    pub tokens: Arc<dyn EnrollmentTokenRepository>,
    /// Clients and sites, where tokens send their agents.
    pub tenancy: Arc<dyn TenancyRepository>,
    /// The agents' certificate authority.
    pub ca: Arc<dyn CertificateAuthority>,
    /// Random secrets (agent secrets, token secrets).
    pub secrets: Arc<dyn SecretGenerator>,
    /// Where `agent.enrolled` is published.
    pub events: Arc<dyn EventPublisher>,
    /// Where token changes are recorded.
    pub audit: AuditService,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// The agent-facing use cases (register, poll, fetch and renew certificates) and the admin's
/// enrollment tokens.
#[derive(Clone)]
pub struct EnrollmentService {
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) tokens: Arc<dyn EnrollmentTokenRepository>,
    pub(super) tenancy: Arc<dyn TenancyRepository>,
    pub(super) ca: Arc<dyn CertificateAuthority>,
    pub(super) secrets: Arc<dyn SecretGenerator>,
    pub(super) events: Arc<dyn EventPublisher>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) settings: EnrollmentSettings,
}

impl EnrollmentService {
    /// Builds the service.
    pub fn new(ports: EnrollmentPorts, settings: EnrollmentSettings) -> Self {
        Self {
            agents: ports.agents,
            tokens: ports.tokens,
            tenancy: ports.tenancy,
            ca: ports.ca,
            secrets: ports.secrets,
            events: ports.events,
            audit: ports.audit,
            clock: ports.clock,
            settings,
        }
    }

    /// Issues a certificate for `agent` valid from shortly before `now`.
    pub(super) async fn issue(
        &self,
        agent: AgentId,
        now: DateTime<Utc>,
    ) -> Result<IssuedCertificate, PortError> {
        let issued = self
            .ca
            .issue(
                agent,
                now - self.settings.backdate,
                now + self.settings.certificate_validity,
            )
            .await?;
        tracing::info!(agent = %agent, serial = %issued.serial, not_after = %issued.not_after, "client certificate issued");
        Ok(issued)
    }
}
