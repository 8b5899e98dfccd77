use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use slimrmm_domain::PortError;
use slimrmm_domain::user::{Password, PasswordHash, PasswordHasher};
use tracing::Instrument;

/// argon2id with OWASP's recommended parameters (19 MiB, 2 iterations, 1 lane). Hashing and
/// verification run on tokio's blocking threads, never on the async workers.
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon2: Argon2<'static>,
    /// A hash of a random password, verified against when the user is unknown.
    dummy: Phc,
}

impl Argon2Hasher {
    /// Builds the hasher (computing its dummy hash once, ~25 ms).
    pub fn new() -> anyhow::Result<Self> {
        let params = Params::new(
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
            None,
        )
        .context("argon2 parameters")?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = argon2
            .hash_password(crate::random_url_safe(24).as_bytes())
            .context("computing the dummy hash")?;
        Ok(Self {
            inner: Arc::new(Inner { argon2, dummy }),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> T + Send + 'static,
    ) -> Result<T, PortError> {
        let inner = Arc::clone(&self.inner);
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| work(&inner)))
            .instrument(tracing::debug_span!("argon2"))
            .await
            .map_err(PortError::unexpected)
    }
}

impl Inner {
    fn matches(&self, password: &str, hash: &Phc) -> bool {
        self.argon2
            .verify_password(password.as_bytes(), hash)
            .is_ok()
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, PortError> {
        let password = password.clone();
        let phc = self
            .blocking(move |inner| inner.argon2.hash_password(password.expose().as_bytes()))
            .await?
            .map_err(|error| {
                PortError::unexpected(anyhow::anyhow!("argon2 hashing failed: {error}"))
            })?;
        Ok(PasswordHash::new(phc.to_string()))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, PortError> {
        let stored = Phc::new(hash.as_str()).map_err(|error| {
            PortError::unexpected(anyhow::anyhow!(
                "stored password hash is malformed: {error}"
            ))
        })?;
        let password = password.clone();
        self.blocking(move |inner| inner.matches(password.expose(), &stored))
            .await
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), PortError> {
        let password = password.clone();
        self.blocking(move |inner| {
            inner.matches(password.expose(), &inner.dummy);
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id_with_owasp_parameters() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify(&password, &hash).await.unwrap());
        let wrong = Password::parse("incorrect horse battery").unwrap();
        assert!(!hasher.verify(&wrong, &hash).await.unwrap());
        assert!(hasher.verify_dummy(&password).await.is_ok());
    }

    #[tokio::test]
    async fn the_same_password_gets_a_fresh_salt() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        assert_ne!(
            hasher.hash(&password).await.unwrap(),
            hasher.hash(&password).await.unwrap()
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        assert!(
            hasher
                .verify(&password, &PasswordHash::new("garbage"))
                .await
                .is_err()
        );
    }
}
