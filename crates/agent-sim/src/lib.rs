//! Simulated SlimRMM agents that speak the real agent's protocol (`agent-protocol.md`): they
//! connect to `/api/v1/ws/agent?uuid=`, announce themselves as the agent does, send minimal,
//! stats and full heartbeats on its schedule, and answer commands the way it does (the generic
//! reply, and for some actions the raw `*_result` first), including its anti-replay checks.
//!
//! [`AgentSocket`] is one raw connection for tests that script every frame; [`autopilot`] runs
//! an agent on its own, for the simulator binary and the benchmark.

mod autopilot;
mod enroll;
mod replies;
mod socket;

pub use autopilot::{Autopilot, AutopilotStats, autopilot};
pub use enroll::enroll;
pub use replies::{AgentMemory, answer, full_heartbeat, minimal_heartbeat, stats_heartbeat};
pub use socket::{AgentSocket, Closed};
