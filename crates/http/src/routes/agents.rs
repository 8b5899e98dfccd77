//! `/api/v1/agents`: managed machines for technicians, plus the agent's legacy registration
//! path and its certificate renewal.

pub mod action;
pub mod delete;
pub mod get;
pub mod list;
pub mod register;
pub mod renew_cert;
pub mod review;
pub mod site;
pub mod telemetry;
pub mod update;
