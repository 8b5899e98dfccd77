use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::agent::AgentVersion;

/// A reported JSON block larger than this is dropped (and logged), not stored.
pub const MAX_BLOCK_BYTES: usize = 256 * 1024;
const MAX_DISKS: usize = 64;

/// How much a heartbeat carries (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatKind {
    /// Idle: alive only.
    Minimal,
    /// CPU and memory.
    Stats,
    /// Everything, including disks and the delta-sent blocks.
    Full,
}

impl HeartbeatKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minimal => "minimal",
            Self::Stats => "stats",
            Self::Full => "full",
        }
    }
}

/// The blocks an agent sends only when they change; an absent block is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    /// Docker engine facts.
    Docker,
    /// Proxmox host facts.
    Proxmox,
    /// Hyper-V host facts.
    Hyperv,
    /// Antivirus, firewall, encryption, ...
    SecurityInfo,
    /// What the agent can back up.
    BackupCapabilities,
    /// Windows package manager facts.
    Winget,
    /// Remote desktop facts.
    Rustdesk,
}

impl Block {
    /// Every block.
    pub const ALL: [Block; 7] = [
        Self::Docker,
        Self::Proxmox,
        Self::Hyperv,
        Self::SecurityInfo,
        Self::BackupCapabilities,
        Self::Winget,
        Self::Rustdesk,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Docker => "docker",
            Self::Proxmox => "proxmox",
            Self::Hyperv => "hyperv",
            Self::SecurityInfo => "security_info",
            Self::BackupCapabilities => "backup_capabilities",
            Self::Winget => "winget",
            Self::Rustdesk => "rustdesk",
        }
    }
}

/// One disk's usage.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskUsage {
    /// Where it is mounted.
    pub mountpoint: String,
    /// Percent used, 0 to 100.
    pub used_percent: f32,
}

/// The numbers kept as metric history.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricSample {
    /// Percent CPU, 0 to 100.
    pub cpu_percent: Option<f32>,
    /// Percent memory, 0 to 100.
    pub memory_percent: Option<f32>,
    /// Per-disk usage (full heartbeats only).
    pub disks: Vec<DiskUsage>,
}

/// A heartbeat, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    /// Minimal, stats or full.
    pub kind: HeartbeatKind,
    /// The agent's version, if it said.
    pub agent_version: Option<AgentVersion>,
    /// The `stats` object as reported (stored as data).
    pub stats: Option<Value>,
    /// The numbers for the metric history.
    pub sample: Option<MetricSample>,
    /// The public IP, if it is one.
    pub external_ip: Option<String>,
    /// The hardware serial, if printable and at most 128 characters.
    pub serial_number: Option<String>,
    /// The delta-sent blocks present in this heartbeat.
    pub blocks: Vec<(Block, Value)>,
}

fn percent(value: Option<&Value>) -> Option<f32> {
    let number = value?.as_f64()?;
    (number.is_finite() && (0.0..=100.0).contains(&number)).then_some(number as f32)
}

fn bounded(value: &Value) -> bool {
    value.to_string().len() <= MAX_BLOCK_BYTES
}

