use std::fmt;

const MIN_CHARS: usize = 3;
const MAX_CHARS: usize = 64;

/// 3 to 64 characters of `[A-Za-z0-9_.-]`. Unique without regard to case; the case given at
/// creation is kept for display.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Shorter than 3 or longer than 64 characters.
    #[error("must be between {MIN_CHARS} and {MAX_CHARS} characters")]
    Length,
    /// Contains something other than letters, digits, `_`, `.` and `-`.
    #[error("may only contain letters, digits, '_', '.' and '-'")]
    Characters,
}

impl Username {
    /// Checks length and alphabet.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        if !(MIN_CHARS..=MAX_CHARS).contains(&raw.chars().count()) {
            return Err(UsernameError::Length);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !raw.chars().all(allowed) {
            return Err(UsernameError::Characters);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The username as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        assert!(Username::parse("jane.doe-2_x").is_ok());
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(UsernameError::Length));
        assert_eq!(Username::parse("jane doe"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("jäne"), Err(UsernameError::Characters));
    }
}
