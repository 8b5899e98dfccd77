//! A connection as the HTTP layer sees it. actix-http answers a few failures itself, before any
//! of our code runs, with a bare status and no body: a request head that took too long (408), one
//! too large (431), one that does not parse (400). [`Enveloped`] wraps the connection's stream and
//! gives exactly those answers the API's JSON error envelope on their way out, so every error the
//! server writes is one a client can read the same way.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::ApiError;

/// A stream whose bodiless error answers from actix-http are rewritten into the envelope.
#[derive(Debug)]
pub struct Enveloped<T> {
    inner: T,
    /// A rewritten answer being written: its bytes, how many are written, and how many bytes
    /// of the caller's buffer it stands for.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<T> Enveloped<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: None,
        }
    }

    /// The wrapped stream (a TLS session, to read the client certificate from).
    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

/// The statuses actix-http writes on its own, without a body.
const OWN_ANSWERS: [StatusCode; 3] = [
    StatusCode::BAD_REQUEST,
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
];

/// The envelope version of `written`, when it is one of actix-http's own bodiless answers:
/// one whole response head, with no body, of one of [`OWN_ANSWERS`].
pub(crate) fn rewrite(written: &[u8]) -> Option<Vec<u8>> {
    let rest = written.strip_prefix(b"HTTP/1.1 ")?;
    let status = StatusCode::from_bytes(rest.get(..3)?).ok()?;
    if !OWN_ANSWERS.contains(&status) {
        return None;
    }
    let end = written
        .windows(4)
        .position(|window| window == b"\r\n\r\n")?;
    if end + 4 != written.len() {
        return None;
    }
    let head = std::str::from_utf8(&written[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut kept = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "content-length" if value.trim() != "0" => return None,
            "content-type" => return None,
            "content-length" => {}
            _ => kept.push(line),
        }
    }
    let body = serde_json::to_vec(&ApiError::for_status(status).body()).ok()?;
    let mut answer = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for line in kept {
        answer.push_str(line);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

impl<T: AsyncRead + Unpin> AsyncRead for Enveloped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Enveloped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none()
            && let Some(answer) = rewrite(buf)
        {
            this.pending = Some((answer, 0, buf.len()));
        }
        if let Some((answer, written, stands_for)) = &mut this.pending {
            while *written < answer.len() {
                match Pin::new(&mut this.inner).poll_write(cx, &answer[*written..]) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    Poll::Ready(Ok(count)) => *written += count,
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            let stands_for = *stands_for;
            this.pending = None;
            return Poll::Ready(Ok(stands_for));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_http_s_bare_answers_get_the_envelope() {
        let bare = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(rewrite(bare).unwrap()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 408 Request Timeout\r\n"));
        assert!(head.contains("content-type: application/json"));
        assert!(head.contains("connection: close"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["code"], "REQUEST_TIMEOUT");
        assert_eq!(body["status"], "error");
        let too_large =
            rewrite(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
        assert!(String::from_utf8_lossy(&too_large).contains("REQUEST_HEADER_FIELDS_TOO_LARGE"));
        let malformed = rewrite(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap();
        assert!(String::from_utf8_lossy(&malformed).contains("\"code\":\"BAD_REQUEST\""));
    }

    #[test]
    fn everything_else_passes_untouched() {
        for written in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"[..],
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n",
            b"{\"some\": \"body bytes\"}",
            b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK",
        ] {
            assert_eq!(rewrite(written), None, "{}", String::from_utf8_lossy(written));
        }
    }
}
