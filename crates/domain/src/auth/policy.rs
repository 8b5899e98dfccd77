//! The server's security policy: whether everyone must sign in with a second factor.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Actor, AuthService, Capability};
use crate::PortError;
use crate::audit::AuditRecord;

/// What the policy says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecurityPolicy {
    /// Everyone must have a second factor: a user without one may only enrol it.
    pub require_two_factor: bool,
}

/// Where the policy is kept (one for the whole server).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SecurityPolicyRepository: Send + Sync {
    /// The policy (the default when never set).
    async fn get(&self) -> Result<SecurityPolicy, PortError>;

    /// Replaces the policy.
    async fn set(&self, policy: &SecurityPolicy, at: DateTime<Utc>) -> Result<(), PortError>;
}

/// Why the policy could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum SecurityPolicyError {
    /// Only admins.
    #[error("only admins manage the security policy")]
    Forbidden,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AuthService {
    /// The security policy (admins).
    pub async fn security_policy(
        &self,
        actor: &Actor,
    ) -> Result<SecurityPolicy, SecurityPolicyError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(SecurityPolicyError::Forbidden);
        }
        Ok(self.ports.policy.get().await?)
    }

    /// Replaces the security policy (admins); audited. It applies to every session at its
    /// next request, on every server process.
    pub async fn set_security_policy(
        &self,
        actor: &Actor,
        policy: SecurityPolicy,
    ) -> Result<SecurityPolicy, SecurityPolicyError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(SecurityPolicyError::Forbidden);
        }
        self.ports
            .policy
            .set(&policy, self.ports.clock.now())
            .await?;
        let record = AuditRecord::by(actor, "settings.security")
            .details(json!({"require_two_factor": policy.require_two_factor}));
        self.ports.audit.record(record).await;
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenKind;
    use crate::test_support::{actor, claims, live_session, services};
    use crate::user::Role;

    #[tokio::test]
    async fn a_required_second_factor_the_user_lacks_restricts_them_to_enrolling() {
        for (required, active, must_enrol) in [
            (false, false, false),
            (true, true, false),
            (true, false, true),
        ] {
            let mut ports = services();
            ports
                .tokens
                .expect_verify()
                .returning(|_| Ok(claims(TokenKind::Access)));
            ports.sessions.expect_find().returning(move |_| {
                let mut found = live_session(Role::Viewer);
                found.two_factor_required = required;
                found.two_factor_active = active;
                Ok(Some(found))
            });
            let caller = ports.auth_service().authenticate("token").await.unwrap();
            assert_eq!(caller.must_enrol, must_enrol, "{required} {active}");
        }
    }

    #[tokio::test]
    async fn only_admins_set_the_policy_and_it_is_audited() {
        let mut ports = services();
        ports.policy.expect_set().times(1).returning(|_, _| Ok(()));
        let audit = ports.audit.clone();
        let service = ports.auth_service();
        let on = SecurityPolicy {
            require_two_factor: true,
        };
        let refused = service
            .set_security_policy(&actor(2, Role::Technician), on)
            .await;
        assert!(matches!(refused, Err(SecurityPolicyError::Forbidden)));
        service
            .set_security_policy(&actor(1, Role::Admin), on)
            .await
            .unwrap();
        assert_eq!(audit.actions(), ["settings.security"]);
    }
}
