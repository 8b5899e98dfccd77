use super::{AuthService, NewPasswordReset};
use crate::PortError;
use crate::notification::Notification;
use crate::user::Email;

/// Why a password-reset request could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum ForgotPasswordError {
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AuthService {
    /// Starts a password reset for the active user with this email, if there is one: stores a
    /// single-use token (its digest only) and, in the same transaction, the mail for that
    /// user's own address in the outbox (the token sealed). The outcome is the same whether or not the address is known, so callers
    /// cannot learn which addresses have accounts.
    pub async fn forgot_password(&self, email: &Email) -> Result<(), ForgotPasswordError> {
        let Some(user) = self.ports.users.find_by_email(email).await? else {
            return Ok(());
        };
        let Some(address) = user
            .email
            .clone()
            .filter(|_| user.is_active && !user.service_account)
        else {
            return Ok(());
        };
        let now = self.ports.clock.now();
        let token = self.ports.secrets.opaque_token();
        let expires_at = now + self.settings.reset_ttl;
        let notification = Notification::PasswordReset {
            user_id: user.id,
            username: user.username,
            email: address,
            token: token.clone(),
            expires_at,
        };
        self.ports
            .resets
            .create(
                &NewPasswordReset {
                    user_id: user.id,
                    digest: token.digest(),
                    created_at: now,
                    expires_at,
                },
                &notification,
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::OpaqueToken;
    use crate::test_support::{fixture_user, services};
    use crate::user::Role;

    fn email() -> Email {
        Email::parse("jane@example.com").unwrap()
    }

    #[tokio::test]
    async fn a_known_active_user_gets_a_stored_token_and_a_mail() {
        let mut ports = services();
        ports.users.expect_find_by_email().returning(|email| {
            let mut user = fixture_user(3, "jane", Role::Viewer);
            user.email = Some(email.clone());
            Ok(Some(user))
        });
        let token = OpaqueToken::from_generated("abcdefghijklmnopqrstuvwxyz".into());
        let digest = token.digest();
        ports
            .secrets
            .expect_opaque_token()
            .return_const(token.clone());
        ports
            .resets
            .expect_create()
            .withf(move |reset, notification| {
                let Notification::PasswordReset {
                    email, token: sent, ..
                } = notification
                else {
                    return false;
                };
                reset.digest == digest
                    && reset.expires_at - reset.created_at == chrono::TimeDelta::hours(1)
                    && email.as_str() == "jane@example.com"
                    && sent == &token
            })
            .times(1)
            .returning(|_, _| Ok(()));
        ports
            .auth_service()
            .forgot_password(&email())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn unknown_and_inactive_users_get_nothing_and_the_same_answer() {
        let mut ports = services();
        ports.users.expect_find_by_email().returning(|_| Ok(None));
        ports
            .auth_service()
            .forgot_password(&email())
            .await
            .unwrap();

        let mut ports = services();
        ports.users.expect_find_by_email().returning(|email| {
            let mut user = fixture_user(3, "jane", Role::Viewer);
            user.email = Some(email.clone());
            user.is_active = false;
            Ok(Some(user))
        });
        ports
            .auth_service()
            .forgot_password(&email())
            .await
            .unwrap();
    }
}
