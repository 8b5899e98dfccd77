//! TLS 1.3 and agent identity by client certificate, over real TLS handshakes on loopback
//! (`agent-protocol.md` §1e, §2): the server as `slimrmm-server serve` runs it with
//! `SLIMRMM_TLS_CERT`/`SLIMRMM_TLS_KEY`, a rustls client in place of the agent.

use std::path::PathBuf;
use std::sync::Arc;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use chrono::{TimeDelta, Utc};
use pki_types::pem::PemObject;
use pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};
use serde_json::{Value, json};
use slimrmm_crypto::{AgentCa, CaMaterial, MasterKey};
use slimrmm_domain::agent::{AgentId, AgentRepository};
use slimrmm_domain::enrollment::{CertificateAuthority, IssuedCertificate};
use slimrmm_persistence::PgAgentRepository;
use slimrmm_server::config::IssueServerCert;
use slimrmm_server::listen::{ConnectionLimits, listen};
use slimrmm_test_db::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite;

use crate::helpers::{TestApp, config_for, spawn_with};

/// A client identity: certificate and key (PEM).
#[derive(Clone)]
struct Identity {
    certificate: String,
    key: String,
}

impl From<&IssuedCertificate> for Identity {
    fn from(issued: &IssuedCertificate) -> Self {
        use secrecy::ExposeSecret;
        Self {
            certificate: issued.certificate_pem.clone(),
            key: issued.private_key_pem.expose_secret().to_owned(),
        }
    }
}

