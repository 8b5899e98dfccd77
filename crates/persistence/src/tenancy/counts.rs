//! The agents' counts of a page of clients or sites: two grouped queries per page (agents by
//! status, open alerts), each through the `agents_client_idx` / `agents_site_idx` indexes.

use std::collections::HashMap;

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::tenancy::{AgentCounts, Client, ClientSummary, Site, SiteSummary};

use crate::error::query_error;

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = BigInt)]
    online: i64,
    #[diesel(sql_type = BigInt)]
    offline: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = BigInt)]
    pending: i64,
    #[diesel(sql_type = BigInt)]
    open_alerts: i64,
}

/// The column agents are grouped by.
#[derive(Clone, Copy)]
enum By {
    Client,
    Site,
}

impl By {
    fn column(self) -> &'static str {
        match self {
            By::Client => "client_id",
            By::Site => "site_id",
        }
    }
}

async fn counts(
    conn: &mut AsyncPgConnection,
    by: By,
    ids: Vec<i64>,
) -> Result<HashMap<i64, AgentCounts>, PortError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let column = by.column();
    let groups: Vec<Group> = diesel::sql_query(format!(
        "WITH live AS (SELECT uuid, {column} AS id, status, overdue_at FROM agents \
                       WHERE deleted_at IS NULL AND {column} = ANY($1)), \
              alerting AS (SELECT live.id, count(*) AS open_alerts FROM alerts \
                           JOIN live ON live.uuid = alerts.agent_uuid \
                           WHERE alerts.acknowledged_at IS NULL GROUP BY live.id) \
         SELECT live.id, count(*) AS total, \
                count(*) FILTER (WHERE status = 'online') AS online, \
                count(*) FILTER (WHERE status = 'offline') AS offline, \
                count(*) FILTER (WHERE overdue_at IS NOT NULL) AS overdue, \
                count(*) FILTER (WHERE status = 'pending') AS pending, \
                coalesce(max(alerting.open_alerts), 0)::bigint AS open_alerts \
         FROM live LEFT JOIN alerting USING (id) GROUP BY live.id"
    ))
    .bind::<Array<BigInt>, _>(ids)
    .load(conn)
    .await
    .map_err(query_error)?;
    Ok(groups
        .into_iter()
        .map(|group| {
            let counts = AgentCounts {
                total: group.total.unsigned_abs(),
                online: group.online.unsigned_abs(),
                offline: group.offline.unsigned_abs(),
                overdue: group.overdue.unsigned_abs(),
                pending: group.pending.unsigned_abs(),
                open_alerts: group.open_alerts.unsigned_abs(),
            };
            (group.id, counts)
        })
        .collect())
}

#[derive(QueryableByName)]
struct SiteCount {
    #[diesel(sql_type = BigInt)]
    client_id: i64,
    #[diesel(sql_type = BigInt)]
    sites: i64,
}

/// The clients with their site numbers and agents' counts.
pub(super) async fn clients(
    conn: &mut AsyncPgConnection,
    clients: Vec<Client>,
) -> Result<Vec<ClientSummary>, PortError> {
    let ids: Vec<i64> = clients.iter().map(|client| client.id.0).collect();
    let site_counts: Vec<SiteCount> = diesel::sql_query(
        "SELECT client_id, count(*) AS sites FROM sites WHERE client_id = ANY($1) GROUP BY client_id",
    )
    .bind::<Array<BigInt>, _>(&ids)
    .load(conn)
    .await
    .map_err(query_error)?;
    let sites: HashMap<i64, u64> = site_counts
        .into_iter()
        .map(|count| (count.client_id, count.sites.unsigned_abs()))
        .collect();
    let mut agents = counts(conn, By::Client, ids).await?;
    Ok(clients
        .into_iter()
        .map(|client| ClientSummary {
            sites: sites.get(&client.id.0).copied().unwrap_or(0),
            counts: agents.remove(&client.id.0).unwrap_or_default(),
            client,
        })
        .collect())
}

/// The sites with their agents' counts.
pub(super) async fn sites(
    conn: &mut AsyncPgConnection,
    sites: Vec<Site>,
) -> Result<Vec<SiteSummary>, PortError> {
    let ids = sites.iter().map(|site| site.id.0).collect();
    let mut agents = counts(conn, By::Site, ids).await?;
    Ok(sites
        .into_iter()
        .map(|site| SiteSummary {
            counts: agents.remove(&site.id.0).unwrap_or_default(),
            site,
        })
        .collect())
}
