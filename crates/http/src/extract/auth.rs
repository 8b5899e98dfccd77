use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use slimrmm_domain::auth::{Actor, Capability};

use crate::AppState;
use crate::error::ApiError;

/// A capability a handler demands of its caller, as a type.
pub trait Requirement: 'static {
    /// The capability.
    const CAPABILITY: Capability;
}

/// Any signed-in user (viewers and up).
#[derive(Debug)]
pub struct Read;
/// Technicians and admins.
#[derive(Debug)]
pub struct Operate;
/// Admins only.
#[derive(Debug)]
pub struct Administer;

impl Requirement for Read {
    const CAPABILITY: Capability = Capability::Read;
}
impl Requirement for Operate {
    const CAPABILITY: Capability = Capability::Operate;
}
impl Requirement for Administer {
    const CAPABILITY: Capability = Capability::Administer;
}

/// The authenticated caller, proven to hold capability `C`.
///
/// This is the only way a handler obtains an [`Actor`], so every protected endpoint states its
/// requirement in its signature: no token is 401, a token for a role below `C` is 403.
#[derive(Debug)]
pub struct Authorized<C: Requirement> {
    /// The caller.
    pub actor: Actor,
    _requirement: PhantomData<C>,
}

/// The raw bearer token of a request (`Authorization: Bearer ...`), for the endpoints that take
/// a token other than an access token (refresh, logout).
#[derive(Debug)]
pub struct BearerToken(pub String);

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized(
            "UNAUTHORIZED",
            "authentication required: send Authorization: Bearer <token>",
        )
    })?;
    let value = value.to_str().map_err(|_| {
        ApiError::unauthorized(
            "INVALID_TOKEN",
            "the Authorization header is not valid text",
        )
    })?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::unauthorized(
            "INVALID_TOKEN",
            "the Authorization header must be: Bearer <token>",
        )),
    }
}

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).map(Self))
    }
}

impl<C: Requirement> FromRequest for Authorized<C> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?;
            let state = state.ok_or_else(|| ApiError::internal(&"AppState is not registered"))?;
            let actor = state.auth.authenticate(&token).await?;
            if !actor.can(C::CAPABILITY) {
                return Err(ApiError::forbidden(format!(
                    "your role ({}) may not do this",
                    actor.user.role
                )));
            }
            Ok(Self {
                actor,
                _requirement: PhantomData,
            })
        })
    }
}
