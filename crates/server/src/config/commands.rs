//! The command line: subcommands and their own arguments; the server's settings are
//! [`Config`](super::Config), flattened at the top.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

use super::Config;
use super::parsers::secret;

/// The SlimRMM remote monitoring and management server.
#[derive(Debug, Parser)]
#[command(name = "slimrmm-server", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrations are applied first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users from the command line (recovery).
    #[command(subcommand)]
    User(UserCommand),
    /// TLS helpers.
    #[command(subcommand)]
    Tls(TlsCommand),
}

/// TLS commands.
#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Issue a TLS server certificate from the built-in agent CA. Only clients that trust that
    /// CA accept it: agents on their WebSocket and renewal, not on enrollment, which needs a
    /// certificate the agent's operating system trusts.
    IssueServerCert(IssueServerCert),
}

/// `tls issue-server-cert` arguments.
#[derive(Debug, Args)]
pub struct IssueServerCert {
    /// Host names or IP addresses the server is reached at (repeat, or separate with commas);
    /// the first is also the common name.
    #[arg(long = "hostname", required = true, value_delimiter = ',')]
    pub hostnames: Vec<String>,
    /// Where to write the certificate chain (PEM: the certificate, then the CA).
    #[arg(long)]
    pub cert_out: PathBuf,
    /// Where to write the private key (PEM, mode 0600).
    #[arg(long)]
    pub key_out: PathBuf,
    /// Days of validity.
    #[arg(long, default_value_t = 397, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user, for example an admin when every admin is locked out.
    Create(CreateUser),
    /// Remove a user's second factor (an admin who lost their phone): they sign in with the
    /// password alone and can enrol again.
    #[command(name = "reset-2fa")]
    ResetTwoFactor(ResetTwoFactor),
}

/// `user reset-2fa` arguments.
#[derive(Debug, Args)]
pub struct ResetTwoFactor {
    /// Whose second factor.
    #[arg(long)]
    pub username: String,
}

/// `user create` arguments.
#[derive(Debug, Args)]
pub struct CreateUser {
    /// 3 to 64 of [A-Za-z0-9_.-].
    #[arg(long)]
    pub username: String,
    /// 12 to 256 characters.
    #[arg(long, value_parser = secret)]
    pub password: SecretString,
    /// admin, technician or viewer.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Optional email address.
    #[arg(long)]
    pub email: Option<String>,
    /// Optional display name.
    #[arg(long)]
    pub full_name: Option<String>,
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Full control.
    Admin,
    /// Operates agents.
    Technician,
    /// Read-only.
    Viewer,
}
