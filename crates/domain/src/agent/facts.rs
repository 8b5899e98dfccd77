use std::fmt;
use std::str::FromStr;

/// The operating system an agent runs on (Go's `runtime.GOOS` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentOs {
    /// Linux.
    Linux,
    /// macOS.
    Darwin,
    /// Windows.
    Windows,
}

impl AgentOs {
    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linux => "linux",
            Self::Darwin => "darwin",
            Self::Windows => "windows",
        }
    }
}

impl fmt::Display for AgentOs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value an agent reported was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// Not one of `linux`, `darwin`, `windows`.
    #[error("must be one of: linux, darwin, windows")]
    UnknownOs,
    /// Empty or too long.
    #[error("must be between 1 and {max} characters")]
    Length {
        /// The longest accepted.
        max: usize,
    },
    /// Contains characters outside the allowed set.
    #[error("may only contain {allowed}")]
    Characters {
        /// What is allowed, for people.
        allowed: &'static str,
    },
}

impl FromStr for AgentOs {
    type Err = FactError;

    fn from_str(value: &str) -> Result<Self, FactError> {
        match value {
            "linux" => Ok(Self::Linux),
            "darwin" => Ok(Self::Darwin),
            "windows" => Ok(Self::Windows),
            _ => Err(FactError::UnknownOs),
        }
    }
}

fn bounded(
    raw: &str,
    max: usize,
    allowed: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<String, FactError> {
    if raw.is_empty() || raw.chars().count() > max {
        return Err(FactError::Length { max });
    }
    if !raw.chars().all(ok) {
        return Err(FactError::Characters { allowed });
    }
    Ok(raw.to_owned())
}

macro_rules! fact {
    ($(#[$meta:meta])* $name:ident, max = $max:expr, allowed = $allowed:expr, $ok:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks length and characters.
            pub fn parse(raw: &str) -> Result<Self, FactError> {
                bounded(raw, $max, $allowed, $ok).map(Self)
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fact!(
    /// A machine's host name as the agent reports it: 1 to 253 letters (any script), digits,
    /// `.`, `-` and `_`. (`unknown` when the agent could not tell.)
    Hostname,
    max = 253,
    allowed = "letters, digits, '.', '-' and '_'",
    |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')
);

fact!(
    /// A CPU architecture (`x86_64`, `arm64`, ...): 1 to 32 of `[A-Za-z0-9_-]`.
    Arch,
    max = 32,
    allowed = "letters, digits, '_' and '-'",
    |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
);

fact!(
    /// The agent's version (`2.3.14`, `dev`, ...): 1 to 64 printable ASCII characters without
    /// spaces.
    AgentVersion,
    max = 64,
    allowed = "printable ASCII without spaces",
    |c: char| c.is_ascii_graphic()
);

/// What an agent says about itself when it registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFacts {
    /// Its host name.
    pub hostname: Hostname,
    /// Its operating system.
    pub os: AgentOs,
    /// Its CPU architecture.
    pub arch: Arch,
    /// The agent's version.
    pub agent_version: AgentVersion,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_facts_are_bounded_and_plain() {
        assert!(Hostname::parse("web-01.example.com").is_ok());
        assert!(Hostname::parse("BÜRO_PC").is_ok());
        assert_eq!(Hostname::parse(""), Err(FactError::Length { max: 253 }));
        assert!(matches!(
            Hostname::parse("a b"),
            Err(FactError::Characters { .. })
        ));
        assert!(matches!(
            Hostname::parse("<script>"),
            Err(FactError::Characters { .. })
        ));
        assert_eq!("darwin".parse(), Ok(AgentOs::Darwin));
        assert_eq!("freebsd".parse::<AgentOs>(), Err(FactError::UnknownOs));
        assert!(Arch::parse("x86_64").is_ok());
        assert!(AgentVersion::parse("2.3.14-rc.1+build").is_ok());
        assert!(AgentVersion::parse("2.3 beta").is_err());
    }
}
