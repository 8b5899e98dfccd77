//! `/api/v1/enrollment-tokens`: the tokens that let agents enroll (admins).

pub mod create;
pub mod list;
pub mod revoke;
