//! Configuration, from the command line or the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/slimrmm` | PostgreSQL; the database is created if missing |
//! | `SLIMRMM_BIND` | `127.0.0.1:8000` | address and port to listen on |
//! | `SLIMRMM_JWT_SECRET` | generated once, kept in the database | HMAC key for tokens, at least 32 bytes |
//! | `SLIMRMM_ADMIN_USERNAME` | `admin` | first admin, created when there are no users |
//! | `SLIMRMM_ADMIN_PASSWORD` | generated and printed once | its password |
//! | `SLIMRMM_ADMIN_EMAIL` | none | its email |
//! | `SLIMRMM_DEBUG` | `false` | serve `/docs` and `/openapi.json` |
//! | `SLIMRMM_ACCESS_TOKEN_TTL` | `900` | access-token lifetime, seconds |
//! | `SLIMRMM_REFRESH_TOKEN_TTL` | `604800` | refresh-token lifetime, seconds |
//! | `SLIMRMM_SECRET_KEY` | none | master key (32 bytes, base64 or hex) sealing the CA key and stored secrets |
//! | `SLIMRMM_DATA_DIR` | `/var/lib/slimrmm` (root) or `~/.local/share/slimrmm` | where the master key file is created when `SLIMRMM_SECRET_KEY` is unset |
//! | `SLIMRMM_AGENT_OFFLINE_AFTER` | `180` | seconds without a heartbeat before an agent is offline |
//! | `SLIMRMM_AGENT_OVERDUE_AFTER` | `1800` | seconds offline before an agent is overdue |
//! | `SLIMRMM_AGENT_MAX_FRAME_BYTES` | `16777216` | largest WebSocket frame an agent may send |
//! | `SLIMRMM_COMMAND_EXPIRY` | `86400` | default seconds a command waits for an offline agent |
//! | `SLIMRMM_RESULT_MAX_BYTES` | `1048576` | larger command results are cut and marked truncated |
//! | `SLIMRMM_METRICS_RETENTION_DAYS` | `7` | days of one-minute metric history kept |
//! | `SLIMRMM_DATABASE_POOL_SIZE` | `10` | most database connections per process |
//! | `SLIMRMM_METRICS_BIND` | none (`/metrics` on `SLIMRMM_BIND`) | address for `/metrics` alone |
//! | `SLIMRMM_RATE_LIMIT_PER_MINUTE` | `60` | API requests per minute per client |
//! | `SLIMRMM_AUTH_RATE_LIMIT_PER_MINUTE` | `10` | login and password-reset requests per minute per client |
//! | `SLIMRMM_AGENT_RATE_LIMIT_PER_MINUTE` | `600` | agent requests per minute per address |
//! | `SLIMRMM_TLS_CERT`, `SLIMRMM_TLS_KEY` | none | serve HTTPS (TLS 1.3) with this PEM chain and key |
//! | `SLIMRMM_AGENT_AUTH` | `mtls` with TLS or the proxy header, else `uuid` | how agents prove who they are |
//! | `SLIMRMM_CLIENT_CERT_HEADER` | none | header a trusted proxy passes the client certificate in |
//! | `SLIMRMM_TRUSTED_PROXIES` | none | addresses or CIDR networks whose headers are believed |
//! | `SLIMRMM_LOG_FORMAT` | `pretty` | `pretty` or `json` |
//! | `SLIMRMM_MAX_CONNECTIONS` | nine tenths of the open-file limit | most connections open at once |
//! | `SLIMRMM_REQUEST_BODY_TIMEOUT` | `15` | seconds to send a request's body (then 408) |
//! | `RUST_LOG` | `info` | log filter |

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, ValueEnum};
use ipnet::IpNet;

mod commands;
mod parsers;
#[cfg(test)]
mod tests;

pub use commands::{
    Cli, Command, CreateUser, IssueServerCert, ResetTwoFactor, RoleArg, TlsCommand, UserCommand,
};
use parsers::{
    agent_auth, default_data_dir, open_file_limit, per_minute, proxy, running_as_root, secret,
    socket_address,
};
use secrecy::SecretString;
use slimrmm_domain::enrollment::AgentAuthMode;

