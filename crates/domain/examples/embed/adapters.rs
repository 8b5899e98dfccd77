//! Small adapters: hashing, secrets, the CA, events, the waker, connections, the transport.

use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, ConnectionControl};
use slimrmm_domain::auth::{OpaqueToken, SecretGenerator};
use slimrmm_domain::enrollment::{CertificateAuthority, CertificateSerial, IssuedCertificate};
use slimrmm_domain::event::{Event, EventPublisher};
use slimrmm_domain::execution::ExecutionWaker;
use slimrmm_domain::notification::{ChannelConfig, DeliveryError, Message, Transport};
use slimrmm_domain::user::{Email, Password, PasswordHash, PasswordHasher};

/// Salted SHA-256, as `$toy-sha256$<salt>$<digest>`.
///
/// NOT FOR PRODUCTION. A fast hash lets whoever copies the user table try billions of
/// passwords a second. Use argon2id, as the server does (`slimrmm-auth`'s `Argon2Hasher`), and
/// run it off the async workers (`tokio::task::spawn_blocking`), as the port asks.
pub(crate) struct ToySha256Hasher;

const TOY_SCHEME: &str = "$toy-sha256$";

fn salted_digest(salt: &str, password: &Password) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(password.expose().as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[async_trait]
impl PasswordHasher for ToySha256Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, PortError> {
        let salt = Uuid::new_v4().simple().to_string();
        let digest = salted_digest(&salt, password);
        Ok(PasswordHash::new(format!("{TOY_SCHEME}{salt}${digest}")))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, PortError> {
        let Some((salt, digest)) = hash
            .as_str()
            .strip_prefix(TOY_SCHEME)
            .and_then(|rest| rest.split_once('$'))
        else {
            return Ok(false);
        };
        Ok(salted_digest(salt, password) == digest)
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), PortError> {
        salted_digest("no-such-user-salt", password);
        Ok(())
    }
}

/// Tokens from three random (v4) uuids: 366 bits from the operating system's generator, as 96
/// hex characters, which is URL-safe.
pub(crate) struct UuidSecrets;

impl SecretGenerator for UuidSecrets {
    fn opaque_token(&self) -> OpaqueToken {
        let token: String = (0..3)
            .map(|_| Uuid::new_v4().simple().to_string())
            .collect();
        OpaqueToken::from_generated(token)
    }
}

/// A certificate authority that signs nothing: it hands out placeholder PEM text, clearly
/// marked FAKE. Issuing real certificates is the crypto adapter's job (`slimrmm-crypto`).
pub(crate) struct FakeCertificateAuthority;

#[async_trait]
impl CertificateAuthority for FakeCertificateAuthority {
    async fn issue(
        &self,
        agent: AgentId,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<IssuedCertificate, PortError> {
        let pem = |kind: &str, body: String| {
            format!("-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n")
        };
        Ok(IssuedCertificate {
            serial: CertificateSerial(Uuid::new_v4().simple().to_string()),
            not_before,
            not_after,
            certificate_pem: pem("CERTIFICATE", format!("FAKE, NOT SIGNED: agent {agent}")),
            private_key_pem: SecretString::from(pem("PRIVATE KEY", "FAKE, NOT A KEY".into())),
            ca_certificate_pem: pem("CERTIFICATE", "FAKE CA, NOT A CERTIFICATE".into()),
        })
    }
}

/// Live events (the server fans them out to dashboards), kept until the example prints them
/// under the step that caused them.
#[derive(Default)]
pub(crate) struct RecordedEvents {
    lines: Mutex<Vec<String>>,
}

impl RecordedEvents {
    pub(crate) fn print(&self) {
        let lines = std::mem::take(&mut *self.lines.lock().unwrap_or_else(PoisonError::into_inner));
        for line in lines {
            println!("      [event] {line}");
        }
    }
}

impl EventPublisher for RecordedEvents {
    fn publish(&self, event: Event) {
        // Uuids make long lines; the step that caused the event names them already.
        let mut data = event.data;
        if let Some(fields) = data.as_object_mut() {
            fields.remove("agent_uuid");
            fields.remove("id");
        }
        let line = match data.as_object().is_some_and(|fields| !fields.is_empty()) {
            true => format!("{} {data}", event.kind),
            false => event.kind.to_owned(),
        };
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }
}

/// Remembers which agents have work queued, for the connection that holds them to pick up
/// (the server signals across processes with PostgreSQL `NOTIFY`).
#[derive(Default)]
pub(crate) struct RecordingWaker {
    woken: Mutex<Vec<AgentId>>,
}

impl RecordingWaker {
    pub(crate) fn take(&self) -> Vec<AgentId> {
        std::mem::take(&mut *self.woken.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ExecutionWaker for RecordingWaker {
    fn wake(&self, agent: AgentId) {
        let mut woken = self.woken.lock().unwrap_or_else(PoisonError::into_inner);
        if !woken.contains(&agent) {
            woken.push(agent);
        }
    }
}

/// There are no live connections to close here; say what would happen.
pub(crate) struct PrintedDisconnects;

impl ConnectionControl for PrintedDisconnects {
    fn disconnect(&self, agent: AgentId) {
        println!("      [connections] would close the connection of agent {agent}");
    }
}

/// The notifier: "sends" each message by printing it.
pub(crate) struct PrintingTransport;

#[async_trait]
impl Transport for PrintingTransport {
    async fn send(
        &self,
        config: &ChannelConfig,
        to: &[Email],
        message: &Message,
    ) -> Result<(), DeliveryError> {
        let via = match config {
            ChannelConfig::Smtp(smtp) => {
                let to: Vec<&str> = to.iter().map(Email::as_str).collect();
                format!("mail to {} via {}:{}", to.join(", "), smtp.host, smtp.port)
            }
            ChannelConfig::Pushover(pushover) => {
                format!("push (priority {})", pushover.priority)
            }
        };
        println!("    +-- {via} ({} {})", message.kind, message.severity);
        println!("    | Subject: {}", message.subject);
        println!("    |");
        for line in message.text.lines() {
            match line.is_empty() {
                true => println!("    |"),
                false => println!("    | {line}"),
            }
        }
        println!("    +--");
        Ok(())
    }
}
