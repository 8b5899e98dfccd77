use std::collections::BTreeSet;

use super::ClientId;

/// Which clients a user (or a key) may see and act on. Everything about an agent outside it is
/// invisible: lists leave it out and a direct read answers as if it did not exist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every client, present and future; only such users manage global objects (users,
    /// integrations, clients, enrollment, policies, the audit log).
    #[default]
    All,
    /// Only these clients (possibly none).
    Clients(BTreeSet<ClientId>),
}

impl Scope {
    /// A scope of exactly these clients.
    pub fn clients(clients: impl IntoIterator<Item = ClientId>) -> Self {
        Self::Clients(clients.into_iter().collect())
    }

    /// True when `client` is inside the scope.
    pub fn includes(&self, client: ClientId) -> bool {
        match self {
            Self::All => true,
            Self::Clients(clients) => clients.contains(&client),
        }
    }

    /// True for the unrestricted scope.
    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }

    /// The clients of a restricted scope, `None` for [`Scope::All`]: what a query filters on.
    pub fn restriction(&self) -> Option<Vec<ClientId>> {
        match self {
            Self::All => None,
            Self::Clients(clients) => Some(clients.iter().copied().collect()),
        }
    }

    /// The numbers of a restricted scope's clients, `None` for [`Scope::All`]: what stores
    /// filter on and what the API and the audit log write.
    pub fn ids(&self) -> Option<Vec<i64>> {
        self.restriction()
            .map(|clients| clients.iter().map(|client| client.0).collect())
    }

    /// True when every client `other` reaches is inside this scope.
    pub fn covers(&self, other: &Scope) -> bool {
        match (self, other) {
            (Self::All, _) => true,
            (Self::Clients(_), Self::All) => false,
            (Self::Clients(mine), Self::Clients(theirs)) => theirs.is_subset(mine),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restricted_scope_includes_its_clients_only() {
        let scope = Scope::clients([ClientId(1), ClientId(3)]);
        assert!(scope.includes(ClientId(3)));
        assert!(!scope.includes(ClientId(2)));
        assert!(Scope::All.includes(ClientId(2)));
        assert!(!Scope::clients([]).includes(ClientId(1)));
        assert_eq!(scope.restriction(), Some(vec![ClientId(1), ClientId(3)]));
        assert_eq!(Scope::All.restriction(), None);
        assert_eq!(scope.ids(), Some(vec![1, 3]));
        assert_eq!(Scope::All.ids(), None);
    }

    #[test]
    fn covering_is_inclusion() {
        let one = Scope::clients([ClientId(1)]);
        let both = Scope::clients([ClientId(1), ClientId(2)]);
        assert!(both.covers(&one));
        assert!(!one.covers(&both));
        assert!(!both.covers(&Scope::All));
        assert!(Scope::All.covers(&both));
    }
}
