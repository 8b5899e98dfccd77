//! `/api/v1/users`: user management (admins), own profile (everyone).

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod two_factor;
pub mod update;
