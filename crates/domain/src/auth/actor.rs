use super::SessionId;
use crate::user::{User, UserId};

/// A kind of action, ordered by privilege. [`Role::allows`](crate::user::Role::allows) says
/// which role may do which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Read agents, scripts, policies, executions.
    Read,
    /// Act on agents, run scripts and policies.
    Operate,
    /// Manage users, integrations and enrollment.
    Administer,
}

/// The signed-in user on whose behalf a use case runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, as loaded when the request was authenticated.
    pub user: User,
    /// The session the request belongs to.
    pub session_id: SessionId,
}

impl Actor {
    /// The acting user's id.
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// True when the acting user is `id`.
    pub fn is(&self, id: UserId) -> bool {
        self.user.id == id
    }

    /// True when the acting user's role grants `capability`.
    pub fn can(&self, capability: Capability) -> bool {
        self.user.role.allows(capability)
    }
}
