//! SQL helpers shared by the repositories.

use diesel::sql_types::{Nullable, Text};

diesel::define_sql_function! {
    /// PostgreSQL's `lower()`, for case-insensitive lookups that use the unique indexes.
    fn lower(value: Nullable<Text>) -> Nullable<Text>;
}

/// A double-quoted SQL identifier.
pub(crate) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A `LIKE` pattern matching what starts with `prefix`, taken literally.
pub(crate) fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = contains_pattern(prefix);
    pattern.remove(0);
    pattern
}

/// An `ILIKE` pattern matching `term` anywhere, with `%`, `_` and `\` in the term taken
/// literally.
pub(crate) fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_search_terms_are_literal() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(quote_identifier("we\"ird"), "\"we\"\"ird\"");
    }
}
