//! The issued bundle, checked the way the SlimRMM agent checks it before saving it
//! (`mtls.go:ValidateCertificateBundle`): the CA parses and has CA:TRUE, the client certificate
//! is current, its key matches it, and it verifies against the CA for clientAuth.

use chrono::{TimeDelta, Utc};
use pki_types::{CertificateDer, UnixTime};
use rcgen::{KeyPair, PublicKeyData};
use secrecy::ExposeSecret;
use slimrmm_crypto::{AgentCa, CaMaterial, MasterKey};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::CertificateAuthority;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::pem::parse_x509_pem;

fn master() -> MasterKey {
    MasterKey::from_encoded(&"42".repeat(32)).unwrap()
}

fn der(pem: &str) -> Vec<u8> {
    parse_x509_pem(pem.as_bytes()).unwrap().1.contents
}

#[tokio::test]
async fn the_bundle_passes_the_agents_own_checks() {
    let now = Utc::now();
    let material = CaMaterial::generate(&master(), now).unwrap();
    let ca = AgentCa::load(&material, &master()).unwrap();
    let agent = AgentId(uuid::Uuid::new_v4());
    let bundle = ca
        .issue(
            agent,
            now - TimeDelta::minutes(5),
            now + TimeDelta::days(90),
        )
        .await
        .unwrap();

    // The CA: parses, CA:TRUE, may sign certificates.
    let ca_der = der(&bundle.ca_certificate_pem);
    let (_, ca_cert) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
    let constraints = ca_cert.basic_constraints().unwrap().unwrap().value;
    assert!(constraints.ca);
    assert!(ca_cert.key_usage().unwrap().unwrap().value.key_cert_sign());

    // The client certificate: current, uuid as CN and SAN URI, clientAuth, not a CA.
    let client_der = der(&bundle.certificate_pem);
    let (_, client) = x509_parser::parse_x509_certificate(&client_der).unwrap();
    assert!(client.validity().is_valid());
    let cn = client
        .subject()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(cn, agent.to_string());
    let uri = format!("urn:slimrmm:agent:{agent}");
    let san = client.subject_alternative_name().unwrap().unwrap().value;
    assert!(
        san.general_names
            .iter()
            .any(|name| matches!(name, GeneralName::URI(u) if *u == uri))
    );
    assert!(
        client
            .extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .client_auth
    );
    let is_ca = client.extensions().iter().any(
        |ext| matches!(ext.parsed_extension(), ParsedExtension::BasicConstraints(bc) if bc.ca),
    );
    assert!(!is_ca);
    assert_eq!(
        client.raw_serial_as_string().replace(':', ""),
        bundle.serial.0
    );
    let days = (client.validity().not_after.timestamp() - client.validity().not_before.timestamp())
        / 86_400;
    assert_eq!(days, 90);

    // The private key (PKCS#8) matches the certificate.
    let key_pem = bundle.private_key_pem.expose_secret();
    assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let key = KeyPair::from_pem(key_pem).unwrap();
    assert_eq!(key.subject_public_key_info(), client.public_key().raw);

    // The chain verifies for client authentication.
    let ca_cert_der = CertificateDer::from(ca_der.as_slice());
    let anchor = webpki::anchor_from_trusted_cert(&ca_cert_der).unwrap();
    let end_entity = CertificateDer::from(client_der.as_slice());
    let end_entity = webpki::EndEntityCert::try_from(&end_entity).unwrap();
    end_entity
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &[],
            UnixTime::now(),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .expect("the client certificate chains to the CA for clientAuth");
}

#[tokio::test]
async fn the_ca_opens_only_with_its_master_key_and_keeps_its_identity() {
    let material = CaMaterial::generate(&master(), Utc::now()).unwrap();
    let other = MasterKey::from_encoded(&"43".repeat(32)).unwrap();
    assert!(AgentCa::load(&material, &other).is_err());
    let first = AgentCa::load(&material, &master()).unwrap();
    let again = AgentCa::load(&material, &master()).unwrap();
    assert_eq!(first.certificate_pem(), again.certificate_pem());
    // Certificates issued after a reload chain to the same CA.
    let now = Utc::now();
    let bundle = again
        .issue(AgentId(uuid::Uuid::new_v4()), now, now + TimeDelta::days(1))
        .await
        .unwrap();
    let anchor_der = der(first.certificate_pem());
    let anchor_cert = CertificateDer::from(anchor_der.as_slice());
    let anchor = webpki::anchor_from_trusted_cert(&anchor_cert).unwrap();
    let leaf = CertificateDer::from(der(&bundle.certificate_pem));
    webpki::EndEntityCert::try_from(&leaf)
        .unwrap()
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &[],
            UnixTime::now(),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .unwrap();
}
