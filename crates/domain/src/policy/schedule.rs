use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use super::MaintenanceWindow;
use crate::InvalidField;

/// Slots further away than this count as "never".
const HORIZON: TimeDelta = TimeDelta::days(5 * 366);
/// A bound on the search, whatever the pattern.
const MAX_STEPS: usize = 10_000;

/// When a policy runs by itself: a five-field cron expression (minute hour day-of-month month
/// day-of-week; names like `MON` and `@daily` work) read in an IANA time zone.
#[derive(Clone)]
pub struct Schedule {
    cron: Cron,
    expression: String,
    timezone: Tz,
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Schedule({:?} in {})",
            self.expression,
            self.timezone.name()
        )
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression && self.timezone == other.timezone
    }
}

impl Schedule {
    /// Reads the expression and the zone; fields are named under `field`.
    pub fn parse(field: &str, expression: &str, timezone: &str) -> Result<Self, Vec<InvalidField>> {
        let mut errors = Vec::new();
        let expression = expression.split_whitespace().collect::<Vec<_>>().join(" ");
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(&expression)
            .map_err(|error| {
                errors.push(InvalidField::new(
                    format!("{field}.cron"),
                    format!("is not a five-field cron expression: {error}"),
                ))
            })
            .ok();
        let zone = timezone
            .trim()
            .parse::<Tz>()
            .map_err(|_| {
                errors.push(InvalidField::new(
                    format!("{field}.timezone"),
                    "must be an IANA time zone such as Europe/Berlin or UTC",
                ))
            })
            .ok();
        match (cron, zone) {
            (Some(cron), Some(timezone)) => Ok(Self {
                cron,
                expression,
                timezone,
            }),
            _ => Err(errors),
        }
    }

    /// The cron expression.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The time zone's name.
    pub fn timezone(&self) -> &'static str {
        self.timezone.name()
    }

    fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.timezone)
    }

    /// The wall-clock time in the schedule's zone at `at`.
    pub(crate) fn wall_clock(&self, at: DateTime<Utc>) -> NaiveDateTime {
        self.local(at).naive_local()
    }

    /// A wall-clock time in the schedule's zone as an instant (a time skipped by a
    /// daylight-saving change moves on by the gap).
    pub(crate) fn instant_of(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.instant(local).map(|at| at.with_timezone(&Utc))
    }

    /// A local wall-clock time as an instant; a time skipped by a daylight-saving change
    /// moves on by the gap.
    fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Tz>> {
        (0..=3).find_map(|hours| {
            match self
                .timezone
                .from_local_datetime(&(local + TimeDelta::hours(hours)))
            {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
                LocalResult::None => None,
            }
        })
    }

    /// The first slot strictly after `after` that lies inside `window` (when given); `None`
    /// when there is none within five years.
    pub fn next_slot(
        &self,
        after: DateTime<Utc>,
        window: Option<&MaintenanceWindow>,
    ) -> Option<DateTime<Utc>> {
        let mut from = self.local(after);
        let mut inclusive = false;
        for _ in 0..MAX_STEPS {
            let slot = self.cron.find_next_occurrence(&from, inclusive).ok()?;
            let utc = slot.with_timezone(&Utc);
            if utc - after > HORIZON {
                return None;
            }
            let Some(window) = window else {
                return Some(utc);
            };
            if window.contains(slot.naive_local()) {
                return Some(utc);
            }
            from = self.instant(window.next_opening(slot.naive_local()))?;
            if from <= slot {
                from = slot;
                inclusive = false;
            } else {
                inclusive = true;
            }
        }
        None
    }

    /// The latest slot in `[since, now]` inside `window` (when given).
    pub fn latest_slot(
        &self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        window: Option<&MaintenanceWindow>,
    ) -> Option<DateTime<Utc>> {
        let mut from = self.local(now);
        let mut inclusive = true;
        for _ in 0..MAX_STEPS {
            let slot = self.cron.find_previous_occurrence(&from, inclusive).ok()?;
            if slot.with_timezone(&Utc) < since {
                return None;
            }
            if window.is_none_or(|window| window.contains(slot.naive_local())) {
                return Some(slot.with_timezone(&Utc));
            }
            from = slot;
            inclusive = false;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn schedule(cron: &str, zone: &str) -> Schedule {
        Schedule::parse("schedule", cron, zone).unwrap()
    }

    #[test]
    fn slots_are_read_in_the_time_zone() {
        let nightly = schedule("0 2 * * *", "Europe/Berlin");
        // 02:00 in Berlin is 01:00 UTC in winter.
        assert_eq!(
            nightly.next_slot(utc("2026-11-27T12:00:00Z"), None),
            Some(utc("2026-11-28T01:00:00Z"))
        );
        let hourly = schedule("@hourly", "UTC");
        assert_eq!(
            hourly.next_slot(utc("2026-11-27T12:00:00Z"), None),
            Some(utc("2026-11-27T13:00:00Z")),
            "strictly after"
        );
    }

    #[test]
    fn a_window_moves_slots_into_it() {
        let hourly = schedule("0 * * * *", "UTC");
        let days: Vec<String> = vec!["sat".into()];
        let window = MaintenanceWindow::parse("w", &days, "01:30", "03:30").unwrap();
        // Friday noon: the next hourly slot inside Saturday 01:30-03:30 is Saturday 02:00.
        assert_eq!(
            hourly.next_slot(utc("2026-11-27T12:00:00Z"), Some(&window)),
            Some(utc("2026-11-28T02:00:00Z"))
        );
        let never = schedule("0 12 * * *", "UTC");
        assert_eq!(
            never.next_slot(utc("2026-11-27T12:00:00Z"), Some(&window)),
            None
        );
    }

    #[test]
    fn the_latest_missed_slot_is_found_within_the_grace() {
        let hourly = schedule("0 * * * *", "UTC");
        let now = utc("2026-11-27T12:40:00Z");
        assert_eq!(
            hourly.latest_slot(now, now - TimeDelta::hours(1), None),
            Some(utc("2026-11-27T12:00:00Z"))
        );
        let daily = schedule("0 3 * * *", "UTC");
        assert_eq!(
            daily.latest_slot(now, now - TimeDelta::hours(1), None),
            None
        );
    }

    #[test]
    fn bad_expressions_and_zones_name_their_fields() {
        let errors = Schedule::parse("schedule", "61 * * * *", "Mars/Olympus").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["schedule.cron", "schedule.timezone"]);
        assert!(
            Schedule::parse("s", "0 0 * * * *", "UTC").is_err(),
            "no seconds field"
        );
    }
}
