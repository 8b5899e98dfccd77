//! A script's text, checked the way the agent checks it before running anything (§5), so a
//! user learns of a refusal when saving rather than from a failed run.

use std::sync::LazyLock;

use regex::Regex;

/// The agent refuses larger scripts.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;

/// The agent's "dangerous pattern" filter (`actions/commands.go`), in its order, with its
/// names. The regular expressions are the agent's own (RE2 syntax, which `regex` shares).
static DANGEROUS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("rm -rf /", r"(?i)rm\s+-[rf]+\s+/"),
        ("fork bomb", r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:"),
        (
            "dd disk wipe",
            r"(?i)dd\s+if=/dev/(zero|random|urandom)\s+of=/",
        ),
        ("mkfs", r"(?i)\bmkfs\."),
        ("redirect to disk", r">\s*/dev/(sd[a-z]|nvme|hd[a-z])"),
        ("chmod 777 root", r"(?i)chmod\s+-R\s+777\s+/"),
        ("base64 decode short", r"(?i)base64\s+-d\b"),
        ("base64 decode long", r"(?i)base64\s+--decode\b"),
        ("pipe to base64", r"\|\s*base64\b"),
        ("eval call", r"(?i)\beval\s*\("),
        ("exec call", r"(?i)\bexec\s*\("),
        ("command substitution", r"\$\([^)]*\)"),
        ("backtick exec", r"`[^`]*`"),
        ("curl pipe shell", r"(?i)curl[^|]*\|\s*(ba)?sh\b"),
        ("wget pipe shell", r"(?i)wget[^|]*\|\s*(ba)?sh\b"),
    ]
    .into_iter()
    .map(|(name, pattern)| {
        (
            name,
            Regex::new(pattern).expect("the agent's patterns are valid"),
        )
    })
    .collect()
});

/// Why a script's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// Nothing to run.
    #[error("must not be empty")]
    Empty,
    /// Holds a NUL character, which no shell script contains and no store keeps.
    #[error("must not contain NUL (U+0000) characters (line {line})")]
    Nul {
        /// The line of the first one (1-based).
        line: usize,
    },
    /// Over the agent's limit.
    #[error("is {size} bytes; the agent runs scripts of at most {MAX_SCRIPT_BYTES} bytes")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// Matches one of the agent's dangerous patterns.
    #[error(
        "line {line} matches the agent's \"{pattern}\" pattern ({excerpt:?}); the agent refuses to run such scripts"
    )]
    Dangerous {
        /// The agent's name for the pattern.
        pattern: &'static str,
        /// Where the match starts (1-based).
        line: usize,
        /// The start of the matched text.
        excerpt: String,
    },
}

/// A script's text: not empty, at most 64 KiB, and free of the agent's dangerous patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptContent(String);

impl ScriptContent {
    /// Checks the text as the agent will.
    pub fn parse(text: &str) -> Result<Self, ContentError> {
        if text.trim().is_empty() {
            return Err(ContentError::Empty);
        }
        if text.len() > MAX_SCRIPT_BYTES {
            return Err(ContentError::TooLarge { size: text.len() });
        }
        if let Some(at) = text.find('\0') {
            let line = text[..at].matches('\n').count() + 1;
            return Err(ContentError::Nul { line });
        }
        for (pattern, regex) in DANGEROUS.iter() {
            if let Some(found) = regex.find(text) {
                let line = text[..found.start()].matches('\n').count() + 1;
                let excerpt = found.as_str().lines().next().unwrap_or_default();
                return Err(ContentError::Dangerous {
                    pattern,
                    line,
                    excerpt: excerpt.chars().take(40).collect(),
                });
            }
        }
        Ok(Self(text.to_owned()))
    }

    /// Text that was checked when it was saved, read back from storage (the agent's rules
    /// may have changed since; the agent checks again before running it).
    pub fn stored(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> (&'static str, usize) {
        match ScriptContent::parse(text) {
            Err(ContentError::Dangerous { pattern, line, .. }) => (pattern, line),
            other => panic!("{text:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn ordinary_scripts_pass() {
        for text in [
            "#!/bin/bash\necho hello\ndf -h | grep -v tmpfs\n",
            "Get-Service | Where-Object {$_.Status -eq 'Running'}",
            "import os\nprint(os.getcwd())",
            "echo ${HOME}",
        ] {
            assert!(ScriptContent::parse(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn the_agents_patterns_are_refused_with_their_line() {
        assert_eq!(refused("echo start\nrm -rf /var/tmp/x"), ("rm -rf /", 2));
        assert_eq!(refused("rm -f /tmp/lock"), ("rm -rf /", 1));
        assert_eq!(refused(":(){ :|:& };:"), ("fork bomb", 1));
        assert_eq!(refused("dd if=/dev/zero of=/dev/sda"), ("dd disk wipe", 1));
        assert_eq!(refused("mkfs.ext4 /dev/sdb1"), ("mkfs", 1));
        assert_eq!(refused("cat x > /dev/sda"), ("redirect to disk", 1));
        assert_eq!(refused("chmod -R 777 /"), ("chmod 777 root", 1));
        assert_eq!(refused("echo aGk= | base64 -d"), ("base64 decode short", 1));
        assert_eq!(refused("base64 --decode f"), ("base64 decode long", 1));
        assert_eq!(refused("cat f | base64"), ("pipe to base64", 1));
        assert_eq!(refused("x = eval (input())"), ("eval call", 1));
        assert_eq!(refused("os.exec(cmd)"), ("exec call", 1));
        assert_eq!(refused("a\nb\nnow=$(date)"), ("command substitution", 3));
        assert_eq!(refused("now=`date`"), ("backtick exec", 1));
        assert_eq!(
            refused("curl -s https://x.sh | bash"),
            ("curl pipe shell", 1)
        );
        assert_eq!(refused("wget -qO- https://x | sh"), ("wget pipe shell", 1));
    }

    #[test]
    fn size_and_emptiness_are_checked() {
        assert_eq!(ScriptContent::parse(" \n"), Err(ContentError::Empty));
        assert_eq!(
            ScriptContent::parse("echo a\necho \0"),
            Err(ContentError::Nul { line: 2 })
        );
        let big = "echo x\n".repeat(MAX_SCRIPT_BYTES / 7 + 1);
        assert!(matches!(
            ScriptContent::parse(&big),
            Err(ContentError::TooLarge { .. })
        ));
        assert!(ScriptContent::parse(&"#".repeat(MAX_SCRIPT_BYTES)).is_ok());
    }
}
