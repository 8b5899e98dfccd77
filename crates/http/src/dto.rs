//! The shapes that cross the wire, separate from the domain's types.

mod envelope;
mod page;
pub(crate) mod rules;
mod token;
mod user;

pub use envelope::{ApiResponse, Null, created, ok, ok_with_message};
pub use page::PageResponse;
pub use token::TokenResponse;
pub use user::{RoleDto, UserResponse};
