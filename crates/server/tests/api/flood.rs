//! A sign-in flood from any number of clients costs a fixed amount of memory and leaves other
//! requests fast: password hashing runs on one worker per core behind a short queue, and the
//! excess is refused at once (503 `SERVER_BUSY` with `Retry-After`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use slimrmm_test_db::TestDatabase;

use crate::binary::{Running, free_port, http, server, wait_ready};

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

const CLIENTS: usize = 48;
const FLOOD: Duration = Duration::from_secs(6);

#[test]
fn a_login_flood_leaves_memory_flat_and_other_requests_answered() {
    let db = TestDatabase::new();
    let port = free_port();
    let child = server(&db)
        .env("SLIMRMM_BIND", format!("127.0.0.1:{port}"))
        .env("SLIMRMM_ADMIN_PASSWORD", "flood admin password")
        .env("SLIMRMM_AUTH_RATE_LIMIT_PER_MINUTE", "1000000")
        .env("SLIMRMM_RATE_LIMIT_PER_MINUTE", "1000000")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let _running = Running(child);
    wait_ready(port);
    let wrong = r#"{"username":"admin","password":"not the password at all"}"#;
    // Warm up: every hashing worker has its work area, the pool its connections.
    for _ in 0..8 {
        http(port, "POST", "/api/v1/auth/login", wrong);
    }
    let before = rss_kib(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let (refused, rejected, other) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (stop, refused, rejected, other) = (
            stop.clone(),
            refused.clone(),
            rejected.clone(),
            other.clone(),
        );
        clients.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match http(port, "POST", "/api/v1/auth/login", wrong) {
                    Some((401, _)) => rejected.fetch_add(1, Ordering::Relaxed),
                    Some((503, body)) if body.contains("SERVER_BUSY") => {
                        refused.fetch_add(1, Ordering::Relaxed)
                    }
                    _ => other.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut health_checks = 0;
    while started.elapsed() < FLOOD {
        let asked = Instant::now();
        let answer = http(port, "GET", "/healthz", "");
        slowest = slowest.max(asked.elapsed());
        assert_eq!(
            answer.map(|(status, _)| status),
            Some(200),
            "/healthz during the flood"
        );
        health_checks += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let during = rss_kib(pid);
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    let after = rss_kib(pid);

    let (refused, rejected, other) = (
        refused.load(Ordering::Relaxed),
        rejected.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
    );
    assert_eq!(
        other, 0,
        "every sign-in was answered 401 or 503 SERVER_BUSY"
    );
    assert!(
        rejected > 0 && refused > 0,
        "{rejected} checked, {refused} refused"
    );
    // One 19 MiB work area per hashing worker is already there; the flood adds at most
    // request buffers. (Unbounded hashing grew by gigabytes.)
    let grown = during.max(after).saturating_sub(before);
    assert!(
        grown < 96 * 1024,
        "memory grew by {} MiB during the flood ({before} KiB before, {during} during, {after} after)",
        grown / 1024
    );
    // A sanity bound far above what it takes (tens of milliseconds), not a benchmark: the
    // flood must not starve the async workers.
    assert!(
        slowest < Duration::from_secs(3),
        "/healthz took {slowest:?} at worst over {health_checks} checks during the flood"
    );
    eprintln!(
        "flood: {rejected} checked, {refused} refused; /healthz worst {slowest:?} over \
         {health_checks}; RSS {before} -> {during} -> {after} KiB"
    );
}
