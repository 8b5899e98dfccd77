use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;
use uuid::Uuid;

use crate::replies::{AgentMemory, answer, full_heartbeat, minimal_heartbeat, stats_heartbeat};
use crate::socket::AgentSocket;

/// One simulated agent's settings.
#[derive(Debug, Clone)]
pub struct Autopilot {
    /// `http://host:port`.
    pub server: String,
    /// Its uuid (an approved agent of that server).
    pub uuid: Uuid,
    /// Seconds between heartbeats (the agent uses 15, 30 or 60).
    pub heartbeat_every: Duration,
    /// Its version.
    pub agent_version: String,
}

/// Counters shared by many simulated agents.
#[derive(Debug, Default)]
pub struct AutopilotStats {
    /// Agents connected right now.
    pub connected: AtomicU64,
    /// Successful connections, ever.
    pub connects: AtomicU64,
    /// Failed connection attempts.
    pub connect_failures: AtomicU64,
    /// Connections lost.
    pub disconnects: AtomicU64,
    /// Heartbeats sent.
    pub heartbeats: AtomicU64,
    /// Requests answered.
    pub answered: AtomicU64,
}

/// Runs one simulated agent until `stop` turns true: connect, announce, heartbeat (the first
/// `full`, every tenth `full`, the delta blocks once), answer requests, reconnect when
/// disconnected (at once after a clean 1000/1001/1012 close, else after a second).
pub async fn autopilot(
    config: Autopilot,
    stats: Arc<AutopilotStats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut sent = 0u64;
    let mut memory = AgentMemory::default();
    // Spread the heartbeats of many agents over the interval, deterministically.
    let phase = Duration::from_millis(
        (config.uuid.as_u128() % config.heartbeat_every.as_millis().max(1)) as u64,
    );
    while !*stop.borrow() {
        let mut socket = match AgentSocket::connect(&config.server, config.uuid).await {
            Ok(socket) => socket,
            Err(_) => {
                stats.connect_failures.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        stats.connects.fetch_add(1, Ordering::Relaxed);
        stats.connected.fetch_add(1, Ordering::Relaxed);
        let hello = json!({"action": "set_maintenance", "enabled": false, "reason": "Agent started successfully"});
        let _ = socket.send(&hello).await;
        let mut next_heartbeat = tokio::time::Instant::now()
            + if sent == 0 {
                Duration::from_millis(50)
            } else {
                phase
            };
        let clean = loop {
            tokio::select! {
                _ = stop.changed() => {
                    if *stop.borrow() {
                        break true;
                    }
                }
                () = tokio::time::sleep_until(next_heartbeat) => {
                    let cpu = (sent % 50) as f64;
                    let heartbeat = match sent % 10 {
                        0 => full_heartbeat(&config.agent_version, cpu, sent, sent == 0),
                        5 => minimal_heartbeat(&config.agent_version),
                        _ => stats_heartbeat(&config.agent_version, cpu, sent),
                    };
                    if socket.send(&heartbeat).await.is_err() {
                        break false;
                    }
                    sent += 1;
                    stats.heartbeats.fetch_add(1, Ordering::Relaxed);
                    next_heartbeat += config.heartbeat_every;
                }
                received = socket.receive(Duration::from_secs(3600)) => match received {
                    Ok(Some(request)) => {
                        for reply in answer(&request, &mut memory) {
                            if socket.send(&reply).await.is_err() {
                                break;
                            }
                        }
                        stats.answered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => {}
                    Err(closed) => break matches!(closed.code, Some(1000 | 1001 | 1012)),
                },
            }
        };
        stats.connected.fetch_sub(1, Ordering::Relaxed);
        if *stop.borrow() {
            socket.close().await;
            return;
        }
        stats.disconnects.fetch_add(1, Ordering::Relaxed);
        if !clean {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}
