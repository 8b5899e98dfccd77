use super::check_in::require_approved;
use super::{
    AgentAuthError, AgentCredentials, EnrollmentService, IssuedCertificate, VerifiedCertificate,
};
use crate::agent::{Agent, AgentId};

/// The answer to a renewal request.
#[derive(Debug, Clone)]
pub enum Renewal {
    /// The current certificate has more than the renewal window left.
    NotNeeded,
    /// A new certificate; the old one stays valid until it expires.
    Renewed(IssuedCertificate),
}

impl EnrollmentService {
    /// Renews an approved agent's certificate when its newest one enters the renewal window
    /// (30 days before expiry) or it has none; the agent proves who it is with its registration
    /// credentials.
    pub async fn renew_certificate(
        &self,
        credentials: AgentCredentials<'_>,
    ) -> Result<Renewal, AgentAuthError> {
        let agent = self.approved(credentials).await?;
        self.renew(agent).await
    }

    /// Renews the certificate an agent presented and that proved its identity
    /// ([`AgentIdentityService`](super::AgentIdentityService)): 304-style
    /// [`Renewal::NotNeeded`] while *that* certificate has more than 30 days left, else a new
    /// one. Judging by the presented certificate, not the newest issued, means that an agent
    /// whose previous renewal answer was lost simply renews again.
    pub async fn renew_verified_certificate(
        &self,
        presented: &VerifiedCertificate,
    ) -> Result<Renewal, AgentAuthError> {
        let stored = self
            .agents
            .find(presented.agent)
            .await?
            .ok_or(AgentAuthError::UnknownAgent)?;
        let agent = require_approved(stored.agent)?;
        let now = self.clock.now();
        if presented.not_after - now > self.settings.renew_within {
            return Ok(Renewal::NotNeeded);
        }
        let certificate = self.issue(agent.id, now).await?;
        if !self
            .agents
            .add_renewed_certificate(&certificate.record(agent.id), &presented.serial)
            .await?
        {
            return Err(AgentAuthError::CertificateRevoked);
        }
        Ok(Renewal::Renewed(certificate))
    }

    async fn renew(&self, agent: Agent) -> Result<Renewal, AgentAuthError> {
        let now = self.clock.now();
        if let Some(current) = self.agents.latest_certificate(agent.id).await?
            && current.not_after - now > self.settings.renew_within
        {
            return Ok(Renewal::NotNeeded);
        }
        self.issue_and_record(agent.id, now).await
    }

    async fn issue_and_record(
        &self,
        agent: AgentId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Renewal, AgentAuthError> {
        let certificate = self.issue(agent, now).await?;
        self.agents
            .add_certificate(&certificate.record(agent))
            .await?;
        Ok(Renewal::Renewed(certificate))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use uuid::Uuid;

    use super::*;
    use crate::agent::{AgentId, AgentStatus};
    use crate::auth::OpaqueToken;
    use crate::enrollment::{CertificateRecord, CertificateSerial};
    use crate::test_support::{enrollment_services, issued, stored_agent, t0};

    const TOKEN: &str = "registration-token-000000001";

    fn ports_expiring_in(left: Option<TimeDelta>) -> crate::test_support::EnrollmentMocks {
        let mut ports = enrollment_services();
        ports.agents.expect_find().returning(|id| {
            let mut stored = stored_agent(id, AgentStatus::Online);
            stored.secrets.registration_token = OpaqueToken::parse(TOKEN).unwrap().digest();
            Ok(Some(stored))
        });
        ports
            .agents
            .expect_latest_certificate()
            .returning(move |agent| {
                Ok(left.map(|left| CertificateRecord {
                    serial: CertificateSerial("01".into()),
                    agent,
                    not_before: t0() - TimeDelta::days(60),
                    not_after: t0() + left,
                    revoked_at: None,
                }))
            });
        ports
    }

    async fn renew(ports: crate::test_support::EnrollmentMocks) -> Renewal {
        let id = AgentId(Uuid::new_v4());
        let text = id.to_string();
        let credentials = AgentCredentials {
            agent: id,
            header_uuid: Some(&text),
            registration_token: Some(TOKEN),
        };
        ports
            .service()
            .renew_certificate(credentials)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn renews_only_inside_the_last_thirty_days() {
        let fresh = ports_expiring_in(Some(TimeDelta::days(31)));
        assert!(matches!(renew(fresh).await, Renewal::NotNeeded));

        for left in [Some(TimeDelta::days(29)), None] {
            let mut due = ports_expiring_in(left);
            due.ca
                .expect_issue()
                .returning(|agent, from, to| Ok(issued(agent, from, to)));
            due.agents
                .expect_add_certificate()
                .times(1)
                .returning(|_| Ok(()));
            assert!(matches!(renew(due).await, Renewal::Renewed(_)));
        }
    }

    #[tokio::test]
    async fn a_verified_agent_renews_by_its_presented_certificate_unless_rejected() {
        let presented = |left: TimeDelta| VerifiedCertificate {
            serial: CertificateSerial("02".into()),
            agent: AgentId(Uuid::new_v4()),
            not_after: t0() + left,
        };
        // The newest issued certificate has 60 days left, but the presented one only 10: an
        // earlier renewal answer was lost, so this one is renewed.
        let mut due = ports_expiring_in(Some(TimeDelta::days(60)));
        due.ca
            .expect_issue()
            .returning(|agent, from, to| Ok(issued(agent, from, to)));
        due.agents
            .expect_add_renewed_certificate()
            .withf(|_, presented| presented.0 == "02")
            .times(1)
            .returning(|_, _| Ok(true));
        let renewal = due
            .service()
            .renew_verified_certificate(&presented(TimeDelta::days(10)))
            .await
            .unwrap();
        assert!(matches!(renewal, Renewal::Renewed(_)));

        // A re-install revoked the presented certificate meanwhile: nothing is renewed.
        let mut raced = ports_expiring_in(None);
        raced
            .ca
            .expect_issue()
            .returning(|agent, from, to| Ok(issued(agent, from, to)));
        raced
            .agents
            .expect_add_renewed_certificate()
            .returning(|_, _| Ok(false));
        let refusal = raced
            .service()
            .renew_verified_certificate(&presented(TimeDelta::days(10)))
            .await
            .unwrap_err();
        assert!(matches!(refusal, AgentAuthError::CertificateRevoked));

        let fresh = ports_expiring_in(None);
        let renewal = fresh
            .service()
            .renew_verified_certificate(&presented(TimeDelta::days(31)))
            .await
            .unwrap();
        assert!(matches!(renewal, Renewal::NotNeeded));

        let mut rejected = enrollment_services();
        rejected
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Rejected))));
        let refusal = rejected
            .service()
            .renew_verified_certificate(&presented(TimeDelta::days(1)))
            .await
            .unwrap_err();
        assert!(matches!(refusal, AgentAuthError::Rejected));
    }
}
