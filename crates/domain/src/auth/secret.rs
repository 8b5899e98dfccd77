use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A random secret handed to a person once (a password-reset token, later enrollment tokens).
/// Only its [`TokenDigest`] is stored.
#[derive(Clone)]
pub struct OpaqueToken(SecretString);

impl OpaqueToken {
    /// Wraps a token a client presented, if it has the shape of one of ours (16 to 256
    /// URL-safe characters). Anything else cannot match a stored digest.
    pub fn parse(raw: &str) -> Option<Self> {
        let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        ((16..=256).contains(&raw.len()) && raw.chars().all(url_safe))
            .then(|| Self(raw.to_owned().into()))
    }

    /// Wraps a freshly generated token.
    pub fn from_generated(token: String) -> Self {
        Self(token.into())
    }

    /// The secret itself, for the one place that hands it to a person.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The SHA-256 digest under which the token is stored.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.expose().as_bytes()).into())
    }
}

impl PartialEq for OpaqueToken {
    fn eq(&self, other: &Self) -> bool {
        self.digest() == other.digest()
    }
}

impl Eq for OpaqueToken {}

impl fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpaqueToken(<redacted>)")
    }
}

/// The SHA-256 of an [`OpaqueToken`]: safe to store, useless to a thief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub [u8; 32]);

/// Makes random secrets.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretGenerator: Send + Sync {
    /// A new token with at least 256 bits of entropy, URL-safe.
    fn opaque_token(&self) -> OpaqueToken;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_shaped_input_is_accepted() {
        assert!(OpaqueToken::parse("abcdefghijklmnop").is_some());
        assert!(OpaqueToken::parse("short").is_none());
        assert!(OpaqueToken::parse("abcdefghijklmnop qrs").is_none());
    }

    #[test]
    fn digest_is_sha256_and_debug_hides_the_secret() {
        let token = OpaqueToken::parse("abcdefghijklmnop").unwrap();
        assert_eq!(
            token.digest(),
            OpaqueToken::from_generated("abcdefghijklmnop".into()).digest()
        );
        assert_ne!(
            token.digest(),
            OpaqueToken::parse("abcdefghijklmnoq").unwrap().digest()
        );
        assert!(!format!("{token:?}").contains("abc"));
    }
}
