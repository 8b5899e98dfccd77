//! The tasks a server process runs besides answering requests: writing heartbeats, sweeping
//! presence and executions, delivering queued commands, delivering notifications from the
//! outbox, starting scheduled policy runs,
//! relaying events and wake-ups between processes, forgetting idle rate-limit clients, and
//! housekeeping.

use std::future::Future;
use std::time::Duration;

use slimrmm_domain::agent::AgentId;
use slimrmm_persistence::{DISCONNECT_CHANNEL, EVENTS_CHANNEL, WAKE_CHANNEL, listen};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::wiring::Assembly;

/// How often heartbeats are written (a heartbeat is visible through the API within about this
/// long plus one round trip).
const HEARTBEAT_FLUSH: Duration = Duration::from_secs(1);
/// How often this process tells the others it is alive (they judge it dead after 20 s).
const PROCESS_BEAT: Duration = Duration::from_secs(5);
/// How often agent messages kept while the database was down are written again.
const DEFERRED_RETRY: Duration = Duration::from_secs(1);
/// How often silent agents, expired and unanswered commands are looked for.
const SWEEP: Duration = Duration::from_secs(10);
/// How often queued commands are looked for, in case a wake-up was missed.
const DELIVERY_SWEEP: Duration = Duration::from_secs(5);
const HOUSEKEEPING: Duration = Duration::from_secs(3600);
/// How often the outbox is routed and delivered.
const DELIVERY: Duration = Duration::from_secs(2);
/// How often clients whose rate-limit budget is whole again are forgotten.
const RATE_LIMIT_CLEANUP: Duration = Duration::from_secs(60);
/// How often due policy schedules are looked for (slots are whole minutes).
const SCHEDULER: Duration = Duration::from_secs(10);

/// The running tasks; dropping this stops them.
pub struct Background {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn every<F, Fut>(period: Duration, mut work: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            work().await;
        }
    })
}

/// Which of the optional background tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tasks {
    /// The outbox worker (tests that drive delivery rounds themselves leave it out, so that
    /// no second worker races theirs).
    pub outbox: bool,
}

impl Tasks {
    /// Everything: what a server process runs.
    pub const ALL: Self = Self { outbox: true };
}

impl Assembly {
    /// Starts every background task on the current tokio runtime.
    pub fn start_background(&self, config: &Config) -> Background {
        self.start_tasks(config, Tasks::ALL)
    }

    /// Starts the background tasks `which` allows on the current tokio runtime.
    pub fn start_tasks(&self, config: &Config, which: Tasks) -> Background {
        let mut tasks = Vec::new();
        let gateway = self.state.gateway.clone();
        tasks.push(every(HEARTBEAT_FLUSH, move || {
            let gateway = gateway.clone();
            async move {
                if let Err(error) = gateway.flush_heartbeats().await {
                    tracing::warn!(error = ?error, "writing heartbeats failed; kept for the next try");
                }
            }
        }));

        let limits = self.state.rate_limits.clone();
        tasks.push(every(RATE_LIMIT_CLEANUP, move || {
            limits.forget_idle();
            async {}
        }));

        let gateway = self.state.gateway.clone();
        tasks.push(every(SWEEP, move || {
            let gateway = gateway.clone();
            async move {
                if let Err(error) = gateway.sweep().await {
                    tracing::warn!(error = ?error, "the presence and execution sweep failed");
                }
            }
        }));

        let gateway = self.state.gateway.clone();
        tasks.push(every(PROCESS_BEAT, move || {
            let gateway = gateway.clone();
            async move {
                if let Err(error) = gateway.beat().await {
                    tracing::warn!(error = ?error, "telling the other processes this one is alive failed");
                }
            }
        }));

        let gateway = self.state.gateway.clone();
        tasks.push(every(DEFERRED_RETRY, move || {
            let gateway = gateway.clone();
            async move {
                if gateway.deferred() == 0 {
                    return;
                }
                match gateway.retry_deferred().await {
                    Ok(written) => tracing::info!(written, "agent messages kept during a database outage were written"),
                    Err(error) => tracing::debug!(error = ?error, kept = gateway.deferred(), "the database is still unavailable"),
                }
            }
        }));

        let policies = self.state.policies.clone();
        tasks.push(every(SCHEDULER, move || {
            let policies = policies.clone();
            async move {
                match policies.run_due().await {
                    Ok(0) => {}
                    Ok(started) => tracing::info!(started, "scheduled policy runs started"),
                    Err(error) => tracing::warn!(error = ?error, "the policy scheduler failed"),
                }
            }
        }));

        let delivery = self.delivery.clone();
        tasks.extend(which.outbox.then(|| {
            every(DELIVERY, move || {
                let delivery = delivery.clone();
                async move {
                    match delivery.run_once().await {
                        Ok(report) if report.messages > 0 || report.routed > 0 => {
                            tracing::debug!(?report, "outbox round")
                        }
                        Ok(_) => {}
                        Err(error) => tracing::warn!(error = ?error, "the outbox round failed"),
                    }
                }
            })
        }));

        let gateway = self.state.gateway.clone();
        let connections = self.state.connections.clone();
        tasks.push(every(DELIVERY_SWEEP, move || {
            let (gateway, connections) = (gateway.clone(), connections.clone());
            async move {
                if connections.is_empty() {
                    return;
                }
                match gateway.agents_with_work().await {
                    Ok(agents) => {
                        for agent in agents {
                            connections.deliver(agent);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(error = ?error, "looking for queued commands failed")
                    }
                }
            }
        }));

        let (hub, connections) = (self.state.events.clone(), self.state.connections.clone());
        let url = config.database_url.clone();
        tasks.push(tokio::spawn(async move {
            listen(
                url,
                &[EVENTS_CHANNEL, WAKE_CHANNEL, DISCONNECT_CHANNEL],
                |channel, payload| {
                    if channel == EVENTS_CHANNEL {
                        hub.send(payload);
                        return;
                    }
                    let Ok(agent) = payload.parse::<AgentId>() else {
                        return;
                    };
                    if channel == WAKE_CHANNEL {
                        connections.deliver(agent);
                    } else {
                        // 1008: the deleted agent backs off; its reconnections are refused.
                        connections.close(agent, 1008, "agent deleted");
                    }
                },
            )
            .await;
        }));

        let housekeeping = self.housekeeping.clone();
        tasks.push(every(HOUSEKEEPING, move || {
            let housekeeping = housekeeping.clone();
            async move {
                match housekeeping.run().await {
                    Ok(purged) => tracing::debug!(?purged, "housekeeping done"),
                    Err(error) => tracing::warn!(error = ?error, "housekeeping failed; will retry"),
                }
            }
        }));
        Background { tasks }
    }
}
