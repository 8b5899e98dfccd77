//! Server certificates from the agent CA, for setups where every agent already trusts it
//! (`slimrmm-server tls issue-server-cert`).

use std::net::IpAddr;

use anyhow::Context;
use chrono::{DateTime, Utc};
use rcgen::{
    CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use secrecy::SecretString;

use crate::AgentCa;
use crate::ca::{offset, random_serial};

/// A server certificate with its key.
pub struct ServerCertificate {
    /// The certificate followed by the CA certificate (PEM), as a TLS server sends its chain.
    pub chain_pem: String,
    /// Its private key (PKCS#8 PEM).
    pub private_key_pem: SecretString,
}

impl AgentCa {
    /// Issues a TLS server certificate (extended key usage serverAuth) for `hostnames` (DNS
    /// names or IP addresses; the first is also the common name).
    pub fn issue_server_certificate(
        &self,
        hostnames: &[String],
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> anyhow::Result<ServerCertificate> {
        let first = hostnames
            .first()
            .context("at least one host name is needed")?;
        let key = KeyPair::generate().context("generating the server key")?;
        let mut params = CertificateParams::new(Vec::<String>::new())
            .context("server certificate parameters")?;
        params
            .distinguished_name
            .push(DnType::CommonName, first.as_str());
        params
            .distinguished_name
            .push(DnType::OrganizationName, "SlimRMM");
        params.subject_alt_names = hostnames
            .iter()
            .map(|name| match name.parse::<IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => name
                    .clone()
                    .try_into()
                    .map(SanType::DnsName)
                    .with_context(|| format!("{name:?} is not a valid host name")),
            })
            .collect::<anyhow::Result<_>>()?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(random_serial().0);
        params.not_before = offset(not_before)?;
        params.not_after = offset(not_after)?;
        let certificate = params
            .signed_by(&key, &self.inner.issuer)
            .context("signing the server certificate")?;
        Ok(ServerCertificate {
            chain_pem: format!("{}{}", certificate.pem(), self.inner.certificate_pem),
            private_key_pem: key.serialize_pem().into(),
        })
    }
}
