use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{EnrollmentService, IssuedCertificate, TokenRefusal};
use crate::PortError;
use crate::agent::{
    Agent, AgentFacts, AgentId, AgentSecrets, AgentStatus, EnrollAgentError, NewAgent, StoredAgent,
};
use crate::auth::OpaqueToken;

/// Proof that a registering agent is an existing one, re-installed.
#[derive(Debug, Clone)]
pub struct Reinstall {
    /// The uuid it had.
    pub agent: AgentId,
    /// The re-registration secret it was given.
    pub secret: String,
}

/// What an agent sends to register.
#[derive(Debug, Clone)]
pub struct RegistrationRequest {
    /// What it says about itself.
    pub facts: AgentFacts,
    /// The enrollment token's secret, if it was given one.
    pub enrollment_key: Option<String>,
    /// Set when the agent was installed before.
    pub reinstall: Option<Reinstall>,
}

/// The outcome of a registration.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The agent as stored.
    pub agent: Agent,
    /// True for a new agent, false for a re-installed one.
    pub created: bool,
    /// Lets the agent poll its status and fetch its certificate.
    pub registration_token: OpaqueToken,
    /// Lets the agent keep its identity when re-installed.
    pub reregistration_secret: OpaqueToken,
    /// The client certificate, when the agent is approved.
    pub certificate: Option<IssuedCertificate>,
}

/// Why a registration was refused. Nothing is stored when it is.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// No enrollment token was given.
    #[error("an enrollment token is required (slimrmm-agent install -k TOKEN)")]
    KeyRequired,
    /// The token is unknown.
    #[error("the enrollment token is not valid")]
    KeyInvalid,
    /// The token was revoked.
    #[error("the enrollment token has been revoked")]
    KeyRevoked,
    /// The token expired.
    #[error("the enrollment token has expired")]
    KeyExpired,
    /// The token was used as often as it allows.
    #[error("the enrollment token has been used up")]
    KeyExhausted,
    /// A re-install named an agent that does not exist, and gave no token to enroll anew.
    #[error("no agent has this uuid")]
    UnknownAgent,
    /// A re-install named an existing agent with the wrong secret.
    #[error("the re-registration secret does not match this agent")]
    WrongReregistrationSecret,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<TokenRefusal> for RegisterError {
    fn from(refusal: TokenRefusal) -> Self {
        match refusal {
            TokenRefusal::Revoked => Self::KeyRevoked,
            TokenRefusal::Expired => Self::KeyExpired,
            TokenRefusal::Exhausted => Self::KeyExhausted,
        }
    }
}

impl EnrollmentService {
    /// Registers an agent. A re-install with the right secret keeps the agent's uuid and
    /// history and gets fresh secrets (and a fresh certificate when approved); otherwise a
    /// valid enrollment token enrolls a new agent, approved at once if the token says so.
    pub async fn register(
        &self,
        request: RegistrationRequest,
    ) -> Result<Registration, RegisterError> {
        if let Some(reinstall) = &request.reinstall {
            if let Some(stored) = self.agents.find(reinstall.agent).await? {
                return self
                    .reinstall(stored, &reinstall.secret, request.facts)
                    .await;
            }
            if request.enrollment_key.is_none() {
                return Err(RegisterError::UnknownAgent);
            }
            // The old agent is gone (deleted): enroll this machine as a new agent.
        }
        let key = request
            .enrollment_key
            .as_deref()
            .ok_or(RegisterError::KeyRequired)?;
        self.enroll(key, request.facts).await
    }

    fn fresh_secrets(&self) -> (OpaqueToken, OpaqueToken, AgentSecrets) {
        let registration_token = self.secrets.opaque_token();
        let reregistration_secret = self.secrets.opaque_token();
        let digests = AgentSecrets {
            registration_token: registration_token.digest(),
            reregistration_secret: reregistration_secret.digest(),
        };
        (registration_token, reregistration_secret, digests)
    }