impl Heartbeat {
    /// Reads a heartbeat from the message object (`{"action":"heartbeat", ...}`).
    pub(crate) fn parse(message: &Map<String, Value>) -> Self {
        let kind = match message.get("type").and_then(Value::as_str) {
            Some("minimal") => HeartbeatKind::Minimal,
            Some("full") => HeartbeatKind::Full,
            _ if message.get("stats").is_none() => HeartbeatKind::Minimal,
            _ => HeartbeatKind::Stats,
        };
        let stats = message
            .get("stats")
            .filter(|stats| stats.is_object() && bounded(stats));
        let sample = stats.map(|stats| MetricSample {
            cpu_percent: percent(stats.get("cpu_percent")),
            memory_percent: percent(stats.get("memory_percent")),
            disks: stats
                .get("disk")
                .and_then(Value::as_array)
                .map(|disks| {
                    disks
                        .iter()
                        .filter_map(|disk| {
                            let mountpoint = disk.get("mountpoint")?.as_str()?;
                            (!mountpoint.is_empty() && mountpoint.len() <= 256).then_some(())?;
                            Some(DiskUsage {
                                mountpoint: mountpoint.to_owned(),
                                used_percent: percent(disk.get("used_percent"))?,
                            })
                        })
                        .take(MAX_DISKS)
                        .collect()
                })
                .unwrap_or_default(),
        });
        let text = |key: &str| message.get(key).and_then(Value::as_str).map(str::trim);
        let blocks = Block::ALL
            .into_iter()
            .filter_map(|block| {
                let value = message.get(block.as_str())?;
                if !bounded(value) {
                    tracing::warn!(
                        block = block.as_str(),
                        "heartbeat block over the size limit dropped"
                    );
                    return None;
                }
                Some((block, value.clone()))
            })
            .collect();
        Self {
            kind,
            agent_version: text("agent_version").and_then(|v| AgentVersion::parse(v).ok()),
            stats: stats.cloned(),
            sample,
            external_ip: text("external_ip")
                .and_then(|ip| ip.parse::<IpAddr>().ok())
                .map(|ip| ip.to_string()),
            serial_number: text("serial_number")
                .filter(|serial| !serial.is_empty() && serial.chars().count() <= 128)
                .filter(|serial| serial.chars().all(|c| !c.is_control()))
                .map(str::to_owned),
            blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Heartbeat {
        Heartbeat::parse(value.as_object().unwrap())
    }

    #[test]
    fn reads_each_kind() {
        let minimal = parse(
            json!({"action":"heartbeat","type":"minimal","agent_version":"2.3.14","alive":true}),
        );
        assert_eq!(
            (minimal.kind, minimal.sample.is_none()),
            (HeartbeatKind::Minimal, true)
        );
        let stats = parse(
            json!({"action":"heartbeat","type":"stats","stats":{"cpu_percent":12.5,"memory_percent":40}}),
        );
        let sample = stats.sample.unwrap();
        assert_eq!(
            (sample.cpu_percent, sample.memory_percent),
            (Some(12.5), Some(40.0))
        );
        let full = parse(json!({
            "action":"heartbeat","type":"full","external_ip":"203.0.113.4","serial_number":"ABC123",
            "stats":{"cpu_percent":1,"memory_percent":2,"disk":[{"mountpoint":"/","used_percent":50.5},{"mountpoint":"/x","used_percent":"NaN"}]},
            "docker":{"available":true},"rustdesk":{"installed":true,"id":"1"}
        }));
        assert_eq!(full.kind, HeartbeatKind::Full);
        assert_eq!(
            full.sample.unwrap().disks,
            vec![DiskUsage {
                mountpoint: "/".into(),
                used_percent: 50.5
            }]
        );
        assert_eq!(full.external_ip.as_deref(), Some("203.0.113.4"));
        let names: Vec<_> = full
            .blocks
            .iter()
            .map(|(block, _)| block.as_str())
            .collect();
        assert_eq!(names, ["docker", "rustdesk"]);
    }

    #[test]
    fn untrusted_values_are_checked_not_believed() {
        let hostile = parse(json!({
            "type":"stats","external_ip":"<script>","serial_number":"a\u{1b}b",
            "stats":{"cpu_percent":1e9,"memory_percent":-3}
        }));
        assert_eq!((hostile.external_ip, hostile.serial_number), (None, None));
        let sample = hostile.sample.unwrap();
        assert_eq!((sample.cpu_percent, sample.memory_percent), (None, None));
        let huge = parse(json!({"type":"full","docker":{"x":"y".repeat(MAX_BLOCK_BYTES)}}));
        assert!(huge.blocks.is_empty());
    }
}
