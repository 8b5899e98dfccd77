//! `InventoryRepository` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::inventory::{Inventory, InventoryKind, InventoryRepository};

use crate::Database;
use crate::error::query_error;
use crate::schema::{agent_software, agent_updates};

/// Inventories in PostgreSQL.
#[derive(Clone)]
pub struct PgInventoryRepository {
    db: Database,
}

impl PgInventoryRepository {
    /// Inventories stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn inventory(row: Option<(Value, Option<String>, DateTime<Utc>)>) -> Option<Inventory> {
    row.map(|(entries, source, updated_at)| Inventory {
        entries: match entries {
            Value::Array(entries) => entries,
            _ => Vec::new(),
        },
        source,
        updated_at,
    })
}

#[async_trait]
impl InventoryRepository for PgInventoryRepository {
    async fn get(
        &self,
        agent: AgentId,
        kind: InventoryKind,
    ) -> Result<Option<Inventory>, PortError> {
        let mut conn = self.db.conn().await?;
        let row = match kind {
            InventoryKind::Software => {
                agent_software::table
                    .find(agent.0)
                    .select((
                        agent_software::packages,
                        agent_software::source,
                        agent_software::updated_at,
                    ))
                    .first(&mut conn)
                    .await
            }
            InventoryKind::Updates => {
                agent_updates::table
                    .find(agent.0)
                    .select((
                        agent_updates::updates,
                        agent_updates::source,
                        agent_updates::updated_at,
                    ))
                    .first(&mut conn)
                    .await
            }
        };
        Ok(inventory(row.optional().map_err(query_error)?))
    }

    async fn put(
        &self,
        agent: AgentId,
        kind: InventoryKind,
        inventory: &Inventory,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let entries = Value::Array(inventory.entries.clone());
        let written = match kind {
            InventoryKind::Software => {
                diesel::insert_into(agent_software::table)
                    .values((
                        agent_software::agent_uuid.eq(agent.0),
                        agent_software::packages.eq(&entries),
                        agent_software::source.eq(&inventory.source),
                        agent_software::updated_at.eq(inventory.updated_at),
                    ))
                    .on_conflict(agent_software::agent_uuid)
                    .do_update()
                    .set((
                        agent_software::packages.eq(&entries),
                        agent_software::source.eq(&inventory.source),
                        agent_software::updated_at.eq(inventory.updated_at),
                    ))
                    .execute(&mut conn)
                    .await
            }
            InventoryKind::Updates => {
                diesel::insert_into(agent_updates::table)
                    .values((
                        agent_updates::agent_uuid.eq(agent.0),
                        agent_updates::updates.eq(&entries),
                        agent_updates::source.eq(&inventory.source),
                        agent_updates::updated_at.eq(inventory.updated_at),
                    ))
                    .on_conflict(agent_updates::agent_uuid)
                    .do_update()
                    .set((
                        agent_updates::updates.eq(&entries),
                        agent_updates::source.eq(&inventory.source),
                        agent_updates::updated_at.eq(inventory.updated_at),
                    ))
                    .execute(&mut conn)
                    .await
            }
        };
        written.map(drop).map_err(query_error)
    }
}
