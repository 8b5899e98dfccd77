use super::*;

fn parse(action: &str, params: Value) -> Result<Command, CommandError> {
    Command::parse(action, Some(&params))
}

#[test]
fn parameters_are_typed_bounded_and_defaulted() {
    assert_eq!(
        parse("restart", json!({})),
        Ok(Command::Restart {
            force: false,
            delay: 0
        })
    );
    assert_eq!(
        parse("shutdown", json!({"force": true, "delay": 60})),
        Ok(Command::Shutdown {
            force: true,
            delay: 60
        })
    );
    assert_eq!(
        parse("pull_logs", json!({})).unwrap().params(),
        json!({"limit": 1000})
    );
    assert!(parse("restart", json!({})).unwrap().is_mutating());
    assert!(!parse("ping", json!({})).unwrap().is_mutating());
    assert!(
        parse("custom_command", json!({"command": "uptime"}))
            .unwrap()
            .is_mutating()
    );
}

#[test]
fn refusals_name_the_parameter() {
    let field = |result: Result<Command, CommandError>| match result {
        Err(CommandError::Param { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(parse("restart", json!({"delay": -1}))),
        "params.delay"
    );
    assert_eq!(field(parse("ping", json!({"x": 1}))), "params.x");
    assert_eq!(
        field(parse("start_service", json!({"name": "a b"}))),
        "params.name"
    );
    assert_eq!(
        field(parse("set_maintenance_mode", json!({}))),
        "params.enabled"
    );
    assert_eq!(
        field(parse("custom_command", json!({"command": "ls; rm -rf /"}))),
        "params.command"
    );
    assert_eq!(
        field(parse("pull_logs", json!({"after_timestamp": "yesterday"}))),
        "params.after_timestamp"
    );
    assert_eq!(field(Command::parse("ping", Some(&json!([1])))), "params");
    assert_eq!(
        parse("format_disk", json!({})),
        Err(CommandError::UnknownAction)
    );
    assert!(
        CommandError::UnknownAction
            .to_string()
            .contains("ping, restart")
    );
}

#[test]
fn numbers_at_every_extreme_are_refused_by_name_never_wrapped() {
    let extremes = [
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(u64::from(u32::MAX) + 1),
        json!(-1),
        json!(1.5),
        json!(1e308),
        json!("7"),
    ];
    for (action, name) in [
        ("restart", "delay"),
        ("shutdown", "delay"),
        ("custom_command", "timeout"),
        ("pull_logs", "limit"),
    ] {
        for value in &extremes {
            let mut params = if action == "custom_command" {
                json!({"command": "uptime"})
            } else {
                json!({})
            };
            params[name] = value.clone();
            match parse(action, params) {
                Err(CommandError::Param { field, .. }) => {
                    assert_eq!(field, format!("params.{name}"), "{action} {value}")
                }
                other => panic!("{action} with {name} = {value}: {other:?}"),
            }
        }
    }
}

#[test]
fn answer_deadlines_follow_the_agents_handler_timeouts() {
    assert_eq!(Command::Ping.answer_within(), TimeDelta::seconds(45));
    let long = Command::CustomCommand {
        command: "uptime".into(),
        timeout: 300,
    };
    assert_eq!(long.answer_within(), TimeDelta::seconds(315));
}

#[test]
fn every_row_of_the_catalogue_parses_and_names_itself() {
    for spec in Command::CATALOGUE {
        let params = match spec.name {
            "custom_command" => json!({"command": "uptime"}),
            "start_service" | "stop_service" | "restart_service" => json!({"name": "nginx"}),
            "set_maintenance_mode" => json!({"enabled": true}),
            _ => json!({}),
        };
        let command = Command::parse(spec.name, Some(&params)).unwrap();
        assert_eq!(command.action(), spec.name);
        assert_eq!(command.is_mutating(), spec.mutating, "{}", spec.name);
        let extra = json!({"unknown": 1});
        assert!(
            Command::parse(spec.name, Some(&extra)).is_err(),
            "{}",
            spec.name
        );
    }
}
