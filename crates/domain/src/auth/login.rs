use std::net::IpAddr;

use serde_json::json;
use uuid::Uuid;

use super::{AuthService, OpaqueToken, Session, SessionId, TokenPair};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::user::{Password, Username};

/// How the password step ended.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in.
    Tokens(TokenPair),
    /// The password was right and the account has a second factor: send `challenge` with a
    /// code to [`AuthService::complete_login`] before `expires_at`.
    SecondFactor {
        /// Single use, good for [`CHALLENGE_TTL`](super::CHALLENGE_TTL).
        challenge: OpaqueToken,
        /// When it lapses.
        expires_at: chrono::DateTime<chrono::Utc>,
    },
}

impl LoginOutcome {
    /// The tokens, when the password was enough.
    pub fn tokens(self) -> Option<TokenPair> {
        match self {
            Self::Tokens(pair) => Some(pair),
            Self::SecondFactor { .. } => None,
        }
    }
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown username or wrong password (deliberately indistinguishable).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The password was right but the account is deactivated.
    #[error("this account is disabled")]
    AccountDisabled,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AuthService {
    /// Signs a user in with username and password and opens a session.
    ///
    /// An unknown username costs the same password verification as a wrong password, so the
    /// answer and its timing say nothing about which accounts exist. Every answer but a
    /// failing port is recorded in the audit log, with the address the attempt came from.
    ///
    /// With a second factor on, the password step ends with a [`LoginOutcome::SecondFactor`]
    /// challenge instead of tokens (see [`AuthService::complete_login`]).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
    ) -> Result<LoginOutcome, LoginError> {
        let outcome = self.sign_in(username, password).await;
        let record = match &outcome {
            Ok(LoginOutcome::Tokens(pair)) => {
                AuditRecord::by_user(&pair.user, "auth.login").target("user", pair.user.id)
            }
            // Recorded once the code step ends, one way or the other.
            Ok(LoginOutcome::SecondFactor { .. }) => return outcome,
            Err(LoginError::Port(_)) => return outcome,
            Err(error) => AuditRecord::anonymous("auth.login", Some(username))
                .failed()
                .details(json!({"reason": error.to_string()})),
        };
        self.ports.audit.record(record.from(source)).await;
        outcome
    }

    async fn sign_in(&self, username: &str, password: &str) -> Result<LoginOutcome, LoginError> {
        let Some(password) = Password::candidate(password) else {
            return Err(LoginError::InvalidCredentials);
        };
        let credentials = match Username::parse(username) {
            Ok(username) => self.ports.users.find_credentials(&username).await?,
            Err(_) => None,
        };
        let Some(credentials) = credentials else {
            self.ports.hasher.verify_dummy(&password).await?;
            return Err(LoginError::InvalidCredentials);
        };
        if !self
            .ports
            .hasher
            .verify(&password, &credentials.password_hash)
            .await?
        {
            return Err(LoginError::InvalidCredentials);
        }
        let user = credentials.user;
        // A service account's only credentials are its API keys, whatever password it was given.
        if user.service_account {
            return Err(LoginError::InvalidCredentials);
        }
        if !user.is_active {
            return Err(LoginError::AccountDisabled);
        }
        let now = self.ports.clock.now();
        if let Some(challenge) = self.challenge_for(user.id, now).await? {
            return Ok(challenge);
        }
        Ok(LoginOutcome::Tokens(self.open_session(user, now).await?))
    }

