//! Agent messages kept while the database is unavailable, to be written when it is back: a
//! bounded, ordered buffer of this process.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::messages::kind_of;
use crate::agent::Agent;
use crate::health::DroppedKind;
use crate::protocol::AgentMessage;

/// One kept message.
pub(super) struct Entry {
    pub(super) agent: Agent,
    pub(super) message: AgentMessage,
    /// When it arrived (what it is recorded with).
    pub(super) at: DateTime<Utc>,
    size: usize,
}

/// What became of a message offered to the buffer.
pub(super) enum Deferral {
    /// Kept, behind the others.
    Kept,
    /// The buffer is full: the message is dropped.
    Full(Option<DroppedKind>),
    /// Nothing is kept: handle it now.
    Now(AgentMessage),
}

struct State {
    queue: VecDeque<Entry>,
    bytes: usize,
    /// An entry is out of the queue being written: newer messages still wait behind it.
    draining: bool,
}

/// The buffer, bounded by a number of messages and an estimate of their size.
pub(super) struct DeferredMessages {
    state: Mutex<State>,
    max_messages: usize,
    max_bytes: usize,
}

/// A message's size as far as the bound is concerned (its reported data dominates).
fn size_of(message: &AgentMessage) -> usize {
    const OVERHEAD: usize = 512;
    match message {
        AgentMessage::Reply(reply) => {
            OVERHEAD
                + reply.data.as_ref().map_or(0, |data| data.to_string().len())
                + reply.error.as_ref().map_or(0, String::len)
        }
        AgentMessage::InventoryChange(change) => OVERHEAD + change.changes.len() * 128,
        _ => OVERHEAD,
    }
}

impl DeferredMessages {
    pub(super) fn new(max_messages: usize, max_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                bytes: 0,
                draining: false,
            }),
            max_messages,
            max_bytes,
        }
    }

    fn push(
        &self,
        state: &mut State,
        agent: &Agent,
        message: AgentMessage,
        at: DateTime<Utc>,
    ) -> Deferral {
        let size = size_of(&message);
        if state.queue.len() >= self.max_messages || state.bytes + size > self.max_bytes {
            return Deferral::Full(kind_of(&message));
        }
        state.bytes += size;
        state.queue.push_back(Entry {
            agent: agent.clone(),
            message,
            at,
            size,
        });
        Deferral::Kept
    }

    /// Keeps `message` if others are kept (so that it is written after them); otherwise hands
    /// it back to be handled now.
    pub(super) fn defer_behind(
        &self,
        agent: &Agent,
        message: AgentMessage,
        at: DateTime<Utc>,
    ) -> Deferral {
        let mut state = self.state.lock().expect("deferred messages");
        if state.queue.is_empty() && !state.draining {
            return Deferral::Now(message);
        }
        self.push(&mut state, agent, message, at)
    }

    /// Keeps `message` (the database just refused it as unavailable).
    pub(super) fn defer(
        &self,
        agent: &Agent,
        message: AgentMessage,
        at: DateTime<Utc>,
    ) -> Deferral {
        let mut state = self.state.lock().expect("deferred messages");
        self.push(&mut state, agent, message, at)
    }

    /// The oldest kept message, taken out to be written; `None` when none is left.
    pub(super) fn next(&self) -> Option<Entry> {
        let mut state = self.state.lock().expect("deferred messages");
        let entry = state.queue.pop_front();
        match &entry {
            Some(entry) => {
                state.bytes -= entry.size;
                state.draining = true;
            }
            None => state.draining = false,
        }
        entry
    }

    /// The entry taken by [`next`](Self::next) is settled.
    pub(super) fn done(&self) {}

    /// The entry taken by [`next`](Self::next) could not be written yet: first again.
    pub(super) fn put_back(&self, entry: Entry) {
        let mut state = self.state.lock().expect("deferred messages");
        state.bytes += entry.size;
        state.queue.push_front(entry);
        state.draining = false;
    }

    pub(super) fn len(&self) -> usize {
        self.state.lock().expect("deferred messages").queue.len()
    }
}
