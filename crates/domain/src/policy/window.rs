use chrono::{Datelike, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

use crate::InvalidField;

const DAY_NAMES: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// The short name of a weekday (`mon` ... `sun`).
pub fn day_name(day: Weekday) -> &'static str {
    DAY_NAMES
        .iter()
        .find(|(_, d)| *d == day)
        .map(|(name, _)| *name)
        .unwrap_or("mon")
}

/// When a schedule may fire: from `start` to `end` (local time of the schedule's zone) on the
/// given days, or every day. An `end` before `start` runs past midnight into the next day
/// (`22:00`–`04:00` opened on Monday covers Tuesday 03:00).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceWindow {
    days: Vec<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
}

fn time(field: &str, raw: &str, errors: &mut Vec<InvalidField>) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| errors.push(InvalidField::new(field, "must be a time as HH:MM (24 h)")))
        .ok()
}

impl MaintenanceWindow {
    /// The days it opens on (sorted, without repeats); empty: every day.
    pub fn days(&self) -> &[Weekday] {
        &self.days
    }

    /// When it opens.
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// When it closes (never equal to [`start`](Self::start)).
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Reads days (`mon` ... `sun`) and `HH:MM` times; fields are named under `field`.
    pub fn parse(
        field: &str,
        days: &[String],
        start: &str,
        end: &str,
    ) -> Result<Self, Vec<InvalidField>> {
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for (index, raw) in days.iter().enumerate() {
            match raw.trim().parse::<Weekday>() {
                Ok(day) => parsed.push(day),
                Err(_) => errors.push(InvalidField::new(
                    format!("{field}.days[{index}]"),
                    "must be a weekday (mon ... sun)",
                )),
            }
        }
        parsed.sort_by_key(Weekday::num_days_from_monday);
        parsed.dedup();
        let start = time(&format!("{field}.start"), start, &mut errors);
        let end = time(&format!("{field}.end"), end, &mut errors);
        if let (Some(start), Some(end)) = (start, end)
            && start == end
        {
            errors.push(InvalidField::new(
                format!("{field}.end"),
                "must differ from start",
            ));
        }
        match (start, end) {
            (Some(start), Some(end)) if errors.is_empty() => Ok(Self {
                days: parsed,
                start,
                end,
            }),
            _ => Err(errors),
        }
    }

    fn opens_on(&self, day: Weekday) -> bool {
        self.days.is_empty() || self.days.contains(&day)
    }

    /// Whether a local time lies inside the window.
    pub fn contains(&self, local: NaiveDateTime) -> bool {
        let (day, at) = (local.weekday(), local.time());
        if self.start < self.end {
            self.opens_on(day) && self.start <= at && at < self.end
        } else {
            (self.opens_on(day) && at >= self.start) || (self.opens_on(day.pred()) && at < self.end)
        }
    }

    /// When the window that is open at `local` closes.
    pub(crate) fn closing_after(&self, local: NaiveDateTime) -> NaiveDateTime {
        let today = local.date().and_time(self.end);
        if today > local {
            today
        } else {
            today + TimeDelta::days(1)
        }
    }

    /// The first opening at or after `after` (local time).
    pub(crate) fn next_opening(&self, after: NaiveDateTime) -> NaiveDateTime {
        (0..=7)
            .map(|offset| after.date() + TimeDelta::days(offset))
            .filter(|date| self.opens_on(date.weekday()))
            .map(|date| date.and_time(self.start))
            .find(|opening| *opening >= after)
            .unwrap_or(after + TimeDelta::days(7))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// `days` after Monday 2026-11-30.
    fn at(days: i64, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
            + TimeDelta::days(days)
    }

    fn window(days: &[&str], start: &str, end: &str) -> MaintenanceWindow {
        let days: Vec<String> = days.iter().map(|d| (*d).to_owned()).collect();
        MaintenanceWindow::parse("maintenance_window", &days, start, end).unwrap()
    }

    #[test]
    fn same_day_and_overnight_windows() {
        let night = window(&["mon"], "22:00", "04:00");
        assert!(night.contains(at(0, 23, 0)));
        assert!(
            night.contains(at(1, 3, 59)),
            "Tuesday morning belongs to Monday's window"
        );
        assert!(!night.contains(at(1, 4, 0)));
        assert!(!night.contains(at(1, 23, 0)), "Tuesday does not open");
        let office = window(&[], "09:00", "17:00");
        assert!(office.contains(at(2, 9, 0)));
        assert!(!office.contains(at(2, 17, 0)));
        assert_eq!(night.next_opening(at(1, 5, 0)), at(7, 22, 0));
        assert_eq!(night.closing_after(at(0, 23, 0)), at(1, 4, 0));
        assert_eq!(night.closing_after(at(1, 1, 0)), at(1, 4, 0));
        assert_eq!(office.next_opening(at(0, 8, 0)), at(0, 9, 0));
        assert_eq!(office.next_opening(at(0, 9, 30)), at(1, 9, 0));
    }

    #[test]
    fn bad_windows_name_their_fields() {
        let errors = MaintenanceWindow::parse(
            "maintenance_window",
            &["monday".into(), "funday".into()],
            "25:00",
            "04:00",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["maintenance_window.days[1]", "maintenance_window.start"]
        );
        let errors = MaintenanceWindow::parse("w", &[], "04:00", "04:00").unwrap_err();
        assert_eq!(errors[0].field, "w.end");
    }
}
