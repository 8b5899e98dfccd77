//! The audit log in PostgreSQL: append-only rows, listed newest or oldest first with filters.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use slimrmm_domain::PortError;
use slimrmm_domain::audit::{
    AuditEntry, AuditId, AuditListQuery, AuditLog, AuditRecord, AuditTarget,
};
use slimrmm_domain::list::Page;
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::query_error;
use crate::schema::audit_log;
use crate::sql::{contains_pattern, load_page, prefix_pattern, sorted};

/// The `AuditLog` port on PostgreSQL.
#[derive(Clone)]
pub struct PgAuditLog {
    db: Database,
}

impl PgAuditLog {
    /// Over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(Pg))]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    source_ip: Option<String>,
    success: bool,
    details: Value,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: AuditId(row.id),
            at: row.at,
            actor: row.actor_id.map(UserId),
            actor_name: row.actor_name,
            action: row.action,
            target: row
                .target_kind
                .zip(row.target_id)
                .map(|(kind, id)| AuditTarget { kind, id }),
            source_ip: row.source_ip.and_then(|ip| ip.parse().ok()),
            success: row.success,
            details: row.details,
        }
    }
}

fn filtered(query: &AuditListQuery) -> audit_log::BoxedQuery<'static, Pg> {
    let filter = &query.filter;
    let mut selection = audit_log::table.into_boxed();
    if let Some(actor) = filter.actor {
        selection = selection.filter(audit_log::actor_id.eq(actor.0));
    }
    if let Some(action) = &filter.action {
        selection = if action.ends_with('.') {
            selection.filter(audit_log::action.like(prefix_pattern(action)))
        } else {
            selection.filter(audit_log::action.eq(action.clone()))
        };
    }
    if let Some(kind) = &filter.target_kind {
        selection = selection.filter(audit_log::target_kind.eq(kind.clone()));
    }
    if let Some(id) = &filter.target_id {
        selection = selection.filter(audit_log::target_id.eq(id.clone()));
    }
    if let Some(success) = filter.success {
        selection = selection.filter(audit_log::success.eq(success));
    }
    if let Some(since) = filter.since {
        selection = selection.filter(audit_log::at.ge(since));
    }
    if let Some(until) = filter.until {
        selection = selection.filter(audit_log::at.lt(until));
    }
    if let Some(term) = &query.search {
        let pattern = contains_pattern(term.as_str());
        selection = selection.filter(
            audit_log::actor_name
                .ilike(pattern.clone())
                .or(audit_log::action.ilike(pattern.clone()))
                .or(audit_log::target_id.ilike(pattern)),
        );
    }
    selection
}

fn bounded(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|text| text.chars().take(max).collect())
}

#[async_trait]
impl AuditLog for PgAuditLog {
    async fn append(&self, record: &AuditRecord, at: DateTime<Utc>) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let target = record.target.as_ref();
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(at),
                audit_log::actor_id.eq(record.actor.map(|actor| actor.0)),
                audit_log::actor_name.eq(bounded(record.actor_name.as_deref(), 128)),
                audit_log::action.eq(record.action),
                audit_log::target_kind.eq(bounded(target.map(|t| t.kind.as_str()), 32)),
                audit_log::target_id.eq(bounded(target.map(|t| t.id.as_str()), 128)),
                audit_log::source_ip.eq(record.source_ip.map(|ip| ip.to_string())),
                audit_log::success.eq(record.success),
                audit_log::details.eq(match &record.details {
                    Value::Null => Value::Object(Default::default()),
                    details => details.clone(),
                }),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }

    async fn list(&self, query: &AuditListQuery) -> Result<Page<AuditEntry>, PortError> {
        let mut conn = self.db.conn().await?;
        let ordered = sorted!(
            filtered(query),
            query.sort_order,
            audit_log::at,
            audit_log::id
        )
        .select(AuditRow::as_select());
        let page = load_page(&mut conn, query.page, filtered(query).count(), ordered).await?;
        Ok(page.map(AuditEntry::from))
    }
}
