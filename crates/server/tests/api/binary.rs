//! The `slimrmm-server` binary as an operator runs it: `migrate`, `user create`, and `serve`
//! with a generated first-admin password, against a database of its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use slimrmm_test_db::TestDatabase;

pub(crate) fn server(db: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slimrmm-server"));
    command
        .env("DATABASE_URL", db.url().expose_secret())
        .env_remove("SLIMRMM_ADMIN_PASSWORD")
        .env_remove("SLIMRMM_JWT_SECRET")
        .env("RUST_LOG", "warn")
        .env("SLIMRMM_SECRET_KEY", crate::helpers::TEST_MASTER_KEY);
    command
}

/// A minimal HTTP/1.1 exchange, so the test needs no HTTP client library.
pub(crate) fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())?;
    Some((status, body))
}

pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free loopback port.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits up to 30 s for the server on `port` to answer `/readyz` with 200.
pub(crate) fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(port, "GET", "/readyz", "").is_none_or(|(status, _)| status != 200) {
        assert!(Instant::now() < deadline, "the server never became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn migrate_and_user_create_work_from_the_command_line() {
    let db = TestDatabase::new();
    let migrate = server(&db).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));

    let create = server(&db)
        .args([
            "user",
            "create",
            "--username",
            "rescue",
            "--password",
            "rescue password 1",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(
        create.status.success(),
        "{}",
        String::from_utf8_lossy(&create.stderr)
    );
    assert!(String::from_utf8_lossy(&create.stdout).contains("created user 'rescue'"));
    assert_eq!(
        db.query_i64(
            "SELECT count(*) AS value FROM audit_log WHERE action = 'user.create' \
             AND actor_name = 'slimrmm-server' AND details->>'via' = 'command line'"
        ),
        1,
        "the command line's user creation is audited"
    );

    // An admin who lost their phone: the operator removes the second factor.
    db.execute(
        "INSERT INTO user_two_factor (user_id, secret, active, created_at) \
         SELECT id, '\\x00', TRUE, now() FROM users WHERE username = 'rescue'",
    );
    let reset = server(&db)
        .args(["user", "reset-2fa", "--username", "rescue"])
        .output()
        .unwrap();
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("signs in with the password alone"));
    assert_eq!(
        db.query_i64("SELECT count(*) AS value FROM user_two_factor"),
        0
    );
    assert_eq!(
        db.query_i64(
            "SELECT count(*) AS value FROM audit_log WHERE action = 'auth.two_factor.reset' \
             AND actor_name = 'slimrmm-server'"
        ),
        1
    );
    let nobody = server(&db)
        .args(["user", "reset-2fa", "--username", "nobody"])
        .output()
        .unwrap();
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user is called 'nobody'"));

    let weak = server(&db)
        .args([
            "user",
            "create",
            "--username",
            "weak",
            "--password",
            "short",
            "--role",
            "viewer",
        ])
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr).contains("--password must be at least 12 characters")
    );
}

