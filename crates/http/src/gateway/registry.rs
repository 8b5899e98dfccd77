use std::collections::HashMap;
use std::sync::Mutex;

use slimrmm_domain::agent::AgentId;
use slimrmm_domain::execution::ConnectionId;
use tokio::sync::mpsc;

/// What a connection's task is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Claim and send the agent's queued commands.
    Deliver,
    /// Close with this WebSocket close code and reason.
    Close(u16, &'static str),
}

struct Slot {
    connection: ConnectionId,
    sender: mpsc::UnboundedSender<Outbound>,
}

/// The agents connected to this process, one connection each (the newest).
#[derive(Default)]
pub struct Connections {
    slots: Mutex<HashMap<AgentId, Slot>>,
}

impl Connections {
    /// Records `connection` as the agent's; an older connection is told to close.
    pub fn register(
        &self,
        agent: AgentId,
        connection: ConnectionId,
        sender: mpsc::UnboundedSender<Outbound>,
    ) {
        let previous = self
            .slots
            .lock()
            .expect("connection registry")
            .insert(agent, Slot { connection, sender });
        if let Some(previous) = previous {
            tracing::info!(agent = %agent, "agent connected again; closing its older connection");
            // 1008: the old connection backs off instead of reconnecting at once.
            let _ = previous
                .sender
                .send(Outbound::Close(1008, "replaced by a newer connection"));
        }
    }

    /// Forgets `connection`; false when a newer connection had already replaced it.
    pub fn remove(&self, agent: AgentId, connection: ConnectionId) -> bool {
        let mut slots = self.slots.lock().expect("connection registry");
        match slots.get(&agent) {
            Some(slot) if slot.connection == connection => {
                slots.remove(&agent);
                true
            }
            _ => false,
        }
    }

    /// Asks the agent's connection, if it is here, to send its queued commands.
    pub fn deliver(&self, agent: AgentId) -> bool {
        let slots = self.slots.lock().expect("connection registry");
        slots
            .get(&agent)
            .is_some_and(|slot| slot.sender.send(Outbound::Deliver).is_ok())
    }

    /// Asks the agent's connection, if it is here, to close.
    pub fn close(&self, agent: AgentId, code: u16, reason: &'static str) {
        if let Some(slot) = self.slots.lock().expect("connection registry").get(&agent) {
            let _ = slot.sender.send(Outbound::Close(code, reason));
        }
    }

    /// Asks every connection to close (server shutdown: 1012, the agents reconnect at once).
    pub fn close_all(&self, code: u16, reason: &'static str) {
        for slot in self.slots.lock().expect("connection registry").values() {
            let _ = slot.sender.send(Outbound::Close(code, reason));
        }
    }

    /// How many agents are connected here.
    pub fn len(&self) -> usize {
        self.slots.lock().expect("connection registry").len()
    }

    /// True when no agent is connected here.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the agent is connected here.
    pub fn contains(&self, agent: AgentId) -> bool {
        self.slots
            .lock()
            .expect("connection registry")
            .contains_key(&agent)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn the_newest_connection_wins_and_the_older_is_told_to_close() {
        let connections = Connections::default();
        let agent = AgentId(Uuid::new_v4());
        let (first, second) = (ConnectionId(Uuid::new_v4()), ConnectionId(Uuid::new_v4()));
        let (old_sender, mut old) = mpsc::unbounded_channel();
        let (new_sender, mut new) = mpsc::unbounded_channel();
        connections.register(agent, first, old_sender);
        connections.register(agent, second, new_sender);
        assert_eq!(
            old.try_recv(),
            Ok(Outbound::Close(1008, "replaced by a newer connection"))
        );
        assert!(connections.deliver(agent));
        assert_eq!(new.try_recv(), Ok(Outbound::Deliver));
        assert!(
            !connections.remove(agent, first),
            "the replaced connection does not remove the new one"
        );
        assert!(connections.contains(agent));
        assert!(connections.remove(agent, second));
        assert!(connections.is_empty());
    }
}
