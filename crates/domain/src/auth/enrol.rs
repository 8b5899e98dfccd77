//! Turning a user's second factor on and off.

use secrecy::SecretString;
use serde_json::json;

use super::two_factor::{
    Provisioning, RECOVERY_CODES, TwoFactorRepository, recovery_code, recovery_digest,
};
use super::{Actor, AuthService, Capability, SecondFactorError};
use crate::PortError;
use crate::audit::{AuditRecord, AuditService};
use crate::user::{User, UserId};

/// What enrolment shows once: the secret, for typing into an app, and its URI and QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The TOTP secret (base32).
    pub secret: SecretString,
    /// The `otpauth://` URI and its QR code.
    pub provisioning: Provisioning,
}

/// A user's second factor, as they or an admin see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    /// Sign-in asks for a code.
    pub active: bool,
    /// Enrolment awaits its first code.
    pub pending: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
}

/// Why a second-factor change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    /// Only admins reset another user's second factor.
    #[error("only admins may reset another user's second factor")]
    Forbidden,
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// Already on: turn it off first (with a code) to enrol a new device.
    #[error("two-factor sign-in is already on; turn it off first to enrol another device")]
    AlreadyActive,
    /// Nothing to activate or turn off.
    #[error("two-factor sign-in is not set up; enrol first")]
    NotEnrolled,
    /// The code does not match.
    #[error("the code is wrong")]
    InvalidCode,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AuthService {
    /// Whether `actor` has a second factor.
    pub async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus, PortError> {
        let found = self.ports.two_factor.find(actor.id()).await?;
        Ok(TwoFactorStatus {
            active: found.as_ref().is_some_and(|factor| factor.active),
            pending: found.as_ref().is_some_and(|factor| !factor.active),
            recovery_codes_left: found.map_or(0, |factor| factor.recovery_codes_left),
        })
    }

    /// Starts enrolment for `actor`: a new secret, pending until [`activate_two_factor`]
    /// gets a code from it. Starting again replaces a pending secret.
    ///
    /// [`activate_two_factor`]: Self::activate_two_factor
    pub async fn enrol_two_factor(&self, actor: &Actor) -> Result<Enrolment, TwoFactorError> {
        let secret = self.ports.otp.new_secret();
        let provisioning = self
            .ports
            .otp
            .provisioning(&secret, actor.user.username.as_str())?;
        let now = self.ports.clock.now();
        if !self
            .ports
            .two_factor
            .begin(actor.id(), &secret, now)
            .await?
        {
            return Err(TwoFactorError::AlreadyActive);
        }
        Ok(Enrolment {
            secret,
            provisioning,
        })
    }

    /// Turns the pending second factor on with a code from it, and hands out the recovery
    /// codes, once (only their digests are kept).
    pub async fn activate_two_factor(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<SecretString>, TwoFactorError> {
        let factor = self
            .ports
            .two_factor
            .find(actor.id())
            .await?
            .ok_or(TwoFactorError::NotEnrolled)?;
        if factor.active {
            return Err(TwoFactorError::AlreadyActive);
        }
        let now = self.ports.clock.now();
        let step = self
            .ports
            .otp
            .verify(&factor.secret, code.trim(), now)
            .ok_or(TwoFactorError::InvalidCode)?;
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| recovery_code(&self.ports.secrets.opaque_token()))
            .collect();
        let digests: Vec<_> = codes.iter().map(|code| recovery_digest(code)).collect();
        if !(self.ports.two_factor)
            .activate(actor.id(), step, &digests, now)
            .await?
        {
            return Err(TwoFactorError::NotEnrolled);
        }
        let record = AuditRecord::by(actor, "auth.two_factor.enable").target("user", actor.id());
        self.ports.audit.record(record).await;
        Ok(codes.into_iter().map(SecretString::from).collect())
    }

    /// Turns `actor`'s own second factor off, proven with a current code or a recovery code.
    pub async fn disable_two_factor(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<(), TwoFactorError> {
        let now = self.ports.clock.now();
        match self.check_code(actor.id(), code, now).await {
            Ok(_) => {}
            Err(SecondFactorError::InvalidChallenge) => return Err(TwoFactorError::NotEnrolled),
            Err(SecondFactorError::Port(port)) => return Err(port.into()),
            Err(_) => return Err(TwoFactorError::InvalidCode),
        }
        self.ports.two_factor.remove(actor.id()).await?;
        let record = AuditRecord::by(actor, "auth.two_factor.disable").target("user", actor.id());
        self.ports.audit.record(record).await;
        Ok(())
    }

    /// An admin removes `user`'s second factor (a lost phone); they sign in with the password
    /// alone and can enrol again.
    pub async fn reset_two_factor(
        &self,
        actor: &Actor,
        user: UserId,
    ) -> Result<(), TwoFactorError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(TwoFactorError::Forbidden);
        }
        let target = self
            .ports
            .users
            .find(user)
            .await?
            .ok_or(TwoFactorError::UserNotFound)?;
        let removed = self.ports.two_factor.remove(user).await?;
        let record = AuditRecord::by(actor, "auth.two_factor.reset")
            .target("user", user)
            .details(json!({"username": target.username.as_str(), "had_second_factor": removed}));
        self.ports.audit.record(record).await;
        Ok(())
    }
}

