//! The subcommands of `slimrmm-server`.

pub mod migrate;
pub mod serve;
pub mod tls;
pub mod user;
