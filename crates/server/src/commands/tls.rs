use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use chrono::{TimeDelta, Utc};
use secrecy::ExposeSecret;

use crate::config::{Config, IssueServerCert, TlsCommand};
use crate::wiring;

/// Runs a `tls` subcommand.
pub async fn run(config: Config, command: TlsCommand) -> anyhow::Result<()> {
    let TlsCommand::IssueServerCert(args) = command;
    let db = wiring::prepare_database(&config).await?;
    let master = wiring::master_key(&config, &db).await?;
    let ca = wiring::certificate_authority(&db, &master).await?;
    issue(&ca, &args)?;
    println!(
        "wrote the certificate for {} to {} and its key to {} (valid {} days); serve it with \
         SLIMRMM_TLS_CERT and SLIMRMM_TLS_KEY",
        args.hostnames.join(", "),
        args.cert_out.display(),
        args.key_out.display(),
        args.days
    );
    Ok(())
}

/// Issues the certificate and writes both files (the key readable by its owner only).
pub fn issue(ca: &slimrmm_crypto::AgentCa, args: &IssueServerCert) -> anyhow::Result<()> {
    let now = Utc::now();
    let issued = ca.issue_server_certificate(
        &args.hostnames,
        now - TimeDelta::minutes(5),
        now + TimeDelta::days(i64::from(args.days)),
    )?;
    write(&args.key_out, issued.private_key_pem.expose_secret(), 0o600)?;
    write(&args.cert_out, &issued.chain_pem, 0o644)
}

fn write(path: &Path, contents: &str, mode: u32) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting the mode of {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
