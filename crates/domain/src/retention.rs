//! How long what can no longer matter is kept, and the housekeeping that removes it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::PortError;
use crate::clock::Clock;

/// How long each kind of row outlives its use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Expired sessions (their tokens cannot pass verification anyway): a day.
    pub expired_sessions: TimeDelta,
    /// Revoked sessions, kept for a clear `TOKEN_REVOKED` and for audit: a week.
    pub revoked_sessions: TimeDelta,
    /// Expired password-reset tokens: a day.
    pub expired_resets: TimeDelta,
    /// Metric samples (`SLIMRMM_METRICS_RETENTION_DAYS`, 30 days by default).
    pub metrics: TimeDelta,
    /// Notifications done with (routed, nothing pending): 30 days.
    pub notifications: TimeDelta,
    /// Idempotency keys: [`crate::idempotency::RETENTION`].
    pub idempotency_keys: TimeDelta,
    /// Sign-in challenges past their expiry (used, locked or lapsed): a day.
    pub expired_challenges: TimeDelta,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            expired_sessions: TimeDelta::days(1),
            revoked_sessions: TimeDelta::days(7),
            expired_resets: TimeDelta::days(1),
            metrics: TimeDelta::days(30),
            notifications: TimeDelta::days(30),
            idempotency_keys: crate::idempotency::RETENTION,
            expired_challenges: TimeDelta::days(1),
        }
    }
}

impl Retention {
    /// The instants before which each kind of row goes, at `now`.
    pub fn cutoffs(&self, now: DateTime<Utc>) -> Cutoffs {
        Cutoffs {
            sessions_expired_before: now - self.expired_sessions,
            sessions_revoked_before: now - self.revoked_sessions,
            resets_expired_before: now - self.expired_resets,
            metrics_before: now - self.metrics,
            notifications_before: now - self.notifications,
            idempotency_keys_before: now - self.idempotency_keys,
            challenges_expired_before: now - self.expired_challenges,
        }
    }
}

/// What a purge removes: rows whose instant is before these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Sessions that expired before this.
    pub sessions_expired_before: DateTime<Utc>,
    /// Sessions revoked before this.
    pub sessions_revoked_before: DateTime<Utc>,
    /// Password-reset tokens that expired before this.
    pub resets_expired_before: DateTime<Utc>,
    /// Metric samples of minutes before this.
    pub metrics_before: DateTime<Utc>,
    /// Notifications done with and created before this.
    pub notifications_before: DateTime<Utc>,
    /// Idempotency keys created before this.
    pub idempotency_keys_before: DateTime<Utc>,
    /// Sign-in challenges that expired before this.
    pub challenges_expired_before: DateTime<Utc>,
}

/// How many rows a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sessions.
    pub sessions: usize,
    /// Password-reset tokens.
    pub password_resets: usize,
    /// Metric samples.
    pub metrics: usize,
    /// Notifications.
    pub notifications: usize,
    /// Idempotency keys.
    pub idempotency_keys: usize,
    /// Sign-in challenges.
    pub login_challenges: usize,
}

/// Where rows past their retention are removed (in slices, so that no statement runs long).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Purger: Send + Sync {
    /// Removes every row older than its cutoff.
    async fn purge(&self, cutoffs: &Cutoffs) -> Result<Purged, PortError>;
}

/// Housekeeping: keeps tables small over years of sign-ins and heartbeats.
#[derive(Clone)]
pub struct HousekeepingService {
    purger: Arc<dyn Purger>,
    clock: Arc<dyn Clock>,
    retention: Retention,
}

impl HousekeepingService {
    /// Builds the service.
    pub fn new(purger: Arc<dyn Purger>, clock: Arc<dyn Clock>, retention: Retention) -> Self {
        Self {
            purger,
            clock,
            retention,
        }
    }

    /// Removes what is past its retention now.
    pub async fn run(&self) -> Result<Purged, PortError> {
        let cutoffs = self.retention.cutoffs(self.clock.now());
        self.purger.purge(&cutoffs).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MockClock;
    use crate::fixtures::t0;

    #[tokio::test]
    async fn each_kind_goes_after_its_own_retention() {
        let mut purger = MockPurger::new();
        purger
            .expect_purge()
            .withf(|cutoffs| {
                cutoffs.sessions_expired_before == t0() - TimeDelta::days(1)
                    && cutoffs.sessions_revoked_before == t0() - TimeDelta::days(7)
                    && cutoffs.resets_expired_before == t0() - TimeDelta::days(1)
                    && cutoffs.metrics_before == t0() - TimeDelta::days(90)
                    && cutoffs.notifications_before == t0() - TimeDelta::days(30)
                    && cutoffs.idempotency_keys_before == t0() - TimeDelta::hours(24)
                    && cutoffs.challenges_expired_before == t0() - TimeDelta::days(1)
            })
            .times(1)
            .returning(|_| Ok(Purged::default()));
        let retention = Retention {
            metrics: TimeDelta::days(90),
            ..Retention::default()
        };
        let service = HousekeepingService::new(
            Arc::new(purger),
            Arc::new(MockClock::fixed(t0())),
            retention,
        );
        assert_eq!(service.run().await.unwrap(), Purged::default());
    }
}
