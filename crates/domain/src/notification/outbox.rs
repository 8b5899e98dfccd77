//! The outbox: notifications written with the change that caused them, routed to channels,
//! delivered with retries.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use super::{Channel, Notification, NotificationKind, Severity};
use crate::PortError;
use crate::list::{ListQuery, Page};

/// A notification's id in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(pub i64);

/// One delivery's id (a notification through one channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub i64);

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A notification not yet routed to its channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrouted {
    /// Its id.
    pub id: NotificationId,
    /// What it says.
    pub notification: Notification,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id.
    pub id: DeliveryId,
    /// The channel.
    pub channel: Channel,
    /// Attempts before this one.
    pub attempts: u32,
    /// What to say.
    pub notification: Notification,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting (for its first attempt or a retry).
    Pending,
    /// Delivered.
    Sent,
    /// Given up on.
    Dead,
}

impl DeliveryStatus {
    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }
}

/// A delivery as the outbox list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryView {
    /// The channel.
    pub channel: Channel,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// The last error.
    pub last_error: Option<String>,
    /// The next attempt, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A notification as the outbox list shows it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Its id.
    pub id: NotificationId,
    /// Its kind.
    pub kind: NotificationKind,
    /// Its severity.
    pub severity: Severity,
    /// One line for people.
    pub summary: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was routed (none: not yet).
    pub routed_at: Option<DateTime<Utc>>,
    /// One per channel it was routed to (none: no channel wanted it).
    pub deliveries: Vec<DeliveryView>,
}

crate::sort_key! {
    /// The fields the outbox list can be sorted by.
    pub enum OutboxSort default CreatedAt {
        /// When it was written.
        CreatedAt => "created_at",
    }
}

/// Filters of the outbox list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxFilter {
    /// Only this kind.
    pub kind: Option<NotificationKind>,
    /// Only notifications with a delivery in this status.
    pub status: Option<DeliveryStatus>,
}

/// A request for one page of the outbox.
pub type OutboxListQuery = ListQuery<OutboxSort, OutboxFilter>;

/// Where the outbox is kept. Notifications are written by the repositories that record the
/// changes causing them, in the same transaction; this port routes and delivers them. Every
/// claim is exclusive across server processes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Notifications not yet routed, oldest first.
    async fn unrouted(&self, limit: u32) -> Result<Vec<Unrouted>, PortError>;

    /// Routes a notification to `channels` (one pending delivery each), if nobody routed it
    /// yet; false otherwise.
    async fn route(
        &self,
        id: NotificationId,
        channels: &[Channel],
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Claims due deliveries for `lease` (a worker that dies releases them when the lease
    /// runs out), oldest first.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<Delivery>, PortError>;

    /// Marks deliveries sent.
    async fn sent(&self, ids: &[DeliveryId], now: DateTime<Utc>) -> Result<(), PortError>;

    /// Counts a failed attempt: retried at `retry_at`, or dead when `None`.
    async fn failed(
        &self,
        ids: &[DeliveryId],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// One page of the outbox.
    async fn list(&self, query: &OutboxListQuery) -> Result<Page<OutboxEntry>, PortError>;
}

/// Backoff between attempts: `base` doubled per attempt, at most `max`.
pub(crate) fn backoff(attempts: u32, base: TimeDelta, max: TimeDelta) -> TimeDelta {
    let factor = 2_i32.saturating_pow(attempts.min(20));
    (base * factor).min(max)
}
