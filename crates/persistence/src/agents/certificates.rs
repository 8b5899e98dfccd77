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

/// Inserts `record` if `presented` is still unrevoked and its agent live, in one transaction
/// that first locks the agent's row: re-installs, reviews and deletions update that row in the
/// transaction that revokes certificates, so they and this take turns.
pub(super) async fn insert_renewal(
    conn: &mut AsyncPgConnection,
    record: &CertificateRecord,
    presented: &CertificateSerial,
) -> QueryResult<bool> {
    use diesel_async::AsyncConnection;

    use crate::schema::agents;
    conn.transaction(async |conn| {
        let live: Option<Uuid> = agents::table
            .find(record.agent.0)
            .filter(agents::deleted_at.is_null())
            .select(agents::uuid)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        if live.is_none() {
            return Ok(false);
        }
        let valid: i64 = agent_certificates::table
            .filter(
                agent_certificates::serial
                    .eq(&presented.0)
                    .and(agent_certificates::agent_uuid.eq(record.agent.0))
                    .and(agent_certificates::revoked_at.is_null()),
            )
            .count()
            .get_result(conn)
            .await?;
        if valid == 0 {
            return Ok(false);
        }
        insert(conn, record).await?;
        Ok(true)
    })
    .await
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = agent_certificates, check_for_backend(diesel::pg::Pg))]
struct CertificateRow {
    serial: String,
    agent_uuid: Uuid,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

pub(super) async fn latest(
    conn: &mut AsyncPgConnection,
    agent: AgentId,
) -> Result<Option<CertificateRecord>, PortError> {
    let row: Option<CertificateRow> = agent_certificates::table
        .filter(
            agent_certificates::agent_uuid
                .eq(agent.0)
                .and(agent_certificates::revoked_at.is_null()),
        )
        .order(agent_certificates::not_after.desc())
        .select(CertificateRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(query_error)?;
    Ok(row.map(CertificateRow::into_record))
}

/// The certificate with this serial, revoked or not.
pub(super) async fn by_serial(
    conn: &mut AsyncPgConnection,
    serial: &CertificateSerial,
) -> Result<Option<CertificateRecord>, PortError> {
    let row: Option<CertificateRow> = agent_certificates::table
        .find(&serial.0)
        .select(CertificateRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(query_error)?;
    Ok(row.map(CertificateRow::into_record))
}

impl CertificateRow {
    fn into_record(self) -> CertificateRecord {
        CertificateRecord {
            serial: CertificateSerial(self.serial),
            agent: AgentId(self.agent_uuid),
            not_before: self.not_before,
            not_after: self.not_after,
            revoked_at: self.revoked_at,
        }
    }
}
