//! Who is calling, and what they may do: sign-in (with a second factor when one is on),
//! sessions, tokens and password resets.

mod actor;
mod authenticate;
mod enrol;
mod forgot_password;
mod login;
mod logout;
mod password_reset;
mod policy;
mod refresh;
mod reset_password;
mod second_factor;
mod secret;
mod service;
mod session;
mod token;
mod two_factor;

pub use actor::{Actor, Capability, Credential};
pub use authenticate::AuthenticateError;
pub use enrol::{Enrolment, TwoFactorError, TwoFactorStatus, reset_two_factor_as_operator};
pub use forgot_password::ForgotPasswordError;
pub use login::{LoginError, LoginOutcome};
pub use logout::LogoutError;
pub use password_reset::{NewPasswordReset, PasswordResetRepository};
pub use policy::{SecurityPolicy, SecurityPolicyError, SecurityPolicyRepository};
pub use refresh::RefreshError;
pub use reset_password::ResetPasswordError;
pub use second_factor::SecondFactorError;
pub use secret::{OpaqueToken, SecretGenerator, TokenDigest};
pub use service::{AuthPorts, AuthService, AuthSettings};
pub use session::{RevocationReason, Session, SessionId, SessionRepository, SessionWithUser};
pub use token::{TokenClaims, TokenIssuer, TokenKind, TokenPair, TokenRejection};
pub use two_factor::{
    CHALLENGE_TTL, LoginChallenge, LoginChallengeRepository, MAX_CODE_ATTEMPTS, OneTimePasswords,
    Provisioning, RECOVERY_CODES, TwoFactor, TwoFactorRepository,
};

#[cfg(any(test, feature = "mocks"))]
pub use password_reset::MockPasswordResetRepository;
#[cfg(any(test, feature = "mocks"))]
pub use policy::MockSecurityPolicyRepository;
#[cfg(any(test, feature = "mocks"))]
pub use secret::MockSecretGenerator;
#[cfg(any(test, feature = "mocks"))]
pub use session::MockSessionRepository;
#[cfg(any(test, feature = "mocks"))]
pub use token::MockTokenIssuer;
#[cfg(any(test, feature = "mocks"))]
pub use two_factor::{MockLoginChallengeRepository, MockOneTimePasswords, MockTwoFactorRepository};
