use super::service::token_problem_into;
use super::{Actor, AuthService, TokenKind};
use crate::PortError;

/// Why a request's access token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// Malformed, forged, or not an access token.
    #[error("invalid access token")]
    InvalidToken,
    /// The access token expired; refresh it.
    #[error("access token expired")]
    TokenExpired,
    /// The session was ended (sign-out, password change, refresh-token reuse).
    #[error("this session has been revoked")]
    TokenRevoked,
    /// The account was deactivated.
    #[error("this account is disabled")]
    AccountDisabled,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

token_problem_into!(AuthenticateError);

impl AuthService {
    /// Recognises the caller behind an access token (the edge adds where it came from with
    /// [`Actor::from`]). The session is checked in the shared
    /// store on every call, so a sign-out on any server process takes effect at once.
    pub async fn authenticate(&self, access_token: &str) -> Result<Actor, AuthenticateError> {
        let (_, found) = self
            .live_session(access_token, Some(TokenKind::Access))
            .await?;
        if !found.user.is_active {
            return Err(AuthenticateError::AccountDisabled);
        }
        Ok(Actor {
            must_enrol: found.two_factor_required && !found.two_factor_active,
            user: found.user,
            credential: super::Credential::Session(found.session.id),
            source: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenRejection;
    use crate::test_support::{claims, live_session, services};
    use crate::user::Role;

    #[tokio::test]
    async fn a_live_access_token_yields_the_actor() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Access)));
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(live_session(Role::Technician))));
        let actor = ports.auth_service().authenticate("token").await.unwrap();
        assert_eq!(actor.user.role, Role::Technician);
    }

    #[tokio::test]
    async fn a_refresh_token_is_not_an_access_token() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Refresh)));
        let result = ports.auth_service().authenticate("token").await;
        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_revoked_session_is_refused() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Access)));
        ports.sessions.expect_find().returning(|_| {
            let mut found = live_session(Role::Viewer);
            found.session.revoked_at = Some(found.session.created_at);
            Ok(Some(found))
        });
        let result = ports.auth_service().authenticate("token").await;
        assert!(matches!(result, Err(AuthenticateError::TokenRevoked)));
    }

    #[tokio::test]
    async fn expired_tokens_and_disabled_accounts_are_refused() {
        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Err(TokenRejection::Expired));
        let result = ports.auth_service().authenticate("token").await;
        assert!(matches!(result, Err(AuthenticateError::TokenExpired)));

        let mut ports = services();
        ports
            .tokens
            .expect_verify()
            .returning(|_| Ok(claims(TokenKind::Access)));
        ports.sessions.expect_find().returning(|_| {
            let mut found = live_session(Role::Viewer);
            found.user.is_active = false;
            Ok(Some(found))
        });
        let result = ports.auth_service().authenticate("token").await;
        assert!(matches!(result, Err(AuthenticateError::AccountDisabled)));
    }
}
