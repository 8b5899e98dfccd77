//! `slimrmm-agent-sim`: runs simulated agents against a server: approved agents whose uuids are
//! in a file (`--uuids agents.txt`, one per line), or new ones it enrolls first with an
//! auto-approving enrollment token (`--enroll-token TOKEN --agents 100`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::Parser;
use slimrmm_agent_sim::{Autopilot, AutopilotStats, autopilot};
use uuid::Uuid;

/// Simulated SlimRMM agents.
#[derive(Debug, Parser)]
struct Args {
    /// The server, `http://host:port`.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    server: String,
    /// A file of approved agent uuids, one per line.
    #[arg(long, conflicts_with = "enroll_token")]
    uuids: Option<std::path::PathBuf>,
    /// Enroll `--agents` new agents with this (auto-approving) enrollment token.
    #[arg(long, requires = "agents")]
    enroll_token: Option<String>,
    /// How many agents to enroll.
    #[arg(long)]
    agents: Option<usize>,
    /// Seconds between heartbeats.
    #[arg(long, default_value_t = 15)]
    heartbeat_every: u64,
    /// Seconds to run (0: until interrupted).
    #[arg(long, default_value_t = 0)]
    seconds: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    let args = Args::parse();
    let uuids: Vec<Uuid> = match (&args.uuids, &args.enroll_token, args.agents) {
        (Some(file), _, _) => std::fs::read_to_string(file)?
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| line.trim().parse())
            .collect::<Result<_, _>>()?,
        (None, Some(token), Some(count)) => {
            let mut uuids = Vec::with_capacity(count);
            for i in 0..count {
                uuids.push(
                    slimrmm_agent_sim::enroll(&args.server, token, &format!("sim-{i}")).await?,
                );
            }
            println!("enrolled {count} agents");
            uuids
        }
        _ => anyhow::bail!("give --uuids FILE, or --enroll-token TOKEN with --agents N"),
    };
    let stats = Arc::new(AutopilotStats::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let agents: Vec<_> = uuids
        .into_iter()
        .map(|uuid| {
            let config = Autopilot {
                server: args.server.clone(),
                uuid,
                heartbeat_every: Duration::from_secs(args.heartbeat_every),
                agent_version: "2.3.14-sim".into(),
            };
            tokio::spawn(autopilot(config, stats.clone(), stopped.clone()))
        })
        .collect();
    let started = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        println!(
            "connected {} heartbeats {} answered {} disconnects {} connect failures {}",
            stats.connected.load(Ordering::Relaxed),
            stats.heartbeats.load(Ordering::Relaxed),
            stats.answered.load(Ordering::Relaxed),
            stats.disconnects.load(Ordering::Relaxed),
            stats.connect_failures.load(Ordering::Relaxed),
        );
        if args.seconds > 0 && started.elapsed() >= Duration::from_secs(args.seconds) {
            break;
        }
    }
    stop.send(true)?;
    for agent in agents {
        let _ = agent.await;
    }
    Ok(())
}
