use anyhow::Context;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

/// Enrolls a simulated agent as the real one does (`POST /api/v1/enrollment/register` with the
/// key in `X-Registration-Key`), over plain HTTP to `server` (`http://host:port`). Returns its
/// uuid; with an auto-approving token it can connect at once.
pub async fn enroll(server: &str, key: &str, hostname: &str) -> anyhow::Result<Uuid> {
    let address = server
        .strip_prefix("http://")
        .context("the simulator enrolls over plain http://")?
        .trim_end_matches('/');
    let body = json!({"os": "linux", "arch": "x86_64", "hostname": hostname, "agent_version": "2.3.14-sim", "token": key})
        .to_string();
    let request = format!(
        "POST /api/v1/enrollment/register HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         X-Registration-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("a malformed HTTP answer")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 201"),
        "registration refused: {head} {body}"
    );
    let answer: Value = serde_json::from_str(body)?;
    answer["uuid"]
        .as_str()
        .context("no uuid in the answer")?
        .parse()
        .context("a bad uuid")
}
