//! What a notification (or a group of them) says: a subject, plain text and HTML.

use super::{Notification, NotificationKind, Severity};

/// At most this many items are listed in a grouped message; the rest are counted.
const LISTED: usize = 25;

/// A message ready for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it is about.
    pub kind: NotificationKind,
    /// The highest severity among what it reports.
    pub severity: Severity,
    /// Subject (mail) or title (push).
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML (agent-reported strings escaped).
    pub html: String,
    /// Where to look, if anywhere.
    pub link: Option<String>,
}

/// Escapes text for HTML element content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn line(notification: &Notification) -> String {
    let at = |at: &chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    match notification {
        Notification::PasswordReset { username, .. } => format!("Password reset for {username}"),
        Notification::AgentOffline {
            hostname, at: when, ..
        } => {
            format!("{hostname} went offline at {}", at(when))
        }
        Notification::AgentOverdue {
            hostname, at: when, ..
        } => {
            format!("{hostname} has been offline since before {}", at(when))
        }
        Notification::ThresholdAlert {
            hostname,
            metric,
            severity,
            message,
            at: when,
            ..
        } => format!("{hostname}: {metric} {severity} at {}: {message}", at(when)),
        Notification::AgentPendingApproval {
            hostname, at: when, ..
        } => {
            format!("{hostname} enrolled at {} and waits for approval", at(when))
        }
        Notification::RunFailed {
            hostname,
            action,
            status,
            error,
            at: when,
            ..
        } => format!("{hostname}: {action} {status} at {}: {error}", at(when)),
    }
}

fn headline(kind: NotificationKind, count: usize) -> String {
    let plural = |one: &str, many: &str| {
        if count == 1 {
            one.to_owned()
        } else {
            format!("{count} {many}")
        }
    };
    match kind {
        NotificationKind::PasswordReset => "Reset your SlimRMM password".to_owned(),
        NotificationKind::AgentOffline => plural("An agent went offline", "agents went offline"),
        NotificationKind::AgentOverdue => plural("An agent is overdue", "agents are overdue"),
        NotificationKind::ThresholdAlert => plural("Threshold alert", "threshold alerts"),
        NotificationKind::AgentPendingApproval => {
            plural("An agent waits for approval", "agents wait for approval")
        }
        NotificationKind::RunFailed => plural("A run failed", "runs failed"),
    }
}

fn link_for(kind: NotificationKind, single: Option<&Notification>, base: &str) -> Option<String> {
    let base = base.trim_end_matches('/');
    let agent = single.and_then(Notification::agent).map(|(agent, _)| agent);
    Some(match (kind, agent) {
        (NotificationKind::ThresholdAlert, _) => format!("{base}/api/v1/alerts/"),
        (NotificationKind::RunFailed, _) => format!("{base}/api/v1/executions/?status=failed"),
        (_, Some(agent)) => format!("{base}/api/v1/agents/{agent}"),
        (NotificationKind::AgentPendingApproval, None) => {
            format!("{base}/api/v1/agents/?status=pending")
        }
        _ => format!("{base}/api/v1/agents/?status=offline"),
    })
}

fn reset_message(notification: &Notification, base: &str) -> Message {
    let Notification::PasswordReset {
        username,
        token,
        expires_at,
        ..
    } = notification
    else {
        unreachable!("only called for password resets")
    };
    let link = format!(
        "{}/reset-password?token={}",
        base.trim_end_matches('/'),
        token.expose()
    );
    let until = expires_at.format("%Y-%m-%d %H:%M UTC");
    let text = format!(
        "Hello {username},\n\nsomeone (hopefully you) asked to reset your SlimRMM password. \
         Open this link to choose a new one:\n\n{link}\n\nThe link works once, until {until}. \
         If you did not ask for it, ignore this mail; your password stays as it is.\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>someone (hopefully you) asked to reset your SlimRMM password. \
         <a href=\"{}\">Choose a new password</a>.</p><p>The link works once, until {until}. \
         If you did not ask for it, ignore this mail; your password stays as it is.</p>",
        escape_html(username.as_str()),
        escape_html(&link)
    );
    Message {
        kind: NotificationKind::PasswordReset,
        severity: Severity::Info,
        subject: headline(NotificationKind::PasswordReset, 1),
        text,
        html,
        link: Some(link),
    }
}

