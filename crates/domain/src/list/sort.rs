use std::fmt;

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl SortOrder {
    /// Parses exactly `asc` or `desc`.
    pub fn parse_exact(value: &str) -> Option<Self> {
        match value {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    /// Parses `asc` or `desc` (case-insensitive).
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }
}

/// The whitelist of fields a resource list can be sorted by.
pub trait SortKey: Sized + Copy + fmt::Debug + Send + Sync + 'static {
    /// Every accepted name, in the order they are documented.
    const ALLOWED: &'static [&'static str];
    /// The sort used when the client names none.
    const DEFAULT: Self;

    /// The key for `name`, if it is on the whitelist.
    fn from_name(name: &str) -> Option<Self>;

    /// The key's public name.
    fn name(self) -> &'static str;

    /// Parses `name`, naming the whitelist when it is refused.
    fn parse(name: &str) -> Result<Self, UnknownSortKey> {
        Self::from_name(name).ok_or(UnknownSortKey {
            allowed: Self::ALLOWED,
        })
    }
}

/// A sort field outside the resource's whitelist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {}", allowed.join(", "))]
pub struct UnknownSortKey {
    /// The names that would have been accepted.
    pub allowed: &'static [&'static str],
}

/// Declares a sort-key enum with its public names and its default.
#[macro_export]
macro_rules! sort_key {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident default $default:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $crate::list::SortKey for $name {
            const ALLOWED: &'static [&'static str] = &[$($text),+];
            const DEFAULT: Self = Self::$default;

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $text => Some(Self::$variant), )+
                    _ => None,
                }
            }

            fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::sort_key! {
        enum Fruit default Apple { Apple => "apple", Pear => "pear" }
    }

    #[test]
    fn parses_whitelisted_names_only() {
        assert_eq!(Fruit::parse("pear"), Ok(Fruit::Pear));
        let refused = Fruit::parse("plum").unwrap_err();
        assert_eq!(refused.to_string(), "must be one of: apple, pear");
    }

    #[test]
    fn sort_order_is_case_insensitive() {
        assert_eq!(SortOrder::parse("DESC"), Some(SortOrder::Desc));
        assert_eq!(SortOrder::parse("up"), None);
    }
}
