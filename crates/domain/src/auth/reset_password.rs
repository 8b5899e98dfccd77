use super::{AuthService, OpaqueToken};
use crate::PortError;
use crate::user::Password;

/// Why a password reset failed.
#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    /// Unknown, used, expired, or belonging to a deactivated account.
    #[error("the reset token is invalid or has expired")]
    InvalidToken,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AuthService {
    /// Sets a new password with a reset token: the token is used up and every session of the
    /// user is ended, in one step.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &Password,
    ) -> Result<(), ResetPasswordError> {
        let digest = OpaqueToken::parse(token)
            .ok_or(ResetPasswordError::InvalidToken)?
            .digest();
        let now = self.ports.clock.now();
        // Check first so that a bogus token costs no password hashing.
        if self.ports.resets.find_valid(&digest, now).await?.is_none() {
            return Err(ResetPasswordError::InvalidToken);
        }
        let hash = self.ports.hasher.hash(new_password).await?;
        let user = self
            .ports
            .resets
            .complete(&digest, &hash, now)
            .await?
            .ok_or(ResetPasswordError::InvalidToken)?;
        tracing::info!(user_id = %user, "password reset completed; sessions ended");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::services;
    use crate::user::UserId;

    fn password() -> Password {
        Password::parse("brand new password").unwrap()
    }

    #[tokio::test]
    async fn a_valid_token_sets_the_hashed_password() {
        let mut ports = services();
        ports
            .resets
            .expect_find_valid()
            .returning(|_, _| Ok(Some(UserId(3))));
        ports
            .resets
            .expect_complete()
            .withf(|_, hash, _| hash.as_str() == "hashed:brand new password")
            .times(1)
            .returning(|_, _, _| Ok(Some(UserId(3))));
        let token = "abcdefghijklmnopqrstuvwxyz";
        ports
            .auth_service()
            .reset_password(token, &password())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn unknown_or_malformed_tokens_are_refused() {
        let mut ports = services();
        ports.resets.expect_find_valid().returning(|_, _| Ok(None));
        let service = ports.auth_service();
        let result = service
            .reset_password("abcdefghijklmnopqrstuvwxyz", &password())
            .await;
        assert!(matches!(result, Err(ResetPasswordError::InvalidToken)));
        let result = service.reset_password("not a token!", &password()).await;
        assert!(matches!(result, Err(ResetPasswordError::InvalidToken)));
    }
}