    async fn enroll(&self, key: &str, facts: AgentFacts) -> Result<Registration, RegisterError> {
        let digest = OpaqueToken::parse(key)
            .ok_or(RegisterError::KeyInvalid)?
            .digest();
        let now = self.clock.now();
        let token = self
            .tokens
            .find_by_digest(&digest)
            .await?
            .ok_or(RegisterError::KeyInvalid)?;
        if let Some(refusal) = token.refusal(now) {
            return Err(refusal.into());
        }
        let id = AgentId(Uuid::new_v4());
        let status = if token.auto_approve {
            AgentStatus::Offline
        } else {
            AgentStatus::Pending
        };
        let certificate = match status.is_approved() {
            true => Some(self.issue(id, now).await?),
            false => None,
        };
        let (registration_token, reregistration_secret, secrets) = self.fresh_secrets();
        let new = NewAgent {
            id,
            facts,
            tags: token.tags.clone(),
            status,
            secrets,
            enrollment_token: token.id,
        };
        let record = certificate.as_ref().map(|issued| issued.record(id));
        let agent = match self.agents.enroll(&new, record, now).await {
            Ok(agent) => agent,
            Err(EnrollAgentError::TokenNoLongerValid) => {
                return Err(self.why_refused(&digest, now).await);
            }
            Err(EnrollAgentError::Port(port)) => return Err(port.into()),
        };
        tracing::info!(agent = %id, token_id = %token.id, status = status.as_str(), "agent enrolled");
        let data = serde_json::json!({ "hostname": agent.facts.hostname.as_str(), "status": status.as_str() });
        self.events
            .publish(crate::event::Event::agent("agent.enrolled", id, now, data));
        Ok(Registration {
            agent,
            created: true,
            registration_token,
            reregistration_secret,
            certificate,
        })
    }

    /// The token changed between the check and the store; say how.
    async fn why_refused(
        &self,
        digest: &crate::auth::TokenDigest,
        now: DateTime<Utc>,
    ) -> RegisterError {
        match self.tokens.find_by_digest(digest).await {
            Ok(Some(token)) => token
                .refusal(now)
                .map_or(RegisterError::KeyExhausted, Into::into),
            Ok(None) => RegisterError::KeyInvalid,
            Err(port) => port.into(),
        }
    }

