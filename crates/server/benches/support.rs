//! A minimal keep-alive HTTP/1.1 client, so the benchmarks need no client library.

#![allow(dead_code, reason = "each benchmark uses a part of it")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// One keep-alive connection, reopened when the server closed it (idle timeout).
pub struct Client {
    addr: SocketAddr,
    stream: BufReader<TcpStream>,
    line: String,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            addr,
            stream: BufReader::new(stream),
            line: String::new(),
        }
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Vec<u8>) {
        match self.try_request(method, path, token, body) {
            Some((408, _)) | None => {
                *self = Self::connect(self.addr);
                self.try_request(method, path, token, body)
                    .expect("the server answers")
            }
            Some(answer) => answer,
        }
    }

    fn try_request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> Option<(u16, Vec<u8>)> {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).ok()?;
        self.line.clear();
        self.stream.read_line(&mut self.line).ok()?;
        let status = self.line.split(' ').nth(1).and_then(|s| s.parse().ok())?;
        let mut length = 0;
        loop {
            self.line.clear();
            self.stream.read_line(&mut self.line).ok()?;
            if self.line == "\r\n" || self.line.is_empty() {
                break;
            }
            if let Some((name, value)) = self.line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).ok()?;
        Some((status, body))
    }

    pub fn json(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> serde_json::Value {
        let (status, bytes) = self.request(method, path, token, body);
        assert!(
            status < 300,
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).expect("json")
    }
}
