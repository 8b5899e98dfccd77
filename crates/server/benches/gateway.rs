//! The agent gateway under load: the release `slimrmm-server` as its own process, and
//! `BENCH_AGENTS` (default 10,000) simulated agents in this process speaking the real protocol,
//! heartbeating every `BENCH_HEARTBEAT_SECONDS` (15). Measures the connect time for all, the
//! server's CPU and memory over a steady window (`BENCH_STEADY_SECONDS`, 60), how long a
//! heartbeat takes to become visible through the API, and the round trip of a command fanned
//! out to every agent. Run with `cargo bench -p slimrmm-server --bench gateway`; figures go to
//! `docs/PERFORMANCE.md`. Not a test: nothing here fails on a slow machine.

#[path = "support.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use slimrmm_agent_sim::{AgentSocket, Autopilot, AutopilotStats, autopilot, stats_heartbeat};
use slimrmm_test_db::TestDatabase;
use support::Client;
use uuid::Uuid;

const PASSWORD: &str = "benchmark admin password";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The seeded agents' uuids: deterministic, so this process knows them without asking.
fn agent_uuid(i: usize) -> Uuid {
    format!("00000000-0000-4000-8000-{i:012x}")
        .parse()
        .expect("uuid")
}

fn seed(db: &TestDatabase, count: usize) {
    db.execute(&format!(
        "INSERT INTO agents (uuid, hostname, os, arch, agent_version, status, registration_token_digest, \
         reregistration_secret_digest, approved_at, created_at, updated_at, site_id, client_id) \
         SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'sim-' || i, 'linux', 'x86_64', \
         '2.3.14', 'offline', decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), now(), now(), now(), \
         (SELECT min(id) FROM sites), (SELECT min(id) FROM clients) \
         FROM generate_series(0, {count}) AS i"
    ));
    db.execute("VACUUM ANALYZE agents");
}

struct Server {
    child: Child,
    addr: std::net::SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(db: &TestDatabase) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_slimrmm-server"))
        .env("DATABASE_URL", db.url().expose_secret())
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .env("SLIMRMM_ADMIN_PASSWORD", PASSWORD)
        .env("SLIMRMM_SECRET_KEY", "42".repeat(32))
        .env("SLIMRMM_ACCESS_TOKEN_TTL", "86400")
        .env("SLIMRMM_DATABASE_POOL_SIZE", "20")
        // Every simulated agent comes from 127.0.0.1: lift the per-address budgets.
        .env("SLIMRMM_RATE_LIMIT_PER_MINUTE", "10000000")
        .env("SLIMRMM_AGENT_RATE_LIMIT_PER_MINUTE", "10000000")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("starting slimrmm-server");
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, addr }
}

/// (CPU seconds used, resident memory in bytes) of a process.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|u| u.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    (ticks / 100.0, rss_kib * 1024)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

