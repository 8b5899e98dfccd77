//! Throw-away PostgreSQL databases for tests.
//!
//! The first test in a process migrates a template database once (named after a hash of the
//! migrations, so a changed migration gets a new template, and guarded by an advisory lock so
//! parallel test processes share it). Every [`TestDatabase`] is then a `CREATE DATABASE ...
//! TEMPLATE` clone: fast, isolated, and dropped when the value is dropped. Tests therefore run
//! in parallel and leave nothing behind.
//!
//! The server is `TEST_DATABASE_URL` (any database on it; default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

mod cluster;

pub use cluster::Cluster;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use secrecy::SecretString;
use slimrmm_persistence::{Database, PoolSettings, run_migrations};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const TEST_PREFIX: &str = "slimrmm_test_";
const TEMPLATE_PREFIX: &str = "slimrmm_template_";
const TEMPLATE_LOCK: i64 = 0x5_11_33_7e_57;
/// Databases of test runs that died without cleaning up are dropped after this long.
const STALE_AFTER: Duration = Duration::from_secs(2 * 3600);

/// A fresh, migrated database that is dropped with this value.
pub struct TestDatabase {
    name: String,
    url: SecretString,
}

impl TestDatabase {
    /// Clones the migrated template into a new database.
    ///
    /// # Panics
    /// When PostgreSQL is unreachable: tests cannot run without it.
    pub fn new() -> Self {
        let template = template();
        let name = format!(
            "{TEST_PREFIX}{}_{}",
            unix_now(),
            uuid::Uuid::new_v4().simple()
        );
        let statement = format!("CREATE DATABASE {name} TEMPLATE {template}");
        on_admin_connection(async |conn| {
            // A clone fails while another session is connected to the template; that is brief.
            let mut attempts = 0;
            loop {
                match diesel::sql_query(&statement).execute(conn).await {
                    Ok(_) => return,
                    Err(error) if attempts < 50 => {
                        attempts += 1;
                        eprintln!("retrying test database creation: {error}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(error) => panic!("creating test database {name}: {error}"),
                }
            }
        });
        let url = database_url(&name).into();
        Self { name, url }
    }

    /// Its connection URL.
    pub fn url(&self) -> &SecretString {
        &self.url
    }

    /// A connection pool to it.
    pub fn pool(&self) -> Database {
        let settings = PoolSettings {
            max_size: 4,
            ..PoolSettings::default()
        };
        Database::connect(&self.url, settings).expect("building the test pool")
    }
}

impl TestDatabase {
    /// The `value` column (a `bigint`) of the first row of `sql`.
    pub fn query_i64(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            value: i64,
        }
        on_connection(&database_url(&self.name), async |conn| {
            let row: Row = diesel::sql_query(sql)
                .get_result(conn)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
            row.value
        })
    }

    /// Runs SQL statements on this database (fixtures, or simulating what only time would do).
    pub fn execute(&self, sql: &str) {
        on_connection(&database_url(&self.name), async |conn| {
            diesel_async::SimpleAsyncConnection::batch_execute(conn, sql)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        });
    }

    /// Drops the database now, terminating its connections: an outage, as a server sees it.
    pub fn drop_database(&self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        on_admin_connection(async |conn| {
            diesel::sql_query(&statement)
                .execute(conn)
                .await
                .expect("dropping the test database");
        });
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        on_admin_connection(async |conn| {
            if let Err(error) = diesel::sql_query(&statement).execute(conn).await {
                eprintln!("could not drop test database: {error}");
            }
        });
    }
}

/// SQL inserting `count` agents numbered `i` = 1..=count, deterministic in everything but
/// their uuids: hostname `host-<i, 5 digits>`, os `[linux, darwin, windows][i % 3]`, status
/// `[pending, rejected, online, offline][i % 4]`, tag `db` when `i % 10 == 0` else `web`,
/// version `2.3.<i % 5>`, external IP `203.0.113.<i % 250>`, serial `SN<i>`, created `i`
/// minutes ago, dealt out among the sites round robin (all in `Default` unless
/// [`seed_clients_sql`] made more).
pub fn seed_agents_sql(count: u32) -> String {
    format!(
        "WITH site AS (SELECT id, client_id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM sites) \
         INSERT INTO agents (uuid, hostname, os, arch, agent_version, tags, status, external_ip, serial_number, \
         registration_token_digest, reregistration_secret_digest, created_at, updated_at, site_id, client_id) \
         SELECT gen_random_uuid(), 'host-' || lpad(i::text, 5, '0'), (ARRAY['linux','darwin','windows'])[1 + i % 3], \
         'x86_64', '2.3.' || (i % 5), CASE WHEN i % 10 = 0 THEN ARRAY['db'] ELSE ARRAY['web'] END, \
         (ARRAY['pending','rejected','online','offline'])[1 + i % 4], '203.0.113.' || (i % 250), 'SN' || i, \
         decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), now() - i * interval '1 minute', now(), \
         site.id, site.client_id \
         FROM generate_series(1, {count}) AS i JOIN site ON site.k = i % site.n; ANALYZE agents;"
    )
}

/// SQL that makes `clients` clients `client-0001`, ... each with one site `main`: run before
/// [`seed_agents_sql`], which deals the agents out among every site round robin.
pub fn seed_clients_sql(clients: u32) -> String {
    format!(
        "INSERT INTO clients (name) SELECT 'client-' || lpad(c::text, 4, '0') FROM generate_series(1, {clients}) AS c; \
         INSERT INTO sites (client_id, name) SELECT id, 'main' FROM clients WHERE name LIKE 'client-%';"
    )
}

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn database_url(name: &str) -> String {
    let mut url = url::Url::parse(&server_url()).expect("TEST_DATABASE_URL is not a URL");
    url.set_path(&format!("/{name}"));
    url.into()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Runs `work` on a connection to the server's maintenance database.
fn on_admin_connection<T: Send>(work: impl AsyncFnOnce(&mut AsyncPgConnection) -> T + Send) -> T {
    on_connection(&server_url(), work)
}

/// Runs `work` on a connection to `url`, on a thread of its own (so it works from inside or
/// outside any async runtime, including in `Drop`).
fn on_connection<T: Send>(
    url: &str,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> T + Send,
) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for test database administration");
                runtime.block_on(async {
                    let mut conn = AsyncPgConnection::establish(url)
                        .await
                        .unwrap_or_else(|error| panic!("PostgreSQL for tests is unreachable ({error}); set TEST_DATABASE_URL"));
                    work(&mut conn).await
                })
            })
            .join()
            .expect("test database administration panicked")
    })
}

