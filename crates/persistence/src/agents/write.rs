use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{
    Agent, AgentFacts, AgentId, AgentLabelChanges, AgentSecrets, AgentStatus, EnrollAgentError,
    NewAgent,
};
use slimrmm_domain::enrollment::CertificateRecord;
use slimrmm_domain::notification::Notification;
use slimrmm_domain::tenancy::{ClientId, SiteId};
use slimrmm_domain::user::UserId;

use super::certificates;
use super::row::AgentRow;
use crate::Database;
use crate::error::{TxError, query_error};
use crate::outbox::enqueue;
use crate::schema::{agents, enrollment_tokens, sites};

fn live(
    id: AgentId,
) -> diesel::dsl::Filter<
    agents::table,
    diesel::dsl::And<
        diesel::dsl::Eq<agents::uuid, uuid::Uuid>,
        diesel::dsl::IsNull<agents::deleted_at>,
    >,
> {
    agents::table.filter(agents::uuid.eq(id.0).and(agents::deleted_at.is_null()))
}

pub(super) async fn enroll(
    db: &Database,
    agent: &NewAgent,
    certificate: Option<CertificateRecord>,
    now: DateTime<Utc>,
) -> Result<Agent, EnrollAgentError> {
    let mut conn = db.conn().await?;
    let row = conn
        .transaction(async |conn| {
            let site: Option<i64> = diesel::update(
                enrollment_tokens::table.filter(
                    enrollment_tokens::id
                        .eq(agent.enrollment_token.0)
                        .and(enrollment_tokens::revoked_at.is_null())
                        .and(
                            enrollment_tokens::expires_at
                                .is_null()
                                .or(enrollment_tokens::expires_at.gt(now)),
                        )
                        .and(
                            enrollment_tokens::max_uses
                                .is_null()
                                .or(enrollment_tokens::uses
                                    .nullable()
                                    .lt(enrollment_tokens::max_uses)),
                        ),
                ),
            )
            .set((
                enrollment_tokens::uses.eq(enrollment_tokens::uses + 1),
                enrollment_tokens::last_used_at.eq(now),
            ))
            .returning(enrollment_tokens::site_id)
            .get_result(conn)
            .await
            .optional()?;
            // The token's site as stored now is where the agent lands.
            let Some(site) = site else {
                return Err(TxError::Rule(EnrollAgentError::TokenNoLongerValid));
            };
            let client: i64 = sites::table
                .find(site)
                .select(sites::client_id)
                .get_result(conn)
                .await?;
            let row: AgentRow = diesel::insert_into(agents::table)
                .values((
                    agents::uuid.eq(agent.id.0),
                    agents::hostname.eq(agent.facts.hostname.as_str()),
                    agents::os.eq(agent.facts.os.as_str()),
                    agents::arch.eq(agent.facts.arch.as_str()),
                    agents::agent_version.eq(agent.facts.agent_version.as_str()),
                    agents::tags.eq(agent.tags.to_strings()),
                    agents::status.eq(agent.status.as_str()),
                    agents::registration_token_digest.eq(agent
                        .secrets
                        .registration_token
                        .0
                        .as_slice()),
                    agents::reregistration_secret_digest.eq(agent
                        .secrets
                        .reregistration_secret
                        .0
                        .as_slice()),
                    agents::enrollment_token_id.eq(agent.enrollment_token.0),
                    agents::site_id.eq(site),
                    agents::client_id.eq(client),
                    agents::approved_at.eq(agent.status.is_approved().then_some(now)),
                    agents::created_at.eq(now),
                    agents::updated_at.eq(now),
                ))
                .returning(AgentRow::as_returning())
                .get_result(conn)
                .await?;
            if let Some(record) = &certificate {
                certificates::insert(conn, record).await?;
            }
            if agent.status == AgentStatus::Pending {
                let waiting = Notification::AgentPendingApproval {
                    agent: agent.id,
                    hostname: agent.facts.hostname.clone(),
                    at: now,
                };
                enqueue(conn, &[waiting], None).await?;
            }
            Ok(row)
        })
        .await
        .map_err(|error| match error {
            TxError::Db(error) => EnrollAgentError::Port(query_error(error)),
            TxError::Rule(rule) => rule,
        })?;
    Ok(row.into_domain()?)
}

