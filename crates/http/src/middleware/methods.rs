//! HTTP methods as clients expect them: `HEAD` answers like `GET` without a body, and a known
//! path asked with a method it does not take is 405 with `Allow`, not 404.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Every documented path template with the methods it takes.
#[derive(Debug, Default)]
pub(crate) struct RouteMethods {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl RouteMethods {
    /// The table of `document`'s paths.
    pub(crate) fn of(document: &OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (method, present) in [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(method);
                    }
                }
                let segments = path.split('/').map(str::to_owned).collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods of the documented path that is exactly `path` (no parameters), if any.
    pub(crate) fn literal(&self, path: &str) -> Option<&[&'static str]> {
        self.routes
            .iter()
            .find(|(template, _)| template.join("/") == path)
            .map(|(_, methods)| methods.as_slice())
    }

    /// The methods `path` takes, if it is a documented path at all (a fixed route wins over
    /// templates it also matches: `/agents/register` is not `/agents/{uuid}`).
    fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        if let Some(methods) = self.literal(path) {
            return Some(methods.to_vec());
        }
        let asked: Vec<&str> = path.split('/').collect();
        let mut allowed: Vec<&'static str> = Vec::new();
        for (template, methods) in &self.routes {
            let matches = template.len() == asked.len()
                && template.iter().zip(&asked).all(|(expected, got)| {
                    (expected.starts_with('{') && !got.is_empty()) || expected == got
                });
            if matches {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

/// A `HEAD` request is routed as `GET`; the connection still knows it was `HEAD` and sends
/// the headers without the body.
pub(crate) async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// 405 with `Allow: methods`.
fn not_allowed(methods: &[&str]) -> HttpResponse {
    let mut response = ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED).error_response();
    if let Ok(value) = header::HeaderValue::from_str(&methods.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// When a path's parameter did not parse (`PATCH /agents/register` taken as
/// `PATCH /agents/{uuid}`) but the path is a fixed route of its own: 405 for that route.
pub(crate) fn literal_route_refusal(req: &HttpRequest) -> Option<HttpResponse> {
    let routes = req.app_data::<web::Data<RouteMethods>>()?;
    let methods = routes.literal(req.path())?;
    (!methods.contains(&req.method().as_str())).then(|| not_allowed(methods))
}

/// What no route took: 405 with `Allow` for a known path, else 404.
pub(crate) async fn unrouted(req: HttpRequest) -> HttpResponse {
    let allowed = req
        .app_data::<web::Data<RouteMethods>>()
        .and_then(|routes| routes.allowed(req.path()));
    match allowed {
        Some(methods) => not_allowed(&methods),
        None => ApiError::for_status(StatusCode::NOT_FOUND).error_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segment_by_segment() {
        let routes = RouteMethods {
            routes: vec![
                (
                    "/api/v1/agents/{uuid}"
                        .split('/')
                        .map(str::to_owned)
                        .collect(),
                    vec!["GET", "HEAD", "PATCH", "DELETE"],
                ),
                (
                    "/api/v1/agents/register"
                        .split('/')
                        .map(str::to_owned)
                        .collect(),
                    vec!["POST"],
                ),
            ],
        };
        assert_eq!(
            routes.allowed("/api/v1/agents/register"),
            Some(vec!["POST"])
        );
        assert_eq!(
            routes.allowed("/api/v1/agents/abc"),
            Some(vec!["GET", "HEAD", "PATCH", "DELETE"])
        );
        assert_eq!(routes.allowed("/api/v1/agents/abc/x"), None);
        assert_eq!(routes.allowed("/api/v1/agents/"), None);
    }
}
