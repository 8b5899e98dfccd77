//! `IntegrationRepository` on PostgreSQL: settings as JSON, secrets sealed with the master key
//! (a database dump alone does not reveal them).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use slimrmm_domain::PortError;
use slimrmm_domain::notification::{
    Channel, ChannelConfig, DeliveryResult, Integration, IntegrationRepository, PushoverConfig,
    Routing, SmtpConfig,
};
use slimrmm_domain::sealer::SecretSealer;
use slimrmm_domain::user::Email;

use crate::Database;
use crate::error::{corrupt, query_error};
use crate::schema::integrations;

/// Integrations in PostgreSQL.
#[derive(Clone)]
pub struct PgIntegrationRepository {
    db: Database,
    sealer: Arc<dyn SecretSealer>,
}

impl PgIntegrationRepository {
    /// Integrations in `db`, their secrets sealed with `sealer`.
    pub fn new(db: Database, sealer: Arc<dyn SecretSealer>) -> Self {
        Self { db, sealer }
    }
}

#[derive(Serialize, Deserialize)]
struct SmtpSettings {
    host: String,
    port: u16,
    security: String,
    username: Option<String>,
    from_address: String,
    from_name: Option<String>,
    recipients: Vec<String>,
}

#[derive(Serialize, Deserialize, Default)]
struct Secrets {
    password: Option<String>,
    app_token: Option<String>,
    user_key: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PushoverSettings {
    device: Option<String>,
    priority: i8,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = integrations, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
struct Row {
    channel: String,
    enabled: bool,
    settings: serde_json::Value,
    secrets: Vec<u8>,
    events: Vec<String>,
    min_severity: String,
    last_result_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    updated_at: DateTime<Utc>,
}

fn purpose(channel: Channel) -> String {
    format!("integration:{channel}")
}

fn secret(value: &SecretString) -> Option<String> {
    Some(value.expose_secret().to_owned())
}

impl PgIntegrationRepository {
    fn to_row(&self, integration: &Integration) -> Row {
        let channel = integration.channel();
        let (settings, secrets) = match &integration.config {
            ChannelConfig::Smtp(smtp) => (
                serde_json::to_value(SmtpSettings {
                    host: smtp.host.clone(),
                    port: smtp.port,
                    security: smtp.security.as_str().to_owned(),
                    username: smtp.username.clone(),
                    from_address: smtp.from_address.as_str().to_owned(),
                    from_name: smtp.from_name.clone(),
                    recipients: smtp
                        .recipients
                        .iter()
                        .map(|r| r.as_str().to_owned())
                        .collect(),
                }),
                Secrets {
                    password: smtp.password.as_ref().and_then(secret),
                    ..Secrets::default()
                },
            ),
            ChannelConfig::Pushover(pushover) => (
                serde_json::to_value(PushoverSettings {
                    device: pushover.device.clone(),
                    priority: pushover.priority,
                }),
                Secrets {
                    app_token: secret(&pushover.app_token),
                    user_key: secret(&pushover.user_key),
                    ..Secrets::default()
                },
            ),
        };
        let secrets = serde_json::to_vec(&secrets).unwrap_or_default();
        Row {
            channel: channel.as_str().to_owned(),
            enabled: integration.enabled,
            settings: settings.unwrap_or_default(),
            secrets: self.sealer.seal(&secrets, &purpose(channel)),
            events: integration
                .routing
                .events
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
            min_severity: integration.routing.min_severity.as_str().to_owned(),
            last_result_at: integration.last_result.as_ref().map(|result| result.at),
            last_error: integration
                .last_result
                .as_ref()
                .and_then(|result| result.error.clone()),
            updated_at: integration.updated_at,
        }
    }

    fn read_row(&self, row: Row) -> Result<Integration, PortError> {
        let channel: Channel = row
            .channel
            .parse()
            .map_err(|e: String| corrupt("channel", e))?;
        let secrets: Secrets =
            serde_json::from_slice(&self.sealer.open(&row.secrets, &purpose(channel))?)
                .map_err(|e| corrupt("integration secrets", e))?;
        let email = |raw: &str| Email::parse(raw).map_err(|e| corrupt("integration address", e));
        let config = match channel {
            Channel::Smtp => {
                let settings: SmtpSettings = serde_json::from_value(row.settings)
                    .map_err(|e| corrupt("smtp settings", e))?;
                ChannelConfig::Smtp(SmtpConfig {
                    host: settings.host,
                    port: settings.port,
                    security: settings
                        .security
                        .parse()
                        .map_err(|e: String| corrupt("smtp security", e))?,
                    username: settings.username,
                    password: secrets.password.map(SecretString::from),
                    from_address: email(&settings.from_address)?,
                    from_name: settings.from_name,
                    recipients: settings
                        .recipients
                        .iter()
                        .map(|raw| email(raw))
                        .collect::<Result<_, _>>()?,
                })
            }
            Channel::Pushover => {
                let settings: PushoverSettings = serde_json::from_value(row.settings)
                    .map_err(|e| corrupt("pushover settings", e))?;
                let missing = || corrupt("pushover secrets", "missing");
                ChannelConfig::Pushover(PushoverConfig {
                    app_token: SecretString::from(secrets.app_token.ok_or_else(missing)?),
                    user_key: SecretString::from(secrets.user_key.ok_or_else(missing)?),
                    device: settings.device,
                    priority: settings.priority,
                })
            }
        };
        Ok(Integration {
            enabled: row.enabled,
            config,
            routing: Routing {
                events: row
                    .events
                    .iter()
                    .map(|kind| kind.parse())
                    .collect::<Result<_, String>>()
                    .map_err(|e| corrupt("integration events", e))?,
                min_severity: row
                    .min_severity
                    .parse()
                    .map_err(|e: String| corrupt("severity", e))?,
            },
            last_result: row.last_result_at.map(|at| DeliveryResult {
                at,
                error: row.last_error,
            }),
            updated_at: row.updated_at,
        })
    }
}

#[async_trait]
impl IntegrationRepository for PgIntegrationRepository {
    async fn all(&self) -> Result<Vec<Integration>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<Row> = integrations::table
            .order(integrations::channel.asc())
            .select(Row::as_select())
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        rows.into_iter().map(|row| self.read_row(row)).collect()
    }

    async fn save(&self, integration: &Integration) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let row = self.to_row(integration);
        diesel::insert_into(integrations::table)
            .values(&row)
            .on_conflict(integrations::channel)
            .do_update()
            .set(&row)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }

    async fn record_result(
        &self,
        channel: Channel,
        result: &DeliveryResult,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(integrations::table.find(channel.as_str()))
            .set((
                integrations::last_result_at.eq(result.at),
                integrations::last_error.eq(&result.error),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }
}
