//! The port that encrypts secrets before they are stored (integration passwords and tokens,
//! password-reset links in the outbox), so a database dump alone does not reveal them.

use crate::PortError;

/// Seals and opens secrets with the server's master key. `purpose` binds a sealed value to
/// its use: a value sealed for one purpose does not open for another.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretSealer: Send + Sync {
    /// Encrypts and authenticates `plaintext`.
    fn seal(&self, plaintext: &[u8], purpose: &str) -> Vec<u8>;

    /// Decrypts a sealed value; an error when it was tampered with or sealed with another key
    /// or purpose.
    fn open(&self, sealed: &[u8], purpose: &str) -> Result<Vec<u8>, PortError>;
}
