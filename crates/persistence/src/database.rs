use std::time::Duration;

use anyhow::Context;
use diesel::ConnectionError;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Hook, HookError, Object, Pool};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use secrecy::{ExposeSecret, SecretString};
use slimrmm_domain::PortError;

use crate::error::pool_error;

/// Connection-pool limits.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Most connections held open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection before the database counts as
    /// unavailable (answered with 503).
    pub wait_timeout: Duration,
    /// How long opening one connection may take.
    pub connect_timeout: Duration,
    /// The longest a single SQL statement may run.
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 10,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// The connection pool to SlimRMM's PostgreSQL database.
#[derive(Clone)]
pub struct Database {
    pool: Pool<AsyncPgConnection>,
}

impl Database {
    /// Builds the pool. Connections are opened lazily, so this succeeds with the database down.
    pub fn connect(url: &SecretString, settings: PoolSettings) -> anyhow::Result<Self> {
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url.expose_secret());
        let statement_timeout = format!(
            "SET statement_timeout = {}",
            settings.statement_timeout.as_millis()
        );
        let pool = Pool::builder(manager)
            .max_size(settings.max_size)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.connect_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .post_create(Hook::async_fn(move |conn, _| {
                let statement = statement_timeout.clone();
                Box::pin(async move {
                    let applied: diesel::QueryResult<usize> =
                        diesel::sql_query(statement).execute(conn).await;
                    applied.map(drop).map_err(|error| {
                        HookError::message(format!("setting statement_timeout: {error}"))
                    })
                })
            }))
            .build()
            .context("building the database pool")?;
        Ok(Self { pool })
    }

    /// How many connections are open and idle.
    pub fn usage(&self) -> slimrmm_domain::health::PoolUsage {
        let status = self.pool.status();
        slimrmm_domain::health::PoolUsage {
            open: status.size as u64,
            idle: status.available as u64,
            max: status.max_size as u64,
        }
    }

    /// A connection from the pool; waiting too long means the database is unavailable.
    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, PortError> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// `user@host:port/database` of a URL, without its password.
fn describe(url: &url::Url) -> String {
    format!(
        "{}@{}:{}{}",
        url.username(),
        url.host_str().unwrap_or("localhost"),
        url.port().unwrap_or(5432),
        url.path()
    )
}

/// Why PostgreSQL could not be reached, in one line naming the address: the network's answer
/// when the server's port does not answer at all, else PostgreSQL's own.
async fn unreachable(url: &url::Url, described: &str, error: &ConnectionError) -> anyhow::Error {
    let host = url.host_str().unwrap_or("localhost").to_owned();
    let port = url.port().unwrap_or(5432);
    let probe = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await;
    let cause = match probe {
        Ok(Err(network)) => network.to_string(),
        Err(_) => "no answer within 5 seconds".to_owned(),
        Ok(Ok(_)) => error.to_string(),
    };
    anyhow::anyhow!("cannot connect to PostgreSQL at {described} (DATABASE_URL): {cause}")
}

/// Creates the database named in `url` if it does not exist, by connecting to the server's
/// `postgres` maintenance database. Does nothing when the database exists; fails when it
/// cannot be created (then connecting to it will tell why).
pub async fn ensure_database_exists(url: &SecretString) -> anyhow::Result<()> {
    let mut target =
        url::Url::parse(url.expose_secret()).context("DATABASE_URL is not a valid URL")?;
    let name = target.path().trim_start_matches('/').to_owned();
    anyhow::ensure!(!name.is_empty(), "DATABASE_URL names no database");
    if AsyncPgConnection::establish(url.expose_secret())
        .await
        .is_ok()
    {
        return Ok(());
    }
    let described = describe(&target);
    target.set_path("/postgres");
    let mut admin = match AsyncPgConnection::establish(target.as_str()).await {
        Ok(admin) => admin,
        Err(error) => return Err(unreachable(&target, &described, &error).await),
    };
    let statement = format!("CREATE DATABASE {}", crate::sql::quote_identifier(&name));
    match diesel::sql_query(statement).execute(&mut admin).await {
        Ok(_) => {
            tracing::info!(database = %name, "created the database");
            Ok(())
        }
        // Another replica created it at the same moment.
        Err(error) if error.to_string().contains("already exists") => Ok(()),
        Err(error) => Err(anyhow::anyhow!("creating database {name}: {error}")),
    }
}
