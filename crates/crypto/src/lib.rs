//! SlimRMM's key material.
//!
//! - [`MasterKey`]: the one symmetric key that seals every secret the server stores (the CA's
//!   private key, integration passwords). It comes from `SLIMRMM_SECRET_KEY` or from a key file
//!   the server creates under `SLIMRMM_DATA_DIR`. Sealing is XChaCha20-Poly1305 with a random
//!   nonce and the secret's purpose as associated data.
//! - [`AgentCa`]: the certificate authority that issues agents their client certificates
//!   (rcgen, ECDSA P-256), implementing the domain's `CertificateAuthority` port.

//! - [`AgentCertificateVerifier`]: checks the client certificates agents present (the domain's
//!   `CertificateVerifier` port); [`ServerCertificate`]: a TLS server certificate from the same CA.

mod ca;
mod master_key;
mod server_certificate;
mod verifier;

pub use ca::{AgentCa, CaMaterial};
pub use master_key::{KeySource, MasterKey, MasterKeyError, SealError};
pub use server_certificate::ServerCertificate;
pub use verifier::AgentCertificateVerifier;
