use super::*;

fn now() -> DateTime<Utc> {
    "2026-11-27T12:00:00Z".parse().unwrap()
}

fn input() -> PolicyInput {
    PolicyInput {
        name: "Weekly patching".into(),
        description: None,
        enabled: true,
        targets: TargetsInput {
            tags: vec!["servers".into()],
            ..TargetsInput::default()
        },
        categories: None,
        reboot: None,
        schedule: Some(ScheduleInput {
            cron: "0 3 * * SUN".into(),
            timezone: "Europe/Berlin".into(),
        }),
        maintenance_window: None,
        timeout_seconds: None,
    }
}

fn fields(input: &PolicyInput) -> Vec<String> {
    input
        .check(now())
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn defaults_are_all_categories_no_reboot_and_ten_minutes() {
    let policy = input().check(now()).unwrap();
    assert_eq!(policy.categories.len(), 3);
    assert!(!policy.reboot.sent_enabled());
    assert_eq!(policy.timeout_seconds, 600);
    let round_trip = PolicyInput::from(&policy).check(now()).unwrap();
    assert_eq!(round_trip, policy);
}

#[test]
fn every_invalid_field_is_named() {
    let bad = PolicyInput {
        name: String::new(),
        targets: TargetsInput {
            all: true,
            tags: vec!["ok".into(), "not ok".into()],
            os: vec!["beos".into()],
            ..TargetsInput::default()
        },
        categories: Some(vec!["security".into(), "drivers".into()]),
        reboot: Some(RebootInput {
            enabled: true,
            condition: "sometimes".into(),
            delay_minutes: -1,
            notify_user: true,
        }),
        schedule: Some(ScheduleInput {
            cron: "every day".into(),
            timezone: "UTC".into(),
        }),
        timeout_seconds: Some(30),
        ..input()
    };
    assert_eq!(
        fields(&bad),
        vec![
            "name",
            "targets.tags[1]",
            "targets.os[0]",
            "targets.all",
            "categories[1]",
            "reboot.condition",
            "reboot.delay_minutes",
            "schedule.cron",
            "timeout_seconds",
        ]
    );
    let nothing = PolicyInput {
        targets: TargetsInput::default(),
        ..input()
    };
    assert_eq!(fields(&nothing), vec!["targets"]);
}

#[test]
fn a_window_needs_a_schedule_that_fires_inside_it() {
    let window = WindowInput {
        days: vec!["sat".into()],
        start: "01:00".into(),
        end: "05:00".into(),
    };
    let unscheduled = PolicyInput {
        schedule: None,
        maintenance_window: Some(window.clone()),
        ..input()
    };
    assert_eq!(fields(&unscheduled), vec!["maintenance_window"]);
    // Sundays at 03:00 never fall inside a Saturday window.
    let never = PolicyInput {
        maintenance_window: Some(window),
        ..input()
    };
    assert_eq!(fields(&never), vec!["schedule.cron"]);
}

#[test]
fn changes_replace_whole_fields() {
    let current = input().check(now()).unwrap();
    let changes = PolicyChanges {
        enabled: Some(false),
        schedule: Some(None),
        ..PolicyChanges::default()
    };
    let changed = changes.apply(&current).check(now()).unwrap();
    assert!(!changed.enabled);
    assert_eq!(changed.schedule, None);
    assert_eq!(changed.targets, current.targets);
}
