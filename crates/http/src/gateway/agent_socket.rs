//! `GET /api/v1/ws/agent?uuid=<uuid>`: the agent's one persistent connection
//! (`agent-protocol.md` §2). One JSON object per text frame; pings are answered; idle
//! connections are closed; a frame over the size limit closes that connection only.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError, Session};
use serde::Deserialize;
use slimrmm_domain::agent::{Agent, AgentId};
use slimrmm_domain::execution::ConnectionId;
use slimrmm_domain::protocol::AgentMessage;
use tokio::sync::mpsc;
use tokio::time::Instant;
use utoipa::IntoParams;
use uuid::Uuid;

use super::Outbound;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ClientCertificate;

/// Which agent connects.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentSocketQuery {
    /// The agent's uuid.
    #[param(value_type = Uuid)]
    pub uuid: String,
}

/// The agent's WebSocket. Only approved, undeleted agents are accepted; with
/// `SLIMRMM_AGENT_AUTH=mtls` only with a client certificate from our CA that is unexpired,
/// unrevoked and names the `uuid` (else the `uuid` alone is believed). Heartbeats, answers and
/// alerts come in; commands go out.
#[utoipa::path(
    tag = "agent",
    params(AgentSocketQuery),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade request (`NOT_A_WEBSOCKET`)", body = ErrorBody),
        (status = 401, description = "No client certificate, or one that is not ours, expired or revoked (mTLS)", body = ErrorBody),
        (status = 403, description = "The certificate names another agent (mTLS), or the agent is not approved", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 422, description = "`uuid` is not a uuid", body = ErrorBody),
        (status = 503, description = "This process holds as many agents as it may (`AGENT_CAPACITY`), too many are connecting at once (`AGENT_BUSY`; both with `Retry-After`), or the database is unavailable", body = ErrorBody),
    )
)]
#[get("/agent")]
pub async fn agent_socket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    query: web::Query<AgentSocketQuery>,
    certificate: ClientCertificate,
) -> Result<HttpResponse, ApiError> {
    let uuid = query
        .uuid
        .trim()
        .parse::<Uuid>()
        .map_err(|_| ApiError::invalid_field("uuid", "must be a uuid"))?;
    let peer = req.peer_addr();
    // Agents never take the connections API clients need: beyond the cap the upgrade is
    // refused before any database work, and the agent's back-off paces its retries.
    if state.connections.len() >= state.settings.agent_connection_limit {
        tracing::warn!(agent = %uuid, peer = ?peer, limit = state.settings.agent_connection_limit, "agent connection refused: this process holds as many agents as it may");
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "AGENT_CAPACITY",
            "this server process holds as many agent connections as it may; retry later or \
             connect to another process",
        )
        .retry_after(30));
    }
    // Held until the connection is registered (presence and queued commands included).
    let turn = state.admissions.enter().await.inspect_err(|_| {
        tracing::warn!(agent = %uuid, peer = ?peer, "agent connection refused: too many agents are connecting at once");
    })?;
    state
        .identity
        .verify(AgentId(uuid), certificate.der())
        .await
        .inspect_err(|error| {
            tracing::warn!(agent = %uuid, peer = ?peer, reason = %error, "agent connection refused");
        })?;
    let agent = state
        .gateway
        .admit(AgentId(uuid))
        .await
        .inspect_err(|error| {
            tracing::warn!(agent = %uuid, peer = ?peer, reason = %error, "agent connection refused");
        })?;
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|error| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "NOT_A_WEBSOCKET",
            error.to_string(),
        )
    })?;
    let limit = state.settings.agent_frame_limit;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    actix_web::rt::spawn(run(state.into_inner(), agent, session, stream, turn));
    Ok(response)
}

async fn send_all(session: &mut Session, frames: Vec<String>) -> bool {
    for frame in frames {
        if session.text(frame).await.is_err() {
            return false;
        }
    }
    true
}

/// The least time between two command batches on one connection.
const BATCH_PACE: Duration = Duration::from_secs(2);

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Claims and sends the agent's next batch; false when the connection is gone.
async fn deliver(
    state: &AppState,
    agent: &Agent,
    connection: ConnectionId,
    session: &mut Session,
    last_batch: &mut Option<Instant>,
) -> bool {
    match state.gateway.deliverable(agent.id, connection).await {
        Ok(frames) if frames.is_empty() => true,
        Ok(frames) => {
            *last_batch = Some(Instant::now());
            send_all(session, frames).await
        }
        Err(error) => {
            tracing::error!(agent = %agent.id, error = ?error, "delivering commands failed");
            true
        }
    }
}

