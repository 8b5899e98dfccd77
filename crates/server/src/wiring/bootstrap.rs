//! The first admin.

use anyhow::Context;
use slimrmm_auth::random_url_safe;
use slimrmm_domain::user::{BootstrapAdmin, Email, Password, UserService, Username};

use crate::config::Config;

/// Creates the configured admin when no user exists yet (audited as done by the server). A
/// generated password is printed once, on standard output, and never logged.
pub async fn bootstrap_admin(config: &Config, users: &UserService) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let username = Username::parse(&config.admin_username)
        .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_USERNAME {error}"))?;
    let email = config
        .admin_email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_EMAIL {error}"))?;
    let (password, generated) = match &config.admin_password {
        Some(password) => (
            Password::parse(password.expose_secret())
                .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_PASSWORD {error}"))?,
            false,
        ),
        None => (
            Password::parse(random_url_safe(18)).context("generating a password")?,
            true,
        ),
    };
    let shown = password.clone();
    let admin = BootstrapAdmin {
        username,
        email,
        password,
        password_generated: generated,
    };
    let Some(created) = users
        .bootstrap_admin(admin)
        .await
        .context("creating the first admin")?
    else {
        return Ok(());
    };
    tracing::info!(user_id = %created.id, username = %created.username, "created the first admin");
    if generated {
        println!(
            "\n  SlimRMM first start: created admin '{}' with password\n\n      {}\n\n  \
             Sign in and change it. It will not be shown again.\n",
            created.username,
            shown.expose()
        );
    }
    Ok(())
}
