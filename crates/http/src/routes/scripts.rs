//! `/api/v1/scripts`: the script library and running scripts on agents.

pub mod crud;
pub mod execute;
