//! Notifications: what is worth telling people, the outbox it is written to with the change
//! that caused it, the integrations (SMTP, Pushover) it is delivered through, and the worker
//! that routes, groups, sends and retries.

mod admin;
mod delivery;
mod integration;
mod message;
mod model;
mod outbox;
mod transport;

pub use admin::{IntegrationError, IntegrationService, PushoverInput, SmtpInput, TestOutcome};
pub use delivery::{DeliveryReport, DeliveryService, DeliverySettings};
pub use integration::{
    Channel, ChannelConfig, DeliveryResult, Integration, IntegrationRepository, PushoverConfig,
    Routing, SmtpConfig, SmtpSecurity,
};
pub use message::Message;
pub(crate) use message::{render, test_message};
pub use model::{Notification, NotificationKind, Severity};
pub(crate) use outbox::backoff;
pub use outbox::{
    Delivery, DeliveryId, DeliveryStatus, DeliveryView, NotificationId, OutboxEntry, OutboxFilter,
    OutboxListQuery, OutboxRepository, OutboxSort, Unrouted,
};
pub use transport::{DeliveryError, Transport};

#[cfg(any(test, feature = "mocks"))]
pub use integration::MockIntegrationRepository;
#[cfg(any(test, feature = "mocks"))]
pub use outbox::MockOutboxRepository;
#[cfg(any(test, feature = "mocks"))]
pub use transport::MockTransport;
