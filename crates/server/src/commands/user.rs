use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use slimrmm_auth::Argon2Hasher;
use slimrmm_domain::auth::reset_two_factor_as_operator;
use slimrmm_domain::user::{
    CreateUserRequest, Email, FullName, Password, Role, UserRepository, Username,
};
use slimrmm_persistence::{PgTwoFactorRepository, PgUserRepository};

use crate::config::{Config, CreateUser, ResetTwoFactor, RoleArg, UserCommand};
use crate::wiring;

/// Runs a `user` subcommand with the server's own authority.
pub async fn run(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let args = match command {
        UserCommand::Create(args) => args,
        UserCommand::ResetTwoFactor(args) => return reset_two_factor(config, args).await,
    };
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

async fn reset_two_factor(config: Config, args: ResetTwoFactor) -> anyhow::Result<()> {
    let username =
        Username::parse(&args.username).map_err(|error| anyhow::anyhow!("--username {error}"))?;
    let db = wiring::prepare_database(&config).await?;
    let user = PgUserRepository::new(db.clone())
        .find_credentials(&username)
        .await
        .context("looking the user up")?
        .ok_or_else(|| anyhow::anyhow!("no user is called '{username}'"))?
        .user;
    // Only what a deletion needs: the store of second factors (which opens with the master
    // key) and the audit log.
    let master = Arc::new(wiring::master_key(&config, &db).await?);
    let factors = PgTwoFactorRepository::new(db.clone(), master);
    let removed = reset_two_factor_as_operator(&factors, &wiring::audit_service(&db), &user)
        .await
        .context("resetting the second factor")?;
    if removed {
        println!("'{username}' signs in with the password alone now, and can enrol again");
    } else {
        println!("'{username}' had no second factor");
    }
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
        // The operator recovers access: the account sees every client.
        scope: slimrmm_domain::tenancy::Scope::All,
        service_account: false,
        is_active: true,
        password: Some(
            Password::parse(args.password.expose_secret()).map_err(|e| field("password", &e))?,
        ),
    })
}
