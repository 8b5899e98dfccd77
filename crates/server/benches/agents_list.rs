//! `GET /api/v1/agents/` over loopback HTTP against a real server and PostgreSQL, with 10,000
//! and 100,000 agents. Run with `cargo bench -p slimrmm-server --bench agents_list`; the
//! figures go to `docs/PERFORMANCE.md`. Not a test: nothing here fails on a slow machine.
//!
//! Each scenario runs twice: with one connection (latency: p50 and p99 of a request on an
//! otherwise idle server) and with `BENCH_CONNECTIONS` connections (throughput, and latency under
//! that load). Options (environment): `BENCH_AGENTS` (comma-separated counts, default
//! `10000,100000`), `BENCH_SECONDS` (per run, default 5), `BENCH_CONNECTIONS` (default 8),
//! `BENCH_ONLY` (run only the scenarios whose name contains it).
//!
//! The agents are dealt out among 1,000 clients (`BENCH_CLIENTS`); the `scoped:` scenarios are
//! a technician limited to five of them, the others the admin of every client.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use actix_web::HttpServer;
use slimrmm_server::config::Config;
use slimrmm_server::wiring;
use slimrmm_test_db::{TestDatabase, seed_agents_sql, seed_clients_sql};

#[path = "support.rs"]
mod support;

use support::Client;

const PASSWORD: &str = "benchmark admin password";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts the server on a free loopback port, on a thread of its own; returns its address.
fn start_server(db: &TestDatabase) -> SocketAddr {
    let mut config = Config::defaults();
    config.database_url = db.url().clone();
    config.admin_password = Some(PASSWORD.to_owned().into());
    config.secret_key = Some("42".repeat(32).into());
    config.access_token_ttl = 86_400;
    config.database_pool_size = 16;
    // The load comes from one address: lift the per-client budget.
    config.rate_limit_per_minute = std::num::NonZeroU32::new(10_000_000).expect("non-zero");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let db = wiring::prepare_database(&config).await.expect("database");
            let state = wiring::app_state(&config, db).await.expect("state");
            wiring::bootstrap_admin(&config, &state.users)
                .await
                .expect("admin");
            let server = HttpServer::new(move || slimrmm_http::build_app(state.clone()))
                .workers(2)
                .bind(("127.0.0.1", 0))
                .expect("bind");
            sender.send(server.addrs()[0]).expect("report the address");
            server.run().await.expect("serve");
        });
    });
    receiver.recv().expect("the server started")
}

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn load(addr: SocketAddr, token: &str, path: &str, seconds: u64, connections: usize) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..connections)
            .map(|_| {
                scope.spawn(move || {
                    let mut client = Client::connect(addr);
                    let mut latencies = Vec::new();
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        let (status, _) = client.request("GET", path, Some(token), "");
                        assert_eq!(status, 200, "{path}");
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn main() {
    let counts: Vec<u32> = std::env::var("BENCH_AGENTS")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let seconds = env_or("BENCH_SECONDS", 5);
    let connections = env_or("BENCH_CONNECTIONS", 8);
    let clients = env_or("BENCH_CLIENTS", 1000);
    println!(
        "| agents | scenario | p50 ms (1 conn) | p99 ms (1 conn) | req/s ({connections} conns) | p99 ms ({connections} conns) |"
    );
    println!("|---:|---|---:|---:|---:|---:|");
    for count in counts {
        let db = TestDatabase::new();
        let seeding = Instant::now();
        db.execute(&seed_clients_sql(clients));
        db.execute(&seed_agents_sql(count));
        db.execute("VACUUM ANALYZE agents");
        eprintln!("seeded {count} agents in {:.1?}", seeding.elapsed());
        let addr = start_server(&db);
        let mut client = Client::connect(addr);
        let login = format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#);
        let (status, body) = client.request("POST", "/api/v1/auth/login", None, &login);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let token = body["access_token"].as_str().expect("token").to_owned();
        let scoped = scoped_user(&mut client, &token);
        let (_, body) = client.request(
            "GET",
            "/api/v1/agents/?per_page=1&sort_by=created_at",
            Some(&token),
            "",
        );
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let uuid = body["data"]["items"][0]["uuid"]
            .as_str()
            .expect("uuid")
            .to_owned();
        let scenarios = [
            ("scoped: first page", "/api/v1/agents/".to_owned()),
            (
                "scoped: search hostname",
                "/api/v1/agents/?search=host-01".to_owned(),
            ),
            (
                "scoped: status=online",
                "/api/v1/agents/?status=online".to_owned(),
            ),
            (
                "client_id filter",
                "/api/v1/agents/?client_id=500".to_owned(),
            ),
            ("clients with counts", "/api/v1/clients/".to_owned()),
            ("first page, by hostname", "/api/v1/agents/".to_owned()),
            ("page 40, by hostname", "/api/v1/agents/?page=40".to_owned()),
            (
                "by last_seen_at desc",
                "/api/v1/agents/?sort_by=last_seen_at&sort_order=desc".to_owned(),
            ),
            (
                "by created_at desc",
                "/api/v1/agents/?sort_by=created_at&sort_order=desc".to_owned(),
            ),
            (
                "status=online&os=linux",
                "/api/v1/agents/?status=online&os=linux".to_owned(),
            ),
            ("tag=db", "/api/v1/agents/?tag=db".to_owned()),
            (
                "search hostname",
                "/api/v1/agents/?search=host-0123".to_owned(),
            ),
            (
                "search external IP",
                "/api/v1/agents/?search=203.0.113.17".to_owned(),
            ),
            ("search serial", "/api/v1/agents/?search=SN4242".to_owned()),
            (
                "search uuid prefix",
                format!("/api/v1/agents/?search={}", &uuid[..8]),
            ),
            (
                "search + sort by status",
                "/api/v1/agents/?search=host-01&sort_by=status".to_owned(),
            ),
        ];
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        let only = std::env::var("BENCH_ONLY").unwrap_or_default();
        for (name, path) in scenarios.iter().filter(|(name, _)| name.contains(&only)) {
            let caller = if name.starts_with("scoped") {
                &scoped
            } else {
                &token
            };
            let single = load(addr, caller, path, seconds, 1);
            let loaded = load(addr, caller, path, seconds, connections);
            println!(
                "| {count} | {name} | {:.2} | {:.2} | {:.0} | {:.2} |",
                ms(single.p50),
                ms(single.p99),
                loaded.per_second,
                ms(loaded.p99)
            );
        }
    }
}

/// A technician limited to five of the clients: their access token.
fn scoped_user(client: &mut Client, admin: &str) -> String {
    let (_, body) = client.request(
        "GET",
        "/api/v1/clients/?search=client-&per_page=5",
        Some(admin),
        "",
    );
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let ids: Vec<i64> = body["data"]["items"]
        .as_array()
        .expect("clients")
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect();
    let user = serde_json::json!({"username": "scoped", "email": "scoped@example.com",
        "password": PASSWORD, "role": "technician", "client_ids": ids});
    let (status, body) = client.request("POST", "/api/v1/users/", Some(admin), &user.to_string());
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let login = format!(r#"{{"username":"scoped","password":"{PASSWORD}"}}"#);
    let (status, body) = client.request("POST", "/api/v1/auth/login", None, &login);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}