fn identity_in(bundle: &Value) -> Identity {
    Identity {
        certificate: bundle["certificate_pem"].as_str().unwrap().to_owned(),
        key: bundle["private_key_pem"].as_str().unwrap().to_owned(),
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slimrmm-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A server with TLS (certificate for `localhost` from its own CA) and, unless `SLIMRMM_AGENT_AUTH`
/// says otherwise, mTLS agent identity. Returns the app and the HTTPS port.
async fn tls_server() -> (
    TestApp<
        impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
    >,
    u16,
) {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    let dir = temp_dir();
    config.tls_cert = Some(dir.join("server.crt"));
    config.tls_key = Some(dir.join("server.key"));
    let app = spawn_with(db, config).await;
    let args = IssueServerCert {
        hostnames: vec!["localhost".into(), "127.0.0.1".into()],
        cert_out: dir.join("server.crt"),
        key_out: dir.join("server.key"),
        days: 30,
    };
    slimrmm_server::commands::tls::issue(&app.ca, &args).unwrap();
    let tls = slimrmm_server::tls::server_config(
        &args.cert_out,
        &args.key_out,
        app.ca.certificate_der().unwrap(),
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = listen(
        app.state.clone(),
        listener,
        Some(tls),
        Some(1),
        ConnectionLimits::default(),
    )
    .unwrap();
    actix_web::rt::spawn(server);
    (app, port)
}

fn connector(
    trusted: &AgentCa,
    identity: Option<&Identity>,
    versions: &[&'static SupportedProtocolVersion],
) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(trusted.certificate_der().unwrap()).unwrap();
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(identity.certificate.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(identity.key.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    TlsConnector::from(Arc::new(config))
}

/// The agent's WebSocket over TLS: `Ok(status)` when HTTP answered (101 on success), `Err` when
/// the TLS handshake itself was refused.
async fn open_socket(port: u16, connector: &TlsConnector, uuid: &str) -> Result<u16, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|error| error.to_string())?;
    let url = format!("wss://localhost:{port}/api/v1/ws/agent?uuid={uuid}");
    match tokio_tungstenite::client_async(url, stream).await {
        Ok((_, response)) => Ok(response.status().as_u16()),
        Err(tungstenite::Error::Http(response)) => Ok(response.status().as_u16()),
        Err(other) => Err(other.to_string()),
    }
}

/// `POST /api/v1/agents/{uuid}/renew-cert` as the agent sends it (mTLS, `X-Agent-UUID`, no
/// body): the status and the body.
async fn renew(port: u16, connector: &TlsConnector, uuid: &str, header: &str) -> (u16, String) {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let request = format!(
        "POST /api/v1/agents/{uuid}/renew-cert HTTP/1.1\r\nHost: localhost\r\n\
         X-Agent-UUID: {header}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    // The server may close without close_notify once the answer is out.
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Enrolls an auto-approved agent; its uuid and the identity it received.
async fn enrolled<S, B>(app: &TestApp<S>, key: &str, hostname: &str) -> (String, Identity)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let enrolled = app.enroll(key, hostname).await;
    let identity = identity_in(&enrolled.reply.body["mtls"]);
    (enrolled.uuid, identity)
}

async fn auto_approving_token<S, B>(app: &TestApp<S>) -> String
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let admin = app.admin().await;
    app.enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await
}

const TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];

#[actix_web::test]
async fn only_the_agents_own_current_certificate_opens_its_socket() {
    let (app, port) = tls_server().await;
    let key = auto_approving_token(&app).await;
    let (uuid, own) = enrolled(&app, &key, "web-01").await;
    let (_, other) = enrolled(&app, &key, "web-02").await;

    let with = |identity: Option<&Identity>| connector(&app.ca, identity, TLS13);
    assert_eq!(open_socket(port, &with(Some(&own)), &uuid).await, Ok(101));
    assert_eq!(
        open_socket(port, &with(None), &uuid).await,
        Ok(401),
        "no certificate"
    );
    assert_eq!(
        open_socket(port, &with(Some(&other)), &uuid).await,
        Ok(403),
        "another agent's certificate"
    );

    // A certificate for this very uuid from a foreign CA fails the handshake.
    let foreign_key = MasterKey::from_encoded(&"17".repeat(32)).unwrap();
    let foreign = AgentCa::load(
        &CaMaterial::generate(&foreign_key, Utc::now()).unwrap(),
        &foreign_key,
    )
    .unwrap();
    let agent = AgentId(uuid.parse().unwrap());
    let now = Utc::now();
    let forged = foreign
        .issue(agent, now - TimeDelta::hours(1), now + TimeDelta::days(90))
        .await
        .unwrap();
    let refused = open_socket(port, &with(Some(&Identity::from(&forged))), &uuid).await;
    assert!(
        refused.as_ref().is_err_and(|error| error.contains("alert")),
        "foreign CA accepted: {refused:?}"
    );

    // An expired certificate from our own CA, on record, fails the handshake too.
    let expired = app
        .ca
        .issue(agent, now - TimeDelta::days(100), now - TimeDelta::days(10))
        .await
        .unwrap();
    PgAgentRepository::new(app.db.pool())
        .add_certificate(&expired.record(agent))
        .await
        .unwrap();
    let refused = open_socket(port, &with(Some(&Identity::from(&expired))), &uuid).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|error| error.contains("CertificateExpired")),
        "expired certificate accepted: {refused:?}"
    );

    // TLS 1.2 is refused, whatever the certificate.
    let tls12 = connector(&app.ca, Some(&own), &[&rustls::version::TLS12]);
    let refused = open_socket(port, &tls12, &uuid).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|error| error.contains("ProtocolVersion")),
        "TLS 1.2 accepted: {refused:?}"
    );

    // Deleting the agent revokes its certificate: the next attempt is refused.
    let admin = app.admin().await;
    let deleted = app.delete(&format!("/api/v1/agents/{uuid}"), &admin).await;
    assert!(deleted.status.is_success(), "{}", deleted.body);
    assert_eq!(open_socket(port, &with(Some(&own)), &uuid).await, Ok(401));
}

#[actix_web::test]
async fn renewal_needs_the_certificate_and_renews_only_near_expiry() {
    let (app, port) = tls_server().await;
    let key = auto_approving_token(&app).await;
    let (uuid, own) = enrolled(&app, &key, "db-01").await;
    let with = |identity: Option<&Identity>| connector(&app.ca, identity, TLS13);

    // 90 days left: nothing to do.
    assert_eq!(renew(port, &with(Some(&own)), &uuid, &uuid).await.0, 304);
    // No certificate, or X-Agent-UUID naming someone else: refused.
    assert_eq!(renew(port, &with(None), &uuid, &uuid).await.0, 401);
    let stranger = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        renew(port, &with(Some(&own)), &uuid, &stranger).await.0,
        401
    );

    // A certificate with 10 days left is renewed; the new one opens the socket, and so does
    // the old one until it expires (a renewal lost in transit locks nobody out).
    let agent = AgentId(uuid.parse().unwrap());
    let now = Utc::now();
    let short = app
        .ca
        .issue(agent, now - TimeDelta::days(80), now + TimeDelta::days(10))
        .await
        .unwrap();
    PgAgentRepository::new(app.db.pool())
        .add_certificate(&short.record(agent))
        .await
        .unwrap();
    let short = Identity::from(&short);
    let (status, body) = renew(port, &with(Some(&short)), &uuid, &uuid).await;
    assert_eq!(status, 200, "{body}");
    let bundle: Value = serde_json::from_str(&body).unwrap();
    for field in ["ca_cert", "client_cert", "client_key"] {
        assert!(
            bundle[field]
                .as_str()
                .is_some_and(|pem| pem.contains("-----BEGIN")),
            "{field}"
        );
    }
    assert_eq!(bundle["ca_cert"], app.ca.certificate_pem());
    let renewed = Identity {
        certificate: bundle["client_cert"].as_str().unwrap().to_owned(),
        key: bundle["client_key"].as_str().unwrap().to_owned(),
    };
    assert_eq!(
        open_socket(port, &with(Some(&renewed)), &uuid).await,
        Ok(101)
    );
    assert_eq!(open_socket(port, &with(Some(&short)), &uuid).await, Ok(101));
}

