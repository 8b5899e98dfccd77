use std::fmt;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u32 = 100;
const DEFAULT_PER_PAGE: u32 = 50;

/// A page number (from 1) and a page size (1 to [`MAX_PER_PAGE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    per_page: u32,
}

/// Why a [`PageRequest`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageRequestError {
    /// `page` was 0.
    #[error("page must be at least 1")]
    PageOutOfRange,
    /// `per_page` was 0 or above [`MAX_PER_PAGE`].
    #[error("per_page must be between 1 and {MAX_PER_PAGE}")]
    PerPageOutOfRange,
}

impl PageRequest {
    /// Checks both bounds.
    pub fn new(page: u32, per_page: u32) -> Result<Self, PageRequestError> {
        if page == 0 {
            return Err(PageRequestError::PageOutOfRange);
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(PageRequestError::PerPageOutOfRange);
        }
        Ok(Self { page, per_page })
    }

    /// The page number, from 1.
    pub fn page(self) -> u32 {
        self.page
    }

    /// The page size.
    pub fn per_page(self) -> u32 {
        self.per_page
    }

    /// How many items come before this page.
    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl fmt::Display for PageRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {} of size {}", self.page, self.per_page)
    }
}

/// One page of a list, with the total across all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match, across all pages.
    pub total: u64,
    /// The page that was asked for.
    pub request: PageRequest,
}

impl<T> Page<T> {
    /// How many pages the total fills: ⌈total / per_page⌉ (0 for an empty list).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.request.per_page))
    }

    /// Converts every item, keeping the paging facts.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            request: self.request,
        }
    }

    /// Converts every item, or fails with the first item that does not convert.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            total: self.total,
            request: self.request,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        assert_eq!(
            PageRequest::new(0, 10),
            Err(PageRequestError::PageOutOfRange)
        );
        assert_eq!(
            PageRequest::new(1, 0),
            Err(PageRequestError::PerPageOutOfRange)
        );
        assert_eq!(
            PageRequest::new(1, 101),
            Err(PageRequestError::PerPageOutOfRange)
        );
        assert!(PageRequest::new(1, 100).is_ok());
    }

    #[test]
    fn offset_and_page_count() {
        let request = PageRequest::new(3, 20).unwrap();
        assert_eq!(request.offset(), 40);
        let page = |total| Page::<()> {
            items: vec![],
            total,
            request,
        };
        assert_eq!(page(0).pages(), 0);
        assert_eq!(page(20).pages(), 1);
        assert_eq!(page(21).pages(), 2);
        assert_eq!(page(150).pages(), 8);
    }
}
