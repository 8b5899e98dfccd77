//! Messages between server processes over PostgreSQL `LISTEN/NOTIFY`: live events for every
//! process's subscribers, and "this agent has work" for whichever process holds its socket.

use std::time::Duration;

use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use slimrmm_domain::agent::{AgentId, ConnectionControl};
use slimrmm_domain::event::{Event, EventPublisher};
use slimrmm_domain::execution::ExecutionWaker;
use tokio::sync::mpsc;

use crate::Database;

/// The channel of live events; payload `{"type", "data", "ts"}`.
pub const EVENTS_CHANNEL: &str = "slimrmm_events";
/// The channel of wake-ups; payload: an agent uuid.
pub const WAKE_CHANNEL: &str = "slimrmm_wake";
/// The channel of forced disconnections (a deleted agent); payload: an agent uuid.
pub const DISCONNECT_CHANNEL: &str = "slimrmm_disconnect";
/// PostgreSQL refuses payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;
const BATCH: usize = 500;

/// Publishes events and wake-ups with `NOTIFY`, from a task of its own so that publishing never
/// waits for the database.
#[derive(Clone)]
pub struct PgBus {
    outgoing: mpsc::UnboundedSender<(&'static str, String)>,
}

impl PgBus {
    /// Starts the sending task on the current tokio runtime.
    pub fn start(db: Database) -> Self {
        let (outgoing, incoming) = mpsc::unbounded_channel();
        tokio::spawn(send(db, incoming));
        Self { outgoing }
    }

    fn notify(&self, channel: &'static str, payload: String) {
        // The task only ends with the runtime; nothing to do then.
        let _ = self.outgoing.send((channel, payload));
    }
}

/// The JSON of an event as subscribers receive it (the domain's [`Event::message`]), or its
/// truncated form when it would not fit in a `NOTIFY` payload.
pub fn event_json(event: &Event) -> String {
    let text = event.message().to_string();
    if text.len() <= MAX_PAYLOAD {
        return text;
    }
    event.truncated_message().to_string()
}

impl EventPublisher for PgBus {
    fn publish(&self, event: Event) {
        self.notify(EVENTS_CHANNEL, event_json(&event));
    }
}

impl ConnectionControl for PgBus {
    fn disconnect(&self, agent: AgentId) {
        self.notify(DISCONNECT_CHANNEL, agent.to_string());
    }
}

impl ExecutionWaker for PgBus {
    fn wake(&self, agent: AgentId) {
        self.notify(WAKE_CHANNEL, agent.to_string());
    }
}

async fn send(db: Database, mut incoming: mpsc::UnboundedReceiver<(&'static str, String)>) {
    while let Some(first) = incoming.recv().await {
        let mut channels = vec![first.0.to_owned()];
        let mut payloads = vec![first.1];
        while channels.len() < BATCH
            && let Ok((channel, payload)) = incoming.try_recv()
        {
            channels.push(channel.to_owned());
            payloads.push(payload);
        }
        let sent = async {
            let mut conn = db.conn().await.map_err(|e| e.to_string())?;
            diesel::sql_query(
                "SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS t(c, p)",
            )
            .bind::<Array<Text>, _>(&channels)
            .bind::<Array<Text>, _>(&payloads)
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())
        }
        .await;
        if let Err(error) = sent {
            // Events are best effort; queued commands are found again by the delivery sweep.
            tracing::warn!(error = %error, dropped = channels.len(), "NOTIFY failed");
        }
    }
}

/// Listens on `channels` with a connection of its own (reconnecting after failures) and calls
/// `handle(channel, payload)` for every notification. Runs until the process ends.
pub async fn listen(url: SecretString, channels: &[&str], handle: impl Fn(&str, &str)) {
    let mut delay = Duration::from_millis(250);
    loop {
        match AsyncPgConnection::establish(url.expose_secret()).await {
            Ok(mut conn) => {
                let mut listening = true;
                for channel in channels {
                    if let Err(error) = diesel::sql_query(format!("LISTEN {channel}"))
                        .execute(&mut conn)
                        .await
                    {
                        tracing::warn!(error = %error, "LISTEN failed");
                        listening = false;
                    }
                }
                if listening {
                    delay = Duration::from_millis(250);
                    let notifications = conn.notifications_stream();
                    let mut notifications = std::pin::pin!(notifications);
                    while let Some(notification) = notifications.next().await {
                        match notification {
                            Ok(notification) => {
                                handle(&notification.channel, &notification.payload)
                            }
                            Err(error) => {
                                tracing::warn!(error = %error, "notification stream failed");
                                break;
                            }
                        }
                    }
                }
            }
            Err(error) => tracing::warn!(error = %error, "the LISTEN connection failed"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}
