use std::fmt;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::PortError;

const MIN_CHARS: usize = 12;
const MAX_CHARS: usize = 256;

/// A plaintext password, kept secret: its `Debug` shows nothing.
#[derive(Clone)]
pub struct Password(SecretString);

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 12 characters.
    #[error("must be at least {MIN_CHARS} characters")]
    TooShort,
    /// More than 256 characters.
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
}

impl Password {
    /// A password that a user chooses: 12 to 256 characters.
    pub fn parse(raw: impl Into<String>) -> Result<Self, PasswordError> {
        let raw = raw.into();
        match raw.chars().count() {
            n if n < MIN_CHARS => Err(PasswordError::TooShort),
            n if n > MAX_CHARS => Err(PasswordError::TooLong),
            _ => Ok(Self(raw.into())),
        }
    }

    /// A password someone typed to prove who they are. Any length up to 256 characters is
    /// checked against the stored hash (older passwords may predate today's rules); anything
    /// longer cannot match a stored password and is refused without hashing.
    pub fn candidate(raw: impl Into<String>) -> Option<Self> {
        let raw = raw.into();
        (raw.chars().count() <= MAX_CHARS).then(|| Self(raw.into()))
    }

    /// The plaintext, for the hasher only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password hash in PHC string format (`$argon2id$v=19$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by a [`PasswordHasher`] or read from storage.
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Hashes and verifies passwords. Implementations must do the work off the async workers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes `password` with a fresh salt.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, PortError>;

    /// True when `password` matches `hash`.
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, PortError>;

    /// Spends the time of one verification without a stored hash, so that a sign-in for an
    /// unknown user takes as long as one with a wrong password.
    async fn verify_dummy(&self, password: &Password) -> Result<(), PortError>;
}

#[cfg(any(test, feature = "mocks"))]
impl MockPasswordHasher {
    /// A hasher whose hash of `p` is `hashed:p` and that verifies accordingly.
    pub fn plain() -> Self {
        let mut hasher = Self::new();
        hasher
            .expect_hash()
            .returning(|password| Ok(PasswordHash::new(format!("hashed:{}", password.expose()))));
        hasher.expect_verify().returning(|password, hash| {
            Ok(hash.as_str() == format!("hashed:{}", password.expose()))
        });
        hasher.expect_verify_dummy().returning(|_| Ok(()));
        hasher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_bounds_new_passwords() {
        assert_eq!(
            Password::parse("short").unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            Password::parse("é".repeat(257)).unwrap_err(),
            PasswordError::TooLong
        );
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn candidates_are_only_bounded_above() {
        assert!(Password::candidate("short").is_some());
        assert!(Password::candidate("x".repeat(257)).is_none());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let password = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
        assert!(!format!("{:?}", PasswordHash::new("$argon2id$abc")).contains("argon"));
    }
}