fn close(code: u16, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::from(code),
        description: Some(description.to_owned()),
    })
}

async fn run(
    state: std::sync::Arc<AppState>,
    agent: Agent,
    mut session: Session,
    mut stream: actix_ws::AggregatedMessageStream,
    turn: super::Turn,
) {
    let connection = ConnectionId(Uuid::new_v4());
    let (sender, mut outbox) = mpsc::unbounded_channel();
    state.connections.register(agent.id, connection, sender);
    tracing::info!(agent = %agent.id, "agent connected");
    // The agent's command bucket holds 10 and refills 5 per second: batches (of at most 8)
    // are at least this far apart, so it never refuses one.
    let mut last_batch: Option<Instant> = None;
    let mut deferred: Option<Instant> = None;
    let mut open = match state.gateway.connected(&agent, connection).await {
        Ok(frames) => {
            if !frames.is_empty() {
                last_batch = Some(Instant::now());
            }
            send_all(&mut session, frames).await
        }
        Err(error) => {
            tracing::error!(agent = %agent.id, error = ?error, "registering the connection failed");
            true
        }
    };
    drop(turn);
    let idle = Duration::from_secs(state.settings.agent_idle_seconds);
    let mut deadline = Instant::now() + idle;
    let mut reason = None;
    while open {
        tokio::select! {
            item = stream.recv() => match item {
                None => break,
                Some(Err(ProtocolError::Overflow)) => {
                    tracing::warn!(agent = %agent.id, limit = state.settings.agent_frame_limit, "frame over the size limit; closing the connection");
                    reason = close(1009, "frame too large");
                    break;
                }
                Some(Err(error)) => {
                    tracing::debug!(agent = %agent.id, error = %error, "protocol error; closing");
                    reason = close(1002, "protocol error");
                    break;
                }
                Some(Ok(message)) => {
                    deadline = Instant::now() + idle;
                    match message {
                        AggregatedMessage::Text(text) => handle_text(&state, &agent, &text).await,
                        AggregatedMessage::Binary(_) => tracing::debug!(agent = %agent.id, "binary frame ignored"),
                        AggregatedMessage::Ping(bytes) => open = session.pong(&bytes).await.is_ok(),
                        AggregatedMessage::Pong(_) => {}
                        AggregatedMessage::Close(_) => break,
                    }
                }
            },
            command = outbox.recv() => match command {
                Some(Outbound::Deliver) => match last_batch.map(|at| at + BATCH_PACE) {
                    Some(ready) if ready > Instant::now() => deferred = Some(ready),
                    _ => open = deliver(&state, &agent, connection, &mut session, &mut last_batch).await,
                },
                Some(Outbound::Close(code, description)) => {
                    reason = close(code, description);
                    break;
                }
                None => break,
            },
            () = sleep_until_some(deferred) => {
                deferred = None;
                open = deliver(&state, &agent, connection, &mut session, &mut last_batch).await;
            }
            () = tokio::time::sleep_until(deadline) => {
                tracing::info!(agent = %agent.id, "agent connection idle; closing");
                reason = close(1000, "idle");
                break;
            }
        }
    }
    let _ = session.close(reason).await;
    let replaced = !state.connections.remove(agent.id, connection);
    tracing::info!(agent = %agent.id, replaced, "agent disconnected");
    if let Err(error) = state
        .gateway
        .disconnected(&agent, connection, replaced)
        .await
    {
        tracing::error!(agent = %agent.id, error = ?error, "recording the disconnection failed");
    }
}

async fn handle_text(state: &AppState, agent: &Agent, text: &str) {
    let message = match serde_json::from_str(text)
        .map_err(|e| e.to_string())
        .and_then(|value| AgentMessage::parse(value).map_err(|e| e.to_string()))
    {
        Ok(message) => message,
        Err(error) => {
            tracing::debug!(agent = %agent.id, error = %error, "malformed agent message ignored");
            return;
        }
    };
    if let AgentMessage::Heartbeat(heartbeat) = &message {
        state.metrics.heartbeat(heartbeat.kind.as_str());
    }
    if let Err(error) = state.gateway.received(agent, message).await {
        tracing::error!(agent = %agent.id, error = ?error, "handling an agent message failed");
    }
}
