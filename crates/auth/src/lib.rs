//! Credential adapters for SlimRMM's domain ports: JWT signing and verification
//! ([`JwtIssuer`], HS256 via `jsonwebtoken`), argon2id password hashing ([`Argon2Hasher`]) and
//! random secrets ([`RandomSecrets`]).

mod argon;
mod jwt;
mod random;
mod totp;

pub use argon::Argon2Hasher;
pub use jwt::{JwtIssuer, MIN_SECRET_BYTES};
pub use random::{RandomSecrets, random_url_safe};
pub use totp::TotpCodes;
