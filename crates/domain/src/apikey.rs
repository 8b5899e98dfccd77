//! API keys for integrations: long-lived secrets that act for a user (or a service account,
//! a user whose only credentials are keys) with at most that user's role and clients.

mod authenticate;
mod manage;
mod model;
mod repository;
mod service;

pub use manage::{ApiKeyError, CreateKeyRequest, CreatedKey};
pub use model::{ApiKey, ApiKeyId, KEY_PREFIX, KeyName, KeyWithOwner, NewApiKey, is_api_key};
pub use repository::ApiKeyRepository;
pub use service::{ApiKeyPorts, ApiKeyService};

#[cfg(any(test, feature = "mocks"))]
pub use repository::MockApiKeyRepository;
