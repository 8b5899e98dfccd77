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
            site: token.site,
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
mod tests;
