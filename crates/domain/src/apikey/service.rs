use std::sync::Arc;

use super::ApiKeyRepository;
use crate::audit::AuditService;
use crate::auth::SecretGenerator;
use crate::clock::Clock;
use crate::user::UserRepository;

/// The ports API keys need.
#[derive(Clone)]
pub struct ApiKeyPorts {
    /// The keys.
    pub keys: Arc<dyn ApiKeyRepository>,
    /// Their owners.
    pub users: Arc<dyn UserRepository>,
    /// Random secrets.
    pub secrets: Arc<dyn SecretGenerator>,
    /// Where creations and revocations are recorded.
    pub audit: AuditService,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// Creating, listing and revoking API keys, and recognising the caller behind one.
#[derive(Clone)]
pub struct ApiKeyService {
    pub(super) ports: ApiKeyPorts,
}

impl ApiKeyService {
    /// Builds the service.
    pub fn new(ports: ApiKeyPorts) -> Self {
        Self { ports }
    }
}
