//! `PresenceRepository` on PostgreSQL: each transition is one statement that changes the status
//! only if it still is what it was, and records the transition in the same statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, Hostname};
use slimrmm_domain::notification::Notification;
use slimrmm_domain::presence::{AgentSummary, PresenceRepository};
use uuid::Uuid;

use crate::Database;
use crate::error::{corrupt, query_error};
use crate::outbox::enqueue;

/// Presence in PostgreSQL.
#[derive(Clone)]
pub struct PgPresenceRepository {
    db: Database,
}

impl PgPresenceRepository {
    /// Presence stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(QueryableByName)]
struct Changed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
    #[diesel(sql_type = Text)]
    hostname: String,
}

fn summaries(rows: Vec<Changed>) -> Result<Vec<AgentSummary>, PortError> {
    rows.into_iter()
        .map(|row| {
            Ok(AgentSummary {
                id: AgentId(row.uuid),
                hostname: Hostname::parse(&row.hostname).map_err(|e| corrupt("hostname", e))?,
            })
        })
        .collect()
}

fn offline_notice(agent: AgentId, hostname: Hostname, at: DateTime<Utc>) -> Notification {
    Notification::AgentOffline {
        agent,
        hostname,
        at,
    }
}

fn overdue_notice(agent: AgentId, hostname: Hostname, at: DateTime<Utc>) -> Notification {
    Notification::AgentOverdue {
        agent,
        hostname,
        at,
    }
}

/// Writes a notification per changed agent to the outbox, in the caller's transaction.
async fn notify(
    conn: &mut AsyncPgConnection,
    rows: &[Changed],
    at: DateTime<Utc>,
    notice: fn(AgentId, Hostname, DateTime<Utc>) -> Notification,
) -> QueryResult<()> {
    let notifications: Vec<Notification> = rows
        .iter()
        .filter_map(|row| {
            let hostname = Hostname::parse(&row.hostname).ok()?;
            Some(notice(AgentId(row.uuid), hostname, at))
        })
        .collect();
    enqueue(conn, &notifications, None).await
}

/// The last time the agent was heard from: its last heartbeat, else its last connection.
const HEARD_FROM: &str = "coalesce((SELECT s.last_heartbeat_at FROM agent_state s WHERE s.agent_uuid = a.uuid), \
                          a.last_seen_at, a.approved_at, a.created_at)";

#[derive(QueryableByName)]
struct CameOnline {
    #[diesel(sql_type = SqlUuid)]
    uuid: Uuid,
}

/// Coming online, for one agent or a batch (`BatchedPresence`) in one statement: approved live
/// agents go online at the time of their own call
/// (locked in uuid order, so two processes' batches cannot deadlock), the transitions from
/// offline are recorded, and those agents are returned.
pub(crate) async fn online_many(
    db: &Database,
    agents: &[Uuid],
    times: &[DateTime<Utc>],
) -> Result<Vec<Uuid>, PortError> {
    let mut conn = db.conn().await?;
    let rows: Vec<CameOnline> = diesel::sql_query(
        "WITH calls AS (SELECT DISTINCT ON (uuid) uuid, at FROM unnest($1, $2) AS c (uuid, at) \
             ORDER BY uuid, at DESC), \
         previous AS (SELECT a.uuid, a.status, c.at FROM agents a JOIN calls c USING (uuid) \
             WHERE a.deleted_at IS NULL AND a.status IN ('online', 'offline') \
             ORDER BY a.uuid FOR UPDATE OF a), \
         changed AS (UPDATE agents a SET status = 'online', last_seen_at = p.at, overdue_at = NULL \
             FROM previous p WHERE a.uuid = p.uuid RETURNING a.uuid, p.status AS previous, p.at), \
         recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at) \
             SELECT uuid, previous, 'online', at FROM changed WHERE previous = 'offline') \
         SELECT uuid FROM changed WHERE previous = 'offline'",
    )
    .bind::<Array<SqlUuid>, _>(agents)
    .bind::<Array<Timestamptz>, _>(times)
    .load(&mut conn)
    .await
    .map_err(query_error)?;
    Ok(rows.into_iter().map(|row| row.uuid).collect())
}

#[async_trait]
impl PresenceRepository for PgPresenceRepository {
    async fn online(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        Ok(!online_many(&self.db, &[agent.0], &[at]).await?.is_empty())
    }

    async fn offline(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let rows = conn
            .transaction(async |conn| {
                let rows: Vec<Changed> = diesel::sql_query(
                    "WITH changed AS (UPDATE agents SET status = 'offline' WHERE uuid = $1 AND status = 'online' \
                         RETURNING uuid, hostname), \
                     recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at) \
                         SELECT uuid, 'online', 'offline', $2 FROM changed) \
                     SELECT uuid, hostname FROM changed",
                )
                .bind::<diesel::sql_types::Uuid, _>(agent.0)
                .bind::<Timestamptz, _>(at)
                .load(conn)
                .await?;
                notify(conn, &rows, at, offline_notice).await?;
                diesel::QueryResult::Ok(rows)
            })
            .await
            .map_err(query_error)?;
        Ok(!rows.is_empty())
    }

    async fn silent_to_offline(
        &self,
        silent_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows = conn
            .transaction(async |conn| {
                let rows: Vec<Changed> = diesel::sql_query(format!(
                    "WITH changed AS (UPDATE agents a SET status = 'offline' \
                 WHERE a.status = 'online' AND a.deleted_at IS NULL AND {HEARD_FROM} < $1 \
                 RETURNING a.uuid, a.hostname), \
             recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at) \
                 SELECT uuid, 'online', 'offline', $2 FROM changed) \
             SELECT uuid, hostname FROM changed"
                ))
                .bind::<Timestamptz, _>(silent_since)
                .bind::<Timestamptz, _>(at)
                .load(conn)
                .await?;
                notify(conn, &rows, at, offline_notice).await?;
                diesel::QueryResult::Ok(rows)
            })
            .await
            .map_err(query_error)?;
        summaries(rows)
    }

    async fn mark_overdue(
        &self,
        offline_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows = conn
            .transaction(async |conn| {
                let rows: Vec<Changed> = diesel::sql_query(format!(
                    "WITH changed AS (UPDATE agents a SET overdue_at = $2 \
                         WHERE a.status = 'offline' AND a.overdue_at IS NULL AND a.deleted_at IS NULL AND {HEARD_FROM} < $1 \
                         RETURNING a.uuid, a.hostname), \
                     recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at) \
                         SELECT uuid, 'offline', 'overdue', $2 FROM changed) \
                     SELECT uuid, hostname FROM changed"
                ))
                .bind::<Timestamptz, _>(offline_since)
                .bind::<Timestamptz, _>(at)
                .load(conn)
                .await?;
                notify(conn, &rows, at, overdue_notice).await?;
                diesel::QueryResult::Ok(rows)
            })
            .await
            .map_err(query_error)?;
        summaries(rows)
    }

    async fn set_maintenance(&self, agent: AgentId, enabled: bool) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query("UPDATE agents SET maintenance = $2 WHERE uuid = $1 AND maintenance IS DISTINCT FROM $2")
            .bind::<diesel::sql_types::Uuid, _>(agent.0)
            .bind::<Bool, _>(enabled)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }
}
