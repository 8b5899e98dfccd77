use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    EnrollmentService, EnrollmentToken, EnrollmentTokenId, EnrollmentTokenListQuery,
    NewEnrollmentToken, TokenName,
};
use crate::PortError;
use crate::agent::Tags;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability, OpaqueToken};
use crate::list::Page;
use crate::tenancy::SiteId;

/// A token an admin wants to create.
#[derive(Debug, Clone)]
pub struct CreateTokenRequest {
    /// Its name.
    pub name: TokenName,
    /// Approve its agents at once.
    pub auto_approve: bool,
    /// Tags for its agents.
    pub tags: Tags,
    /// The site its agents land in; the default site (the oldest) when absent.
    pub site: Option<SiteId>,
    /// How many agents it may enroll.
    pub max_uses: Option<u32>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new token with its secret, which is never available again.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    /// The stored token.
    pub token: EnrollmentToken,
    /// The secret for `slimrmm-agent install -k`.
    pub secret: OpaqueToken,
}

/// Why a token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTokenError {
    /// Only admins manage enrollment.
    #[error("only admins may manage enrollment tokens")]
    Forbidden,
    /// The expiry is not in the future.
    #[error("expires_at must be in the future")]
    ExpiresInPast,
    /// The site does not exist (or, without one, no site exists at all).
    #[error("site_id names no site")]
    UnknownSite,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Why the token list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListTokensError {
    /// Only admins manage enrollment.
    #[error("only admins may manage enrollment tokens")]
    Forbidden,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Why a token could not be revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeTokenError {
    /// Only admins manage enrollment.
    #[error("only admins may manage enrollment tokens")]
    Forbidden,
    /// No such token.
    #[error("enrollment token not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl EnrollmentService {
    /// Creates an enrollment token and returns its secret, this once.
    pub async fn create_token(
        &self,
        actor: &Actor,
        request: CreateTokenRequest,
    ) -> Result<CreatedToken, CreateTokenError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(CreateTokenError::Forbidden);
        }
        let now = self.clock.now();
        if request.expires_at.is_some_and(|expiry| expiry <= now) {
            return Err(CreateTokenError::ExpiresInPast);
        }
        let site = match request.site {
            Some(site) => self.tenancy.site(site).await?.map(|found| found.site),
            None => self.tenancy.default_site().await?,
        }
        .ok_or(CreateTokenError::UnknownSite)?;
        let secret = self.secrets.opaque_token();
        let new = NewEnrollmentToken {
            name: request.name,
            digest: secret.digest(),
            auto_approve: request.auto_approve,
            tags: request.tags,
            site: site.id,
            max_uses: request.max_uses,
            expires_at: request.expires_at,
            created_by: actor.id(),
        };
        let token = self.tokens.create(&new, now).await?;
        tracing::info!(token_id = %token.id, by = %actor.id(), auto_approve = token.auto_approve, "enrollment token created");
        let record = AuditRecord::by(actor, "enrollment_token.create")
            .target("enrollment_token", token.id)
            .details(json!({
                "name": token.name.as_str(),
                "auto_approve": token.auto_approve,
                "max_uses": token.max_uses,
                "site_id": token.site.0,
            }));
        self.audit.record(record).await;
        Ok(CreatedToken { token, secret })
    }

    /// One page of tokens, without secrets.
    pub async fn list_tokens(
        &self,
        actor: &Actor,
        query: &EnrollmentTokenListQuery,
    ) -> Result<Page<EnrollmentToken>, ListTokensError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(ListTokensError::Forbidden);
        }
        Ok(self.tokens.list(query).await?)
    }

    /// Revokes a token: it enrolls no more agents (agents it enrolled stay).
    pub async fn revoke_token(
        &self,
        actor: &Actor,
        id: EnrollmentTokenId,
    ) -> Result<EnrollmentToken, RevokeTokenError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(RevokeTokenError::Forbidden);
        }
        let token = self
            .tokens
            .revoke(id, self.clock.now())
            .await?
            .ok_or(RevokeTokenError::NotFound)?;
        tracing::info!(token_id = %id, by = %actor.id(), "enrollment token revoked");
        let record =
            AuditRecord::by(actor, "enrollment_token.revoke").target("enrollment_token", token.id);
        self.audit.record(record).await;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, enrollment_services, enrollment_token, t0};
    use crate::user::Role;

    fn request(expires_at: Option<DateTime<Utc>>) -> CreateTokenRequest {
        CreateTokenRequest {
            name: TokenName::parse("office").unwrap(),
            auto_approve: true,
            tags: Tags::default(),
            site: None,
            max_uses: Some(5),
            expires_at,
        }
    }

    #[tokio::test]
    async fn the_secret_is_returned_once_and_only_its_digest_stored() {
        let mut ports = enrollment_services();
        let secret = OpaqueToken::from_generated("enrollment-secret-0000000001".into());
        let digest = secret.digest();
        let mut secrets = crate::auth::MockSecretGenerator::new();
        secrets.expect_opaque_token().return_const(secret.clone());
        ports.secrets = std::sync::Arc::new(secrets);
        ports
            .tenancy
            .expect_default_site()
            .returning(|| Ok(Some(crate::fixtures::site(4, 2))));
        ports
            .tokens
            .expect_create()
            .withf(move |new, _| {
                new.digest == digest
                    && new.created_by == crate::user::UserId(1)
                    && new.site == SiteId(4)
            })
            .returning(|_, _| Ok(enrollment_token(true)));
        let created = ports
            .service()
            .create_token(&actor(1, Role::Admin), request(None))
            .await
            .unwrap();
        assert_eq!(created.secret, secret);
    }

    #[tokio::test]
    async fn expiry_must_be_ahead_and_only_admins_create() {
        let ports = enrollment_services();
        let service = ports.service();
        let past = service
            .create_token(&actor(1, Role::Admin), request(Some(t0())))
            .await;
        assert!(matches!(past, Err(CreateTokenError::ExpiresInPast)));
        let technician = service
            .create_token(&actor(1, Role::Technician), request(None))
            .await;
        assert!(matches!(technician, Err(CreateTokenError::Forbidden)));
        let scoped = service
            .create_token(
                &crate::fixtures::scoped_actor(1, Role::Admin, &[1]),
                request(None),
            )
            .await;
        assert!(matches!(scoped, Err(CreateTokenError::Forbidden)));
    }

    #[tokio::test]
    async fn a_token_names_a_site_that_exists() {
        let mut ports = enrollment_services();
        ports.tenancy.expect_site().returning(|_| Ok(None));
        let unknown = ports
            .service()
            .create_token(
                &actor(1, Role::Admin),
                CreateTokenRequest {
                    site: Some(SiteId(9)),
                    ..request(None)
                },
            )
            .await;
        assert!(matches!(unknown, Err(CreateTokenError::UnknownSite)));
    }
}
