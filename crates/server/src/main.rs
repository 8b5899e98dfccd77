use clap::Parser;
use slimrmm_server::config::{Cli, Command};
use slimrmm_server::{commands, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = cli.config.normalized();
    if let Err(problem) = config.check() {
        eprintln!("error: {problem}");
        std::process::exit(2);
    }
    telemetry::init(&config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve::run(config).await,
        Command::Migrate => commands::migrate::run(config).await,
        Command::User(command) => commands::user::run(config, command).await,
        Command::Tls(command) => commands::tls::run(config, command).await,
    }
}
