//! Who is calling, and what they may do: sign-in, sessions, tokens and password resets.

mod actor;
mod authenticate;
mod forgot_password;
mod login;
mod logout;
mod password_reset;
mod refresh;
mod reset_password;
mod secret;
mod service;
mod session;
mod token;

pub use actor::{Actor, Capability};
pub use authenticate::AuthenticateError;
pub use forgot_password::ForgotPasswordError;
pub use login::LoginError;
pub use logout::LogoutError;
pub use password_reset::{NewPasswordReset, PasswordResetRepository};
pub use refresh::RefreshError;
pub use reset_password::ResetPasswordError;
pub use secret::{OpaqueToken, SecretGenerator, TokenDigest};
pub use service::{AuthPorts, AuthService, AuthSettings};
pub use session::{RevocationReason, Session, SessionId, SessionRepository, SessionWithUser};
pub use token::{TokenClaims, TokenIssuer, TokenKind, TokenPair, TokenRejection};

#[cfg(any(test, feature = "mocks"))]
pub use password_reset::MockPasswordResetRepository;
#[cfg(any(test, feature = "mocks"))]
pub use secret::MockSecretGenerator;
#[cfg(any(test, feature = "mocks"))]
pub use session::MockSessionRepository;
#[cfg(any(test, feature = "mocks"))]
pub use token::MockTokenIssuer;