/// Log output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line.
    Json,
}
/// Everything the server reads from its environment. Secrets are `SecretString`, so `Debug`
/// never prints them.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL connection URL; the database is created if it does not exist.
    #[arg(help_heading = "Storage", 
        long,
        env = "DATABASE_URL",
        value_parser = secret,
        default_value = "postgres://postgres@127.0.0.1:5432/slimrmm",
        hide_env_values = true,
        global = true
    )]
    pub database_url: SecretString,

    /// Address (or host name) and port to listen on.
    #[arg(help_heading = "Serving", 
        long,
        env = "SLIMRMM_BIND",
        default_value = "127.0.0.1:8000",
        value_parser = socket_address
    )]
    pub bind: SocketAddr,

    /// HMAC key for tokens (at least 32 bytes). Unset: generated once and kept in the database,
    /// so every replica and every restart agree.
    #[arg(help_heading = "Accounts", long, env = "SLIMRMM_JWT_SECRET", value_parser = secret, hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,

    /// Master key (32 bytes as base64 or 64 hex digits) that seals the agent CA's private key
    /// and other stored secrets. Unset: a key file is created under the data directory. Every
    /// replica must use the same key.
    #[arg(help_heading = "Storage", long, env = "SLIMRMM_SECRET_KEY", value_parser = secret, hide_env_values = true, global = true)]
    pub secret_key: Option<SecretString>,

    /// Directory for the master key file (used when SLIMRMM_SECRET_KEY is unset). Back it up:
    /// without the key, the CA cannot sign and every agent must re-enroll. Default:
    /// `/var/lib/slimrmm` for root, else `$XDG_DATA_HOME/slimrmm` (`~/.local/share/slimrmm`),
    /// whatever the working directory.
    #[arg(
        help_heading = "Storage",
        long,
        env = "SLIMRMM_DATA_DIR",
        global = true
    )]
    pub data_dir: Option<std::path::PathBuf>,

    /// Username of the admin created on first start (when there are no users).
    #[arg(
        help_heading = "Accounts",
        long,
        env = "SLIMRMM_ADMIN_USERNAME",
        default_value = "admin"
    )]
    pub admin_username: String,

    /// Password of that admin; unset: a random one is generated and printed once.
    #[arg(help_heading = "Accounts", long, env = "SLIMRMM_ADMIN_PASSWORD", value_parser = secret, hide_env_values = true)]
    pub admin_password: Option<SecretString>,

    /// Email of that admin.
    #[arg(help_heading = "Accounts", long, env = "SLIMRMM_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Serve the interactive documentation (/docs, /openapi.json).
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_DEBUG", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub debug: bool,

    /// Access-token lifetime in seconds.
    #[arg(help_heading = "Accounts", long, env = "SLIMRMM_ACCESS_TOKEN_TTL", default_value_t = 900, value_parser = clap::value_parser!(u32).range(30..=86_400))]
    pub access_token_ttl: u32,

    /// Refresh-token lifetime in seconds (counted from the last refresh).
    #[arg(help_heading = "Accounts", long, env = "SLIMRMM_REFRESH_TOKEN_TTL", default_value_t = 604_800, value_parser = clap::value_parser!(u32).range(60..=31_536_000))]
    pub refresh_token_ttl: u32,

    /// Seconds without a heartbeat before an online agent counts as offline.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_AGENT_OFFLINE_AFTER", default_value_t = 180, value_parser = clap::value_parser!(u32).range(30..=86_400))]
    pub agent_offline_after: u32,

    /// Seconds offline before an agent is overdue (alerted once).
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_AGENT_OVERDUE_AFTER", default_value_t = 1800, value_parser = clap::value_parser!(u32).range(60..=2_592_000))]
    pub agent_overdue_after: u32,

    /// The largest WebSocket frame an agent may send; a larger one closes that connection.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_AGENT_MAX_FRAME_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub agent_max_frame_bytes: usize,

    /// Default seconds a command waits for an offline agent before it expires.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_COMMAND_EXPIRY", default_value_t = 86_400, value_parser = clap::value_parser!(u32).range(1..=604_800))]
    pub command_expiry: u32,

    /// The server's address as users reach it (behind a proxy: the proxy's), for links in
    /// mails and push messages (password reset, alerts). Default: `http://` + the bind address.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Pushover's API base URL (tests point it at a local server).
    #[arg(
        help_heading = "Notifications",
        long,
        env = "SLIMRMM_PUSHOVER_API_URL",
        default_value = "https://api.pushover.net"
    )]
    pub pushover_api_url: String,

    /// Seconds a mail server or Pushover may take to answer before the delivery is retried.
    #[arg(help_heading = "Notifications", long, env = "SLIMRMM_NOTIFY_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=300))]
    pub notify_timeout: u32,

    /// Seconds after which a missed schedule slot (the server was down) is skipped rather than
    /// run late; only the latest missed slot is ever caught up.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_SCHEDULE_GRACE", default_value_t = 3600, value_parser = clap::value_parser!(u32).range(60..=604_800))]
    pub schedule_grace: u32,

    /// Command results larger than this many bytes are cut and marked truncated.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_RESULT_MAX_BYTES", default_value_t = 1024 * 1024)]
    pub result_max_bytes: usize,

    /// Days of one-minute metric history kept.
    #[arg(help_heading = "Storage", long, env = "SLIMRMM_METRICS_RETENTION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=400))]
    pub metrics_retention_days: u16,

    /// Most database connections held by this process.
    #[arg(help_heading = "Storage", long, env = "SLIMRMM_DATABASE_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub database_pool_size: u16,

    /// Serve `/metrics` on this address instead of `SLIMRMM_BIND` (keep it off the public
    /// network).
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_METRICS_BIND", value_parser = socket_address)]
    pub metrics_bind: Option<SocketAddr>,

    /// Requests per minute per client for the API (IPv4 address or IPv6 /64).
    #[arg(help_heading = "Rate limits", long, env = "SLIMRMM_RATE_LIMIT_PER_MINUTE", default_value_t = NonZeroU32::new(60).expect("60"), value_parser = per_minute)]
    pub rate_limit_per_minute: NonZeroU32,

    /// Requests per minute per client for login, forgot-password and reset-password.
    #[arg(help_heading = "Rate limits", long, env = "SLIMRMM_AUTH_RATE_LIMIT_PER_MINUTE", default_value_t = NonZeroU32::new(10).expect("10"), value_parser = per_minute)]
    pub auth_rate_limit_per_minute: NonZeroU32,

    /// Requests per minute per client address for agent traffic (enrollment, polling, renewal,
    /// WebSocket connections); many agents behind one NAT address share it.
    #[arg(help_heading = "Rate limits", long, env = "SLIMRMM_AGENT_RATE_LIMIT_PER_MINUTE", default_value_t = NonZeroU32::new(600).expect("600"), value_parser = per_minute)]
    pub agent_rate_limit_per_minute: NonZeroU32,

    /// TLS certificate chain (PEM) to serve HTTPS with (TLS 1.3 only); needs `SLIMRMM_TLS_KEY`.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// The TLS certificate's private key (PEM).
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// How agents prove who they are: `mtls` (a client certificate from our CA; the default
    /// when TLS or `SLIMRMM_CLIENT_CERT_HEADER` is configured) or `uuid` (believed, unverified;
    /// the default otherwise).
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_AGENT_AUTH", value_parser = agent_auth)]
    pub agent_auth: Option<AgentAuthMode>,

    /// The header a TLS-terminating proxy puts the agent's client certificate in (nginx:
    /// `$ssl_client_escaped_cert`; Caddy: base64 DER), believed only from trusted proxies.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_CLIENT_CERT_HEADER")]
    pub client_cert_header: Option<String>,

    /// Proxies whose headers (`X-Forwarded-For`, the client certificate header) are believed:
    /// comma-separated addresses or CIDR networks.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = proxy)]
    pub trusted_proxies: Vec<IpNet>,

    /// Log format.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// Most connections open at once (agents and API clients together); more wait in the
    /// listen backlog. Default: nine tenths of the process's open-file limit, keeping room for
    /// database connections and files.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(16..))]
    pub max_connections: Option<u32>,

    /// The most agent connections one process holds (beyond them an agent's upgrade answers
    /// 503 `AGENT_CAPACITY` and the agent backs off). Default: nine tenths of the connection
    /// cap, so API clients always find room.
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_MAX_AGENT_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_agent_connections: Option<u32>,

    /// How many agents one process admits at a time (each costs a few database statements);
    /// others wait up to 15 s for their turn, then get 503 `AGENT_BUSY` and back off (0 admits
    /// none: a process being drained). Default: no limit (a storm is paced by the pool).
    #[arg(help_heading = "Agents", long, env = "SLIMRMM_AGENT_ADMISSIONS", value_parser = clap::value_parser!(u32).range(0..))]
    pub agent_admissions: Option<u32>,

    /// Seconds a client has to send a request's whole body after its head (then 408): a body
    /// trickled in byte by byte cannot hold a connection.
    #[arg(help_heading = "Serving", long, env = "SLIMRMM_REQUEST_BODY_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub request_body_timeout: u32,
}
impl Config {
    /// The defaults, as if no flag or variable were set (for tests and embedding).
    pub fn defaults() -> Self {
        Cli::parse_from(["slimrmm-server"]).config
    }