/// The name of the migrated template, creating it on first use.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("{TEMPLATE_PREFIX}{:016x}", migrations_hash());
        on_admin_connection(async |conn| prepare_template(conn, &name).await);
        name
    })
}

#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

async fn prepare_template(conn: &mut AsyncPgConnection, name: &str) {
    run(conn, format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})")).await;
    let existing: Vec<Named> = diesel::sql_query(format!(
        "SELECT datname::text AS datname FROM pg_database \
         WHERE datname LIKE '{TEMPLATE_PREFIX}%' OR datname LIKE '{TEST_PREFIX}%'"
    ))
    .load(&mut *conn)
    .await
    .expect("listing databases");
    let stale_before = unix_now().saturating_sub(STALE_AFTER.as_secs());
    for database in &existing {
        if is_stale(&database.datname, name, stale_before) {
            run(
                conn,
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database.datname),
            )
            .await;
        }
    }
    if !existing.iter().any(|database| database.datname == name) {
        let building = format!("{name}_building");
        run(
            conn,
            format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
        )
        .await;
        run(conn, format!("CREATE DATABASE {building}")).await;
        run_migrations(&database_url(&building).into())
            .await
            .expect("migrating the template database");
        run(conn, format!("ALTER DATABASE {building} RENAME TO {name}")).await;
    }
    run(conn, format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})")).await;
}

async fn run(conn: &mut AsyncPgConnection, statement: String) {
    diesel::sql_query(&statement)
        .execute(conn)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
}

/// Old templates, and test databases older than [`STALE_AFTER`].
fn is_stale(database: &str, current_template: &str, stale_before: u64) -> bool {
    if database.starts_with(TEMPLATE_PREFIX) {
        return database != current_template;
    }
    database
        .strip_prefix(TEST_PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|created| created.parse::<u64>().ok())
        .is_some_and(|created| created < stale_before)
}

/// A hash of every migration file, so that editing one yields a new template.
fn migrations_hash() -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files = Vec::new();
    collect_files(&root, &mut files);
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.strip_prefix(&root).unwrap_or(&file).hash(&mut hasher);
        std::fs::read(&file)
            .expect("reading a migration")
            .hash(&mut hasher);
    }
    hasher.finish()
}

fn collect_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("reading the migrations folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_templates_and_old_test_databases_are_stale() {
        assert!(is_stale(
            "slimrmm_template_aaaa",
            "slimrmm_template_bbbb",
            100
        ));
        assert!(!is_stale(
            "slimrmm_template_bbbb",
            "slimrmm_template_bbbb",
            100
        ));
        assert!(is_stale("slimrmm_test_50_abc", "t", 100));
        assert!(!is_stale("slimrmm_test_150_abc", "t", 100));
    }
}
