//! `/api/v1/auth`: sign-in, token refresh, sign-out, the current user, password reset.

pub mod forgot_password;
pub mod login;
pub mod logout;
pub mod me;
pub mod refresh;
pub mod reset_password;
