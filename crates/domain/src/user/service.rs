use std::sync::Arc;

use super::{PasswordHasher, UserRepository};
use crate::audit::AuditService;
use crate::auth::SessionRepository;
use crate::clock::Clock;

/// The user-management use cases: create, read, list, update, delete, and the first admin.
/// Each change is recorded in the audit log.
///
/// Every operation takes the acting user and enforces who may do what: admins manage everyone;
/// anyone reads and updates their own profile and changes their own password.
#[derive(Clone)]
pub struct UserService {
    pub(super) users: Arc<dyn UserRepository>,
    pub(super) sessions: Arc<dyn SessionRepository>,
    pub(super) hasher: Arc<dyn PasswordHasher>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
}

impl UserService {
    /// Builds the service from its ports.
    pub fn new(
        users: Arc<dyn UserRepository>,
        sessions: Arc<dyn SessionRepository>,
        hasher: Arc<dyn PasswordHasher>,
        audit: AuditService,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            sessions,
            hasher,
            audit,
            clock,
        }
    }
}
