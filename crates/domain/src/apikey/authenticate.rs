use std::net::IpAddr;

use super::ApiKeyService;
use crate::auth::{Actor, AuthenticateError, Credential, OpaqueToken};
use crate::tenancy::Scope;

/// The clients a key reaches: its own list within its owner's, or its owner's.
fn narrowed(owner: &Scope, key: Option<&Scope>) -> Scope {
    match (owner, key) {
        (owner, None) => owner.clone(),
        (Scope::All, Some(key)) => key.clone(),
        (Scope::Clients(mine), Some(Scope::Clients(theirs))) => {
            Scope::Clients(mine.intersection(theirs).copied().collect())
        }
        (Scope::Clients(mine), Some(Scope::All)) => Scope::Clients(mine.clone()),
    }
}

impl ApiKeyService {
    /// Recognises the caller behind an API key: its owner, with the key's role and clients
    /// capped by the owner's as they are now (a demoted owner demotes their keys). Looked up in
    /// the shared store on every call, so a revocation takes effect at once on every process.
    /// The use is recorded (at most once a minute per key) with `from`.
    pub async fn authenticate(
        &self,
        secret: &str,
        from: Option<IpAddr>,
    ) -> Result<Actor, AuthenticateError> {
        let token = OpaqueToken::parse(secret).ok_or(AuthenticateError::InvalidToken)?;
        let found = self
            .ports
            .keys
            .find_by_digest(&token.digest())
            .await?
            .ok_or(AuthenticateError::InvalidToken)?;
        let now = self.ports.clock.now();
        if found.key.revoked_at.is_some() {
            return Err(AuthenticateError::TokenRevoked);
        }
        if found.key.expires_at.is_some_and(|expiry| expiry <= now) {
            return Err(AuthenticateError::TokenExpired);
        }
        if !found.owner.is_active {
            return Err(AuthenticateError::AccountDisabled);
        }
        let mut user = found.owner;
        if !found.key.role.includes(user.role) {
            user.role = found.key.role;
        }
        user.scope = narrowed(&user.scope, found.key.scope.as_ref());
        // Recorded to the minute: a key used all the time writes once a minute, not per call.
        let stale = found
            .key
            .last_used_at
            .is_none_or(|used| now - used >= chrono::TimeDelta::minutes(1));
        if stale && let Err(error) = self.ports.keys.touch(found.key.id, from, now).await {
            tracing::warn!(key = %found.key.id, %error, "could not record an API key's use");
        }
        Ok(Actor {
            user,
            credential: Credential::ApiKey(found.key.id),
            source: from,
            must_enrol: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::apikey::{
        ApiKey, ApiKeyId, ApiKeyPorts, KeyName, KeyWithOwner, MockApiKeyRepository,
    };
    use crate::clock::MockClock;
    use crate::fixtures::{RecordingAudit, t0, user};
    use crate::tenancy::ClientId;
    use crate::user::{MockUserRepository, Role, UserId};

    fn key(role: Role, scope: Option<Scope>) -> ApiKey {
        ApiKey {
            id: ApiKeyId(4),
            owner: UserId(1),
            name: KeyName::parse("PSA sync").unwrap(),
            prefix: "srk_abcdefgh".into(),
            role,
            scope,
            expires_at: None,
            last_used_at: None,
            last_used_from: None,
            created_by: Some(UserId(1)),
            created_at: t0(),
            revoked_at: None,
        }
    }

    fn service(found: KeyWithOwner) -> ApiKeyService {
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find_by_digest()
            .returning(move |_| Ok(Some(found.clone())));
        keys.expect_touch().times(1).returning(|_, _, _| Ok(()));
        ApiKeyService::new(ApiKeyPorts {
            keys: Arc::new(keys),
            users: Arc::new(MockUserRepository::new()),
            secrets: Arc::new(crate::auth::MockSecretGenerator::new()),
            audit: RecordingAudit::default().service(),
            clock: Arc::new(MockClock::fixed(t0())),
        })
    }

    const SECRET: &str = "srk_0123456789abcdefghijklmnop";

    #[tokio::test]
    async fn a_key_acts_with_the_lesser_of_its_role_and_its_owners_and_within_both_scopes() {
        let mut owner = user(1, "ops", Role::Technician);
        owner.scope = Scope::clients([ClientId(1), ClientId(2)]);
        let found = KeyWithOwner {
            key: key(
                Role::Admin,
                Some(Scope::clients([ClientId(2), ClientId(3)])),
            ),
            owner,
        };
        let actor = service(found).authenticate(SECRET, None).await.unwrap();
        assert_eq!(
            actor.user.role,
            Role::Technician,
            "the owner's role caps the key"
        );
        assert_eq!(actor.user.scope, Scope::clients([ClientId(2)]));
        assert!(actor.via_key());

        let found = KeyWithOwner {
            key: key(Role::Viewer, None),
            owner: user(1, "ops", Role::Admin),
        };
        let actor = service(found).authenticate(SECRET, None).await.unwrap();
        assert_eq!(
            (actor.user.role, actor.user.scope),
            (Role::Viewer, Scope::All)
        );
    }

    #[tokio::test]
    async fn revoked_and_expired_keys_and_disabled_owners_are_refused() {
        let mut keys = MockApiKeyRepository::new();
        let mut revoked = key(Role::Viewer, None);
        revoked.revoked_at = Some(t0());
        let mut expired = key(Role::Viewer, None);
        expired.expires_at = Some(t0());
        let mut disabled = user(1, "ops", Role::Admin);
        disabled.is_active = false;
        let answers = [
            (revoked, user(1, "ops", Role::Admin)),
            (expired, user(1, "ops", Role::Admin)),
            (key(Role::Viewer, None), disabled),
        ];
        let mut sequence = mockall::Sequence::new();
        for (key, owner) in answers {
            keys.expect_find_by_digest()
                .times(1)
                .in_sequence(&mut sequence)
                .returning(move |_| {
                    Ok(Some(KeyWithOwner {
                        key: key.clone(),
                        owner: owner.clone(),
                    }))
                });
        }
        keys.expect_touch().never();
        let service = ApiKeyService::new(ApiKeyPorts {
            keys: Arc::new(keys),
            users: Arc::new(MockUserRepository::new()),
            secrets: Arc::new(crate::auth::MockSecretGenerator::new()),
            audit: RecordingAudit::default().service(),
            clock: Arc::new(MockClock::fixed(t0())),
        });
        let outcomes = [
            service.authenticate(SECRET, None).await,
            service.authenticate(SECRET, None).await,
            service.authenticate(SECRET, None).await,
        ];
        assert!(matches!(outcomes[0], Err(AuthenticateError::TokenRevoked)));
        assert!(matches!(outcomes[1], Err(AuthenticateError::TokenExpired)));
        assert!(matches!(
            outcomes[2],
            Err(AuthenticateError::AccountDisabled)
        ));
        let malformed = service.authenticate("srk_<script>", None).await;
        assert!(matches!(malformed, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_key_used_this_minute_is_not_written_again() {
        let mut recent = key(Role::Viewer, None);
        recent.last_used_at = Some(t0() - chrono::TimeDelta::seconds(30));
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find_by_digest().returning(move |_| {
            Ok(Some(KeyWithOwner {
                key: recent.clone(),
                owner: user(1, "ops", Role::Admin),
            }))
        });
        keys.expect_touch().never();
        let service = ApiKeyService::new(ApiKeyPorts {
            keys: Arc::new(keys),
            users: Arc::new(MockUserRepository::new()),
            secrets: Arc::new(crate::auth::MockSecretGenerator::new()),
            audit: RecordingAudit::default().service(),
            clock: Arc::new(MockClock::fixed(t0())),
        });
        assert!(service.authenticate(SECRET, None).await.is_ok());
    }
}
