use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, AgentSelector, AgentStatus, Hostname, Target};
use slimrmm_domain::tenancy::Scope;
use uuid::Uuid;

use crate::Database;
use crate::error::{corrupt, query_error};

#[derive(QueryableByName)]
struct TargetRow {
    #[diesel(sql_type = SqlUuid)]
    uuid: Uuid,
    #[diesel(sql_type = Text)]
    hostname: String,
    #[diesel(sql_type = Text)]
    os: String,
    #[diesel(sql_type = Text)]
    status: String,
}

/// Every approved, live agent the selector reaches, by host name.
pub(super) async fn select(
    db: &Database,
    scope: &Scope,
    selector: &AgentSelector,
) -> Result<Vec<Target>, PortError> {
    if selector.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = db.conn().await?;
    let agents: Vec<Uuid> = selector.agents.iter().map(|agent| agent.0).collect();
    let tags: Vec<&str> = selector.tags.iter().map(|tag| tag.as_str()).collect();
    let os: Vec<&str> = selector.os.iter().map(|os| os.as_str()).collect();
    let restriction = scope.ids();
    let rows: Vec<TargetRow> = diesel::sql_query(
        "SELECT uuid, hostname, os, status FROM agents \
         WHERE deleted_at IS NULL AND status IN ('online', 'offline') \
           AND ($1 OR uuid = ANY($2) OR tags && $3 \
                OR (cardinality($2) = 0 AND cardinality($3) = 0)) \
           AND (cardinality($4) = 0 OR os = ANY($4)) \
           AND ($5 OR client_id = ANY($6)) \
         ORDER BY lower(hostname), uuid",
    )
    .bind::<Bool, _>(selector.all)
    .bind::<Array<SqlUuid>, _>(&agents)
    .bind::<Array<Text>, _>(&tags)
    .bind::<Array<Text>, _>(&os)
    .bind::<Bool, _>(restriction.is_none())
    .bind::<Array<BigInt>, _>(restriction.unwrap_or_default())
    .load(&mut conn)
    .await
    .map_err(query_error)?;
    rows.into_iter()
        .map(|row| {
            Ok(Target {
                id: AgentId(row.uuid),
                hostname: Hostname::parse(&row.hostname).map_err(|e| corrupt("hostname", e))?,
                os: row.os.parse().map_err(|e| corrupt("os", e))?,
                online: row.status == AgentStatus::Online.as_str(),
            })
        })
        .collect()
}