/// The message for a group of notifications of one kind (a storm becomes one message);
/// `base` is the server's public URL, for links.
pub(crate) fn render(group: &[Notification], base: &str) -> Option<Message> {
    let first = group.first()?;
    let kind = first.kind();
    if kind == NotificationKind::PasswordReset {
        return Some(reset_message(first, base));
    }
    let severity = group
        .iter()
        .map(Notification::severity)
        .max()
        .unwrap_or(Severity::Info);
    let lines: Vec<String> = group.iter().take(LISTED).map(line).collect();
    let more = group.len().saturating_sub(LISTED);
    let single = (group.len() == 1).then_some(first);
    let link = link_for(kind, single, base);
    let subject = match single {
        Some(notification) => format!("[SlimRMM] {}", notification.summary()),
        None => format!("[SlimRMM] {}", headline(kind, group.len())),
    };
    let mut text = format!("{}\n\n", headline(kind, group.len()));
    let mut html = format!(
        "<p><strong>{}</strong></p><ul>",
        escape_html(&headline(kind, group.len()))
    );
    for item in &lines {
        text.push_str(&format!("- {item}\n"));
        html.push_str(&format!("<li>{}</li>", escape_html(item)));
    }
    html.push_str("</ul>");
    if more > 0 {
        text.push_str(&format!("... and {more} more\n"));
        html.push_str(&format!("<p>... and {more} more</p>"));
    }
    if let Some(link) = &link {
        text.push_str(&format!("\n{link}\n"));
        html.push_str(&format!(
            "<p><a href=\"{}\">Open in SlimRMM</a></p>",
            escape_html(link)
        ));
    }
    Some(Message {
        kind,
        severity,
        subject,
        text,
        html,
        link,
    })
}

/// The message `POST /integrations/{name}/test` sends.
pub(crate) fn test_message() -> Message {
    let text = "This is a test message from SlimRMM: this integration delivers.".to_owned();
    Message {
        kind: NotificationKind::AgentPendingApproval,
        severity: Severity::Info,
        subject: "[SlimRMM] Test message".to_owned(),
        html: format!("<p>{}</p>", escape_html(&text)),
        text,
        link: None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::agent::{AgentId, Hostname};

    fn offline(name: &str) -> Notification {
        Notification::AgentOffline {
            agent: AgentId(Uuid::new_v4()),
            hostname: Hostname::parse(name).unwrap(),
            at: Utc::now(),
        }
    }

    #[test]
    fn a_storm_is_one_message_that_counts_the_rest() {
        let storm: Vec<Notification> = (0..500).map(|i| offline(&format!("pc-{i}"))).collect();
        let message = render(&storm, "https://rmm.example.com/").unwrap();
        assert_eq!(message.subject, "[SlimRMM] 500 agents went offline");
        assert!(message.text.contains("- pc-0 went offline"));
        assert!(message.text.contains("... and 475 more"));
        assert_eq!(message.severity, Severity::Warning);
        assert_eq!(
            message.link.as_deref(),
            Some("https://rmm.example.com/api/v1/agents/?status=offline")
        );
    }

    #[test]
    fn agent_strings_are_escaped_in_html() {
        let alert = Notification::ThresholdAlert {
            alert: crate::alert::AlertId(1),
            agent: AgentId(Uuid::nil()),
            hostname: Hostname::parse("web").unwrap(),
            metric: "cpu".into(),
            severity: Severity::Critical,
            message: "<script>alert('x')</script> & more".into(),
            at: Utc::now(),
        };
        let message = render(&[alert], "https://rmm").unwrap();
        assert!(
            message
                .html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more")
        );
        assert!(!message.html.contains("<script>"));
        assert!(
            message.text.contains("<script>"),
            "plain text stays as sent"
        );
        assert_eq!(message.subject, "[SlimRMM] web: cpu critical");
    }
}
