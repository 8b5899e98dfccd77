use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::{CertificateRecord, CertificateSerial};
use uuid::Uuid;

use crate::error::query_error;
use crate::schema::agent_certificates;

pub(super) async fn insert(
    conn: &mut AsyncPgConnection,
    record: &CertificateRecord,
) -> QueryResult<()> {
    diesel::insert_into(agent_certificates::table)
        .values((
            agent_certificates::serial.eq(&record.serial.0),
            agent_certificates::agent_uuid.eq(record.agent.0),
            agent_certificates::not_before.eq(record.not_before),
            agent_certificates::not_after.eq(record.not_after),
            agent_certificates::revoked_at.eq(record.revoked_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes every unrevoked certificate of the agent.
pub(super) async fn revoke_all(
    conn: &mut AsyncPgConnection,
    agent: AgentId,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        agent_certificates::table.filter(
            agent_certificates::agent_uuid
                .eq(agent.0)
                .and(agent_certificates::revoked_at.is_null()),
        ),
    )
    .set(agent_certificates::revoked_at.eq(now))
    .execute(conn)
    .await
}

pub(super) async fn latest(
    conn: &mut AsyncPgConnection,
    agent: AgentId,
) -> Result<Option<CertificateRecord>, PortError> {
    let row: Option<(
        String,
        Uuid,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    )> = agent_certificates::table
        .filter(
            agent_certificates::agent_uuid
                .eq(agent.0)
                .and(agent_certificates::revoked_at.is_null()),
        )
        .order(agent_certificates::not_after.desc())
        .select((
            agent_certificates::serial,
            agent_certificates::agent_uuid,
            agent_certificates::not_before,
            agent_certificates::not_after,
            agent_certificates::revoked_at,
        ))
        .first(conn)
        .await
        .optional()
        .map_err(query_error)?;
    Ok(row.map(
        |(serial, agent, not_before, not_after, revoked_at)| CertificateRecord {
            serial: CertificateSerial(serial),
            agent: AgentId(agent),
            not_before,
            not_after,
            revoked_at,
        },
    ))
}
