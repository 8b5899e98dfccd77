//! Clients and their sites.

pub mod clients;
pub mod sites;

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules;

/// A client's or a site's name.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    /// 1 to 128 characters, unique without regard to case among its siblings.
    #[validate(custom(function = "rules::display_name"))]
    #[schema(example = "Acme Corp", min_length = 1, max_length = 128)]
    pub name: String,
}

/// Filters of the client and site lists (none beyond `search`).
#[derive(Debug, Default, Deserialize)]
pub struct NoFilter {}
