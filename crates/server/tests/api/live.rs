//! Shared by the tests that run simulated agents: waiting, greeting, reading requests.

use std::time::Duration;

use serde_json::{Value, json};
use slimrmm_agent_sim::AgentSocket;

pub const WAIT: Duration = Duration::from_secs(5);

/// Polls `check` until it returns `Some`, for up to five seconds.
macro_rules! eventually {
    ($check:expr) => {{
        let deadline = tokio::time::Instant::now() + $crate::live::WAIT;
        loop {
            if let Some(value) = $check {
                break value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {}",
                stringify!($check)
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }};
}

/// The agent's first frame after connecting.
pub async fn hello(socket: &mut AgentSocket) {
    let message = json!({"action": "set_maintenance", "enabled": false, "reason": "Agent started successfully"});
    socket.send(&message).await.unwrap();
}

/// The next frame from the server, within five seconds.
pub async fn request(socket: &mut AgentSocket) -> Value {
    socket
        .receive(WAIT)
        .await
        .expect("connection open")
        .expect("a request within 5 s")
}
