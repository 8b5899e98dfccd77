use std::fmt;
use std::str::FromStr;

/// What a user may do. Each role includes everything the roles below it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads everything it can see; changes nothing but its own profile.
    Viewer,
    /// Also acts on agents and runs scripts and policies.
    Technician,
    /// Also manages users, integrations and enrollment.
    Admin,
}

impl Role {
    /// Every role, from least to most privileged.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Technician, Role::Admin];

    /// The role's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Technician => "technician",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not `admin`, `technician` or `viewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: admin, technician, viewer")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or(UnknownRole)
    }
}

impl Role {
    /// Whether this role grants `capability`. The one table of who may do what.
    pub fn allows(self, capability: crate::auth::Capability) -> bool {
        use crate::auth::Capability;
        let required = match capability {
            Capability::Read => Role::Viewer,
            Capability::Operate => Role::Technician,
            Capability::Administer => Role::Admin,
        };
        self.rank() >= required.rank()
    }

    /// True when this role may do everything `other` may (it is `other` or above it).
    pub fn includes(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Technician => 1,
            Role::Admin => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Capability;

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Viewer.allows(Capability::Read));
        assert!(!Role::Viewer.allows(Capability::Operate));
        assert!(Role::Technician.allows(Capability::Operate));
        assert!(!Role::Technician.allows(Capability::Administer));
        assert!(Role::Admin.allows(Capability::Administer));
    }

    #[test]
    fn parses_public_names_only() {
        assert_eq!("technician".parse(), Ok(Role::Technician));
        assert_eq!("Admin".parse::<Role>(), Err(UnknownRole));
    }
}
