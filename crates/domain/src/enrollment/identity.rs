//! How an agent proves who it is on its WebSocket and on certificate renewal: by the client
//! certificate our CA issued it (`mtls`), or, where no certificate can reach the server, by the
//! uuid it claims (`uuid`, which proves nothing).

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::CertificateSerial;
use crate::PortError;
use crate::agent::{AgentId, AgentRepository};
use crate::clock::Clock;

/// How agents are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentAuthMode {
    /// The `uuid` query parameter is believed (development, or a proxy that cannot pass
    /// certificates): anyone who knows an agent's uuid can act as that agent.
    Uuid,
    /// A client certificate chaining to our CA, unexpired, unrevoked, whose identity is the
    /// claimed uuid, is required.
    Mtls,
}

impl AgentAuthMode {
    /// The configuration name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::Mtls => "mtls",
        }
    }
}

impl FromStr for AgentAuthMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "uuid" => Ok(Self::Uuid),
            "mtls" => Ok(Self::Mtls),
            _ => Err("must be one of: uuid, mtls".to_owned()),
        }
    }
}

/// A client certificate that chains to the agent CA, is meant for client authentication and
/// is within its validity: what the [`CertificateVerifier`] read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// Its serial (lowercase hex, as recorded when it was issued).
    pub serial: CertificateSerial,
    /// The agent it names.
    pub agent: AgentId,
    /// Valid until.
    pub not_after: DateTime<Utc>,
}

/// Why a presented certificate is not acceptable in itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRejection {
    /// It does not parse, is not for client authentication, or does not chain to our CA.
    #[error("the certificate is not trusted: {0}")]
    Untrusted(String),
    /// It expired (or is not valid yet).
    #[error("the certificate is expired or not yet valid")]
    Expired,
    /// It names no agent.
    #[error("the certificate names no agent")]
    NoIdentity,
}

/// Checks a presented certificate (DER) against the agent CA at a given time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait CertificateVerifier: Send + Sync {
    /// The certificate's identity when it chains to the agent CA for client authentication and
    /// is valid at `now`.
    fn verify(
        &self,
        der: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedCertificate, CertificateRejection>;
}

/// Why an agent's identity was not accepted. Each is logged with the agent and the reason.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// No client certificate was presented (mTLS mode).
    #[error("no client certificate was presented")]
    Missing,
    /// The certificate itself was refused.
    #[error(transparent)]
    Rejected(#[from] CertificateRejection),
    /// The certificate is another agent's.
    #[error("the certificate belongs to agent {presented}, not to the claimed agent")]
    Mismatch {
        /// The agent the certificate names.
        presented: AgentId,
    },
    /// The certificate was not issued by this server to that agent (or the agent was purged).
    #[error("the certificate {0} is not on record")]
    Unknown(CertificateSerial),
    /// The certificate was revoked (the agent was deleted, re-installed or rejected).
    #[error("the certificate {0} has been revoked")]
    Revoked(CertificateSerial),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// How an agent's identity was established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentProof {
    /// By its certificate (mTLS).
    Certificate(VerifiedCertificate),
    /// By the uuid it claimed (uuid mode): not verified.
    ClaimedUuid,
}

/// Verifies agents' identities according to the configured [`AgentAuthMode`].
#[derive(Clone)]
pub struct AgentIdentityService {
    mode: AgentAuthMode,
    verifier: Arc<dyn CertificateVerifier>,
    agents: Arc<dyn AgentRepository>,
    clock: Arc<dyn Clock>,
}

