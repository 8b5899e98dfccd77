//! The rate limiter against an attacker rotating through addresses: the cost of a check, the
//! memory per tracked client, and that forgetting idle clients gives the memory back.
//! `cargo bench -p slimrmm-http --bench rate_limit`; figures in `docs/PERFORMANCE.md`.
//! `BENCH_CLIENTS` (default 1,000,000) distinct IPv4 clients.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use slimrmm_http::middleware::{Budget, ClientKey};

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let clients: u32 = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000);
    // 600 per minute: an idle client's budget is whole again after 0.2 s.
    let budget = Budget::per_minute(NonZeroU32::new(600).expect("non-zero"));
    let before = resident_kib();
    let started = Instant::now();
    for client in 0..clients {
        let decision = budget.check(ClientKey::V4(client));
        assert!(decision.retry_after.is_none());
    }
    let elapsed = started.elapsed();
    let tracked = budget.clients();
    let grown = resident_kib().saturating_sub(before);
    println!(
        "{clients} distinct clients: {:.0} ns per check, {tracked} tracked, RSS +{} MiB ({} bytes per client)",
        elapsed.as_nanos() as f64 / f64::from(clients),
        grown / 1024,
        grown * 1024 / u64::from(clients.max(1)),
    );

    // The same client hammering: the refusal path.
    let hot = ClientKey::V4(u32::MAX);
    let started = Instant::now();
    let mut refused = 0u32;
    for _ in 0..1_000_000 {
        if budget.check(hot).retry_after.is_some() {
            refused += 1;
        }
    }
    println!(
        "one client, 1,000,000 checks: {:.0} ns per check, {refused} refused",
        started.elapsed().as_nanos() as f64 / 1e6
    );

    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    budget.forget_idle();
    println!(
        "forget_idle: {} ms, {} clients left (of {tracked})",
        started.elapsed().as_millis(),
        budget.clients(),
    );
}
