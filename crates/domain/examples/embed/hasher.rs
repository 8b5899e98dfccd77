//! A password hasher small enough to read, and too fast to use.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use slimrmm_domain::PortError;
use slimrmm_domain::user::{Password, PasswordHash, PasswordHasher};

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
