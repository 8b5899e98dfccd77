use super::{EnrollmentService, IssuedCertificate};
use crate::PortError;
use crate::agent::{Agent, AgentId, AgentStatus, StoredAgent};
use crate::auth::OpaqueToken;

/// What an agent presents to poll its enrollment, fetch or renew its certificate: the uuid in
/// the path, and the `X-Agent-UUID` and `X-Registration-Token` headers.
#[derive(Debug, Clone, Copy)]
pub struct AgentCredentials<'a> {
    /// The uuid in the request path.
    pub agent: AgentId,
    /// The `X-Agent-UUID` header.
    pub header_uuid: Option<&'a str>,
    /// The `X-Registration-Token` header.
    pub registration_token: Option<&'a str>,
}

/// Why an agent's request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgentAuthError {
    /// A header is missing.
    #[error("X-Agent-UUID and X-Registration-Token are required")]
    MissingCredentials,
    /// `X-Agent-UUID` does not name the agent in the path.
    #[error("X-Agent-UUID does not match the agent in the path")]
    UuidMismatch,
    /// No such agent (or it was deleted).
    #[error("agent not found")]
    UnknownAgent,
    /// The registration token is not this agent's.
    #[error("the registration token is not valid for this agent")]
    InvalidToken,
    /// The agent waits for approval.
    #[error("the agent has not been approved yet")]
    NotApproved,
    /// The agent was rejected.
    #[error("the agent has been rejected")]
    Rejected,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl EnrollmentService {
    /// Checks an agent's registration credentials.
    pub(super) async fn check_credentials(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<StoredAgent, AgentAuthError> {
        let (Some(header_uuid), Some(token)) =
            (credentials.header_uuid, credentials.registration_token)
        else {
            return Err(AgentAuthError::MissingCredentials);
        };
        if header_uuid.trim().parse::<AgentId>().ok() != Some(credentials.agent) {
            return Err(AgentAuthError::UuidMismatch);
        }
        let stored = self
            .agents
            .find(credentials.agent)
            .await?
            .ok_or(AgentAuthError::UnknownAgent)?;
        let presented = OpaqueToken::parse(token.trim()).map(|token| token.digest());
        if presented != Some(stored.secrets.registration_token) {
            tracing::warn!(agent = %credentials.agent, "agent request refused: wrong registration token");
            return Err(AgentAuthError::InvalidToken);
        }
        Ok(stored)
    }

    /// The agent's enrollment state, for its polling.
    pub async fn enrollment_status(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<Agent, AgentAuthError> {
        Ok(self.check_credentials(credentials).await?.agent)
    }

    /// The approved agent's client certificate: a fresh one on each successful call (earlier
    /// ones stay valid until they expire, so a lost answer locks nobody out).
    pub async fn fetch_certificate(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<(Agent, IssuedCertificate), AgentAuthError> {
        let agent = self.approved(credentials).await?;
        let certificate = self.issue(agent.id, self.clock.now()).await?;
        self.agents
            .add_certificate(&certificate.record(agent.id))
            .await?;
        Ok((agent, certificate))
    }

    pub(super) async fn approved(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<Agent, AgentAuthError> {
        require_approved(self.check_credentials(credentials).await?.agent)
    }
}

/// The agent, when it is approved.
pub(super) fn require_approved(agent: Agent) -> Result<Agent, AgentAuthError> {
    match agent.status {
        AgentStatus::Pending => Err(AgentAuthError::NotApproved),
        AgentStatus::Rejected => Err(AgentAuthError::Rejected),
        AgentStatus::Online | AgentStatus::Offline => Ok(agent),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::test_support::{enrollment_services, issued, stored_agent};

    const TOKEN: &str = "registration-token-000000001";

    fn credentials<'a>(
        agent: AgentId,
        header: Option<&'a str>,
        token: Option<&'a str>,
    ) -> AgentCredentials<'a> {
        AgentCredentials {
            agent,
            header_uuid: header,
            registration_token: token,
        }
    }

    fn ports_with(status: AgentStatus) -> crate::test_support::EnrollmentPorts {
        let mut ports = enrollment_services();
        ports.agents.expect_find().returning(move |id| {
            let mut stored = stored_agent(id, status);
            stored.secrets.registration_token = OpaqueToken::parse(TOKEN).unwrap().digest();
            Ok(Some(stored))
        });
        ports
    }

    #[tokio::test]
    async fn credentials_must_name_this_agent_and_carry_its_token() {
        let service = ports_with(AgentStatus::Pending).service();
        let id = AgentId(Uuid::new_v4());
        let text = id.to_string();
        let other = Uuid::new_v4().to_string();
        assert!(
            service
                .enrollment_status(credentials(id, Some(&text), Some(TOKEN)))
                .await
                .is_ok()
        );
        let missing = service
            .enrollment_status(credentials(id, None, Some(TOKEN)))
            .await;
        assert!(matches!(missing, Err(AgentAuthError::MissingCredentials)));
        let mismatch = service
            .enrollment_status(credentials(id, Some(&other), Some(TOKEN)))
            .await;
        assert!(matches!(mismatch, Err(AgentAuthError::UuidMismatch)));
        let wrong = service
            .enrollment_status(credentials(
                id,
                Some(&text),
                Some("registration-token-000000002"),
            ))
            .await;
        assert!(matches!(wrong, Err(AgentAuthError::InvalidToken)));
    }

    #[tokio::test]
    async fn only_approved_agents_get_a_certificate() {
        let id = AgentId(Uuid::new_v4());
        let text = id.to_string();
        let pending = ports_with(AgentStatus::Pending).service();
        let result = pending
            .fetch_certificate(credentials(id, Some(&text), Some(TOKEN)))
            .await;
        assert!(matches!(result, Err(AgentAuthError::NotApproved)));
        let rejected = ports_with(AgentStatus::Rejected).service();
        let result = rejected
            .fetch_certificate(credentials(id, Some(&text), Some(TOKEN)))
            .await;
        assert!(matches!(result, Err(AgentAuthError::Rejected)));

        let mut ports = ports_with(AgentStatus::Offline);
        ports
            .ca
            .expect_issue()
            .returning(|agent, from, to| Ok(issued(agent, from, to)));
        ports
            .agents
            .expect_add_certificate()
            .times(1)
            .returning(|_| Ok(()));
        let (_, certificate) = ports
            .service()
            .fetch_certificate(credentials(id, Some(&text), Some(TOKEN)))
            .await
            .unwrap();
        assert_eq!(
            certificate.not_after - certificate.not_before,
            chrono::TimeDelta::days(90) + chrono::TimeDelta::minutes(5)
        );
    }
}