/// The operator removes `user`'s second factor from the command line (an admin who lost their
/// phone); recorded as the server's. It needs only the two ports it uses, so the command line
/// does not assemble the whole server for one deletion.
pub async fn reset_two_factor_as_operator(
    factors: &dyn TwoFactorRepository,
    audit: &AuditService,
    user: &User,
) -> Result<bool, PortError> {
    let removed = factors.remove(user.id).await?;
    let record = AuditRecord::system("auth.two_factor.reset")
        .target("user", user.id)
        .details(json!({
            "username": user.username.as_str(),
            "had_second_factor": removed,
            "via": "command line",
        }));
    audit.record(record).await;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::{AuthPorts, AuthSettings, MockTwoFactorRepository, TwoFactor};
    use crate::fixtures::SequentialSecrets;
    use crate::test_support::{actor, services};
    use crate::user::Role;

    fn pending(user: UserId) -> TwoFactor {
        TwoFactor {
            user,
            secret: SecretString::from("JBSWY3DPEHPK3PXP"),
            active: false,
            last_step: None,
            recovery_codes_left: 0,
        }
    }

    #[tokio::test]
    async fn a_right_code_turns_it_on_with_ten_distinct_recovery_codes_kept_as_digests() {
        let mut ports = services();
        let mut factors = MockTwoFactorRepository::new();
        factors
            .expect_find()
            .returning(|user| Ok(Some(pending(user))));
        factors
            .expect_activate()
            .withf(|_, step, digests, _| {
                *step == 7
                    && digests.len() == RECOVERY_CODES
                    && digests
                        .iter()
                        .all(|d| digests.iter().filter(|e| *e == d).count() == 1)
            })
            .times(1)
            .returning(|_, _, _, _| Ok(true));
        ports.two_factor = factors;
        ports
            .otp
            .expect_verify()
            .returning(|_, code, _| (code == "123456").then_some(7));
        let audit = ports.audit.clone();
        let service = AuthService::new(
            AuthPorts {
                secrets: Arc::new(SequentialSecrets::default()),
                ..ports.auth_service().ports
            },
            AuthSettings::default(),
        );
        let me = actor(3, Role::Viewer);
        let wrong = service.activate_two_factor(&me, "654321").await;
        assert!(matches!(wrong, Err(TwoFactorError::InvalidCode)));
        let codes = service.activate_two_factor(&me, "123456").await.unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(audit.actions(), ["auth.two_factor.enable"]);
    }

    #[tokio::test]
    async fn only_admins_reset_another_users_second_factor() {
        let ports = services();
        let result = ports
            .auth_service()
            .reset_two_factor(&actor(3, Role::Technician), UserId(4))
            .await;
        assert!(matches!(result, Err(TwoFactorError::Forbidden)));
    }
}
