//! Agent messages kept while the database is unavailable, to be written when it is back: a
//! bounded, ordered buffer of this process.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::messages::kind_of;
use crate::agent::{Agent, AgentId};
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
    /// How many each agent has kept: one agent cannot fill the buffer for all.
    per_agent: HashMap<AgentId, usize>,
    /// An entry is out of the queue being written: newer messages still wait behind it.
    draining: bool,
}

/// The buffer, bounded by a number of messages and an estimate of their size.
pub(super) struct DeferredMessages {
    state: Mutex<State>,
    max_messages: usize,
    max_bytes: usize,
}

/// An estimate of the memory a kept message holds: its text, and about three times the text
/// of parsed JSON (maps, vectors and their allocations).
fn size_of(message: &AgentMessage) -> usize {
    const OVERHEAD: usize = 512;
    match message {
        AgentMessage::Reply(reply) => {
            OVERHEAD
                + 3 * reply.data.as_ref().map_or(0, |data| data.to_string().len())
                + reply.error.as_ref().map_or(0, String::len)
                + reply.action.len()
        }
        AgentMessage::InventoryChange(change) => {
            OVERHEAD
                + change
                    .changes
                    .iter()
                    .map(|change| match change {
                        crate::protocol::PackageChange::Installed { name, version } => {
                            96 + name.len() + version.len()
                        }
                        crate::protocol::PackageChange::Removed { name } => 96 + name.len(),
                    })
                    .sum::<usize>()
        }
        AgentMessage::ThresholdAlert(alert) => {
            OVERHEAD + alert.message.len() + alert.metric.len() + alert.severity.len()
        }
        AgentMessage::Other { action } => OVERHEAD + action.len(),
        _ => OVERHEAD,
    }
}

impl DeferredMessages {
    pub(super) fn new(max_messages: usize, max_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                bytes: 0,
                per_agent: HashMap::new(),
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
        let mine = state.per_agent.get(&agent.id).copied().unwrap_or(0);
        if state.queue.len() >= self.max_messages
            || state.bytes + size > self.max_bytes
            || mine >= self.per_agent_limit()
        {
            return Deferral::Full(kind_of(&message));
        }
        state.bytes += size;
        *state.per_agent.entry(agent.id).or_default() += 1;
        state.queue.push_back(Entry {
            agent: agent.clone(),
            message,
            at,
            size,
        });
        Deferral::Kept
    }

    /// One agent keeps at most a tenth of the buffer (and at least 100 messages).
    fn per_agent_limit(&self) -> usize {
        (self.max_messages / 10).max(100)
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
                if let Some(count) = state.per_agent.get_mut(&entry.agent.id) {
                    *count -= 1;
                    if *count == 0 {
                        state.per_agent.remove(&entry.agent.id);
                    }
                }
            }
            None => state.draining = false,
        }
        entry
    }

    /// Holds an entry taken by [`next`](Self::next) while it is written: dropped before
    /// [`Taken::keep`] (the writing task was cancelled), it goes back to the front.
    pub(super) fn taken(&self, entry: Entry) -> Taken<'_> {
        Taken {
            deferred: self,
            entry: Some(entry),
        }
    }

    /// The entry taken by [`next`](Self::next) is settled.
    pub(super) fn done(&self) {}

    /// The entry taken by [`next`](Self::next) could not be written yet: first again.
    pub(super) fn put_back(&self, entry: Entry) {
        let mut state = self.state.lock().expect("deferred messages");
        state.bytes += entry.size;
        *state.per_agent.entry(entry.agent.id).or_default() += 1;
        state.queue.push_front(entry);
        state.draining = false;
    }

    pub(super) fn len(&self) -> usize {
        self.state.lock().expect("deferred messages").queue.len()
    }
}

/// An entry out of the buffer while it is written.
pub(super) struct Taken<'a> {
    deferred: &'a DeferredMessages,
    entry: Option<Entry>,
}

impl Taken<'_> {
    /// What to write: the agent, the message and when it arrived.
    pub(super) fn parts(&self) -> (Agent, AgentMessage, DateTime<Utc>) {
        let entry = self.entry.as_ref().expect("taken entry");
        (entry.agent.clone(), entry.message.clone(), entry.at)
    }

    /// The write finished (either way): the caller decides what becomes of the entry.
    pub(super) fn keep(mut self) -> Entry {
        self.entry.take().expect("taken entry")
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            self.deferred.put_back(entry);
        }
    }
}
