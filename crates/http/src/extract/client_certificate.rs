//! The client certificate an agent presented: from the TLS handshake, or from a header set by
//! a trusted TLS-terminating proxy.

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use futures_util::future::{Ready, ready};
use ipnet::IpNet;
use pki_types::CertificateDer;
use pki_types::pem::PemObject;

use crate::AppState;
use crate::middleware::is_trusted;

/// The leaf certificate (DER) the peer presented in the TLS handshake; the server inserts it
/// into each connection's data when it accepts the connection.
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub Arc<[u8]>);

/// Where client certificates may come from besides the TLS handshake.
#[derive(Debug, Clone, Default)]
pub struct ClientCertificateSource {
    /// The header a proxy puts the client certificate in (URL-encoded PEM as nginx's
    /// `$ssl_client_escaped_cert`, or base64 DER as Caddy's `certificate_der_base64`).
    pub header: Option<HeaderName>,
    /// The proxies believed (`SLIMRMM_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<[IpNet]>,
}

impl ClientCertificateSource {
    /// Whether `peer` is a trusted proxy.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        is_trusted(&self.trusted_proxies, peer)
    }
}

/// The certificate presented with this request, if any (DER). A header from an address that
/// is not a trusted proxy is ignored.
#[derive(Debug, Clone, Default)]
pub struct ClientCertificate(pub Option<Vec<u8>>);

impl ClientCertificate {
    /// The DER bytes.
    pub fn der(&self) -> Option<&[u8]> {
        self.0.as_deref()
    }

    fn from_request_parts(req: &HttpRequest) -> Self {
        if let Some(peer) = req.conn_data::<PeerCertificate>() {
            return Self(Some(peer.0.to_vec()));
        }
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return Self(None);
        };
        let source = &state.client_certificates;
        let Some(name) = &source.header else {
            return Self(None);
        };
        let Some(value) = req.headers().get(name) else {
            return Self(None);
        };
        let peer = req.peer_addr().map(|address| address.ip());
        if !peer.is_some_and(|peer| source.trusts(peer)) {
            tracing::warn!(
                peer = ?peer,
                header = %name,
                "client certificate header from an untrusted address ignored"
            );
            return Self(None);
        }
        Self(decode_header(value.as_bytes()))
    }
}

/// URL-encoded PEM, or base64 DER. Bytes that are neither are passed on as they are, for the
/// verifier to refuse with a reason.
pub fn decode_header(value: &[u8]) -> Option<Vec<u8>> {
    let decoded: Vec<u8> = percent_encoding::percent_decode(value).collect();
    let trimmed = decoded.trim_ascii();
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.starts_with(b"-----BEGIN") {
        return Some(
            CertificateDer::from_pem_slice(trimmed)
                .map(|der| der.to_vec())
                .unwrap_or_else(|_| trimmed.to_vec()),
        );
    }
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .unwrap_or_else(|_| trimmed.to_vec()),
    )
}

impl FromRequest for ClientCertificate {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::from_request_parts(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_escaped_pem_and_caddy_base64_der_decode_to_the_same_der() {
        let der = b"\x30\x82\x01\x0a\xff+/";
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        let escaped: String =
            percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert_eq!(decode_header(escaped.as_bytes()).unwrap(), der);
        assert_eq!(decode_header(b64.as_bytes()).unwrap(), der);
        assert_eq!(decode_header(b"  "), None);
    }

    #[test]
    fn only_listed_proxies_are_trusted_including_ipv4_mapped_addresses() {
        let source = ClientCertificateSource {
            header: None,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()].into(),
        };
        assert!(source.trusts("10.1.2.3".parse().unwrap()));
        assert!(source.trusts("::ffff:10.1.2.3".parse().unwrap()));
        assert!(source.trusts("::1".parse().unwrap()));
        assert!(!source.trusts("192.168.1.1".parse().unwrap()));
    }
}
