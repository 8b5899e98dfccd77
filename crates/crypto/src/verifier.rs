//! Checks the client certificates agents present against the agent CA: the domain's
//! `CertificateVerifier` port.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use pki_types::{CertificateDer, UnixTime};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::{
    CertificateRejection, CertificateSerial, CertificateVerifier, VerifiedCertificate,
};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use crate::AgentCa;

const AGENT_URI: &str = "urn:slimrmm:agent:";

/// Verifies agent client certificates: chain to the agent CA, clientAuth, validity, and the
/// agent's identity from the SAN URI `urn:slimrmm:agent:<uuid>` (or the common name).
#[derive(Debug, Clone)]
pub struct AgentCertificateVerifier {
    ca: CertificateDer<'static>,
}

impl AgentCertificateVerifier {
    /// The verifier for certificates issued by `ca`.
    pub fn new(ca: &AgentCa) -> anyhow::Result<Self> {
        Ok(Self {
            ca: ca.certificate_der().context("the CA certificate")?,
        })
    }
}

impl CertificateVerifier for AgentCertificateVerifier {
    fn verify(
        &self,
        der: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedCertificate, CertificateRejection> {
        let untrusted =
            |error: &dyn std::fmt::Display| CertificateRejection::Untrusted(error.to_string());
        let anchor = webpki::anchor_from_trusted_cert(&self.ca).map_err(|e| untrusted(&e))?;
        let presented = CertificateDer::from(der);
        let leaf = webpki::EndEntityCert::try_from(&presented).map_err(|e| untrusted(&e))?;
        let seconds = u64::try_from(now.timestamp()).unwrap_or_default();
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &[],
            UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .map_err(|error| match error {
            webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                CertificateRejection::Expired
            }
            other => untrusted(&other),
        })?;
        let (_, certificate) =
            x509_parser::parse_x509_certificate(der).map_err(|e| untrusted(&e))?;
        let agent = identity(&certificate).ok_or(CertificateRejection::NoIdentity)?;
        let serial = certificate
            .raw_serial()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let not_after = Utc
            .timestamp_opt(certificate.validity().not_after.timestamp(), 0)
            .single()
            .ok_or(CertificateRejection::Expired)?;
        Ok(VerifiedCertificate {
            serial: CertificateSerial(serial),
            agent,
            not_after,
        })
    }
}

/// The agent a certificate names: its SAN URI, else its common name.
fn identity(certificate: &X509Certificate<'_>) -> Option<AgentId> {
    let from_san = certificate
        .subject_alternative_name()
        .ok()
        .flatten()
        .and_then(|san| {
            san.value.general_names.iter().find_map(|name| match name {
                GeneralName::URI(uri) => uri.strip_prefix(AGENT_URI)?.parse().ok(),
                _ => None,
            })
        });
    from_san.or_else(|| {
        certificate
            .subject()
            .iter_common_name()
            .next()?
            .as_str()
            .ok()?
            .parse()
            .ok()
    })
}
