use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use uuid::Uuid;

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close code, if the server sent one.
    pub code: Option<u16>,
    /// Its reason.
    pub reason: String,
}

/// One agent connection, driven frame by frame.
pub struct AgentSocket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl AgentSocket {
    /// Connects as agent `uuid` to the server at `base` (`http://host:port`): the agent's own
    /// URL, no headers.
    pub async fn connect(
        base: &str,
        uuid: Uuid,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let base = base.trim_end_matches('/').replacen("http", "ws", 1);
        let (stream, _) = connect_async(format!("{base}/api/v1/ws/agent?uuid={uuid}")).await?;
        Ok(Self { stream })
    }

    /// Sends one JSON text frame.
    pub async fn send(&mut self, message: &Value) -> anyhow::Result<()> {
        self.send_text(message.to_string()).await
    }

    /// Sends one raw text frame.
    pub async fn send_text(&mut self, text: String) -> anyhow::Result<()> {
        self.stream.send(Message::text(text)).await?;
        Ok(())
    }

    /// The next JSON frame from the server within `wait` (pings are answered on the way).
    /// `Err(Closed)` when the server closed the connection; `Ok(None)` on timeout.
    pub async fn receive(&mut self, wait: Duration) -> Result<Option<Value>, Closed> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return Ok(None),
                Ok(next) => next,
            };
            match next {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text)
                        .map(Some)
                        .map_err(|error| Closed {
                            code: None,
                            reason: format!("the server sent a frame that is not JSON: {error}"),
                        });
                }
                Some(Ok(Message::Ping(payload))) => {
                    let _ = self.stream.send(Message::Pong(payload)).await;
                }
                Some(Ok(Message::Close(frame))) => return Err(closed(frame)),
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    return Err(Closed {
                        code: None,
                        reason: error.to_string(),
                    });
                }
                None => {
                    return Err(Closed {
                        code: None,
                        reason: "connection ended".into(),
                    });
                }
            }
        }
    }

    /// Waits for the server to close the connection (answering pings), up to `wait`.
    pub async fn closed(&mut self, wait: Duration) -> Option<Closed> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.receive(remaining).await {
                Err(closed) => return Some(closed),
                Ok(None) => return None,
                Ok(Some(_)) => {}
            }
        }
    }

    /// Closes the connection cleanly.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

fn closed(frame: Option<CloseFrame>) -> Closed {
    match frame {
        Some(frame) => Closed {
            code: Some(u16::from(frame.code)),
            reason: frame.reason.to_string(),
        },
        None => Closed {
            code: None,
            reason: String::new(),
        },
    }
}
