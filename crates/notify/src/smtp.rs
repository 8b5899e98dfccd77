use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use slimrmm_domain::notification::{DeliveryError, Message, SmtpConfig, SmtpSecurity};
use slimrmm_domain::user::Email;

fn mailbox(name: Option<&str>, address: &Email) -> Result<Mailbox, DeliveryError> {
    let address = address
        .as_str()
        .parse()
        .map_err(|error| DeliveryError::Permanent(format!("address {address}: {error}")))?;
    Ok(Mailbox::new(name.map(str::to_owned), address))
}

fn transport(
    config: &SmtpConfig,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    let tls = |required: bool| {
        TlsParameters::new(config.host.clone())
            .map(|parameters| {
                if required {
                    Tls::Required(parameters)
                } else {
                    Tls::Wrapper(parameters)
                }
            })
            .map_err(|error| DeliveryError::Permanent(format!("TLS setup: {error}")))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port)
        .timeout(Some(timeout));
    builder = match config.security {
        SmtpSecurity::Starttls => builder.tls(tls(true)?),
        SmtpSecurity::Tls => builder.tls(tls(false)?),
        SmtpSecurity::None => builder.tls(Tls::None),
    };
    if let (Some(username), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(
            username.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// Classifies lettre's errors: the server's 5xx answers, TLS and address problems will not go
/// away by themselves; everything else (4xx, timeouts, connection failures) may.
fn classify(error: lettre::transport::smtp::Error) -> DeliveryError {
    let text = error.to_string();
    if error.is_permanent() || error.is_tls() || error.is_client() {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

pub(crate) async fn send(
    config: &SmtpConfig,
    to: &[Email],
    message: &Message,
    timeout: Duration,
) -> Result<(), DeliveryError> {
    if to.is_empty() {
        return Err(DeliveryError::Permanent("no recipients".to_owned()));
    }
    let mut builder = lettre::Message::builder()
        .from(mailbox(config.from_name.as_deref(), &config.from_address)?)
        .subject(message.subject.clone());
    for recipient in to {
        builder = builder.to(mailbox(None, recipient)?);
    }
    let mail = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(message.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(message.html.clone()),
                ),
        )
        .map_err(|error| DeliveryError::Permanent(format!("building the mail: {error}")))?;
    transport(config, timeout)?
        .send(mail)
        .await
        .map(drop)
        .map_err(classify)
}
