//! `/api/v1/auth`: sign-in (with a second factor), token refresh, sign-out, the current user,
//! password reset, the caller's own second factor.

pub mod forgot_password;
pub mod login;
pub mod logout;
pub mod me;
pub mod refresh;
pub mod reset_password;
pub mod second_factor;
pub mod two_factor;
