use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::{CertificateAuthority, CertificateSerial, IssuedCertificate};
use time::OffsetDateTime;

use crate::MasterKey;

const KEY_PURPOSE: &str = "slimrmm/agent-ca-key/v1";
const CA_YEARS: i64 = 20;

/// The CA as stored: its certificate, and its private key sealed with the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaMaterial {
    /// The CA certificate (PEM).
    pub certificate_pem: String,
    /// The PKCS#8 PEM private key, sealed.
    pub sealed_key: Vec<u8>,
}

impl CaMaterial {
    /// A new CA: ECDSA P-256, CA:TRUE with path length 0 (it signs agent certificates only),
    /// valid for 20 years.
    pub fn generate(master: &MasterKey, now: DateTime<Utc>) -> anyhow::Result<Self> {
        let key = KeyPair::generate().context("generating the CA key")?;
        let mut params = CertificateParams::new(Vec::<String>::new()).context("CA parameters")?;
        params
            .distinguished_name
            .push(DnType::CommonName, "SlimRMM Agent CA");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "SlimRMM");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(random_serial().0);
        params.not_before = offset(now - chrono::TimeDelta::hours(1))?;
        params.not_after = offset(now + chrono::TimeDelta::days(365 * CA_YEARS))?;
        let certificate = params.self_signed(&key).context("self-signing the CA")?;
        Ok(Self {
            certificate_pem: certificate.pem(),
            sealed_key: master.seal(key.serialize_pem().as_bytes(), KEY_PURPOSE),
        })
    }
}

/// The agent certificate authority, ready to sign.
#[derive(Clone)]
pub struct AgentCa {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) issuer: Issuer<'static, KeyPair>,
    pub(crate) certificate_pem: String,
}

impl AgentCa {
    /// Opens the stored CA with the master key. Fails when the key is not the one it was
    /// sealed with.
    pub fn load(material: &CaMaterial, master: &MasterKey) -> anyhow::Result<Self> {
        let key_pem = master
            .open(&material.sealed_key, KEY_PURPOSE)
            .context("opening the CA private key")?;
        let key_pem = String::from_utf8(key_pem).context("the CA private key is not PEM")?;
        let key = KeyPair::from_pem(&key_pem).context("parsing the CA private key")?;
        let issuer = Issuer::from_ca_cert_pem(&material.certificate_pem, key)
            .context("parsing the CA certificate")?;
        Ok(Self {
            inner: Arc::new(Inner {
                issuer,
                certificate_pem: material.certificate_pem.clone(),
            }),
        })
    }

    /// The CA certificate (PEM).
    pub fn certificate_pem(&self) -> &str {
        &self.inner.certificate_pem
    }

    /// The CA certificate (DER), for trust stores.
    pub fn certificate_der(&self) -> anyhow::Result<pki_types::CertificateDer<'static>> {
        use pki_types::pem::PemObject;
        pki_types::CertificateDer::from_pem_slice(self.inner.certificate_pem.as_bytes())
            .context("parsing the CA certificate PEM")
    }
}

impl Inner {
    fn issue(
        &self,
        agent: AgentId,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> anyhow::Result<IssuedCertificate> {
        let key = KeyPair::generate().context("generating the agent key")?;
        let mut params =
            CertificateParams::new(Vec::<String>::new()).context("agent certificate parameters")?;
        params
            .distinguished_name
            .push(DnType::CommonName, agent.to_string());
        params
            .distinguished_name
            .push(DnType::OrganizationName, "SlimRMM");
        let uri = format!("urn:slimrmm:agent:{agent}");
        params.subject_alt_names = vec![SanType::URI(uri.try_into().context("SAN URI")?)];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let (serial, serial_hex) = random_serial();
        params.serial_number = Some(serial);
        params.not_before = offset(not_before)?;
        params.not_after = offset(not_after)?;
        let certificate = params
            .signed_by(&key, &self.issuer)
            .context("signing the agent certificate")?;
        Ok(IssuedCertificate {
            serial: CertificateSerial(serial_hex),
            not_before,
            not_after,
            certificate_pem: certificate.pem(),
            private_key_pem: key.serialize_pem().into(),
            ca_certificate_pem: self.certificate_pem.clone(),
        })
    }
}

#[async_trait]
impl CertificateAuthority for AgentCa {
    async fn issue(
        &self,
        agent: AgentId,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<IssuedCertificate, PortError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.issue(agent, not_before, not_after))
            .await
            .map_err(PortError::unexpected)?
            .map_err(PortError::Unexpected)
    }
}

/// 128 random bits, positive and without a leading zero byte, and their hex form.
pub(crate) fn random_serial() -> (SerialNumber, String) {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    let hex = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    (SerialNumber::from_slice(&bytes), hex)
}

pub(crate) fn offset(instant: DateTime<Utc>) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(instant.timestamp())
        .context("a certificate time out of range")
}
