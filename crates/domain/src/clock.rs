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

/// The earliest instant a caller may name (a filter bound, an expiry): 1970-01-01.
pub const EARLIEST: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// The latest instant a caller may name: the end of 9999, within what every store holds.
pub fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether a caller-supplied instant is one the server can store and compute with.
pub fn in_range(at: DateTime<Utc>) -> bool {
    EARLIEST <= at && at <= latest()
}

/// Why such an instant is refused.
pub const OUT_OF_RANGE: &str = "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z";
