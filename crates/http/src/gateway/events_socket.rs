//! `GET /api/v1/ws/events`: live events for dashboards.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Presented, identify};

/// How a dashboard subscribes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// An access token (or send `Sec-WebSocket-Protocol: bearer, <token>`, or
    /// `Authorization: Bearer <token>`).
    pub token: Option<String>,
    /// Only events about this agent.
    #[param(value_type = Option<Uuid>)]
    pub agent: Option<String>,
}

const RECHECK: Duration = Duration::from_secs(60);

/// The last value of the query parameter `name`.
fn parameter(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .last()
}

/// The token from `?token=`, from `Sec-WebSocket-Protocol: bearer, <token>`, or from
/// `Authorization: Bearer <token>` (clients that can send headers).
fn token(req: &HttpRequest) -> Option<String> {
    if let Some(token) = parameter(req, "token").filter(|t| !t.is_empty()) {
        return Some(token);
    }
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(protocols) = header(header::SEC_WEBSOCKET_PROTOCOL) {
        let mut parts = protocols.split(',').map(str::trim);
        if parts.next() == Some("bearer") {
            return parts.next().map(str::to_owned);
        }
    }
    let (scheme, token) = header(header::AUTHORIZATION)?.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Live events as JSON text frames `{type, data, ts}`: `agent.online`, `agent.offline`,
/// `agent.enrolled`, `agent.heartbeat` (at most one per agent per second), `execution.updated`,
/// `alert.raised`. Optional `?agent=<uuid>` filter. A subscriber too slow to keep up is
/// disconnected (close code 1008); the session is re-checked every minute, so a sign-out ends
/// the stream. A user limited to some clients receives only the events of their clients'
/// agents (the set is re-read with the session, so an agent enrolled or moved into their
/// clients is heard within a minute).
#[utoipa::path(
    tag = "events",
    security(("access_token_query" = ["viewer"]), ("bearer" = ["viewer"])),
    params(EventsQuery),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade request (`NOT_A_WEBSOCKET`)", body = ErrorBody),
        (status = 401, description = "Missing, expired or revoked token", body = ErrorBody),
        (status = 422, description = "`agent` is not a uuid", body = ErrorBody),
    )
)]
#[get("/events")]
pub async fn events_socket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // The token first: nothing else of the request is read for a caller without one.
    // An API key is taken from a header only: in the query string it would be written to
    // request logs, where a long-lived secret has no place.
    let presented = crate::extract::api_key(&req)
        .map(Presented::Key)
        .or_else(|| {
            token(&req)
                .filter(|token| !slimrmm_domain::apikey::is_api_key(token))
                .map(Presented::Token)
        })
        .ok_or_else(|| {
        ApiError::unauthorized(
            "UNAUTHORIZED",
            "send the access token as ?token=, as the bearer subprotocol or as Authorization: Bearer (an API key: in Authorization or X-API-Key only)",
        )
    })?;
    let actor = identify(&state.auth, &state.api_keys, &presented, None).await?;
    if actor.must_enrol {
        return Err(crate::extract::two_factor_required());
    }
    // A user limited to some clients hears only about their agents.
    let mut visible = visible_agents(&state, &actor).await?;
    let filter = match parameter(&req, "agent").as_deref() {
        Some(agent) => Some(
            agent
                .parse::<Uuid>()
                .map_err(|_| ApiError::invalid_field("agent", "must be a uuid"))?
                .to_string(),
        ),
        None => None,
    };
    let (response, mut session, stream) = actix_ws::handle_with_protocols(&req, body, &["bearer"])
        .map_err(|error| {
            ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "NOT_A_WEBSOCKET",
                error.to_string(),
            )
        })?;
    let mut events = state.events.subscribe();
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        let mut stream = stream.aggregate_continuations();
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        let reason = loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(event) => {
                        let wanted = filter.as_ref().is_none_or(|agent| event.agent.as_ref() == Some(agent));
                        let allowed = visible.as_ref().is_none_or(|agents| {
                            event.agent.as_ref().is_some_and(|agent| agents.contains(agent))
                        });
                        if wanted && allowed && session.text(event.json.to_string()).await.is_err()
                        {
                            break None;
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::info!(missed, "event subscriber too slow; disconnecting it");
                        break Some(CloseReason { code: CloseCode::Policy, description: Some("too slow".into()) });
                    }
                    Err(RecvError::Closed) => break Some(CloseReason { code: CloseCode::Restart, description: None }),
                },
                message = stream.recv() => match message {
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Close(_))) | None | Some(Err(_)) => break None,
                    Some(Ok(_)) => {}
                },
                _ = recheck.tick() => {
                    let Ok(actor) = identify(&state.auth, &state.api_keys, &presented, None).await else {
                        break Some(CloseReason { code: CloseCode::Policy, description: Some("session ended".into()) });
                    };
                    // The scope may have changed, and agents enrolled or moved.
                    match visible_agents(&state, &actor).await {
                        Ok(now) => visible = now,
                        Err(_) => break Some(CloseReason { code: CloseCode::Error, description: Some("scope unavailable".into()) }),
                    }
                }
            }
        };
        let _ = session.close(reason).await;
    });
    Ok(response)
}

/// The uuids (as events carry them) of the agents `actor` may hear about; `None` for all.
async fn visible_agents(
    state: &AppState,
    actor: &slimrmm_domain::auth::Actor,
) -> Result<Option<std::collections::HashSet<String>>, ApiError> {
    let visible = state.agents.visible_agents(actor).await?;
    Ok(visible.map(|agents| agents.iter().map(ToString::to_string).collect()))
}
