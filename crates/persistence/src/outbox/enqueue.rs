use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::notification::Notification;
use slimrmm_domain::sealer::SecretSealer;

use super::payload::{RESET_TOKEN, to_stored};
use crate::schema::notifications;

#[derive(Insertable)]
#[diesel(table_name = notifications)]
struct NewRow {
    kind: &'static str,
    severity: &'static str,
    summary: String,
    payload: serde_json::Value,
    secret: Option<Vec<u8>>,
    created_at: chrono::DateTime<Utc>,
}

/// Writes notifications to the outbox on a connection the caller holds, inside the
/// transaction that records what they are about. A secret (a password-reset token) needs
/// `sealer`; without one the write fails rather than store it in the clear.
pub(crate) async fn enqueue(
    conn: &mut AsyncPgConnection,
    notifications: &[Notification],
    sealer: Option<&dyn SecretSealer>,
) -> QueryResult<()> {
    if notifications.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::with_capacity(notifications.len());
    for notification in notifications {
        let (payload, secret) = to_stored(notification);
        let secret = match (secret, sealer) {
            (None, _) => None,
            (Some(secret), Some(sealer)) => Some(sealer.seal(secret.as_bytes(), RESET_TOKEN)),
            (Some(_), None) => {
                return Err(diesel::result::Error::QueryBuilderError(
                    "a notification with a secret needs a sealer".into(),
                ));
            }
        };
        rows.push(NewRow {
            kind: notification.kind().as_str(),
            severity: notification.severity().as_str(),
            summary: notification.summary(),
            payload,
            secret,
            created_at: now,
        });
    }
    for chunk in rows.chunks(1000) {
        diesel::insert_into(notifications::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}
