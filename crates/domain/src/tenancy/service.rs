use std::sync::Arc;

use super::TenancyRepository;
use crate::audit::AuditService;
use crate::auth::{Actor, Capability};
use crate::clock::Clock;

/// Clients and sites: every user reads the ones in their scope; global admins manage them
/// (changes recorded in the audit log).
#[derive(Clone)]
pub struct TenancyService {
    pub(super) tenancy: Arc<dyn TenancyRepository>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
}

impl TenancyService {
    /// Builds the service.
    pub fn new(
        tenancy: Arc<dyn TenancyRepository>,
        audit: AuditService,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            tenancy,
            audit,
            clock,
        }
    }
}

/// True when `actor` may create, rename and delete clients and sites: an admin of every client.
pub(super) fn manages(actor: &Actor) -> bool {
    actor.can_globally(Capability::Administer)
}
