use std::time::Duration;

use secrecy::ExposeSecret;
use slimrmm_domain::notification::{DeliveryError, Message, PushoverConfig};

/// Pushover's public API.
pub const PUSHOVER_API_URL: &str = "https://api.pushover.net";

/// Pushover's messages API.
#[derive(Clone)]
pub(crate) struct Pushover {
    client: reqwest::Client,
    endpoint: String,
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl Pushover {
    pub(crate) fn new(base: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("SlimRMM/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            endpoint: format!("{}/1/messages.json", base.trim_end_matches('/')),
        })
    }

    /// Posts the message. Pushover's 4xx answers (bad token, unknown user) are permanent; 429
    /// (quota), 5xx and network failures are retried.
    pub(crate) async fn send(
        &self,
        config: &PushoverConfig,
        message: &Message,
    ) -> Result<(), DeliveryError> {
        let mut form: Vec<(&str, String)> = vec![
            ("token", config.app_token.expose_secret().to_owned()),
            ("user", config.user_key.expose_secret().to_owned()),
            ("title", cut(&message.subject, 250)),
            ("message", cut(&message.text, 1024)),
            ("priority", config.priority.to_string()),
        ];
        if let Some(device) = &config.device {
            form.push(("device", device.clone()));
        }
        if let Some(link) = &message.link {
            form.push(("url", cut(link, 512)));
            form.push(("url_title", "Open in SlimRMM".to_owned()));
        }
        let response = self
            .client
            .post(&self.endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|error| DeliveryError::Transient(format!("Pushover unreachable: {error}")))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json.get("errors").cloned())
            .map(|errors| errors.to_string())
            .unwrap_or_else(|| cut(&body, 300));
        let text = format!("Pushover answered {status}: {detail}");
        if status.is_client_error() && status.as_u16() != 429 {
            Err(DeliveryError::Permanent(text))
        } else {
            Err(DeliveryError::Transient(text))
        }
    }
}