pub(super) async fn reinstall(
    db: &Database,
    id: AgentId,
    facts: &AgentFacts,
    secrets: &AgentSecrets,
    certificate: Option<CertificateRecord>,
    now: DateTime<Utc>,
) -> Result<Option<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let row = conn
        .transaction(async |conn| {
            let row: Option<AgentRow> = diesel::update(live(id))
                .set((
                    agents::hostname.eq(facts.hostname.as_str()),
                    agents::os.eq(facts.os.as_str()),
                    agents::arch.eq(facts.arch.as_str()),
                    agents::agent_version.eq(facts.agent_version.as_str()),
                    agents::registration_token_digest.eq(secrets.registration_token.0.as_slice()),
                    agents::reregistration_secret_digest
                        .eq(secrets.reregistration_secret.0.as_slice()),
                    agents::updated_at.eq(now),
                ))
                .returning(AgentRow::as_returning())
                .get_result(conn)
                .await
                .optional()?;
            if row.is_some() {
                certificates::revoke_all(conn, id, now).await?;
                if let Some(record) = &certificate {
                    certificates::insert(conn, record).await?;
                }
            }
            diesel::QueryResult::Ok(row)
        })
        .await
        .map_err(query_error)?;
    row.map(AgentRow::into_domain).transpose()
}

pub(super) async fn transition(
    db: &Database,
    id: AgentId,
    from: AgentStatus,
    to: AgentStatus,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let row = conn
        .transaction(async |conn| {
            let target = live(id).filter(agents::status.eq(from.as_str()));
            let update = diesel::update(target);
            let row: Option<AgentRow> = if to.is_approved() && !from.is_approved() {
                update
                    .set((
                        agents::status.eq(to.as_str()),
                        agents::approved_at.eq(now),
                        agents::approved_by.eq(by.map(|user| user.0)),
                        agents::updated_at.eq(now),
                    ))
                    .returning(AgentRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?
            } else {
                update
                    .set((agents::status.eq(to.as_str()), agents::updated_at.eq(now)))
                    .returning(AgentRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?
            };
            if row.is_some() && from.is_approved() && !to.is_approved() {
                certificates::revoke_all(conn, id, now).await?;
            }
            diesel::QueryResult::Ok(row)
        })
        .await
        .map_err(query_error)?;
    row.map(AgentRow::into_domain).transpose()
}

#[derive(AsChangeset)]
#[diesel(table_name = agents)]
struct LabelChangeset<'a> {
    display_name: Option<Option<&'a str>>,
    tags: Option<Vec<String>>,
    updated_at: DateTime<Utc>,
}

pub(super) async fn update_labels(
    db: &Database,
    id: AgentId,
    changes: &AgentLabelChanges,
    now: DateTime<Utc>,
) -> Result<Option<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let changeset = LabelChangeset {
        display_name: changes
            .display_name
            .as_ref()
            .map(|name| name.as_ref().map(|name| name.as_str())),
        tags: changes.tags.as_ref().map(|tags| tags.to_strings()),
        updated_at: now,
    };
    let row: Option<AgentRow> = diesel::update(live(id))
        .set(&changeset)
        .returning(AgentRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(query_error)?;
    row.map(AgentRow::into_domain).transpose()
}

pub(super) async fn delete(
    db: &Database,
    id: AgentId,
    now: DateTime<Utc>,
) -> Result<bool, PortError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let deleted = diesel::update(live(id))
            .set((agents::deleted_at.eq(now), agents::updated_at.eq(now)))
            .execute(conn)
            .await?;
        if deleted == 1 {
            certificates::revoke_all(conn, id, now).await?;
        }
        diesel::QueryResult::Ok(deleted == 1)
    })
    .await
    .map_err(query_error)
}

/// Moves a live agent still in client `from` to `site` and its client, in one statement (the
/// site's client is read in it, so the pair stays true). A site deleted meanwhile answers
/// `None`, as a missing one does.
pub(super) async fn move_to(
    db: &Database,
    id: AgentId,
    from: ClientId,
    site: SiteId,
    now: DateTime<Utc>,
) -> Result<Option<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let client = sites::table
        .find(site.0)
        .select(sites::client_id)
        .single_value();
    let row: Result<Option<AgentRow>, _> = diesel::update(live(id))
        .filter(agents::client_id.eq(from.0))
        .filter(diesel::dsl::exists(sites::table.find(site.0)))
        .set((
            agents::site_id.eq(site.0),
            agents::client_id.eq(client),
            agents::updated_at.eq(now),
        ))
        .returning(AgentRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional();
    let row = match row {
        Err(error) if crate::error::violated_foreign_key(&error) == Some("agents_site_fkey") => {
            None
        }
        other => other.map_err(query_error)?,
    };
    row.map(AgentRow::into_domain).transpose()
}
