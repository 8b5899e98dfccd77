use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{ApiKey, ApiKeyId, KeyWithOwner, NewApiKey};
use crate::PortError;
use crate::auth::TokenDigest;
use crate::user::UserId;

/// Where API keys are kept (their secrets' digests only).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    /// Stores a new key.
    async fn create(&self, key: &NewApiKey, now: DateTime<Utc>) -> Result<ApiKey, PortError>;

    /// Every key of `owner`, newest first, revoked ones included.
    async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, PortError>;

    /// One key.
    async fn find(&self, id: ApiKeyId) -> Result<Option<ApiKey>, PortError>;

    /// The key whose secret has this digest, with its owner as stored now.
    async fn find_by_digest(&self, digest: &TokenDigest)
    -> Result<Option<KeyWithOwner>, PortError>;

    /// Revokes a key (the first revocation is kept); `None` when there is none.
    async fn revoke(&self, id: ApiKeyId, now: DateTime<Utc>) -> Result<Option<ApiKey>, PortError>;

    /// Records a use, at most once a minute per key (a key used a thousand times a minute
    /// writes once).
    async fn touch(
        &self,
        id: ApiKeyId,
        from: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;
}
