//! `/api/v1/policies`: patch-management policies, their runs and scans.

pub mod body;
pub mod crud;
pub mod run;
