use chrono::{DateTime, Utc};
use serde_json::json;

use super::model::SHOWN;
use super::{ApiKey, ApiKeyId, ApiKeyService, KEY_PREFIX, KeyName, NewApiKey};
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability, OpaqueToken};
use crate::tenancy::Scope;
use crate::user::{Role, User, UserId};
use crate::{InvalidField, PortError};

/// A key someone wants.
#[derive(Debug, Clone)]
pub struct CreateKeyRequest {
    /// What it is for.
    pub name: KeyName,
    /// The most it may do; the owner's role when absent, never more.
    pub role: Option<Role>,
    /// The clients it is limited to (within the owner's); the owner's when absent.
    pub scope: Option<Scope>,
    /// When it stops working; never when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new key with its secret, which is never available again.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// The stored key.
    pub key: ApiKey,
    /// The secret: `Authorization: Bearer <secret>` or `X-API-Key: <secret>`.
    pub secret: OpaqueToken,
}

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// Keys are managed in a signed-in session, by their owner (or, for a service account, an
    /// admin of every client).
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such key or user (or not one the caller may manage).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Fields break the rules (each named).
    #[error("invalid key: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<InvalidField>),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl ApiKeyService {
    /// Whose keys `actor` may manage: their own, or (an admin of every client, signed in) a
    /// service account's.
    async fn owner(&self, actor: &Actor, owner: Option<UserId>) -> Result<User, ApiKeyError> {
        if actor.via_key() {
            return Err(ApiKeyError::Forbidden(
                "API keys cannot manage keys: sign in to do it",
            ));
        }
        let Some(id) = owner.filter(|id| !actor.is(*id)) else {
            return Ok(actor.user.clone());
        };
        if !actor.can_globally(Capability::Administer) {
            return Err(ApiKeyError::Forbidden(
                "only admins of every client manage a service account's keys",
            ));
        }
        let user = self
            .ports
            .users
            .find(id)
            .await?
            .ok_or(ApiKeyError::NotFound("user"))?;
        if !user.service_account {
            return Err(ApiKeyError::Forbidden(
                "people make their own keys; admins make keys for service accounts only",
            ));
        }
        Ok(user)
    }

    /// Creates a key for the caller, or (`owner`) for a service account, and returns its
    /// secret this once. Its role and clients never exceed its owner's.
    pub async fn create(
        &self,
        actor: &Actor,
        owner: Option<UserId>,
        request: CreateKeyRequest,
    ) -> Result<CreatedKey, ApiKeyError> {
        let owner = self.owner(actor, owner).await?;
        let now = self.ports.clock.now();
        let mut invalid = Vec::new();
        let role = request.role.unwrap_or(owner.role);
        if !owner.role.includes(role) {
            invalid.push(InvalidField::new("role", "may not exceed the owner's role"));
        }
        if request
            .scope
            .as_ref()
            .is_some_and(|scope| !owner.scope.covers(scope))
        {
            invalid.push(InvalidField::new(
                "client_ids",
                "may not reach beyond the owner's clients",
            ));
        }
        if request.expires_at.is_some_and(|expiry| expiry <= now) {
            invalid.push(InvalidField::new("expires_at", "must be in the future"));
        }
        if !invalid.is_empty() {
            return Err(ApiKeyError::Invalid(invalid));
        }
        let secret = OpaqueToken::from_generated(format!(
            "{KEY_PREFIX}{}",
            self.ports.secrets.opaque_token().expose()
        ));
        let new = NewApiKey {
            owner: owner.id,
            name: request.name,
            prefix: secret.expose().chars().take(SHOWN).collect(),
            digest: secret.digest(),
            role,
            scope: request.scope,
            expires_at: request.expires_at,
            created_by: actor.id(),
        };
        let key = self.ports.keys.create(&new, now).await?;
        tracing::info!(key = %key.id, owner = %key.owner, by = %actor.id(), "API key created");
        let record = AuditRecord::by(actor, "api_key.create")
            .target("api_key", key.id)
            .details(json!({
                "owner": key.owner.0,
                "name": key.name.as_str(),
                "prefix": key.prefix,
                "role": key.role.as_str(),
                "client_ids": key.scope.as_ref().and_then(Scope::ids),
            }));
        self.ports.audit.record(record).await;
        Ok(CreatedKey { key, secret })
    }

    /// The keys of the caller, or (`owner`) of a service account.
    pub async fn list(
        &self,
        actor: &Actor,
        owner: Option<UserId>,
    ) -> Result<Vec<ApiKey>, ApiKeyError> {
        let owner = self.owner(actor, owner).await?;
        Ok(self.ports.keys.list(owner.id).await?)
    }

    /// Revokes a key at once, on every server process: its owner's, or any key for an admin of
    /// every client. Someone else's key answers as a missing one.
    pub async fn revoke(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, ApiKeyError> {
        if actor.via_key() {
            return Err(ApiKeyError::Forbidden(
                "API keys cannot manage keys: sign in to do it",
            ));
        }
        let found = self
            .ports
            .keys
            .find(id)
            .await?
            .filter(|key| actor.is(key.owner) || actor.can_globally(Capability::Administer))
            .ok_or(ApiKeyError::NotFound("API key"))?;
        let revoked = self
            .ports
            .keys
            .revoke(found.id, self.ports.clock.now())
            .await?
            .ok_or(ApiKeyError::NotFound("API key"))?;
        tracing::info!(key = %id, by = %actor.id(), "API key revoked");
        let record = AuditRecord::by(actor, "api_key.revoke")
            .target("api_key", id)
            .details(json!({"owner": revoked.owner.0, "prefix": revoked.prefix}));
        self.ports.audit.record(record).await;
        Ok(revoked)
    }
}
