//! The `slimrmm-server` binary as an operator runs it: `migrate`, `user create`, and `serve`
//! with a generated first-admin password, against a database of its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use slimrmm_test_db::TestDatabase;

fn server(db: &TestDatabase) -> Command {
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
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
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

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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