/// A plain-HTTP server behind a TLS-terminating proxy that passes the client certificate in
/// `X-Client-Cert` (nginx's `$ssl_client_escaped_cert`), trusting `proxies`.
async fn proxied_server(
    proxies: &str,
) -> (
    TestApp<
        impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
    >,
    u16,
) {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    config.client_cert_header = Some("X-Client-Cert".into());
    config.trusted_proxies = proxies.split(',').map(|net| net.parse().unwrap()).collect();
    let app = spawn_with(db, config).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    actix_web::rt::spawn(
        listen(
            app.state.clone(),
            listener,
            None,
            Some(1),
            ConnectionLimits::default(),
        )
        .unwrap(),
    );
    (app, port)
}

async fn open_proxied(port: u16, uuid: &str, certificate: Option<&str>) -> u16 {
    use tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://127.0.0.1:{port}/api/v1/ws/agent?uuid={uuid}")
        .into_client_request()
        .unwrap();
    if let Some(pem) = certificate {
        let escaped =
            percent_encoding::utf8_percent_encode(pem, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        request
            .headers_mut()
            .insert("X-Client-Cert", escaped.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("{other}"),
    }
}

#[actix_web::test]
async fn a_trusted_proxy_passes_the_certificate_and_an_untrusted_one_is_ignored() {
    let (app, port) = proxied_server("127.0.0.1/32").await;
    let key = auto_approving_token(&app).await;
    let (uuid, own) = enrolled(&app, &key, "branch-01").await;
    let (_, other) = enrolled(&app, &key, "branch-02").await;
    assert_eq!(open_proxied(port, &uuid, Some(&own.certificate)).await, 101);
    assert_eq!(
        open_proxied(port, &uuid, Some(&other.certificate)).await,
        403
    );
    assert_eq!(open_proxied(port, &uuid, Some("garbage")).await, 401);
    assert_eq!(open_proxied(port, &uuid, None).await, 401);

    let (app, port) = proxied_server("10.9.8.7/32").await;
    let key = auto_approving_token(&app).await;
    let (uuid, own) = enrolled(&app, &key, "branch-03").await;
    assert_eq!(
        open_proxied(port, &uuid, Some(&own.certificate)).await,
        401,
        "a header from an address that is not a trusted proxy must be ignored"
    );
}

#[actix_web::test]
async fn with_certificate_identity_registration_credentials_fetch_only_a_first_certificate() {
    let (app, _port) = tls_server().await;
    let key = auto_approving_token(&app).await;
    let enrolled = app.enroll(&key, "laptop-01").await;
    let path = format!("/api/v1/enrollment/certificate/{}", enrolled.uuid);
    // Right after enrollment (an answer may have been lost): fetched again.
    let again = app
        .as_agent(
            actix_web::http::Method::GET,
            &path,
            &enrolled.uuid,
            &enrolled.registration_token,
        )
        .await;
    assert_eq!(
        again.status,
        actix_web::http::StatusCode::OK,
        "{}",
        again.body
    );
    // An hour later the registration token no longer mints certificates: renewal needs the
    // current certificate.
    app.db
        .execute("UPDATE agent_certificates SET not_before = not_before - interval '1 hour'");
    let refused = app
        .as_agent(
            actix_web::http::Method::GET,
            &path,
            &enrolled.uuid,
            &enrolled.registration_token,
        )
        .await;
    assert_eq!(refused.status, actix_web::http::StatusCode::CONFLICT);
    assert_eq!(refused.code(), "CERTIFICATE_ALREADY_ISSUED");
}
