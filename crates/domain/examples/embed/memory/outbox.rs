//! The outbox and the integrations, stored in the [`MemoryDb`].

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::{
    Channel, Delivery, DeliveryId, DeliveryResult, DeliveryStatus, DeliveryView, Integration,
    IntegrationRepository, NotificationId, OutboxEntry, OutboxListQuery, OutboxRepository,
    OutboxSort, Unrouted,
};

use super::{DeliveryRow, MemoryDb, Tables, next, paginate, time};
use crate::prefix;

#[async_trait]
impl OutboxRepository for MemoryDb {
    async fn unrouted(&self, limit: u32) -> Result<Vec<Unrouted>, PortError> {
        let db = self.lock();
        Ok(db
            .notifications
            .iter()
            .filter(|row| row.routed_at.is_none())
            .take(limit as usize)
            .map(|row| Unrouted {
                id: row.id,
                notification: row.notification.clone(),
            })
            .collect())
    }

    async fn route(
        &self,
        id: NotificationId,
        channels: &[Channel],
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(row) = db
            .notifications
            .iter_mut()
            .find(|row| row.id == id && row.routed_at.is_none())
        else {
            return Ok(false);
        };
        row.routed_at = Some(now);
        for channel in channels {
            let delivery = DeliveryRow {
                id: DeliveryId(next(&mut db.ids.deliveries)),
                notification: id,
                channel: *channel,
                status: DeliveryStatus::Pending,
                attempts: 0,
                last_error: None,
                next_attempt_at: now,
                locked_until: None,
                sent_at: None,
            };
            db.deliveries.push(delivery);
        }
        Ok(true)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<Delivery>, PortError> {
        let mut db = self.lock();
        let Tables {
            deliveries,
            notifications,
            ..
        } = &mut *db;
        let mut due: Vec<&mut DeliveryRow> = deliveries
            .iter_mut()
            .filter(|d| d.status == DeliveryStatus::Pending && d.next_attempt_at <= now)
            .filter(|d| d.locked_until.is_none_or(|until| until <= now))
            .collect();
        due.sort_by_key(|d| (d.next_attempt_at, d.id));
        let mut claimed = Vec::new();
        for delivery in due.into_iter().take(limit as usize) {
            let Some(row) = notifications.iter().find(|n| n.id == delivery.notification) else {
                continue;
            };
            delivery.locked_until = Some(now + lease);
            claimed.push(Delivery {
                id: delivery.id,
                channel: delivery.channel,
                attempts: delivery.attempts,
                notification: row.notification.clone(),
            });
        }
        Ok(claimed)
    }

    async fn sent(&self, ids: &[DeliveryId], now: DateTime<Utc>) -> Result<(), PortError> {
        let mut db = self.lock();
        for delivery in &mut db.deliveries {
            if ids.contains(&delivery.id) && delivery.status == DeliveryStatus::Pending {
                delivery.status = DeliveryStatus::Sent;
                delivery.sent_at = Some(now);
                delivery.attempts += 1;
                delivery.locked_until = None;
                delivery.last_error = None;
            }
        }
        Ok(())
    }

    async fn failed(
        &self,
        ids: &[DeliveryId],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut db = self.lock();
        for delivery in &mut db.deliveries {
            if ids.contains(&delivery.id) && delivery.status == DeliveryStatus::Pending {
                delivery.attempts += 1;
                delivery.locked_until = None;
                delivery.last_error = Some(prefix(error, 2000));
                delivery.status = match retry_at {
                    Some(_) => DeliveryStatus::Pending,
                    None => DeliveryStatus::Dead,
                };
                delivery.next_attempt_at = retry_at.unwrap_or(now);
            }
        }
        Ok(())
    }

    async fn list(&self, query: &OutboxListQuery) -> Result<Page<OutboxEntry>, PortError> {
        let db = self.lock();
        let entries = db
            .notifications
            .iter()
            .filter(|row| {
                query
                    .filter
                    .kind
                    .is_none_or(|k| row.notification.kind() == k)
            })
            .map(|row| OutboxEntry {
                id: row.id,
                kind: row.notification.kind(),
                severity: row.notification.severity(),
                summary: row.notification.summary(),
                created_at: row.created_at,
                routed_at: row.routed_at,
                deliveries: db
                    .deliveries
                    .iter()
                    .filter(|d| d.notification == row.id)
                    .map(|d| DeliveryView {
                        channel: d.channel,
                        status: d.status,
                        attempts: d.attempts,
                        last_error: d.last_error.clone(),
                        next_attempt_at: (d.status == DeliveryStatus::Pending)
                            .then_some(d.next_attempt_at),
                        sent_at: d.sent_at,
                    })
                    .collect(),
            })
            .filter(|entry| {
                let status = query.filter.status;
                status.is_none_or(|s| entry.deliveries.iter().any(|d| d.status == s))
            })
            .collect();
        Ok(paginate(entries, query, |entry, sort| match sort {
            OutboxSort::CreatedAt => time(entry.created_at),
        }))
    }
}

#[async_trait]
impl IntegrationRepository for MemoryDb {
    async fn all(&self) -> Result<Vec<Integration>, PortError> {
        Ok(self.lock().integrations.clone())
    }

    async fn save(&self, integration: &Integration) -> Result<(), PortError> {
        let mut db = self.lock();
        db.integrations
            .retain(|stored| stored.channel() != integration.channel());
        db.integrations.push(integration.clone());
        Ok(())
    }

    async fn record_result(
        &self,
        channel: Channel,
        result: &DeliveryResult,
    ) -> Result<(), PortError> {
        let mut db = self.lock();
        for integration in &mut db.integrations {
            if integration.channel() == channel {
                integration.last_result = Some(result.clone());
            }
        }
        Ok(())
    }
}
