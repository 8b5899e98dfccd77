use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::{
    DeliveryStatus, DeliveryView, NotificationId, OutboxEntry, OutboxListQuery,
};

use crate::Database;
use crate::error::{corrupt, query_error};
use crate::schema::{notification_deliveries, notifications};
use crate::sql::{load_page, sorted};

fn filtered(query: &OutboxListQuery) -> notifications::BoxedQuery<'static, Pg> {
    let mut selection = notifications::table.into_boxed();
    if let Some(kind) = query.filter.kind {
        selection = selection.filter(notifications::kind.eq(kind.as_str()));
    }
    if let Some(status) = query.filter.status {
        selection = selection.filter(diesel::dsl::exists(
            notification_deliveries::table.filter(
                notification_deliveries::notification_id
                    .eq(notifications::id)
                    .and(notification_deliveries::status.eq(status.as_str())),
            ),
        ));
    }
    selection
}

type EntryRow = (
    i64,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);
type DeliveryRow = (
    i64,
    String,
    String,
    i32,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn status(name: &str) -> Result<DeliveryStatus, PortError> {
    match name {
        "pending" => Ok(DeliveryStatus::Pending),
        "sent" => Ok(DeliveryStatus::Sent),
        "dead" => Ok(DeliveryStatus::Dead),
        other => Err(corrupt("delivery status", other)),
    }
}

pub(super) async fn list(
    db: &Database,
    query: &OutboxListQuery,
) -> Result<Page<OutboxEntry>, PortError> {
    let mut conn = db.conn().await?;
    let ordered = sorted!(
        filtered(query),
        query.sort_order,
        notifications::created_at,
        notifications::id
    )
    .select((
        notifications::id,
        notifications::kind,
        notifications::severity,
        notifications::summary,
        notifications::created_at,
        notifications::routed_at,
    ));
    let page: Page<EntryRow> =
        load_page(&mut conn, query.page, filtered(query).count(), ordered).await?;
    let ids: Vec<i64> = page.items.iter().map(|row| row.0).collect();
    let deliveries: Vec<DeliveryRow> = notification_deliveries::table
        .filter(notification_deliveries::notification_id.eq_any(&ids))
        .order(notification_deliveries::id.asc())
        .select((
            notification_deliveries::notification_id,
            notification_deliveries::channel,
            notification_deliveries::status,
            notification_deliveries::attempts,
            notification_deliveries::last_error,
            notification_deliveries::next_attempt_at,
            notification_deliveries::sent_at,
        ))
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    let mut by_notification: HashMap<i64, Vec<DeliveryView>> = HashMap::new();
    for (notification, channel, state, attempts, last_error, next_attempt_at, sent_at) in deliveries
    {
        let status = status(&state)?;
        by_notification
            .entry(notification)
            .or_default()
            .push(DeliveryView {
                channel: channel.parse().map_err(|e: String| corrupt("channel", e))?,
                status,
                attempts: attempts.unsigned_abs(),
                last_error,
                next_attempt_at: (status == DeliveryStatus::Pending).then_some(next_attempt_at),
                sent_at,
            });
    }
    page.try_map(|(id, kind, severity, summary, created_at, routed_at)| {
        Ok(OutboxEntry {
            id: NotificationId(id),
            kind: kind
                .parse()
                .map_err(|e: String| corrupt("notification kind", e))?,
            severity: severity
                .parse()
                .map_err(|e: String| corrupt("severity", e))?,
            summary,
            created_at,
            routed_at,
            deliveries: by_notification.remove(&id).unwrap_or_default(),
        })
    })
}
