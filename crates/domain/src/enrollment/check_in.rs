use super::{EnrollmentService, IssuedCertificate};
use crate::PortError;
use crate::agent::{Agent, AgentId, AgentStatus, StoredAgent};
use crate::auth::OpaqueToken;

/// How long after its newest certificate was issued an agent may fetch one again with its
/// registration credentials when certificates are the agents' identity (a lost answer).
pub const FIRST_FETCH_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

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
    /// With client-certificate identity, registration credentials fetch only an agent's first
    /// certificate (or fetch it again shortly after, when the answer was lost); later ones come
    /// from renewal, which needs the current certificate.
    #[error(
        "this agent already holds a certificate: renew it with the current one \
         (POST /api/v1/agents/{{uuid}}/renew-cert), or re-install the agent"
    )]
    CertificateAlreadyIssued,
    /// The certificate presented for renewal was revoked while the renewal was under way (a
    /// re-install, rejection or deletion won the race).
    #[error("the presented certificate has been revoked")]
    CertificateRevoked,
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

    /// The approved agent's first client certificate, for when certificates are the agents'
    /// identity: registration credentials are not a certificate's equal, so they only fetch
    /// one while the agent holds no current certificate, or within
    /// [`FIRST_FETCH_WINDOW`] of the newest (a lost answer); otherwise
    /// [`AgentAuthError::CertificateAlreadyIssued`].
    pub async fn fetch_first_certificate(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<(Agent, IssuedCertificate), AgentAuthError> {
        let agent = self.approved(credentials).await?;
        let now = self.clock.now();
        if let Some(current) = self.agents.latest_certificate(agent.id).await?
            && current.not_after > now
            && now - current.not_before > FIRST_FETCH_WINDOW + self.settings.backdate
        {
            return Err(AgentAuthError::CertificateAlreadyIssued);
        }
        let certificate = self.issue(agent.id, now).await?;
        self.agents
            .add_certificate(&certificate.record(agent.id))
            .await?;
        Ok((agent, certificate))
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

    fn ports_with(status: AgentStatus) -> crate::test_support::EnrollmentMocks {
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

    #[tokio::test]
    async fn registration_credentials_fetch_only_a_first_certificate_or_a_lost_one() {
        use chrono::TimeDelta;

        use crate::enrollment::{CertificateRecord, CertificateSerial};
        use crate::test_support::t0;

        // (newest certificate issued this long ago, valid this much longer) -> allowed
        let cases = [
            (None, true),
            (Some((TimeDelta::minutes(2), TimeDelta::days(89))), true),
            (Some((TimeDelta::hours(1), TimeDelta::days(89))), false),
            (Some((TimeDelta::days(100), -TimeDelta::days(10))), true),
        ];
        for (newest, allowed) in cases {
            let mut ports = ports_with(AgentStatus::Online);
            ports
                .agents
                .expect_latest_certificate()
                .returning(move |agent| {
                    Ok(newest.map(|(age, left)| CertificateRecord {
                        serial: CertificateSerial("01".into()),
                        agent,
                        not_before: t0() - age - TimeDelta::minutes(5),
                        not_after: t0() + left,
                        revoked_at: None,
                    }))
                });
            ports
                .ca
                .expect_issue()
                .returning(|agent, from, to| Ok(issued(agent, from, to)));
            ports.agents.expect_add_certificate().returning(|_| Ok(()));
            let id = AgentId(Uuid::new_v4());
            let text = id.to_string();
            let fetched = ports
                .service()
                .fetch_first_certificate(credentials(id, Some(&text), Some(TOKEN)))
                .await;
            match (allowed, fetched) {
                (true, Ok(_)) => {}
                (false, Err(AgentAuthError::CertificateAlreadyIssued)) => {}
                (_, other) => panic!("{newest:?}: {:?}", other.map(|(agent, _)| agent.id)),
            }
        }
    }
}
