use serde::Serialize;
use slimrmm_domain::list::Page;
use utoipa::ToSchema;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Items matching the query, across all pages.
    #[schema(example = 150)]
    pub total: u64,
    /// This page's number, from 1.
    #[schema(example = 1)]
    pub page: u32,
    /// The page size.
    #[schema(example = 50)]
    pub per_page: u32,
    /// How many pages the total fills.
    #[schema(example = 3)]
    pub pages: u64,
}

impl<T> PageResponse<T> {
    /// Converts a domain page, mapping each item.
    pub fn from_page<D>(page: Page<D>, item: impl FnMut(D) -> T) -> Self {
        let pages = page.pages();
        let request = page.request;
        let total = page.total;
        Self {
            items: page.items.into_iter().map(item).collect(),
            total,
            page: request.page(),
            per_page: request.per_page(),
            pages,
        }
    }
}
