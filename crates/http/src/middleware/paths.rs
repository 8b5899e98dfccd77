use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

/// The one path that must keep its trailing slash: Swagger UI's assets are relative to it.
const KEEP_SLASH: &str = "/docs/";

/// The path with repeated slashes merged and the trailing slash removed, or `None` when it is
/// already canonical. `/api/v1/users/` and `/api/v1/users` therefore reach the same handler,
/// with no redirect, and `//api/v1/...` (an agent configured with a trailing slash) works too.
pub(crate) fn canonical(path: &str) -> Option<String> {
    if path == KEEP_SLASH {
        return None;
    }
    let mut merged = String::with_capacity(path.len());
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        merged.push('/');
        merged.push_str(segment);
    }
    if merged.is_empty() {
        merged.push('/');
    }
    (merged != path).then_some(merged)
}

/// Rewrites the request path to its canonical form before routing.
pub(crate) async fn normalize_path(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(path) = canonical(req.path()) {
        let path_and_query = match req.query_string() {
            "" => path,
            query => format!("{path}?{query}"),
        };
        let mut parts = req.head().uri.clone().into_parts();
        if let Ok(rewritten) = path_and_query.parse() {
            parts.path_and_query = Some(rewritten);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
        }
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_repeated_slashes_are_removed() {
        assert_eq!(
            canonical("/api/v1/users/").as_deref(),
            Some("/api/v1/users")
        );
        assert_eq!(
            canonical("//api//v1/users").as_deref(),
            Some("/api/v1/users")
        );
        assert_eq!(canonical("/api/v1/users"), None);
        assert_eq!(canonical("/"), None);
        assert_eq!(canonical("//").as_deref(), Some("/"));
        assert_eq!(canonical("/docs/"), None);
        assert_eq!(canonical("/docs/swagger-ui.css"), None);
    }
}
