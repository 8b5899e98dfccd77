//! SlimRMM's key material.
//!
//! - [`MasterKey`]: the one symmetric key that seals every secret the server stores (the CA's
//!   private key, integration passwords). It comes from `SLIMRMM_SECRET_KEY` or from a key file
//!   the server creates under `SLIMRMM_DATA_DIR`. Sealing is XChaCha20-Poly1305 with a random
//!   nonce and the secret's purpose as associated data.
//! - [`AgentCa`]: the certificate authority that issues agents their client certificates
//!   (rcgen, ECDSA P-256), implementing the domain's `CertificateAuthority` port.

mod ca;
mod master_key;

pub use ca::{AgentCa, CaMaterial};
pub use master_key::{KeySource, MasterKey, MasterKeyError, SealError};
