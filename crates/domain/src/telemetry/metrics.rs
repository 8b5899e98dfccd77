use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::PortError;
use crate::agent::AgentId;

/// The bucket size of a metric series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// One minute (as stored).
    OneMinute,
    /// Five minutes.
    FiveMinutes,
    /// One hour.
    OneHour,
}

impl Resolution {
    /// Parses `1m`, `5m` or `1h`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "1m" => Some(Self::OneMinute),
            "5m" => Some(Self::FiveMinutes),
            "1h" => Some(Self::OneHour),
            _ => None,
        }
    }

    /// The bucket length.
    pub fn bucket(self) -> TimeDelta {
        match self {
            Self::OneMinute => TimeDelta::minutes(1),
            Self::FiveMinutes => TimeDelta::minutes(5),
            Self::OneHour => TimeDelta::hours(1),
        }
    }
}

/// At most this many points per request.
const MAX_POINTS: i64 = 10_080;

/// A request for a metric series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsRequest {
    /// From (default: 1 hour, 1 day or 1 week of buckets before `to`, by resolution).
    pub from: Option<DateTime<Utc>>,
    /// To (default: now).
    pub to: Option<DateTime<Utc>>,
    /// Bucket size.
    pub resolution: Resolution,
}

impl MetricsRequest {
    /// The window `[from, to)`, checked.
    pub(crate) fn window(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), MetricsError> {
        let to = self.to.unwrap_or(now);
        let default_span = match self.resolution {
            Resolution::OneMinute => TimeDelta::hours(1),
            Resolution::FiveMinutes => TimeDelta::days(1),
            Resolution::OneHour => TimeDelta::days(7),
        };
        if !self.from.is_none_or(crate::clock::in_range) || !crate::clock::in_range(to) {
            return Err(MetricsError::InvalidWindow(
                "from and to must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
            ));
        }
        let from = self.from.unwrap_or(to - default_span);
        if from >= to {
            return Err(MetricsError::InvalidWindow("from must be before to"));
        }
        if (to - from).num_seconds() / self.resolution.bucket().num_seconds() > MAX_POINTS {
            return Err(MetricsError::InvalidWindow(
                "too many points: shorten the window or use a coarser resolution (at most 10080)",
            ));
        }
        Ok((from, to))
    }
}

/// One disk in one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskPoint {
    /// Where it is mounted.
    pub mountpoint: String,
    /// Average percent used.
    pub used_avg: f64,
    /// Highest percent used.
    pub used_max: f64,
}

/// One bucket of a metric series.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// The bucket's start.
    pub at: DateTime<Utc>,
    /// Average CPU percent.
    pub cpu_avg: Option<f64>,
    /// Highest CPU percent.
    pub cpu_max: Option<f64>,
    /// Average memory percent.
    pub memory_avg: Option<f64>,
    /// Highest memory percent.
    pub memory_max: Option<f64>,
    /// Disks.
    pub disks: Vec<DiskPoint>,
}

/// Why a metric series could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The caller may not read agents.
    #[error("you may not read agents")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    AgentNotFound,
    /// `from` is not before `to`, or the window holds more than 10,080 points at the
    /// requested resolution.
    #[error("{0}")]
    InvalidWindow(&'static str),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Where metric history is kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MetricsRepository: Send + Sync {
    /// Buckets of `resolution` in `[from, to)` that have samples, oldest first.
    async fn series(
        &self,
        agent: AgentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        resolution: Resolution,
    ) -> Result<Vec<MetricPoint>, PortError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::t0;

    #[test]
    fn windows_default_by_resolution_and_are_bounded() {
        let request = |from, to, resolution| MetricsRequest {
            from,
            to,
            resolution,
        };
        let (from, to) = request(None, None, Resolution::FiveMinutes)
            .window(t0())
            .unwrap();
        assert_eq!((to, to - from), (t0(), TimeDelta::days(1)));
        assert!(
            request(Some(t0()), Some(t0()), Resolution::OneMinute)
                .window(t0())
                .is_err()
        );
        let month = request(
            Some(t0() - TimeDelta::days(30)),
            None,
            Resolution::OneMinute,
        );
        assert!(month.window(t0()).is_err());
        let month = request(Some(t0() - TimeDelta::days(30)), None, Resolution::OneHour);
        assert!(month.window(t0()).is_ok());
    }
}