fn main() {
    let count: usize = env_or("BENCH_AGENTS", 10_000);
    let heartbeat_every = Duration::from_secs(env_or("BENCH_HEARTBEAT_SECONDS", 15));
    let steady = Duration::from_secs(env_or("BENCH_STEADY_SECONDS", 60));
    let db = TestDatabase::new();
    seed(&db, count);
    let server = start_server(&db);
    let pid = server.child.id();
    let mut client = Client::connect(server.addr);
    let login = format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#);
    let token = client.json("POST", "/api/v1/auth/login", None, &login)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!("http://{}", server.addr);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stats = Arc::new(AutopilotStats::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let connecting = Instant::now();
    for i in 1..=count {
        let config = Autopilot {
            server: base.clone(),
            uuid: agent_uuid(i),
            heartbeat_every,
            agent_version: "2.3.14-sim".into(),
        };
        runtime.spawn(autopilot(config, stats.clone(), stopped.clone()));
    }
    while stats.connected.load(Ordering::Relaxed) < count as u64 {
        assert!(
            connecting.elapsed() < Duration::from_secs(300),
            "not all agents connected"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let connect_time = connecting.elapsed();
    eprintln!("{count} agents connected in {connect_time:.1?}");
    // Let the burst of first (full) heartbeats pass: measure the steady state.
    std::thread::sleep(heartbeat_every);

    // Steady state: heartbeats only, plus a probe agent measuring heartbeat visibility.
    let (cpu_before, _) = usage(pid);
    let disconnects_before = stats.disconnects.load(Ordering::Relaxed);
    let window = Instant::now();
    let probe = agent_uuid(0);
    let mut visible = Vec::new();
    // The login connection sat idle past the keep-alive timeout while agents connected.
    let mut client = Client::connect(server.addr);
    runtime.block_on(async {
        let mut socket = AgentSocket::connect(&base, probe)
            .await
            .expect("probe connects");
        let mut marker = 1_000_000u64;
        while window.elapsed() < steady {
            marker += 1;
            socket
                .send(&stats_heartbeat("2.3.14", 1.0, marker))
                .await
                .unwrap();
            let sent = Instant::now();
            let path = format!("/api/v1/agents/{probe}/state");
            let seen = tokio::task::block_in_place(|| {
                loop {
                    let state = client.json("GET", &path, Some(&token), "");
                    if state["data"]["stats"]["process_count"].as_u64() == Some(marker) {
                        break sent.elapsed();
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
            visible.push(seen.as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        socket.close().await;
    });
    let elapsed = window.elapsed().as_secs_f64();
    let (cpu_after, rss) = usage(pid);
    let cpu_percent = (cpu_after - cpu_before) / elapsed * 100.0;
    let dropped = stats.disconnects.load(Ordering::Relaxed) - disconnects_before;
    visible.sort_by(f64::total_cmp);

    // A command fanned out to every agent, through the REST API.
    let fanning = Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (addr, token) = (server.addr, token.clone());
            std::thread::spawn(move || {
                let mut client = Client::connect(addr);
                for i in (1..=count).filter(|i| i % 4 == t) {
                    let path = format!("/api/v1/agents/{}/action", agent_uuid(i));
                    client.json("POST", &path, Some(&token), r#"{"action":"ping"}"#);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let fan_out = fanning.elapsed();
    let deadline = Instant::now() + Duration::from_secs(300);
    while db.query_i64("SELECT count(*) AS value FROM executions WHERE status <> 'completed'") > 0 {
        assert!(Instant::now() < deadline, "commands did not complete");
        std::thread::sleep(Duration::from_millis(200));
    }
    let all_done = fanning.elapsed();
    let round_trip = |q: f64| {
        db.query_i64(&format!(
            "SELECT (percentile_cont({q}) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) * 1000)::bigint AS value FROM executions"
        ))
    };
    let (rt50, rt99) = (round_trip(0.5), round_trip(0.99));
    let (_, rss_after) = usage(pid);

    println!("| measure | value |");
    println!("|---|---:|");
    println!("| agents | {count} |");
    println!("| heartbeat interval | {} s |", heartbeat_every.as_secs());
    println!(
        "| all agents connected after | {:.1} s |",
        connect_time.as_secs_f64()
    );
    println!(
        "| connections lost during {} s steady state | {dropped} |",
        steady.as_secs()
    );
    println!("| server CPU, steady state (one core = 100%) | {cpu_percent:.0}% |");
    println!("| server RSS, steady state | {} MiB |", rss / (1024 * 1024));
    println!(
        "| heartbeat visible through the API, p50 / p99 | {:.0} ms / {:.0} ms |",
        percentile(&visible, 0.5),
        percentile(&visible, 0.99)
    );
    println!(
        "| {count} commands queued through the API in | {:.1} s |",
        fan_out.as_secs_f64()
    );
    println!(
        "| all {count} answered after | {:.1} s |",
        all_done.as_secs_f64()
    );
    println!("| command round trip (queued to answer stored), p50 / p99 | {rt50} ms / {rt99} ms |");
    println!(
        "| server RSS after the fan-out | {} MiB |",
        rss_after / (1024 * 1024)
    );

    stop.send(true).unwrap();
    runtime.shutdown_timeout(Duration::from_secs(5));
    drop(server);
}
