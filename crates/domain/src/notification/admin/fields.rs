//! The rules integration settings follow, one function per kind of field, and a collector
//! of the fields refused, so that one answer names them all.

use std::fmt::Display;

use secrecy::{ExposeSecret, SecretString};

use super::IntegrationError;
use crate::InvalidField;
use crate::notification::{NotificationKind, Routing, Severity};

/// The fields refused so far.
#[derive(Debug, Default)]
pub(super) struct Fields(Vec<InvalidField>);

impl Fields {
    /// The value, or `None` with `field` refused for why it did not parse.
    pub(super) fn check<T>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, impl Display>,
    ) -> Option<T> {
        parsed.map_err(|message| self.refuse(field, message)).ok()
    }

    /// Refuses `field`.
    pub(super) fn refuse(&mut self, field: impl Into<String>, message: impl Display) {
        self.0.push(InvalidField::new(field, message.to_string()));
    }

    /// True when nothing was refused.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The refusal, naming each field.
    pub(super) fn into_error(self) -> IntegrationError {
        IntegrationError::Invalid(self.0)
    }
}

/// A mail server: a host name or address, without spaces.
pub(super) fn smtp_host(raw: &str) -> Result<String, &'static str> {
    let host = raw.trim();
    if host.is_empty()
        || host.len() > 253
        || host.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("must be a host name or address");
    }
    Ok(host.to_owned())
}

/// A TCP port.
pub(super) fn port(raw: i64) -> Result<u16, &'static str> {
    u16::try_from(raw)
        .ok()
        .filter(|port| *port > 0)
        .ok_or("must be between 1 and 65535")
}

/// An optional line of text (blank is none).
pub(super) fn line(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(format!("must be one line of at most {max} characters"));
    }
    Ok(Some(value.to_owned()))
}

/// A Pushover application token or user key, given or kept from the stored settings.
pub(super) fn pushover_secret(
    given: Option<SecretString>,
    kept: Option<SecretString>,
) -> Result<SecretString, &'static str> {
    let value = given.or(kept).ok_or("is required")?;
    let raw = value.expose_secret();
    if raw.len() == 30 && raw.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(value)
    } else {
        Err("must be 30 letters and digits")
    }
}

/// A Pushover device name (blank is every device).
pub(super) fn pushover_device(raw: Option<String>) -> Result<Option<String>, &'static str> {
    let Some(device) = raw.map(|device| device.trim().to_owned()) else {
        return Ok(None);
    };
    if device.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if device.len() > 25 || !device.chars().all(allowed) {
        return Err("must be at most 25 letters, digits, '_' and '-'");
    }
    Ok(Some(device))
}

/// A Pushover priority (0 when not given).
pub(super) fn pushover_priority(raw: Option<i64>) -> Result<i8, &'static str> {
    i8::try_from(raw.unwrap_or(0))
        .ok()
        .filter(|priority| (-2..=1).contains(priority))
        .ok_or(
            "must be between -2 and 1 (emergency priority 2 needs acknowledgement settings \
             SlimRMM does not send)",
        )
}

/// Which notifications a channel receives: what was given, else what is stored, else the
/// defaults. Password resets are never routed: they go by mail to their user.
pub(super) fn routing(
    events: Option<&[String]>,
    min_severity: Option<&str>,
    current: Option<&Routing>,
    fields: &mut Fields,
) -> Routing {
    let fallback = current.cloned().unwrap_or_default();
    let events = match events {
        None => fallback.events,
        Some(names) => names
            .iter()
            .enumerate()
            .filter_map(|(index, name)| {
                let kind = name.parse::<NotificationKind>().and_then(|kind| {
                    if kind == NotificationKind::PasswordReset {
                        return Err(
                            "password resets always go by mail to their user; they are not \
                             routed"
                                .to_owned(),
                        );
                    }
                    Ok(kind)
                });
                fields.check(format!("events[{index}]"), kind)
            })
            .collect(),
    };
    let min_severity = match min_severity {
        None => fallback.min_severity,
        Some(name) => fields
            .check("min_severity", name.parse::<Severity>())
            .unwrap_or(Severity::Warning),
    };
    Routing {
        events,
        min_severity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_names_what_it_wants() {
        assert_eq!(
            smtp_host(" mail.example.com "),
            Ok("mail.example.com".into())
        );
        assert!(smtp_host("mail example").is_err());
        assert_eq!(port(587), Ok(587));
        assert!(port(0).is_err() && port(65_536).is_err());
        assert_eq!(line(Some("  "), 5), Ok(None));
        assert!(line(Some("a\nb"), 5).is_err());
        assert_eq!(pushover_priority(None), Ok(0));
        assert!(pushover_priority(Some(2)).is_err());
        assert!(pushover_device(Some("phone 1".into())).is_err());
        let token = SecretString::from("a".repeat(30));
        assert!(pushover_secret(None, Some(token)).is_ok());
        assert_eq!(pushover_secret(None, None).err(), Some("is required"));
    }

    #[test]
    fn every_refused_field_is_collected() {
        let mut fields = Fields::default();
        let events = vec![
            "agent_offline".to_owned(),
            "password_reset".to_owned(),
            "nope".to_owned(),
        ];
        let routing = routing(Some(&events), Some("loud"), None, &mut fields);
        assert_eq!(routing.events, vec![NotificationKind::AgentOffline]);
        let IntegrationError::Invalid(refused) = fields.into_error() else {
            panic!("not a refusal");
        };
        let named: Vec<&str> = refused.iter().map(|field| field.field.as_str()).collect();
        assert_eq!(named, ["events[1]", "events[2]", "min_severity"]);
    }
}
