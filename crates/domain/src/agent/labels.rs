use std::fmt;

/// At most this many tags per agent or enrollment token.
pub const MAX_TAGS: usize = 32;

/// Why a label was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Empty or too long.
    #[error("must be between 1 and {max} characters")]
    Length {
        /// The longest accepted.
        max: usize,
    },
    /// Forbidden characters.
    #[error("{0}")]
    Characters(&'static str),
    /// Too many tags.
    #[error("at most {MAX_TAGS} tags")]
    TooMany,
}

/// A tag: 1 to 64 of letters, digits and `-_.:/`, kept as given, compared exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    /// Checks length and characters.
    pub fn parse(raw: &str) -> Result<Self, LabelError> {
        if raw.is_empty() || raw.chars().count() > 64 {
            return Err(LabelError::Length { max: 64 });
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/');
        if !raw.chars().all(allowed) {
            return Err(LabelError::Characters(
                "may only contain letters, digits and '-_.:/'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of tags: sorted, without duplicates, at most [`MAX_TAGS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// Sorts and deduplicates; refuses more than [`MAX_TAGS`].
    pub fn new(mut tags: Vec<Tag>) -> Result<Self, LabelError> {
        tags.sort();
        tags.dedup();
        if tags.len() > MAX_TAGS {
            return Err(LabelError::TooMany);
        }
        Ok(Self(tags))
    }

    /// Parses each raw tag.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, LabelError> {
        Self::new(
            raw.iter()
                .map(|tag| Tag::parse(tag.as_ref()))
                .collect::<Result<_, _>>()?,
        )
    }

    /// The tags, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    /// The tags as strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|tag| tag.0.clone()).collect()
    }
}

/// A name technicians give an agent: 1 to 128 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and checks.
    pub fn parse(raw: &str) -> Result<Self, LabelError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 128 {
            return Err(LabelError::Length { max: 128 });
        }
        if name.chars().any(char::is_control) {
            return Err(LabelError::Characters(
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_deduplicated_and_bounded() {
        let tags = Tags::parse(&["web", "db", "web"]).unwrap();
        assert_eq!(tags.to_strings(), ["db", "web"]);
        assert!(Tag::parse("site:berlin/floor-2").is_ok());
        assert!(Tag::parse("has space").is_err());
        let many: Vec<String> = (0..33).map(|i| format!("t{i}")).collect();
        assert_eq!(Tags::parse(&many), Err(LabelError::TooMany));
        assert!(DisplayName::parse("  Reception PC ").is_ok());
        assert!(DisplayName::parse("\u{1b}[31m").is_err());
    }
}
