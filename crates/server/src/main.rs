use clap::Parser;
use slimrmm_server::config::{Cli, Command};
use slimrmm_server::{commands, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(&cli.config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve::run(cli.config).await,
        Command::Migrate => commands::migrate::run(cli.config).await,
        Command::User(command) => commands::user::run(cli.config, command).await,
    }
}
