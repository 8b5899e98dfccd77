//! What the server does with connections before any handler runs: a request head that is
//! slow, too large or malformed, and a body trickled in, all get an answer in the error
//! envelope; the number of connections open at once is capped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;
use slimrmm_server::listen::{ConnectionLimits, listen};

use crate::helpers::{config_for, spawn_with};

/// Everything the server writes until it closes the connection: status and JSON body.
fn answer(stream: &mut TcpStream) -> (u16, Value) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, serde_json::from_str(body).unwrap())
}

async fn server(limits: ConnectionLimits, body_timeout: Duration) -> (u16, impl Drop) {
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = config_for(&db);
    config.request_body_timeout = u32::try_from(body_timeout.as_secs()).unwrap();
    let app = spawn_with(db, config).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = listen(app.state.clone(), listener, None, Some(1), limits).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    struct Stop {
        handle: actix_server::ServerHandle,
        _app: Box<dyn std::any::Any>,
    }
    impl Drop for Stop {
        fn drop(&mut self) {
            // The stop command is sent at once; its completion is not awaited here.
            drop(self.handle.stop(false));
        }
    }
    (
        port,
        Stop {
            handle,
            _app: Box::new(app),
        },
    )
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

#[actix_web::test]
async fn answers_written_before_any_handler_carry_the_envelope() {
    let limits = ConnectionLimits {
        head_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    };
    let (port, _server) = server(limits, Duration::from_secs(2)).await;

    // A head that never ends.
    let (status, body) = blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        answer(&mut stream)
    })
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (408, Some("REQUEST_TIMEOUT")),
        "{body}"
    );

    // A head too large.
    let (status, body) = blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let header = format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "a".repeat(128 * 1024)
        );
        let _ = stream.write_all(header.as_bytes());
        answer(&mut stream)
    })
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (431, Some("REQUEST_HEADER_FIELDS_TOO_LARGE")),
        "{body}"
    );

    // Not HTTP.
    let (status, body) = blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(b"HELLO THERE\r\n\r\n").unwrap();
        answer(&mut stream)
    })
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{body}"
    );

    // A body trickled in a byte at a time, to an endpoint that reads it.
    let (status, body, took) = blocking(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                  Content-Length: 100\r\n\r\n{",
            )
            .unwrap();
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(250));
            if stream.write_all(b" ").is_err() {
                break;
            }
        }
        let (status, body) = answer(&mut stream);
        (status, body, started.elapsed())
    })
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (408, Some("REQUEST_TIMEOUT")),
        "{body}"
    );
    assert!(
        took < Duration::from_secs(10),
        "the slow body held the connection for {took:?}"
    );
}

#[actix_web::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let limits = ConnectionLimits {
        max_connections: 2,
        head_timeout: Duration::from_secs(2),
        ..ConnectionLimits::default()
    };
    let (port, _server) = server(limits, Duration::from_secs(2)).await;
    let outcome = blocking(move || {
        // Two idle connections take every slot.
        let idle: Vec<TcpStream> = (0..2)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let mut third = TcpStream::connect(("127.0.0.1", port)).unwrap();
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (status, _) = answer(&mut third);
        drop(idle);
        (status, started.elapsed())
    })
    .await;
    let (status, waited) = outcome;
    assert_eq!(status, 200);
    assert!(
        waited >= Duration::from_millis(1200),
        "the third connection was served after {waited:?}, before a slot was free"
    );
}
