//! The time port.

use chrono::{DateTime, Utc};

/// Where the use cases read the current time, so tests can fix it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[cfg(any(test, feature = "mocks"))]
impl MockClock {
    /// A clock that always answers `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        let mut clock = Self::new();
        clock.expect_now().return_const(at);
        clock
    }
}
