use std::net::IpAddr;

use serde_json::json;
use uuid::Uuid;

use super::service::token_problem_into;
use super::{AuthService, RevocationReason, TokenKind, TokenPair};
use crate::PortError;
use crate::audit::AuditRecord;

/// Why a refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Malformed, forged, or not a refresh token.
    #[error("invalid refresh token")]
    InvalidToken,
    /// The refresh token expired; sign in again.
    #[error("refresh token expired")]
    TokenExpired,
    /// The session was ended.
    #[error("this session has been revoked")]
    TokenRevoked,
    /// The refresh token had already been used: the session has been ended, since someone
    /// else may hold a copy of it.
    #[error("this refresh token was already used; the session has been revoked")]
    TokenReused,
    /// The account was deactivated.
    #[error("this account is disabled")]
    AccountDisabled,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

token_problem_into!(RefreshError);

impl AuthService {
    /// Exchanges a refresh token for a new token pair. The presented refresh token is used up;
    /// presenting it again ends the whole session (reuse detection), which the audit log
    /// records with the address the reused token came from.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        source: Option<IpAddr>,
    ) -> Result<TokenPair, RefreshError> {
        let outcome = self.rotate(refresh_token).await;
        if let Err(RefreshError::TokenReused) = &outcome {
            let record = AuditRecord::anonymous("auth.refresh_reuse", None)
                .from(source)
                .failed()
                .details(json!({"effect": "the session was revoked"}));
            self.ports.audit.record(record).await;
        }
        outcome
    }

    async fn rotate(&self, refresh_token: &str) -> Result<TokenPair, RefreshError> {
        let (claims, found) = self
            .live_session(refresh_token, Some(TokenKind::Refresh))
            .await?;
        let session = found.session;
        let now = self.ports.clock.now();
        if claims.token_id != session.refresh_token_id {
            return Err(self.end_reused(session.id, now).await);
        }
        if !found.user.is_active {
            return Err(RefreshError::AccountDisabled);
        }
        let next = Uuid::new_v4();
        let expires_at = now + self.settings.refresh_ttl;
        let rotated = self
            .ports
            .sessions
            .rotate(session.id, claims.token_id, next, expires_at)
            .await?;
        if !rotated {
            // Another request presented the same token a moment earlier.
            return Err(self.end_reused(session.id, now).await);
        }
        Ok(self.issue_pair(found.user, session.id, next, expires_at, now)?)
    }

    async fn end_reused(
        &self,
        session: super::SessionId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> RefreshError {
        tracing::warn!(session_id = %session, "refresh token reused; revoking the session");
        match self
            .ports
            .sessions
            .revoke(session, RevocationReason::RefreshTokenReuse, now)
            .await
        {
            Ok(()) => RefreshError::TokenReused,
            Err(port) => RefreshError::Port(port),
        }
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::{always, eq};

    use super::*;
    use crate::test_support::{claims, live_session, services};
    use crate::user::Role;

    #[tokio::test]
    async fn the_current_refresh_token_rotates() {
        let mut ports = services();
        let presented = claims(TokenKind::Refresh);
        let token_id = presented.token_id;
        ports
            .tokens
            .expect_verify()
            .returning(move |_| Ok(presented.clone()));
        ports.sessions.expect_find().returning(move |_| {
            let mut found = live_session(Role::Viewer);
            found.session.refresh_token_id = token_id;
            Ok(Some(found))
        });
        ports
            .sessions
            .expect_rotate()
            .withf(move |_, current, next, _| *current == token_id && *next != token_id)
            .times(1)
            .returning(|_, _, _, _| Ok(true));
        ports
            .tokens
            .expect_issue()
            .returning(|_| Ok("signed".to_owned()));
        assert!(ports.auth_service().refresh("token", None).await.is_ok());
    }

    #[tokio::test]
    async fn a_rotated_refresh_token_revokes_the_session() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Refresh)));
        // The session expects another token id: this one was already rotated away.
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(live_session(Role::Viewer))));
        ports
            .sessions
            .expect_revoke()
            .with(always(), eq(RevocationReason::RefreshTokenReuse), always())
            .times(1)
            .returning(|_, _, _| Ok(()));
        let audit = ports.audit.clone();
        let from = "203.0.113.9".parse().ok();
        let result = ports.auth_service().refresh("token", from).await;
        assert!(matches!(result, Err(RefreshError::TokenReused)));
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(
            (record.action, record.source_ip, record.success),
            ("auth.refresh_reuse", from, false)
        );
    }

    #[tokio::test]
    async fn losing_the_rotation_race_counts_as_reuse() {
        let mut ports = services();
        let presented = claims(TokenKind::Refresh);
        let token_id = presented.token_id;
        ports
            .tokens
            .expect_verify()
            .returning(move |_| Ok(presented.clone()));
        ports.sessions.expect_find().returning(move |_| {
            let mut found = live_session(Role::Viewer);
            found.session.refresh_token_id = token_id;
            Ok(Some(found))
        });
        ports
            .sessions
            .expect_rotate()
            .returning(|_, _, _, _| Ok(false));
        ports
            .sessions
            .expect_revoke()
            .times(1)
            .returning(|_, _, _| Ok(()));
        let result = ports.auth_service().refresh("token", None).await;
        assert!(matches!(result, Err(RefreshError::TokenReused)));
    }

    #[tokio::test]
    async fn an_access_token_cannot_refresh() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Access)));
        let result = ports.auth_service().refresh("token", None).await;
        assert!(matches!(result, Err(RefreshError::InvalidToken)));
    }
}
