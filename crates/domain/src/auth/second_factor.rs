//! The code step of a two-factor sign-in.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::login::LoginOutcome;
use super::two_factor::{
    CHALLENGE_TTL, LoginChallenge, MAX_CODE_ATTEMPTS, is_totp_code, recovery_digest,
};
use super::{AuthService, OpaqueToken, TokenPair};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::user::UserId;

/// Why the code step failed.
#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    /// The challenge is unknown, lapsed, already used, or locked after too many wrong codes:
    /// sign in with the password again.
    #[error("the sign-in challenge is no longer valid; sign in again")]
    InvalidChallenge,
    /// Neither a current authenticator code nor an unused recovery code.
    #[error("the code is wrong")]
    InvalidCode,
    /// The authenticator code was already used (each is accepted once).
    #[error("this code was already used; wait for the next one")]
    CodeReused,
    /// The account was deactivated meanwhile.
    #[error("this account is disabled")]
    AccountDisabled,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// How the second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proof {
    Authenticator,
    RecoveryCode,
}

impl Proof {
    fn name(self) -> &'static str {
        match self {
            Self::Authenticator => "authenticator",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

impl AuthService {
    /// The challenge that replaces the tokens when `user` has an active second factor.
    pub(super) async fn challenge_for(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<LoginOutcome>, PortError> {
        let active = self.ports.two_factor.find(user).await?;
        if !active.is_some_and(|factor| factor.active) {
            return Ok(None);
        }
        let challenge = self.ports.secrets.opaque_token();
        let expires_at = now + CHALLENGE_TTL;
        let stored = LoginChallenge {
            digest: challenge.digest(),
            user,
            expires_at,
        };
        self.ports.challenges.create(&stored).await?;
        Ok(Some(LoginOutcome::SecondFactor {
            challenge,
            expires_at,
        }))
    }

    /// Finishes a two-factor sign-in: the password step's `challenge` and a `code`, either
    /// the authenticator's (accepted once, one step of clock drift either way) or an unused
    /// recovery code (then used up). A challenge takes [`MAX_CODE_ATTEMPTS`] tries. Recorded
    /// in the audit log, with the address it came from.
    pub async fn complete_login(
        &self,
        challenge: &str,
        code: &str,
        source: Option<IpAddr>,
    ) -> Result<TokenPair, SecondFactorError> {
        let Some(challenge) = OpaqueToken::parse(challenge) else {
            return Err(SecondFactorError::InvalidChallenge);
        };
        let now = self.ports.clock.now();
        let digest = challenge.digest();
        let user = self
            .ports
            .challenges
            .attempt(&digest, now, MAX_CODE_ATTEMPTS)
            .await?
            .ok_or(SecondFactorError::InvalidChallenge)?;
        let outcome = match self.check_code(user, code, now).await {
            Err(SecondFactorError::Port(port)) => return Err(port.into()),
            other => other,
        };
        let account = self.ports.users.find(user).await?;
        let record = match &account {
            Some(found) => AuditRecord::by_user(found, "auth.login"),
            None => AuditRecord::anonymous("auth.login", None),
        };
        let record = match &outcome {
            Ok(proof) => record.details(json!({"second_factor": proof.name()})),
            Err(error) => record
                .failed()
                .details(json!({"reason": error.to_string(), "second_factor": true})),
        }
        .target("user", user)
        .from(source);
        self.ports.audit.record(record).await;
        outcome?;
        if !self.ports.challenges.consume(&digest).await? {
            return Err(SecondFactorError::InvalidChallenge);
        }
        let user = account
            .filter(|found| found.is_active)
            .ok_or(SecondFactorError::AccountDisabled)?;
        Ok(self.open_session(user, now).await?)
    }

    /// Whether `code` proves `user`'s active second factor now: an authenticator code for a
    /// step not accepted before, or an unused recovery code (used up). `InvalidChallenge`
    /// when the user has no active second factor.
    pub(super) async fn check_code(
        &self,
        user: UserId,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Proof, SecondFactorError> {
        let factor = self
            .ports
            .two_factor
            .find(user)
            .await?
            .filter(|factor| factor.active)
            .ok_or(SecondFactorError::InvalidChallenge)?;
        if is_totp_code(code) {
            let step = self
                .ports
                .otp
                .verify(&factor.secret, code.trim(), now)
                .ok_or(SecondFactorError::InvalidCode)?;
            if !self.ports.two_factor.use_step(user, step).await? {
                return Err(SecondFactorError::CodeReused);
            }
            return Ok(Proof::Authenticator);
        }
        let used = self
            .ports
            .two_factor
            .use_recovery_code(user, &recovery_digest(code), now)
            .await?;
        if used {
            Ok(Proof::RecoveryCode)
        } else {
            Err(SecondFactorError::InvalidCode)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use secrecy::SecretString;

    use super::*;
    use crate::auth::{MockLoginChallengeRepository, MockTwoFactorRepository, TwoFactor};
    use crate::fixtures::SequentialSecrets;
    use crate::test_support::{Ports, credentials, fixture_user, services};
    use crate::user::Role;

    const CHALLENGE: &str = "challenge-challenge-challenge";

    fn active(user: UserId) -> TwoFactor {
        TwoFactor {
            user,
            secret: SecretString::from("JBSWY3DPEHPK3PXP"),
            active: true,
            last_step: Some(99),
            recovery_codes_left: 10,
        }
    }

    /// A user 3 with a second factor, a live challenge, and whatever signing in needs.
    fn signing_in(consumed: bool) -> Ports {
        let mut ports = services();
        let mut factors = MockTwoFactorRepository::new();
        factors
            .expect_find()
            .returning(|user| Ok(Some(active(user))));
        ports.two_factor = factors;
        let mut challenges = MockLoginChallengeRepository::new();
        challenges
            .expect_attempt()
            .withf(|_, _, max| *max == MAX_CODE_ATTEMPTS)
            .returning(|_, _, _| Ok(Some(UserId(3))));
        challenges
            .expect_consume()
            .returning(move |_| Ok(!consumed));
        ports.challenges = challenges;
        ports
            .users
            .expect_find()
            .returning(|id| Ok(Some(fixture_user(id.0, "jane", Role::Viewer))));
        ports.sessions.expect_create().returning(|_| Ok(()));
        ports.users.expect_record_login().returning(|_, _| Ok(()));
        ports
            .tokens
            .expect_issue()
            .returning(|_| Ok("signed".to_owned()));
        ports
    }

    #[tokio::test]
    async fn a_current_code_finishes_the_sign_in_and_each_step_counts_once() {
        let mut ports = signing_in(false);
        ports.otp.expect_verify().returning(|_, _, _| Some(100));
        ports
            .two_factor
            .expect_use_step()
            .times(1)
            .returning(|_, step| Ok(step == 100));
        let audit = ports.audit.clone();
        let pair = ports
            .auth_service()
            .complete_login(CHALLENGE, "123456", None)
            .await
            .unwrap();
        assert_eq!(pair.user.username.as_str(), "jane");
        let [record] = audit.records().try_into().unwrap();
        assert_eq!((record.action, record.success), ("auth.login", true));
        assert_eq!(record.details["second_factor"], "authenticator");

        let mut ports = signing_in(false);
        ports.otp.expect_verify().returning(|_, _, _| Some(100));
        ports
            .two_factor
            .expect_use_step()
            .returning(|_, _| Ok(false));
        ports.sessions.checkpoint();
        ports.sessions.expect_create().never();
        let audit = ports.audit.clone();
        let replayed = ports
            .auth_service()
            .complete_login(CHALLENGE, "123456", None)
            .await;
        assert!(matches!(replayed, Err(SecondFactorError::CodeReused)));
        assert!(!audit.records()[0].success);
    }

    #[tokio::test]
    async fn a_recovery_code_works_instead_of_the_phone() {
        let mut ports = signing_in(false);
        ports.otp.expect_verify().never();
        ports
            .two_factor
            .expect_use_recovery_code()
            .withf(|_, digest, _| *digest == recovery_digest("abcd-efgh-ijkl"))
            .times(1)
            .returning(|_, _, _| Ok(true));
        let audit = ports.audit.clone();
        ports
            .auth_service()
            .complete_login(CHALLENGE, "ABCD EFGH IJKL", None)
            .await
            .unwrap();
        assert_eq!(audit.records()[0].details["second_factor"], "recovery_code");
    }

    #[tokio::test]
    async fn a_lapsed_locked_or_used_challenge_signs_nobody_in() {
        let mut ports = services();
        ports
            .challenges
            .expect_attempt()
            .returning(|_, _, _| Ok(None));
        let result = ports
            .auth_service()
            .complete_login(CHALLENGE, "123456", None)
            .await;
        assert!(matches!(result, Err(SecondFactorError::InvalidChallenge)));

        // Two right codes raced on one challenge: the second finds it consumed.
        let mut ports = signing_in(true);
        ports.otp.expect_verify().returning(|_, _, _| Some(100));
        ports
            .two_factor
            .expect_use_step()
            .returning(|_, _| Ok(true));
        ports.sessions.checkpoint();
        ports.sessions.expect_create().never();
        let result = ports
            .auth_service()
            .complete_login(CHALLENGE, "123456", None)
            .await;
        assert!(matches!(result, Err(SecondFactorError::InvalidChallenge)));
    }

    #[tokio::test]
    async fn with_a_second_factor_the_password_step_answers_a_challenge_not_tokens() {
        let mut ports = services();
        ports.users.expect_find_credentials().returning(|name| {
            Ok(Some(credentials(
                3,
                name.as_str(),
                Role::Viewer,
                "correct horse battery",
            )))
        });
        let mut factors = MockTwoFactorRepository::new();
        factors
            .expect_find()
            .returning(|user| Ok(Some(active(user))));
        ports.two_factor = factors;
        ports
            .challenges
            .expect_create()
            .withf(|challenge| challenge.user == UserId(3))
            .times(1)
            .returning(|_| Ok(()));
        ports.sessions.expect_create().never();
        let audit = ports.audit.clone();
        let service = AuthService::new(
            crate::auth::AuthPorts {
                secrets: Arc::new(SequentialSecrets::default()),
                ..ports.auth_service().ports
            },
            crate::auth::AuthSettings::default(),
        );
        let outcome = service
            .login("jane", "correct horse battery", None)
            .await
            .unwrap();
        assert!(matches!(outcome, LoginOutcome::SecondFactor { .. }));
        assert!(
            audit.records().is_empty(),
            "recorded once the code step ends"
        );
    }
}
