//! Installed software and available updates, as agents last reported them.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::PortError;
use crate::agent::{AgentId, AgentRepository};
use crate::auth::{Actor, Capability};
use crate::protocol::{InventoryChange, PackageChange};

/// At most this many entries are kept per list.
pub const MAX_ENTRIES: usize = 20_000;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InventoryKind {
    /// Installed packages (`get_software_inventory`).
    Software,
    /// Pending updates (`get_available_updates`).
    Updates,
}

/// A list as reported: entries are the agent's objects, kept as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// The entries (each an object with at least a `name`).
    pub entries: Vec<Value>,
    /// The package manager that produced it (`apt`, `registry`, ...).
    pub source: Option<String>,
    /// When it was reported.
    pub updated_at: DateTime<Utc>,
}

impl Inventory {
    /// Reads the `data` of a reply (`{packages|updates: [...], source}`), keeping objects with a
    /// string `name`, at most [`MAX_ENTRIES`].
    pub(crate) fn from_reply(kind: InventoryKind, data: &Value, at: DateTime<Utc>) -> Option<Self> {
        let key = match kind {
            InventoryKind::Software => "packages",
            InventoryKind::Updates => "updates",
        };
        let entries = data
            .get(key)?
            .as_array()?
            .iter()
            .filter(|entry| entry.get("name").and_then(Value::as_str).is_some())
            .take(MAX_ENTRIES)
            .cloned()
            .collect();
        Some(Self {
            entries,
            source: data
                .get("source")
                .and_then(Value::as_str)
                .map(|s| s.chars().take(32).collect()),
            updated_at: at,
        })
    }

    /// Applies an `inventory_change`: installs and updates replace the entry of that name (or
    /// add one), removals drop it.
    pub(crate) fn apply(&mut self, change: &InventoryChange, at: DateTime<Utc>) {
        for change in &change.changes {
            let name = match change {
                PackageChange::Installed { name, .. } | PackageChange::Removed { name } => name,
            };
            self.entries
                .retain(|entry| entry.get("name").and_then(Value::as_str) != Some(name.as_str()));
            if let PackageChange::Installed { name, version } = change
                && self.entries.len() < MAX_ENTRIES
            {
                self.entries.push(json!({"name": name, "version": version}));
            }
        }
        self.updated_at = at;
    }
}

/// Where inventories are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InventoryRepository: Send + Sync {
    /// The agent's list of `kind`.
    async fn get(
        &self,
        agent: AgentId,
        kind: InventoryKind,
    ) -> Result<Option<Inventory>, PortError>;

    /// Replaces the agent's list of `kind`.
    async fn put(
        &self,
        agent: AgentId,
        kind: InventoryKind,
        inventory: &Inventory,
    ) -> Result<(), PortError>;
}

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The caller may not read agents.
    #[error("you may not read agents")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    AgentNotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Reading inventories.
#[derive(Clone)]
pub struct InventoryService {
    agents: Arc<dyn AgentRepository>,
    inventories: Arc<dyn InventoryRepository>,
}

impl InventoryService {
    /// Builds the service.
    pub fn new(
        agents: Arc<dyn AgentRepository>,
        inventories: Arc<dyn InventoryRepository>,
    ) -> Self {
        Self {
            agents,
            inventories,
        }
    }

    /// The agent's list of `kind` (`None` until it reported one).
    pub async fn get(
        &self,
        actor: &Actor,
        agent: AgentId,
        kind: InventoryKind,
    ) -> Result<Option<Inventory>, InventoryError> {
        if !actor.can(Capability::Read) {
            return Err(InventoryError::Forbidden);
        }
        crate::agent::visible(self.agents.as_ref(), actor, agent)
            .await?
            .ok_or(InventoryError::AgentNotFound)?;
        Ok(self.inventories.get(agent, kind).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::t0;

    #[test]
    fn changes_update_the_stored_list_by_name() {
        let data = json!({"packages": [{"name": "vim", "version": "9.0"}, {"name": "nano", "version": "7"}, {"bad": 1}], "source": "apt"});
        let mut inventory = Inventory::from_reply(InventoryKind::Software, &data, t0()).unwrap();
        assert_eq!(
            (inventory.entries.len(), inventory.source.as_deref()),
            (2, Some("apt"))
        );
        let change = InventoryChange {
            changes: vec![
                PackageChange::Installed {
                    name: "vim".into(),
                    version: "9.1".into(),
                },
                PackageChange::Removed {
                    name: "nano".into(),
                },
                PackageChange::Installed {
                    name: "htop".into(),
                    version: "3".into(),
                },
            ],
        };
        inventory.apply(&change, t0());
        assert_eq!(
            inventory.entries,
            vec![
                json!({"name": "vim", "version": "9.1"}),
                json!({"name": "htop", "version": "3"})
            ]
        );
    }
}