#[test]
fn serve_creates_the_first_admin_and_prints_its_password_once() {
    let db = TestDatabase::new();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = server(&db)
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let password = loop {
        let line = lines
            .next()
            .expect("the server printed no password")
            .unwrap();
        if line.contains("with password") {
            lines.next();
            break lines.next().unwrap().unwrap().trim().to_owned();
        }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(port, "GET", "/readyz", "").is_none_or(|(status, _)| status != 200) {
        assert!(Instant::now() < deadline, "the server never became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let login = format!(r#"{{"username":"admin","password":"{password}"}}"#);
    let (status, body) = http(port, "POST", "/api/v1/auth/login", &login).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("access_token"));
}

/// A GET over TLS 1.3 trusting only `ca` (DER): the status line's code.
fn https_status(port: u16, ca: pki_types::CertificateDer<'static>, path: &str) -> Option<u16> {
    use std::sync::Arc;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).ok()?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .ok()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = pki_types::ServerName::try_from("localhost").ok()?;
    let mut connection = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let mut socket = TcpStream::connect(("127.0.0.1", port)).ok()?;
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut stream = rustls::Stream::new(&mut connection, &mut socket);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response)
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn issue_server_cert_then_serve_https_with_it() {
    use std::os::unix::fs::PermissionsExt;

    use pki_types::pem::PemObject;

    let db = TestDatabase::new();
    let dir = std::env::temp_dir().join(format!("slimrmm-bin-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
    let issue = server(&db)
        .args([
            "tls",
            "issue-server-cert",
            "--hostname",
            "localhost,127.0.0.1",
        ])
        .arg("--cert-out")
        .arg(&cert)
        .arg("--key-out")
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        issue.status.success(),
        "{}",
        String::from_utf8_lossy(&issue.stderr)
    );
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the key must be readable by its owner only"
    );
    // The chain file: the server certificate, then the CA that agents already trust.
    let chain: Vec<_> = pki_types::CertificateDer::pem_file_iter(&cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(chain.len(), 2);

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = server(&db)
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .env("SLIMRMM_TLS_CERT", &cert)
        .env("SLIMRMM_TLS_KEY", &key)
        .env("SLIMRMM_ADMIN_PASSWORD", "a long enough password")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while https_status(port, chain[1].clone(), "/readyz") != Some(200) {
        assert!(
            Instant::now() < deadline,
            "the HTTPS server never became ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        http(port, "GET", "/readyz", "").is_none_or(|(status, _)| status != 200),
        "plain HTTP must not be served on the TLS port"
    );
}

#[test]
fn mtls_without_a_way_for_certificates_to_arrive_refuses_to_start() {
    let db = TestDatabase::new();
    let output = server(&db)
        .env("SLIMRMM_AGENT_AUTH", "mtls")
        .env("SLIMRMM_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("SLIMRMM_AGENT_AUTH=mtls needs"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn metrics_move_to_their_own_address_when_asked() {
    let db = TestDatabase::new();
    let free_port = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics_port) = (free_port(), free_port());
    let child = server(&db)
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .env("SLIMRMM_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
        .env("SLIMRMM_ADMIN_PASSWORD", "a long enough password")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let scraped = loop {
        if let Some((200, body)) = http(metrics_port, "GET", "/metrics", "") {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "the metrics address never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(scraped.contains("slimrmm_agents_connected 0"), "{scraped}");
    let (status, _) = http(port, "GET", "/metrics", "").unwrap();
    assert_eq!(status, 404, "/metrics must not stay on the public address");
    let (status, _) = http(port, "GET", "/healthz", "").unwrap();
    assert_eq!(status, 200);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let db = TestDatabase::new();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = server(&db)
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .env("SLIMRMM_ADMIN_PASSWORD", "a long enough password")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(port, "GET", "/readyz", "").is_none_or(|(status, _)| status != 200) {
        assert!(Instant::now() < deadline, "the server never became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let signalled = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status:?}");
    assert!(
        http(port, "GET", "/healthz", "").is_none(),
        "still accepting"
    );
}

#[test]
fn a_certificate_header_without_trusted_proxies_refuses_to_start() {
    let db = TestDatabase::new();
    let output = server(&db)
        .env("SLIMRMM_CLIENT_CERT_HEADER", "X-Client-Cert")
        .env("SLIMRMM_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("SLIMRMM_TRUSTED_PROXIES"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_missing_master_key_is_explained_and_no_stray_key_is_made() {
    let db = TestDatabase::new();
    let root = std::env::temp_dir().join(format!("slimrmm-bin-key-{}", uuid::Uuid::new_v4()));
    let (first, elsewhere) = (root.join("first"), root.join("elsewhere"));
    let issue = |data_dir: &std::path::Path| {
        server(&db)
            .env_remove("SLIMRMM_SECRET_KEY")
            .env("SLIMRMM_DATA_DIR", data_dir)
            .args(["tls", "issue-server-cert", "--hostname", "localhost"])
            .arg("--cert-out")
            .arg(root.join("server.crt"))
            .arg("--key-out")
            .arg(root.join("server.key"))
            .output()
            .unwrap()
    };
    // The first start creates the key file and the agent CA sealed with it.
    let created = issue(&first);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(first.join("secret.key").exists());
    // Started with another data directory, it says why it cannot go on and makes no new key.
    let refused = issue(&elsewhere);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("SLIMRMM_DATA_DIR"), "{message}");
    assert!(message.contains("no new key was generated"), "{message}");
    assert!(
        !elsewhere.join("secret.key").exists(),
        "a stray key was left behind"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn configuration_mistakes_are_named_as_an_operator_would_look_for_them() {
    let db = TestDatabase::new();
    // An unreachable database: which address, and why.
    let port = free_port();
    let unreachable = server(&db)
        .env(
            "DATABASE_URL",
            format!("postgres://postgres:hunter2@127.0.0.1:{port}/slimrmm"),
        )
        .env("RUST_BACKTRACE", "0")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!unreachable.status.success());
    let message = String::from_utf8_lossy(&unreachable.stderr);
    assert!(
        message.contains(&format!("127.0.0.1:{port}")) && message.contains("refused"),
        "{message}"
    );
    assert!(
        !message.contains("hunter2"),
        "the password is never shown: {message}"
    );
    assert!(message.lines().count() <= 2, "one line: {message}");

    // Half a TLS configuration: named by its environment variables.
    let half = server(&db)
        .env("SLIMRMM_TLS_CERT", "/etc/slimrmm/cert.pem")
        .env_remove("SLIMRMM_TLS_KEY")
        .output()
        .unwrap();
    assert!(!half.status.success());
    let message = String::from_utf8_lossy(&half.stderr);
    assert!(message.contains("SLIMRMM_TLS_KEY"), "{message}");

    // A budget of zero.
    let zero = server(&db)
        .env("SLIMRMM_RATE_LIMIT_PER_MINUTE", "0")
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&zero.stderr);
    assert!(
        message.contains("at least 1 request per minute"),
        "{message}"
    );
}
