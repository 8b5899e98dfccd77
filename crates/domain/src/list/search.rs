use std::fmt;

const MAX_CHARS: usize = 100;

/// A free-text search: trimmed, not empty, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm(String);

/// Why a search term was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SearchTermError {
    /// Longer than 100 characters.
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
    /// Contains a control character.
    #[error("must not contain control characters")]
    ControlCharacter,
}

impl SearchTerm {
    /// `Ok(None)` for a blank term: searching for nothing lists everything.
    pub fn parse(raw: &str) -> Result<Option<Self>, SearchTermError> {
        // Control characters are refused wherever they are, trailing ones included.
        if raw.chars().any(char::is_control) {
            return Err(SearchTermError::ControlCharacter);
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > MAX_CHARS {
            return Err(SearchTermError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(SearchTermError::ControlCharacter);
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    /// The term as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SearchTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_means_no_search() {
        assert_eq!(SearchTerm::parse("   "), Ok(None));
        assert_eq!(
            SearchTerm::parse("web\r"),
            Err(SearchTermError::ControlCharacter)
        );
        assert_eq!(SearchTerm::parse(" web ").unwrap().unwrap().as_str(), "web");
        assert_eq!(
            SearchTerm::parse(&"x".repeat(101)),
            Err(SearchTermError::TooLong)
        );
    }
}
