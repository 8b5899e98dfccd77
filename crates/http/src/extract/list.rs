use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use slimrmm_domain::list::{ListQuery, MAX_PER_PAGE, PageRequest, SearchTerm, SortKey, SortOrder};
use utoipa::IntoParams;

use crate::error::{ApiError, FieldError, serde_field_error};

/// The paging, sorting and search parameters every list accepts, plus the resource's own
/// filters `F` (deserialized from the same query string). Every invalid parameter is reported
/// at once, by name; an unknown `sort_by` names the allowed fields.
#[derive(Debug)]
pub struct ListParams<S, F> {
    /// The domain's list query, with the resource's filter parameters still in HTTP form.
    pub query: ListQuery<S, F>,
}

impl<S, F> ListParams<S, F> {
    /// The parsed query.
    pub fn into_query(self) -> ListQuery<S, F> {
        self.query
    }
}

/// The shared list parameters of a list sorted by `S`, for the OpenAPI document: `page`,
/// `per_page`, `sort_by` (exactly `S`'s fields), `sort_order` and `search`, with the bounds
/// the server enforces.
#[derive(Debug)]
pub struct ListParamsDoc<S>(std::marker::PhantomData<S>);

impl<S: SortKey> IntoParams for ListParamsDoc<S> {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Type};
        let parameter = |name: &str, description: String, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .description(Some(description))
                .schema(Some(schema.build()))
                .build()
        };
        let number = || {
            ObjectBuilder::new().schema_type(Type::Integer).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64),
            ))
        };
        let text = || ObjectBuilder::new().schema_type(Type::String);
        vec![
            parameter(
                "page",
                "Page number, from 1 (default 1).".to_owned(),
                number()
                    .minimum(Some(1))
                    .maximum(Some(u32::MAX))
                    .examples([1]),
            ),
            parameter(
                "per_page",
                format!("Items per page, 1 to {MAX_PER_PAGE} (default 50)."),
                number()
                    .minimum(Some(1))
                    .maximum(Some(MAX_PER_PAGE))
                    .examples([50]),
            ),
            parameter(
                "sort_by",
                format!("Field to sort by (default `{}`).", S::DEFAULT.name()),
                text().enum_values(Some(S::ALLOWED.iter().copied())),
            ),
            parameter(
                "sort_order",
                "`asc` (default) or `desc`.".to_owned(),
                text().enum_values(Some(["asc", "desc"])),
            ),
            parameter(
                "search",
                "Case-insensitive free-text search: 1 to 100 characters, no control \
                 characters."
                    .to_owned(),
                text()
                    .max_length(Some(100))
                    .pattern(Some(r"^[^\u0000-\u001F\u007F-\u009F]*$")),
            ),
        ]
    }
}

#[derive(Deserialize)]
struct Raw {
    page: Option<String>,
    per_page: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    search: Option<String>,
}

fn parse<S: SortKey, F: DeserializeOwned>(query_string: &str) -> Result<ListQuery<S, F>, ApiError> {
    let pairs = || form_urlencoded::parse(query_string.as_bytes());
    let nul: Vec<FieldError> = pairs()
        .filter(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| {
            FieldError::new(
                name.replace('\0', "\u{2400}"),
                "must not contain NUL (U+0000) characters",
            )
        })
        .collect();
    if !nul.is_empty() {
        return Err(ApiError::validation(nul));
    }
    let raw: Raw = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs()))
        .map_err(|error| {
        ApiError::validation(vec![serde_field_error(
            &error.path().to_string(),
            &error.inner().to_string(),
        )])
    })?;
    let mut errors = Vec::new();
    let page = bounded("page", raw.page, 1, 1..=u32::MAX, &mut errors);
    let per_page = bounded("per_page", raw.per_page, 50, 1..=MAX_PER_PAGE, &mut errors);
    let page = match (page, per_page) {
        (Some(page), Some(per_page)) => PageRequest::new(page, per_page).ok(),
        _ => None,
    };
    let sort_by = match raw.sort_by.as_deref() {
        None => Some(S::DEFAULT),
        Some(name) => S::parse(name)
            .map_err(|error| errors.push(FieldError::new("sort_by", error)))
            .ok(),
    };
    let sort_order = match raw.sort_order.as_deref() {
        None => Some(SortOrder::default()),
        Some(order) => SortOrder::parse_exact(order).or_else(|| {
            errors.push(FieldError::new("sort_order", "must be asc or desc"));
            None
        }),
    };
    let search = match raw.search.as_deref() {
        None => Some(None),
        Some(term) => SearchTerm::parse(term)
            .map_err(|error| errors.push(FieldError::new("search", error)))
            .ok(),
    };
    let filter: Option<F> =
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs()))
            .map_err(|error| {
                errors.push(serde_field_error(
                    &error.path().to_string(),
                    &error.inner().to_string(),
                ))
            })
            .ok();
    match (page, sort_by, sort_order, search, filter) {
        (Some(page), Some(sort_by), Some(sort_order), Some(search), Some(filter))
            if errors.is_empty() =>
        {
            Ok(ListQuery {
                page,
                sort_by,
                sort_order,
                search,
                filter,
            })
        }
        _ => Err(ApiError::validation(errors)),
    }
}

