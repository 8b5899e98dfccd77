//! Names and descriptions people give things (scripts, policies).

use std::fmt;

/// Why a name or description was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty (after trimming) or too long.
    #[error("must be between 1 and {max} characters")]
    Length {
        /// The longest accepted.
        max: usize,
    },
    /// Too long.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The longest accepted.
        max: usize,
    },
    /// Control characters (a name is one line).
    #[error("must be one line without control characters")]
    Control,
    /// A NUL character (U+0000), which no text for people holds and no store keeps.
    #[error("must not contain NUL (U+0000) characters")]
    Nul,
}

/// A name: 1 to 128 characters on one line, surrounding spaces trimmed. Unique per kind of
/// thing without regard to case (the store enforces that).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// The longest name.
    pub const MAX: usize = 128;

    /// Trims and checks.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > Self::MAX {
            return Err(TextError::Length { max: Self::MAX });
        }
        if name.chars().any(char::is_control) {
            return Err(TextError::Control);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text for people, at most `max` characters; `None` when empty after trimming.
pub(crate) fn description(raw: &str, max: usize) -> Result<Option<String>, TextError> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if text.contains('\0') {
        return Err(TextError::Nul);
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_single_lines() {
        assert_eq!(
            Name::parse("  Disk cleanup ").unwrap().as_str(),
            "Disk cleanup"
        );
        assert_eq!(Name::parse("   "), Err(TextError::Length { max: 128 }));
        assert_eq!(Name::parse("a\nb"), Err(TextError::Control));
        assert!(Name::parse(&"x".repeat(129)).is_err());
        assert_eq!(description("  ", 10), Ok(None));
        assert_eq!(description("a\0b", 10), Err(TextError::Nul));
        assert_eq!(
            description(&"y".repeat(11), 10),
            Err(TextError::TooLong { max: 10 })
        );
    }
}
