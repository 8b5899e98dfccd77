//! The command line and the settings, parsed as an operator would write them.

use std::path::PathBuf;

use clap::Parser;
use slimrmm_domain::enrollment::AgentAuthMode;

use super::parsers::default_data_dir;
use super::*;

#[test]
fn the_command_line_is_consistent() {
    use clap::CommandFactory;
    Cli::command().debug_assert();
}

#[test]
fn agent_auth_defaults_to_mtls_only_when_certificates_can_arrive() {
    let plain = Cli::parse_from(["slimrmm-server"]).config;
    assert_eq!(plain.agent_auth(), AgentAuthMode::Uuid);
    let proxied = Cli::parse_from([
        "slimrmm-server",
        "--client-cert-header",
        "X-Client-Cert",
        "--trusted-proxies",
        "10.0.0.0/8,127.0.0.1",
    ])
    .config;
    assert_eq!(proxied.agent_auth(), AgentAuthMode::Mtls);
    assert_eq!(proxied.trusted_proxies.len(), 2);
    let tls = Cli::parse_from([
        "slimrmm-server",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
        "--agent-auth",
        "uuid",
    ])
    .config;
    assert_eq!(tls.agent_auth(), AgentAuthMode::Uuid);
    let half = Cli::parse_from(["slimrmm-server", "--tls-cert", "c.pem"]).config;
    let refusal = half.check().unwrap_err();
    assert!(refusal.contains("SLIMRMM_TLS_KEY"), "{refusal}");
    assert!(Cli::try_parse_from(["slimrmm-server", "--trusted-proxies", "nope"]).is_err());
}

#[test]
fn addresses_may_be_host_names_and_budgets_are_explained() {
    let cli = Cli::parse_from(["slimrmm-server", "--bind", "localhost:8000"]);
    assert!(cli.config.bind.ip().is_loopback());
    assert_eq!(cli.config.bind.port(), 8000);
    let error = Cli::try_parse_from(["slimrmm-server", "--bind", "localhost"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("host:port"), "{error}");
    let error = Cli::try_parse_from(["slimrmm-server", "--rate-limit-per-minute", "0"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("at least 1 request per minute"), "{error}");
}

#[test]
fn the_data_directory_does_not_depend_on_the_working_directory() {
    assert_eq!(
        default_data_dir(None, Some("/home/ann".into()), false),
        PathBuf::from("/home/ann/.local/share/slimrmm")
    );
    assert_eq!(
        default_data_dir(Some("/xdg".into()), Some("/home/ann".into()), false),
        PathBuf::from("/xdg/slimrmm")
    );
    assert_eq!(
        default_data_dir(Some("relative".into()), Some("/home/ann".into()), false),
        PathBuf::from("/home/ann/.local/share/slimrmm")
    );
    assert_eq!(
        default_data_dir(None, Some("/root".into()), true),
        PathBuf::from("/var/lib/slimrmm")
    );
}

#[test]
fn subcommands_show_only_their_own_options() {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command.build();
    let help = command
        .find_subcommand_mut("user")
        .unwrap()
        .find_subcommand_mut("create")
        .unwrap()
        .render_long_help()
        .to_string();
    assert!(help.lines().count() < 80, "{help}");
    assert!(!help.contains("SLIMRMM_RATE_LIMIT_PER_MINUTE"), "{help}");
    assert!(help.contains("DATABASE_URL"), "{help}");
}

#[test]
fn flags_override_defaults() {
    let cli = Cli::parse_from([
        "slimrmm-server",
        "--bind",
        "0.0.0.0:9000",
        "--debug",
        "migrate",
    ]);
    assert!(matches!(cli.command, Some(Command::Migrate)));
    assert_eq!(cli.config.bind.port(), 9000);
    assert!(cli.config.debug);
}

#[test]
fn agents_get_nine_tenths_of_the_connections_unless_told() {
    let mut config = Config::defaults();
    config.max_connections = Some(1000);
    assert_eq!(config.max_agent_connections(), 900);
    config.max_agent_connections = Some(50);
    assert_eq!(config.max_agent_connections(), 50);
}
