//! Reading settings: value parsers whose messages name the problem, and the defaults that
//! depend on the machine (the data directory, the open-file limit).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;

use ipnet::IpNet;
use secrecy::SecretString;
use slimrmm_domain::enrollment::AgentAuthMode;

pub(super) fn agent_auth(value: &str) -> Result<AgentAuthMode, String> {
    value.trim().parse()
}

pub(super) fn proxy(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is not an address or a CIDR network"))
}

/// `host:port` or `address:port`; a host name is resolved (`localhost:8000` works).
pub(super) fn socket_address(value: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let value = value.trim();
    if let Ok(address) = value.parse::<SocketAddr>() {
        return Ok(address);
    }
    if value
        .rsplit_once(':')
        .is_none_or(|(_, port)| port.parse::<u16>().is_err())
    {
        return Err(format!(
            "{value:?} is not host:port (for example 127.0.0.1:8000, [::1]:8000 or localhost:8000)"
        ));
    }
    value
        .to_socket_addrs()
        .map_err(|error| format!("{value:?} does not resolve: {error}"))?
        .next()
        .ok_or_else(|| format!("{value:?} resolves to no address"))
}

/// A budget of requests per minute: a whole number of at least 1.
pub(super) fn per_minute(value: &str) -> Result<NonZeroU32, String> {
    match value.trim().parse::<u32>() {
        Ok(0) => Err("must be at least 1 request per minute".to_owned()),
        Ok(number) => Ok(NonZeroU32::new(number).expect("checked above")),
        Err(_) => Err(format!(
            "{value:?} is not a whole number of requests per minute (1 to {})",
            u32::MAX
        )),
    }
}

pub(super) fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(value.to_owned().into())
}

/// The soft limit on open files of this process (`/proc/self/limits`), if it can be read.
pub(super) fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The default data directory: `/var/lib/slimrmm` for root (a system service), else under the
/// user's XDG data directory.
pub(super) fn default_data_dir(xdg: Option<PathBuf>, home: Option<PathBuf>, root: bool) -> PathBuf {
    if root {
        return PathBuf::from("/var/lib/slimrmm");
    }
    match (xdg.filter(|dir| dir.is_absolute()), home) {
        (Some(xdg), _) => xdg.join("slimrmm"),
        (None, Some(home)) => home.join(".local/share/slimrmm"),
        (None, None) => PathBuf::from("/var/lib/slimrmm"),
    }
}

pub(super) fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(|id| id == "0"))
        })
        .unwrap_or(false)
}
