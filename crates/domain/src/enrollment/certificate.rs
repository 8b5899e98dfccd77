use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::PortError;
use crate::agent::AgentId;

/// A certificate's serial number, as its `CertificateAuthority` reported it when issuing it
/// (SlimRMM's own CA uses lowercase hex, without separators); a `CertificateVerifier` must
/// report presented certificates' serials in the same form, so that they are found on record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateSerial(pub String);

impl fmt::Display for CertificateSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client certificate freshly issued to an agent, with its private key. The key leaves the
/// server exactly once, in the answer to the agent that proved who it is; it is never stored.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    /// Its serial.
    pub serial: CertificateSerial,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// The certificate (PEM).
    pub certificate_pem: String,
    /// Its private key (PKCS#8 PEM).
    pub private_key_pem: SecretString,
    /// The issuing CA's certificate (PEM), which the agent trusts from then on.
    pub ca_certificate_pem: String,
}

impl IssuedCertificate {
    /// What is stored about it.
    pub fn record(&self, agent: AgentId) -> CertificateRecord {
        CertificateRecord {
            serial: self.serial.clone(),
            agent,
            not_before: self.not_before,
            not_after: self.not_after,
            revoked_at: None,
        }
    }
}

/// What the server keeps about an issued certificate, so it can be revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// Its serial.
    pub serial: CertificateSerial,
    /// The agent it identifies.
    pub agent: AgentId,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The server's own certificate authority for agents.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CertificateAuthority: Send + Sync {
    /// Issues a client certificate (extended key usage clientAuth) whose identity is `agent`,
    /// valid from `not_before` to `not_after`, with a fresh key pair.
    async fn issue(
        &self,
        agent: AgentId,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<IssuedCertificate, PortError>;
}