    async fn reinstall(
        &self,
        stored: StoredAgent,
        secret: &str,
        facts: AgentFacts,
    ) -> Result<Registration, RegisterError> {
        let presented = OpaqueToken::parse(secret).map(|token| token.digest());
        if presented != Some(stored.secrets.reregistration_secret) {
            tracing::warn!(agent = %stored.agent.id, "re-registration refused: wrong secret");
            return Err(RegisterError::WrongReregistrationSecret);
        }
        let id = stored.agent.id;
        let now = self.clock.now();
        let certificate = match stored.agent.status.is_approved() {
            true => Some(self.issue(id, now).await?),
            false => None,
        };
        let (registration_token, reregistration_secret, secrets) = self.fresh_secrets();
        let record = certificate.as_ref().map(|issued| issued.record(id));
        let agent = self
            .agents
            .reinstall(id, &facts, &secrets, record, now)
            .await?
            .ok_or(RegisterError::UnknownAgent)?;
        tracing::info!(agent = %id, "agent re-installed; earlier certificates revoked");
        Ok(Registration {
            agent,
            created: false,
            registration_token,
            reregistration_secret,
            certificate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenDigest;
    use crate::test_support::{enrollment_services, enrollment_token, facts, issued, stored_agent};

    const KEY: &str = "enrollment-key-0000000000001";

    fn request(key: Option<&str>, reinstall: Option<Reinstall>) -> RegistrationRequest {
        RegistrationRequest {
            facts: facts(),
            enrollment_key: key.map(str::to_owned),
            reinstall,
        }
    }

    #[tokio::test]
    async fn an_auto_approving_token_enrolls_with_a_certificate() {
        let mut ports = enrollment_services();
        ports
            .tokens
            .expect_find_by_digest()
            .returning(|_| Ok(Some(enrollment_token(true))));
        ports
            .ca
            .expect_issue()
            .times(1)
            .returning(|agent, from, to| Ok(issued(agent, from, to)));
        ports
            .agents
            .expect_enroll()
            .times(1)
            .returning(|new, record, _| {
                assert_eq!(new.status, AgentStatus::Offline);
                assert_eq!(record.as_ref().map(|r| r.agent), Some(new.id));
                Ok(stored_agent(new.id, new.status).agent)
            });
        let registration = ports
            .service()
            .register(request(Some(KEY), None))
            .await
            .unwrap();
        assert!(registration.created);
        assert!(registration.certificate.is_some());
        assert_ne!(
            registration.registration_token,
            registration.reregistration_secret
        );
    }

    #[tokio::test]
    async fn a_manual_token_enrolls_a_pending_agent_without_a_certificate() {
        let mut ports = enrollment_services();
        ports
            .tokens
            .expect_find_by_digest()
            .returning(|_| Ok(Some(enrollment_token(false))));
        ports.agents.expect_enroll().returning(|new, record, _| {
            assert!(record.is_none());
            Ok(stored_agent(new.id, new.status).agent)
        });
        let registration = ports
            .service()
            .register(request(Some(KEY), None))
            .await
            .unwrap();
        assert_eq!(registration.agent.status, AgentStatus::Pending);
        assert!(registration.certificate.is_none());
    }

    #[tokio::test]
    async fn refused_tokens_store_nothing() {
        type Mutation = fn(&mut crate::enrollment::EnrollmentToken);
        let cases: [(Mutation, &str); 3] = [
            (
                |t| t.revoked_at = Some(crate::test_support::t0()),
                "revoked",
            ),
            (
                |t| t.expires_at = Some(crate::test_support::t0()),
                "expired",
            ),
            (
                |t| {
                    t.max_uses = Some(1);
                    t.uses = 1;
                },
                "used up",
            ),
        ];
        for (mutate, expected) in cases {
            let mut ports = enrollment_services();
            ports.tokens.expect_find_by_digest().returning(move |_| {
                let mut token = enrollment_token(true);
                mutate(&mut token);
                Ok(Some(token))
            });
            // No expectation on `enroll`: calling it would fail the test.
            let error = ports
                .service()
                .register(request(Some(KEY), None))
                .await
                .unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
        let mut ports = enrollment_services();
        ports.tokens.expect_find_by_digest().returning(|_| Ok(None));
        let result = ports.service().register(request(Some(KEY), None)).await;
        assert!(matches!(result, Err(RegisterError::KeyInvalid)));
        let ports = enrollment_services();
        let result = ports.service().register(request(None, None)).await;
        assert!(matches!(result, Err(RegisterError::KeyRequired)));
    }

    #[tokio::test]
    async fn losing_the_last_use_to_another_agent_is_reported_as_used_up() {
        let mut ports = enrollment_services();
        let mut calls = 0;
        ports.tokens.expect_find_by_digest().returning(move |_| {
            calls += 1;
            let mut token = enrollment_token(false);
            token.max_uses = Some(1);
            token.uses = if calls == 1 { 0 } else { 1 };
            Ok(Some(token))
        });
        ports
            .agents
            .expect_enroll()
            .returning(|_, _, _| Err(EnrollAgentError::TokenNoLongerValid));
        let result = ports.service().register(request(Some(KEY), None)).await;
        assert!(matches!(result, Err(RegisterError::KeyExhausted)));
    }

    #[tokio::test]
    async fn a_reinstall_with_the_right_secret_keeps_the_uuid() {
        let secret = OpaqueToken::from_generated("reregistration-secret-00001".into());
        let digest = secret.digest();
        let mut ports = enrollment_services();
        ports.agents.expect_find().returning(move |id| {
            let mut stored = stored_agent(id, AgentStatus::Offline);
            stored.secrets.reregistration_secret = digest;
            Ok(Some(stored))
        });
        ports
            .ca
            .expect_issue()
            .returning(|agent, from, to| Ok(issued(agent, from, to)));
        ports
            .agents
            .expect_reinstall()
            .withf(move |_, _, secrets, record, _| {
                secrets.reregistration_secret != digest && record.is_some()
            })
            .returning(|id, _, _, _, _| Ok(Some(stored_agent(id, AgentStatus::Offline).agent)));
        let id = AgentId(Uuid::new_v4());
        let reinstall = Reinstall {
            agent: id,
            secret: secret.expose().to_owned(),
        };
        let registration = ports
            .service()
            .register(request(None, Some(reinstall)))
            .await
            .unwrap();
        assert_eq!((registration.agent.id, registration.created), (id, false));
        assert!(registration.certificate.is_some());
    }

    #[tokio::test]
    async fn a_wrong_reregistration_secret_changes_nothing() {
        let mut ports = enrollment_services();
        ports.agents.expect_find().returning(|id| {
            let mut stored = stored_agent(id, AgentStatus::Offline);
            stored.secrets.reregistration_secret = TokenDigest([7; 32]);
            Ok(Some(stored))
        });
        let reinstall = Reinstall {
            agent: AgentId(Uuid::new_v4()),
            secret: "a-guessed-secret-000000000".into(),
        };
        let result = ports
            .service()
            .register(request(Some(KEY), Some(reinstall)))
            .await;
        assert!(matches!(
            result,
            Err(RegisterError::WrongReregistrationSecret)
        ));
    }
}
