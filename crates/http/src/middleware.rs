//! Request and response plumbing shared by every route.

mod error_envelope;
mod paths;

pub(crate) use error_envelope::error_envelope;
pub(crate) use paths::normalize_path;
