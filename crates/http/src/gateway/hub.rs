use std::sync::Arc;

use tokio::sync::broadcast;

/// One live event as subscribers receive it.
#[derive(Debug, Clone)]
pub struct EventFrame {
    /// The agent it concerns, for `?agent=` filtering.
    pub agent: Option<String>,
    /// `{"type", "data", "ts"}`.
    pub json: Arc<str>,
}

/// Fans live events out to this process's subscribers. A subscriber that falls behind misses
/// events and is dropped; it never slows anyone down.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<EventFrame>,
}

impl EventHub {
    /// A hub buffering `capacity` events per subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
        }
    }

    /// Delivers an event (`{"type", "data": {"agent_uuid"?...}, "ts"}` JSON) to every
    /// subscriber.
    pub fn send(&self, json: &str) {
        let agent = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|value| value["data"]["agent_uuid"].as_str().map(str::to_owned));
        let _ = self.sender.send(EventFrame {
            agent,
            json: Arc::from(json),
        });
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<EventFrame> {
        self.sender.subscribe()
    }
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new(1024)
    }
}