    /// Treats optional settings given as empty strings (`SLIMRMM_ADMIN_EMAIL=` in a compose
    /// file) as not given.
    pub fn normalized(mut self) -> Self {
        use secrecy::ExposeSecret;
        let present = |secret: &SecretString| !secret.expose_secret().trim().is_empty();
        self.jwt_secret = self.jwt_secret.filter(present);
        self.secret_key = self.secret_key.filter(present);
        self.admin_password = self.admin_password.filter(present);
        self.admin_email = self.admin_email.filter(|email| !email.trim().is_empty());
        self.public_url = self.public_url.filter(|url| !url.trim().is_empty());
        self.client_cert_header = self
            .client_cert_header
            .filter(|header| !header.trim().is_empty());
        self.tls_cert = self.tls_cert.filter(|path| !path.as_os_str().is_empty());
        self.tls_key = self.tls_key.filter(|path| !path.as_os_str().is_empty());
        self
    }

    /// Settings that only make sense together, checked after parsing so that the message names
    /// the environment variables (which is how most people set them).
    pub fn check(&self) -> Result<(), String> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => Err("SLIMRMM_TLS_CERT (--tls-cert) is set but SLIMRMM_TLS_KEY \
                                    (--tls-key) is not: HTTPS needs both the certificate chain \
                                    and its private key"
                .to_owned()),
            (None, Some(_)) => Err("SLIMRMM_TLS_KEY (--tls-key) is set but SLIMRMM_TLS_CERT \
                                    (--tls-cert) is not: HTTPS needs both the certificate chain \
                                    and its private key"
                .to_owned()),
            _ => Ok(()),
        }
    }

    /// Where the master key file lives: `SLIMRMM_DATA_DIR`, else a directory that does not
    /// depend on where the server was started from (see [`Config::data_dir`]). A `data/`
    /// directory holding a key in the working directory (the old default) is still used, with
    /// a warning.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        let legacy = PathBuf::from("data");
        if legacy.join("secret.key").exists() {
            tracing::warn!(
                "using the master key in ./data (the old default, relative to the working \
                 directory); set SLIMRMM_DATA_DIR to its absolute path"
            );
            return legacy;
        }
        default_data_dir(
            std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
            running_as_root(),
        )
    }

    /// Whether the server terminates TLS itself.
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// `SLIMRMM_AGENT_AUTH`, or its default: `mtls` whenever certificates can reach the server
    /// (TLS or the proxy header), else `uuid`.
    pub fn agent_auth(&self) -> AgentAuthMode {
        self.agent_auth
            .unwrap_or(if self.tls() || self.client_cert_header.is_some() {
                AgentAuthMode::Mtls
            } else {
                AgentAuthMode::Uuid
            })
    }

    /// `SLIMRMM_MAX_CONNECTIONS`, or nine tenths of the open-file limit (at least 64).
    pub fn max_connections(&self) -> usize {
        match self.max_connections {
            Some(max) => max as usize,
            None => open_file_limit()
                .map_or(10_000, |limit| limit.saturating_mul(9) / 10)
                .clamp(64, 1_000_000) as usize,
        }
    }

    /// `SLIMRMM_MAX_AGENT_CONNECTIONS`, or nine tenths of the connection cap.
    pub fn max_agent_connections(&self) -> usize {
        match self.max_agent_connections {
            Some(max) => max as usize,
            None => (self.max_connections().saturating_mul(9) / 10).max(1),
        }
    }

    /// How many agents are admitted at once: `SLIMRMM_AGENT_ADMISSIONS`, else no limit.
    pub fn agent_admissions(&self) -> usize {
        self.agent_admissions
            .map_or(tokio::sync::Semaphore::MAX_PERMITS, |admissions| {
                admissions as usize
            })
    }

    /// How the HTTP server treats connections.
    pub fn connection_limits(&self) -> crate::listen::ConnectionLimits {
        crate::listen::ConnectionLimits {
            max_connections: self.max_connections(),
            ..crate::listen::ConnectionLimits::default()
        }
    }

    /// The public URL for links: `SLIMRMM_PUBLIC_URL`, else `http://` + the bind address.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
    }
}
