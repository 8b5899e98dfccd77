//! Stand-ins for the outside world, spoken to over real sockets: an SMTP server and the
//! Pushover messages API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A mail as the SMTP sink received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The raw message with quoted-printable soft breaks and `=3D` undone (enough for the
    /// ASCII our messages carry).
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|line| line.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_owned()
    }
}

/// How the SMTP sink answers `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rcpt {
    Accept,
    /// 550: a permanent refusal.
    Reject,
    /// 451: try again later.
    Defer,
}

/// A minimal SMTP server (no STARTTLS offered) that keeps what it receives.
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    rcpt: Arc<Mutex<Rcpt>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let rcpt = Arc::new(Mutex::new(Rcpt::Accept));
        let (kept, answer) = (mails.clone(), rcpt.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (kept, answer) = (kept.clone(), answer.clone());
                tokio::spawn(async move {
                    let _ = session(stream, kept, answer).await;
                });
            }
        });
        Self { port, mails, rcpt }
    }

    pub fn answer_rcpt(&self, answer: Rcpt) {
        *self.rcpt.lock().unwrap() = answer;
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    kept: Arc<Mutex<Vec<Mail>>>,
    answer: Arc<Mutex<Rcpt>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_owned();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            match *answer.lock().unwrap() {
                Rcpt::Accept => {
                    to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                    b"250 ok\r\n"
                }
                Rcpt::Reject => b"550 no such user here\r\n",
                Rcpt::Defer => b"451 try again later\r\n",
            }
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push_str("\r\n");
            }
            kept.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 ok\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

/// The Pushover messages API: keeps each form it receives and answers with the next queued
/// status (200 when none is queued).
pub struct PushoverSink {
    pub url: String,
    pub forms: Arc<Mutex<Vec<HashMap<String, String>>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

impl PushoverSink {
    pub fn start() -> Self {
        use actix_web::{App, HttpResponse, HttpServer, web};
        let forms = Arc::new(Mutex::new(Vec::new()));
        let statuses: Arc<Mutex<Vec<u16>>> = Arc::new(Mutex::new(Vec::new()));
        let (kept, queued) = (forms.clone(), statuses.clone());
        let server = HttpServer::new(move || {
            let (kept, queued) = (kept.clone(), queued.clone());
            App::new().route(
                "/1/messages.json",
                web::post().to(move |form: web::Form<HashMap<String, String>>| {
                    let (kept, queued) = (kept.clone(), queued.clone());
                    async move {
                        kept.lock().unwrap().push(form.into_inner());
                        let status = {
                            let mut queued = queued.lock().unwrap();
                            if queued.is_empty() { 200 } else { queued.remove(0) }
                        };
                        let code = actix_web::http::StatusCode::from_u16(status).unwrap();
                        let body = if status == 200 {
                            serde_json::json!({"status": 1, "request": "r"})
                        } else {
                            serde_json::json!({"status": 0, "errors": [format!("answered {status}")]})
                        };
                        HttpResponse::build(code).json(body)
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let url = format!("http://{}", server.addrs()[0]);
        actix_web::rt::spawn(server.run());
        Self {
            url,
            forms,
            statuses,
        }
    }

    /// The statuses the next requests get, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.statuses.lock().unwrap().extend_from_slice(statuses);
    }

    pub fn forms(&self) -> Vec<HashMap<String, String>> {
        self.forms.lock().unwrap().clone()
    }
}