/// A whole number within `range`, or `default` when absent.
fn bounded(
    field: &str,
    value: Option<String>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let Some(text) = value else {
        return Some(default);
    };
    match text.trim().parse::<u32>() {
        Ok(number) if range.contains(&number) => Some(number),
        _ if *range.end() == u32::MAX => {
            errors.push(FieldError::new(
                field,
                format!("must be a whole number of at least {}", range.start()),
            ));
            None
        }
        _ => {
            errors.push(FieldError::new(
                field,
                format!(
                    "must be a whole number between {} and {}",
                    range.start(),
                    range.end()
                ),
            ));
            None
        }
    }
}

impl<S: SortKey, F: DeserializeOwned> FromRequest for ListParams<S, F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(|query| Self { query }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    slimrmm_domain::sort_key! {
        enum Sort default Name { Name => "name", Age => "age" }
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Filter {
        active: Option<bool>,
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let query = parse::<Sort, Filter>("").unwrap();
        assert_eq!((query.page.page(), query.page.per_page()), (1, 50));
        assert_eq!(
            (query.sort_by, query.sort_order, query.search),
            (Sort::Name, SortOrder::Asc, None)
        );
    }

    #[test]
    fn reads_every_parameter_and_the_filter() {
        let query = parse::<Sort, Filter>(
            "page=3&per_page=20&sort_by=age&sort_order=desc&search=web%20srv&active=false",
        )
        .unwrap();
        assert_eq!(
            (
                query.page.page(),
                query.page.per_page(),
                query.page.offset()
            ),
            (3, 20, 40)
        );
        assert_eq!(
            (query.sort_by, query.sort_order),
            (Sort::Age, SortOrder::Desc)
        );
        assert_eq!(query.search.unwrap().as_str(), "web srv");
        assert_eq!(
            query.filter,
            Filter {
                active: Some(false)
            }
        );
    }

    #[test]
    fn reports_every_bad_parameter_by_name() {
        let error =
            parse::<Sort, Filter>("page=0&per_page=500&sort_by=height&sort_order=up&active=maybe")
                .unwrap_err();
        let fields: Vec<_> = error
            .body()
            .errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "page".to_owned(),
                    "must be a whole number of at least 1".to_owned()
                ),
                (
                    "per_page".to_owned(),
                    "must be a whole number between 1 and 100".to_owned()
                ),
                ("sort_by".to_owned(), "must be one of: name, age".to_owned()),
                ("sort_order".to_owned(), "must be asc or desc".to_owned()),
                (
                    "active".to_owned(),
                    "provided string was not `true` or `false`".to_owned()
                ),
            ]
        );
        let error = parse::<Sort, Filter>("per_page=abc").unwrap_err();
        assert_eq!(error.body().errors[0].field, "per_page");
        let error = parse::<Sort, Filter>("search=a%00b").unwrap_err();
        assert_eq!(error.body().errors[0].field, "search");
    }
}
