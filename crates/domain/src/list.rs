//! Paged, sorted, searchable lists: one implementation shared by every resource.

mod page;
mod search;
mod sort;

pub use page::{MAX_PER_PAGE, Page, PageRequest, PageRequestError};
pub use search::{SearchTerm, SearchTermError};
pub use sort::{SortKey, SortOrder, UnknownSortKey};

/// A request for one page of a resource list.
///
/// `S` is the resource's sort key (a whitelist), `F` its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery<S, F> {
    /// Which page, and how large.
    pub page: PageRequest,
    /// The field to sort by.
    pub sort_by: S,
    /// Ascending or descending.
    pub sort_order: SortOrder,
    /// Free-text search over the resource's searchable fields.
    pub search: Option<SearchTerm>,
    /// Resource-specific filters.
    pub filter: F,
}

impl<S: SortKey, F: Default> Default for ListQuery<S, F> {
    fn default() -> Self {
        Self {
            page: PageRequest::default(),
            sort_by: S::DEFAULT,
            sort_order: SortOrder::default(),
            search: None,
            filter: F::default(),
        }
    }
}

impl<S, F> ListQuery<S, F> {
    /// The same query with its filter converted.
    pub fn map_filter<G>(self, convert: impl FnOnce(F) -> G) -> ListQuery<S, G> {
        let result: Result<_, std::convert::Infallible> =
            self.try_map_filter(|filter| Ok(convert(filter)));
        match result {
            Ok(query) => query,
        }
    }

    /// The same query with its filter converted, if it converts.
    pub fn try_map_filter<G, E>(
        self,
        convert: impl FnOnce(F) -> Result<G, E>,
    ) -> Result<ListQuery<S, G>, E> {
        Ok(ListQuery {
            page: self.page,
            sort_by: self.sort_by,
            sort_order: self.sort_order,
            search: self.search,
            filter: convert(self.filter)?,
        })
    }
}
