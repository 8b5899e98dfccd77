use std::fmt;

const MAX_CHARS: usize = 128;

/// A display name: 1 to 128 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

/// Why a full name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FullNameError {
    /// Empty after trimming (send `null` to remove a name).
    #[error("must not be empty (use null to remove it)")]
    Empty,
    /// Longer than 128 characters.
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
    /// Contains a control character.
    #[error("must not contain control characters")]
    ControlCharacter,
}

impl FullName {
    /// Trims and checks the name.
    pub fn parse(raw: &str) -> Result<Self, FullNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FullNameError::Empty);
        }
        if name.chars().count() > MAX_CHARS {
            return Err(FullNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(FullNameError::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(FullName::parse("  Jane Doe ").unwrap().as_str(), "Jane Doe");
        assert_eq!(FullName::parse("   "), Err(FullNameError::Empty));
        assert_eq!(
            FullName::parse(&"x".repeat(129)),
            Err(FullNameError::TooLong)
        );
        assert_eq!(
            FullName::parse("a\u{7}b"),
            Err(FullNameError::ControlCharacter)
        );
    }
}
