use super::service::token_problem_into;
use super::{AuthService, RevocationReason};
use crate::PortError;

/// Why a sign-out failed.
#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    /// Malformed or forged token.
    #[error("invalid token")]
    InvalidToken,
    /// The token expired (sign out with the refresh token instead).
    #[error("token expired")]
    TokenExpired,
    /// The session had already ended.
    #[error("this session has been revoked")]
    TokenRevoked,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

token_problem_into!(LogoutError);

impl AuthService {
    /// Ends the session that `token` (access or refresh) belongs to: from the next request on,
    /// every token of the session is refused, on every server process.
    pub async fn logout(&self, token: &str) -> Result<(), LogoutError> {
        let (_, found) = self.live_session(token, None).await?;
        let now = self.ports.clock.now();
        self.ports
            .sessions
            .revoke(found.session.id, RevocationReason::Logout, now)
            .await?;
        tracing::info!(user_id = %found.user.id, session_id = %found.session.id, "user signed out");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::{always, eq};

    use super::*;
    use crate::auth::TokenKind;
    use crate::test_support::{claims, live_session, services};
    use crate::user::Role;

    #[tokio::test]
    async fn either_token_ends_its_session() {
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            let mut ports = services();
            ports
                .tokens
                .expect_verify()
                .returning(move |_| Ok(claims(kind)));
            ports
                .sessions
                .expect_find()
                .returning(|_| Ok(Some(live_session(Role::Viewer))));
            ports
                .sessions
                .expect_revoke()
                .with(always(), eq(RevocationReason::Logout), always())
                .times(1)
                .returning(|_, _, _| Ok(()));
            ports.auth_service().logout("token").await.unwrap();
        }
    }
}