impl AgentIdentityService {
    /// Builds the service.
    pub fn new(
        mode: AgentAuthMode,
        verifier: Arc<dyn CertificateVerifier>,
        agents: Arc<dyn AgentRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            mode,
            verifier,
            agents,
            clock,
        }
    }

    /// The configured mode.
    pub fn mode(&self) -> AgentAuthMode {
        self.mode
    }

    /// Whether the agent that claims to be `claimed` and presents `certificate` (DER, from the
    /// TLS handshake or a trusted proxy) is that agent. In uuid mode the claim is believed.
    pub async fn verify(
        &self,
        claimed: AgentId,
        certificate: Option<&[u8]>,
    ) -> Result<AgentProof, IdentityError> {
        if self.mode == AgentAuthMode::Uuid {
            return Ok(AgentProof::ClaimedUuid);
        }
        self.verify_certificate(claimed, certificate)
            .await
            .map(AgentProof::Certificate)
    }

    /// Whether `certificate` chains to our CA, is valid now, names `claimed`, was issued to it
    /// and is not revoked, whatever the mode.
    pub async fn verify_certificate(
        &self,
        claimed: AgentId,
        certificate: Option<&[u8]>,
    ) -> Result<VerifiedCertificate, IdentityError> {
        let der = certificate.ok_or(IdentityError::Missing)?;
        let verified = self.verifier.verify(der, self.clock.now())?;
        if verified.agent != claimed {
            return Err(IdentityError::Mismatch {
                presented: verified.agent,
            });
        }
        let record = self
            .agents
            .certificate(&verified.serial)
            .await?
            .filter(|record| record.agent == claimed)
            .ok_or_else(|| IdentityError::Unknown(verified.serial.clone()))?;
        if record.revoked_at.is_some() {
            return Err(IdentityError::Revoked(verified.serial));
        }
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use uuid::Uuid;

    use super::*;
    use crate::agent::MockAgentRepository;
    use crate::clock::MockClock;
    use crate::enrollment::CertificateRecord;
    use crate::test_support::t0;

    fn agent() -> AgentId {
        AgentId(Uuid::from_u128(7))
    }

    fn certificate_of(named: AgentId) -> VerifiedCertificate {
        VerifiedCertificate {
            serial: CertificateSerial("0a1b".into()),
            agent: named,
            not_after: t0() + TimeDelta::days(60),
        }
    }

    fn service(
        mode: AgentAuthMode,
        verified: Result<VerifiedCertificate, CertificateRejection>,
        record: Option<CertificateRecord>,
    ) -> AgentIdentityService {
        let mut verifier = MockCertificateVerifier::new();
        verifier
            .expect_verify()
            .returning(move |_, _| verified.clone());
        let mut agents = MockAgentRepository::new();
        agents
            .expect_certificate()
            .returning(move |_| Ok(record.clone()));
        AgentIdentityService::new(
            mode,
            Arc::new(verifier),
            Arc::new(agents),
            Arc::new(MockClock::fixed(t0())),
        )
    }

    fn record(owner: AgentId, revoked: bool) -> Option<CertificateRecord> {
        Some(CertificateRecord {
            serial: CertificateSerial("0a1b".into()),
            agent: owner,
            not_before: t0(),
            not_after: t0() + TimeDelta::days(60),
            revoked_at: revoked.then(t0),
        })
    }

    #[tokio::test]
    async fn the_agents_own_recorded_certificate_proves_its_identity() {
        let identity = service(
            AgentAuthMode::Mtls,
            Ok(certificate_of(agent())),
            record(agent(), false),
        );
        let proof = identity.verify(agent(), Some(b"der")).await.unwrap();
        assert_eq!(proof, AgentProof::Certificate(certificate_of(agent())));
    }

    #[tokio::test]
    async fn mtls_refuses_a_missing_foreign_mismatched_unknown_or_revoked_certificate() {
        let other = AgentId(Uuid::from_u128(8));
        let cases = [
            (
                service(
                    AgentAuthMode::Mtls,
                    Ok(certificate_of(agent())),
                    record(agent(), false),
                ),
                None,
                "no client certificate",
            ),
            (
                service(
                    AgentAuthMode::Mtls,
                    Err(CertificateRejection::Untrusted("unknown issuer".into())),
                    None,
                ),
                Some(&b"der"[..]),
                "not trusted: unknown issuer",
            ),
            (
                service(
                    AgentAuthMode::Mtls,
                    Err(CertificateRejection::Expired),
                    None,
                ),
                Some(&b"der"[..]),
                "expired",
            ),
            (
                service(
                    AgentAuthMode::Mtls,
                    Ok(certificate_of(other)),
                    record(other, false),
                ),
                Some(&b"der"[..]),
                "belongs to agent",
            ),
            (
                service(AgentAuthMode::Mtls, Ok(certificate_of(agent())), None),
                Some(&b"der"[..]),
                "not on record",
            ),
            (
                service(
                    AgentAuthMode::Mtls,
                    Ok(certificate_of(agent())),
                    record(other, false),
                ),
                Some(&b"der"[..]),
                "not on record",
            ),
            (
                service(
                    AgentAuthMode::Mtls,
                    Ok(certificate_of(agent())),
                    record(agent(), true),
                ),
                Some(&b"der"[..]),
                "revoked",
            ),
        ];
        for (identity, certificate, reason) in cases {
            let error = identity.verify(agent(), certificate).await.unwrap_err();
            assert!(error.to_string().contains(reason), "{error} ~ {reason}");
        }
    }

    #[tokio::test]
    async fn uuid_mode_believes_the_claim_without_a_certificate() {
        let identity = service(
            AgentAuthMode::Uuid,
            Err(CertificateRejection::NoIdentity),
            None,
        );
        assert_eq!(
            identity.verify(agent(), None).await.unwrap(),
            AgentProof::ClaimedUuid
        );
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!("mtls".parse(), Ok(AgentAuthMode::Mtls));
        assert_eq!("uuid".parse(), Ok(AgentAuthMode::Uuid));
        assert!("none".parse::<AgentAuthMode>().is_err());
    }
}
