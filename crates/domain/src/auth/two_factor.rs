//! Two-factor sign-in (TOTP, RFC 6238): the ports, and the rules every use case shares.
//!
//! The algorithm is a port ([`OneTimePasswords`]) so that the domain holds the rules (which
//! time steps count, that each is accepted once, how many tries a challenge gets) and not the
//! HMAC. Secrets are sealed at rest by the repository, like every other stored secret.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::SecretString;

use super::{OpaqueToken, TokenDigest};
use crate::PortError;
use crate::user::UserId;

/// How long the password step's challenge stays good for the code step.
pub const CHALLENGE_TTL: TimeDelta = TimeDelta::minutes(5);
/// Wrong codes a challenge takes before it is locked (sign in again to get another).
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// Recovery codes handed out on activation.
pub const RECOVERY_CODES: usize = 10;

/// What an authenticator app needs to add the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioning {
    /// The `otpauth://totp/...` URI (also what the QR code holds).
    pub uri: String,
    /// The URI as a QR code, an SVG image.
    pub qr_svg: String,
}

/// The one-time-password algorithm: SHA-1, six digits, 30-second steps (what every
/// authenticator app supports).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait OneTimePasswords: Send + Sync {
    /// A new random secret (160 bits), as base32.
    fn new_secret(&self) -> SecretString;

    /// The URI and QR code for `account` (a username) with `secret`.
    fn provisioning(&self, secret: &SecretString, account: &str)
    -> Result<Provisioning, PortError>;

    /// The time step `code` is valid for at `at`, looking one step back and one ahead (a
    /// phone's clock drifts); `None` when it matches none of them.
    fn verify(&self, secret: &SecretString, code: &str, at: DateTime<Utc>) -> Option<u64>;
}

/// A user's second factor as stored.
#[derive(Debug, Clone)]
pub struct TwoFactor {
    /// Whose.
    pub user: UserId,
    /// The TOTP secret (base32).
    pub secret: SecretString,
    /// Whether sign-in asks for it (false while enrolment awaits its first code).
    pub active: bool,
    /// The last time step accepted: no code of it, or of an earlier step, is accepted again.
    pub last_step: Option<u64>,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
}

/// Where second factors are kept (the secret sealed).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TwoFactorRepository: Send + Sync {
    /// The user's second factor, active or pending.
    async fn find(&self, user: UserId) -> Result<Option<TwoFactor>, PortError>;

    /// Stores a pending secret, replacing a pending one. False when an active one exists.
    async fn begin(
        &self,
        user: UserId,
        secret: &SecretString,
        at: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Activates the pending secret, whose code for `step` was just given, with these recovery
    /// codes (their digests). False when nothing is pending.
    async fn activate(
        &self,
        user: UserId,
        step: u64,
        recovery: &[TokenDigest],
        at: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Records `step` as used; false when it, or a later step, already was (a replayed code).
    async fn use_step(&self, user: UserId, step: u64) -> Result<bool, PortError>;

    /// Uses up the unused recovery code with this digest; false when there is none.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code: &TokenDigest,
        at: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Removes the user's second factor and recovery codes; false when there was none.
    async fn remove(&self, user: UserId) -> Result<bool, PortError>;
}

/// The password step's answer when a second factor is on: proof of the password, good for
/// one code step within [`CHALLENGE_TTL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginChallenge {
    /// The challenge's digest (the challenge itself goes to the client only).
    pub digest: TokenDigest,
    /// Whose password it proves.
    pub user: UserId,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// Where challenges are kept until used, locked or lapsed.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginChallengeRepository: Send + Sync {
    /// Stores a new challenge.
    async fn create(&self, challenge: &LoginChallenge) -> Result<(), PortError>;

    /// Counts one attempt; the challenge's user while it is unexpired at `now`, unused, and
    /// this attempt is within `max_attempts`.
    async fn attempt(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<Option<UserId>, PortError>;

    /// Uses the challenge up; false when it already was.
    async fn consume(&self, digest: &TokenDigest) -> Result<bool, PortError>;
}

/// A recovery code as people type it (`abcd-efgh-ijkl`), and its digest.
pub(super) fn recovery_code(token: &OpaqueToken) -> String {
    let all: Vec<char> = token
        .expose()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let raw = &all[all.len().saturating_sub(12)..];
    let groups: Vec<String> = raw.chunks(4).map(|group| group.iter().collect()).collect();
    groups.join("-")
}

/// The digest a typed recovery code is stored under (dashes, spaces and case ignored).
pub(super) fn recovery_digest(typed: &str) -> TokenDigest {
    let normalized: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    OpaqueToken::from_generated(normalized).digest()
}

/// True when `code` looks like an authenticator's code (six digits) rather than a recovery
/// code.
pub(super) fn is_totp_code(code: &str) -> bool {
    let code = code.trim();
    code.len() == 6 && code.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_typed_loosely_and_matched_exactly() {
        let token = OpaqueToken::from_generated("zz_AbCd_EfGh-IjKl".into());
        let code = recovery_code(&token);
        assert_eq!(code, "abcd-efgh-ijkl");
        assert_eq!(recovery_digest("ABCD EFGH IJKL"), recovery_digest(&code));
        assert_ne!(recovery_digest("abcd-efgh-ijkm"), recovery_digest(&code));
        assert!(is_totp_code(" 123456 ") && !is_totp_code("12345a") && !is_totp_code(&code));
    }
}
