//! SQL helpers shared by the repositories.

use diesel::query_dsl::methods::{LimitDsl, OffsetDsl};
use diesel::sql_types::{Nullable, Text};
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use slimrmm_domain::PortError;
use slimrmm_domain::list::{Page, PageRequest};

use crate::error::query_error;

diesel::define_sql_function! {
    /// PostgreSQL's `lower()`, for case-insensitive lookups that use the unique indexes.
    fn lower(value: Nullable<Text>) -> Nullable<Text>;
}

/// Orders a boxed selection by a list's sort key in the query's direction:
/// `sorted!(selection, order, key)`, `sorted!(selection, order, nulls_last key)` (nulls after
/// the values either way), or `sorted!(selection, order, key, tie)` (the tie-break in the same
/// direction, so that the sort walks a `(key, tie)` index forwards or backwards).
macro_rules! sorted {
    ($selection:expr, $order:expr, nulls_last $key:expr) => {
        match $order {
            slimrmm_domain::list::SortOrder::Asc => $selection.order($key.asc().nulls_last()),
            slimrmm_domain::list::SortOrder::Desc => $selection.order($key.desc().nulls_last()),
        }
    };
    ($selection:expr, $order:expr, $key:expr, $tie:expr) => {
        match $order {
            slimrmm_domain::list::SortOrder::Asc => $selection.order(($key.asc(), $tie.asc())),
            slimrmm_domain::list::SortOrder::Desc => $selection.order(($key.desc(), $tie.desc())),
        }
    };
    ($selection:expr, $order:expr, $key:expr) => {
        match $order {
            slimrmm_domain::list::SortOrder::Asc => $selection.order($key.asc()),
            slimrmm_domain::list::SortOrder::Desc => $selection.order($key.desc()),
        }
    };
}
pub(crate) use sorted;

/// One page of a list: `count` counts what the filters select, `ordered` is the same
/// selection sorted (with its columns chosen); the page `request` asks for is cut out of it.
///
/// The future is boxed: a generic future over diesel's query types, awaited inside an
/// `async_trait` method, trips the compiler's "not general enough" lifetime check.
pub(crate) fn load_page<'c, Row, C, Q>(
    conn: &'c mut AsyncPgConnection,
    request: PageRequest,
    count: C,
    ordered: Q,
) -> BoxFuture<'c, Result<Page<Row>, PortError>>
where
    C: LoadQuery<'static, AsyncPgConnection, i64> + Send + 'static,
    Q: LimitDsl,
    Q::Output: OffsetDsl,
    <Q::Output as OffsetDsl>::Output: LoadQuery<'static, AsyncPgConnection, Row> + Send + 'static,
    Row: Send + 'static,
{
    let window = ordered
        .limit(i64::from(request.per_page()))
        .offset(i64::try_from(request.offset()).unwrap_or(i64::MAX));
    Box::pin(async move {
        let total: i64 = count.get_result(conn).await.map_err(query_error)?;
        let items: Vec<Row> = window.load(conn).await.map_err(query_error)?;
        Ok(Page {
            items,
            total: total.unsigned_abs(),
            request,
        })
    })
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

/// Keeps the rows of `$boxed` whose `$column` (an agent uuid) is a live agent of the clients of
/// `$scope`, when the scope is restricted.
macro_rules! in_scope {
    ($boxed:expr, $column:expr, $scope:expr) => {
        match $scope.ids() {
            None => $boxed,
            Some(ids) => $boxed.filter(
                $column.eq_any(
                    $crate::schema::agents::table
                        .filter(
                            $crate::schema::agents::client_id
                                .eq_any(ids)
                                .and($crate::schema::agents::deleted_at.is_null()),
                        )
                        .select($crate::schema::agents::uuid),
                ),
            ),
        }
    };
}
pub(crate) use in_scope;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_search_terms_are_literal() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(quote_identifier("we\"ird"), "\"we\"\"ird\"");
    }
}
