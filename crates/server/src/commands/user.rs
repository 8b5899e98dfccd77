use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use slimrmm_auth::Argon2Hasher;
use slimrmm_domain::user::{CreateUserRequest, Email, FullName, Password, Role, Username};

use crate::config::{Config, CreateUser, RoleArg, UserCommand};
use crate::wiring;

/// Runs a `user` subcommand with the server's own authority.
pub async fn run(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create(args) = command;
    let request = request(args)?;
    let db = wiring::prepare_database(&config).await?;
    let users = wiring::user_service(&db, Arc::new(Argon2Hasher::new()?));
    let user = users
        .provision(request)
        .await
        .context("creating the user")?;
    println!(
        "created user '{}' (id {}, role {})",
        user.username, user.id, user.role
    );
    Ok(())
}

fn request(args: CreateUser) -> anyhow::Result<CreateUserRequest> {
    let field = |name: &str, error: &dyn std::fmt::Display| anyhow::anyhow!("--{name} {error}");
    Ok(CreateUserRequest {
        username: Username::parse(&args.username).map_err(|e| field("username", &e))?,
        email: args
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| field("email", &e))?,
        full_name: args
            .full_name
            .as_deref()
            .map(FullName::parse)
            .transpose()
            .map_err(|e| field("full-name", &e))?,
        role: match args.role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Technician => Role::Technician,
            RoleArg::Viewer => Role::Viewer,
        },
        is_active: true,
        password: Password::parse(args.password.expose_secret())
            .map_err(|e| field("password", &e))?,
    })
}