    /// A session for `user`, who proved who they are, and its first token pair.
    pub(super) async fn open_session(
        &self,
        user: crate::user::User,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<TokenPair, PortError> {
        let session = Session {
            id: SessionId(Uuid::new_v4()),
            user_id: user.id,
            refresh_token_id: Uuid::new_v4(),
            created_at: now,
            expires_at: now + self.settings.refresh_ttl,
            revoked_at: None,
        };
        self.ports.sessions.create(&session).await?;
        self.ports.users.record_login(user.id, now).await?;
        tracing::info!(user_id = %user.id, session_id = %session.id, "user signed in");
        let mut user = user;
        user.last_login_at = Some(now);
        self.issue_pair(
            user,
            session.id,
            session.refresh_token_id,
            session.expires_at,
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenKind;
    use crate::test_support::{credentials, services};
    use crate::user::Role;

    #[tokio::test]
    async fn the_right_password_opens_a_session_with_both_tokens() {
        let mut ports = services();
        ports.users.expect_find_credentials().returning(|name| {
            Ok(Some(credentials(
                3,
                name.as_str(),
                Role::Viewer,
                "correct horse battery",
            )))
        });
        ports
            .sessions
            .expect_create()
            .times(1)
            .returning(|_| Ok(()));
        ports
            .users
            .expect_record_login()
            .times(1)
            .returning(|_, _| Ok(()));
        ports.tokens.expect_issue().returning(|claims| {
            Ok(match claims.kind {
                TokenKind::Access => "access".to_owned(),
                TokenKind::Refresh => "refresh".to_owned(),
            })
        });
        let audit = ports.audit.clone();
        let from = "198.51.100.7".parse().ok();
        let pair = ports
            .auth_service()
            .login("jane", "correct horse battery", from)
            .await
            .unwrap()
            .tokens()
            .unwrap();
        assert_eq!(
            (pair.access_token.as_str(), pair.refresh_token.as_str()),
            ("access", "refresh")
        );
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(
            (
                record.action,
                record.actor,
                record.source_ip,
                record.success
            ),
            ("auth.login", Some(pair.user.id), from, true)
        );
        assert_eq!(pair.access_expires_in.num_seconds(), 900);
        assert!(pair.user.last_login_at.is_some());
    }

    #[tokio::test]
    async fn unknown_users_cost_a_dummy_verification_and_get_the_same_error() {
        let mut ports = services();
        ports
            .users
            .expect_find_credentials()
            .returning(|_| Ok(None));
        ports.hasher = crate::user::MockPasswordHasher::new();
        ports
            .hasher
            .expect_verify_dummy()
            .times(1)
            .returning(|_| Ok(()));
        let result = ports
            .auth_service()
            .login("nobody", "whatever password", None)
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_wrong_password_is_refused() {
        let mut ports = services();
        ports.users.expect_find_credentials().returning(|name| {
            Ok(Some(credentials(
                3,
                name.as_str(),
                Role::Viewer,
                "correct horse battery",
            )))
        });
        let audit = ports.audit.clone();
        let from = "198.51.100.7".parse().ok();
        let result = ports
            .auth_service()
            .login("jane", "wrong horse battery", from)
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(
            (
                record.action,
                record.actor,
                record.source_ip,
                record.success
            ),
            ("auth.login", None, from, false)
        );
        assert_eq!(record.actor_name.as_deref(), Some("jane"));
        assert_eq!(record.details["reason"], "invalid username or password");
    }

    #[tokio::test]
    async fn a_failing_store_is_not_recorded_as_a_failed_sign_in() {
        let mut ports = services();
        ports
            .users
            .expect_find_credentials()
            .returning(|_| Err(PortError::Unavailable(anyhow::anyhow!("down"))));
        let audit = ports.audit.clone();
        let result = ports
            .auth_service()
            .login("jane", "correct horse battery", None)
            .await;
        assert!(matches!(result, Err(LoginError::Port(_))));
        assert!(audit.records().is_empty());
    }

    #[tokio::test]
    async fn inactive_users_cannot_sign_in() {
        let mut ports = services();
        ports.users.expect_find_credentials().returning(|name| {
            let mut found = credentials(3, name.as_str(), Role::Viewer, "correct horse battery");
            found.user.is_active = false;
            Ok(Some(found))
        });
        let result = ports
            .auth_service()
            .login("jane", "correct horse battery", None)
            .await;
        assert!(matches!(result, Err(LoginError::AccountDisabled)));
    }
}
