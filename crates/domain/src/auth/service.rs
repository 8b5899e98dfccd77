use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::two_factor::{LoginChallengeRepository, OneTimePasswords, TwoFactorRepository};
use super::{
    PasswordResetRepository, SecretGenerator, SessionId, SessionRepository, TokenClaims,
    TokenIssuer, TokenKind, TokenPair,
};
use crate::PortError;
use crate::audit::AuditService;
use crate::clock::Clock;
use crate::user::{PasswordHasher, User, UserRepository};

/// How long tokens live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthSettings {
    /// Access tokens (default 15 minutes).
    pub access_ttl: TimeDelta,
    /// Refresh tokens, counted from the last refresh (default 7 days).
    pub refresh_ttl: TimeDelta,
    /// Password-reset tokens (1 hour).
    pub reset_ttl: TimeDelta,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_ttl: TimeDelta::minutes(15),
            refresh_ttl: TimeDelta::days(7),
            reset_ttl: TimeDelta::hours(1),
        }
    }
}

/// The ports the authentication use cases need.
#[derive(Clone)]
pub struct AuthPorts {
    /// Users and their credentials.
    pub users: Arc<dyn UserRepository>,
    /// Sign-in sessions.
    pub sessions: Arc<dyn SessionRepository>,
    /// Password-reset tokens.
    pub resets: Arc<dyn PasswordResetRepository>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Token signing.
    pub tokens: Arc<dyn TokenIssuer>,
    /// Random secrets.
    pub secrets: Arc<dyn SecretGenerator>,
    /// Second factors (TOTP secrets, recovery codes).
    pub two_factor: Arc<dyn TwoFactorRepository>,
    /// The password step's challenges.
    pub challenges: Arc<dyn LoginChallengeRepository>,
    /// The one-time-password algorithm.
    pub otp: Arc<dyn OneTimePasswords>,
    /// The security policy.
    pub policy: Arc<dyn super::SecurityPolicyRepository>,
    /// Where sign-ins and refresh-token reuse are recorded.
    pub audit: AuditService,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// The authentication use cases: sign in, refresh, sign out, recognise a caller, reset a
/// forgotten password.
#[derive(Clone)]
pub struct AuthService {
    pub(super) ports: AuthPorts,
    pub(super) settings: AuthSettings,
}

impl AuthService {
    /// Builds the service.
    pub fn new(ports: AuthPorts, settings: AuthSettings) -> Self {
        Self { ports, settings }
    }

    /// Signs a new access token and the given refresh token for a session.
    pub(super) fn issue_pair(
        &self,
        user: User,
        session_id: SessionId,
        refresh_token_id: Uuid,
        refresh_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<TokenPair, PortError> {
        let access = TokenClaims {
            token_id: Uuid::new_v4(),
            session_id,
            user_id: user.id,
            kind: TokenKind::Access,
            issued_at: now,
            expires_at: now + self.settings.access_ttl,
        };
        let refresh = TokenClaims {
            token_id: refresh_token_id,
            kind: TokenKind::Refresh,
            expires_at: refresh_expires_at,
            ..access.clone()
        };
        Ok(TokenPair {
            access_token: self.ports.tokens.issue(&access)?,
            refresh_token: self.ports.tokens.issue(&refresh)?,
            access_expires_in: self.settings.access_ttl,
            user,
        })
    }
}

/// Why a presented token does not lead to a live session.
#[derive(Debug)]
pub(super) enum TokenProblem {
    Invalid,
    Expired,
    Revoked,
    Port(PortError),
}

impl AuthService {
    /// Verifies `token` (of `kind`, when given) and loads its live session and user.
    pub(super) async fn live_session(
        &self,
        token: &str,
        kind: Option<TokenKind>,
    ) -> Result<(TokenClaims, super::SessionWithUser), TokenProblem> {
        let claims = self
            .ports
            .tokens
            .verify(token)
            .map_err(|rejection| match rejection {
                super::TokenRejection::Expired => TokenProblem::Expired,
                super::TokenRejection::Invalid => TokenProblem::Invalid,
            })?;
        if kind.is_some_and(|kind| kind != claims.kind) {
            return Err(TokenProblem::Invalid);
        }
        let found = self
            .ports
            .sessions
            .find(claims.session_id)
            .await
            .map_err(TokenProblem::Port)?
            .ok_or(TokenProblem::Revoked)?;
        if found.session.user_id != claims.user_id {
            return Err(TokenProblem::Invalid);
        }
        if found.session.revoked_at.is_some() {
            return Err(TokenProblem::Revoked);
        }
        Ok((claims, found))
    }
}

/// Maps the shared token problems onto a use case's error enum.
macro_rules! token_problem_into {
    ($error:ident) => {
        impl From<crate::auth::service::TokenProblem> for $error {
            fn from(problem: crate::auth::service::TokenProblem) -> Self {
                use crate::auth::service::TokenProblem;
                match problem {
                    TokenProblem::Invalid => Self::InvalidToken,
                    TokenProblem::Expired => Self::TokenExpired,
                    TokenProblem::Revoked => Self::TokenRevoked,
                    TokenProblem::Port(port) => Self::Port(port),
                }
            }
        }
    };
}
pub(super) use token_problem_into;
