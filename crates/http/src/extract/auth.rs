use std::marker::PhantomData;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use slimrmm_domain::apikey::{ApiKeyService, is_api_key};
use slimrmm_domain::auth::{Actor, AuthService, Capability};

use crate::error::ApiError;
use crate::extract::ClientIp;

/// A capability a handler demands of its caller, as a type.
pub trait Requirement: 'static {
    /// The capability.
    const CAPABILITY: Capability;
    /// Whether a user the security policy requires to enrol a second factor may still call
    /// (only what enrolment needs).
    const WHILE_ENROLLING: bool = false;
    /// Whether the operation reaches every client (a global object), so that only users of
    /// every client may call it.
    const GLOBAL: bool = false;
    /// Whether the operation manages access (users, API keys, the security policy), which an
    /// API key may never do: only a signed-in session may.
    const SIGNED_IN: bool = false;
}

/// Capability `C` over every client: global objects (users, integrations, clients and sites,
/// enrollment tokens, the security policy, patch policies, the script library's contents, the
/// audit log). A user limited to some clients is refused (403) before the request is read.
#[derive(Debug)]
pub struct Global<C>(PhantomData<C>);

impl<C: Requirement> Requirement for Global<C> {
    const CAPABILITY: Capability = C::CAPABILITY;
    const GLOBAL: bool = true;
    const SIGNED_IN: bool = C::SIGNED_IN;
}

/// Requirement `C`, in a signed-in session: managing users, API keys and the security policy.
/// A request with an API key is refused (403) before the request is read, so a leaked key
/// cannot make itself or anyone else more powerful.
#[derive(Debug)]
pub struct SignedIn<C>(PhantomData<C>);

impl<C: Requirement> Requirement for SignedIn<C> {
    const CAPABILITY: Capability = C::CAPABILITY;
    const WHILE_ENROLLING: bool = C::WHILE_ENROLLING;
    const GLOBAL: bool = C::GLOBAL;
    const SIGNED_IN: bool = true;
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
/// Any signed-in user, also one who must still enrol a second factor: enrolment itself, the
/// caller's profile and second-factor state.
#[derive(Debug)]
pub struct Enrolling;

impl Requirement for Read {
    const CAPABILITY: Capability = Capability::Read;
}
impl Requirement for Operate {
    const CAPABILITY: Capability = Capability::Operate;
}
impl Requirement for Administer {
    const CAPABILITY: Capability = Capability::Administer;
}
impl Requirement for Enrolling {
    const CAPABILITY: Capability = Capability::Read;
    const WHILE_ENROLLING: bool = true;
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

/// Who the request's bearer token proves the caller to be, settled by [`authenticate`] before
/// any handler reads anything else of the request.
struct Authentication(Result<Actor, ApiError>);

/// Authenticates the bearer token of every API request that carries one, before routing
/// hands the request to a handler. Handlers then learn who is calling before they parse any
/// path, query or body: a caller without the right learns nothing about a request's shape,
/// because [`Authorized`] is the first fallible argument of every handler and is now ready at
/// once (actix extracts a handler's arguments in order and answers the first error).
pub(crate) async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.path().starts_with("/api/")
        && (req.headers().contains_key(header::AUTHORIZATION)
            || req.headers().contains_key(API_KEY_HEADER))
    {
        let presented = Presented::of(req.request());
        let key = match &presented {
            Ok(Presented::Key(key)) => Some(crate::middleware::key_hash(key)),
            _ => None,
        };
        let outcome = match presented {
            Ok(presented) => credential(req.request(), &presented).await,
            Err(error) => Err(error),
        };
        // Only a key's outcome concerns the rate limits.
        let limits = key
            .and(req.app_data::<web::Data<crate::AppState>>())
            .map(|state| state.rate_limits.clone());
        if let (Some(key), Some(limits)) = (key, &limits)
            && outcome.is_ok()
        {
            limits.verified_keys.insert(key);
        }
        // A made-up key costs its sender: each refusal counts against the address's sign-in
        // budget, so keys cannot be guessed at the pace of the (per-key) API budget.
        if key.is_some()
            && outcome.is_err()
            && let Some(limits) = &limits
            && let Some(ip) = ClientIp::of(req.request()).0
            && limits.auth.check(ip.into()).retry_after.is_some()
        {
            let refused = ApiError::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                "too many refused API keys from this address; try again later",
            );
            return Ok(req.error_response(refused).map_into_right_body());
        }
        req.extensions_mut().insert(Authentication(outcome));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The header an integration may send its API key in instead of `Authorization: Bearer`.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The API key a request carries, in `X-API-Key` or as a bearer token starting with `srk_`.
pub(crate) fn api_key(req: &HttpRequest) -> Option<String> {
    if let Some(value) = req.headers().get(API_KEY_HEADER) {
        return Some(value.to_str().unwrap_or_default().trim().to_owned());
    }
    bearer(req).ok().filter(|token| is_api_key(token))
}

/// What a caller presents to prove who they are.
pub(crate) enum Presented {
    /// An API key.
    Key(String),
    /// An access token (a JWT).
    Token(String),
}

impl Presented {
    /// The credential in a request's headers: an API key ([`api_key`]), else the bearer token.
    fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        match api_key(req) {
            Some(key) => Ok(Self::Key(key)),
            None => bearer(req).map(Self::Token),
        }
    }
}

/// Who a credential proves the caller to be, seen at `source`: the one place a key and a token
/// are told apart (the middleware, and the events WebSocket, which may take a token from its
/// query or subprotocol).
pub(crate) async fn identify(
    auth: &AuthService,
    keys: &ApiKeyService,
    presented: &Presented,
    source: Option<std::net::IpAddr>,
) -> Result<Actor, ApiError> {
    Ok(match presented {
        Presented::Key(key) => keys.authenticate(key, source).await?,
        Presented::Token(token) => auth.authenticate(token).await?.from(source),
    })
}

/// Who a request's credential proves the caller to be, with the services the app registered.
async fn credential(req: &HttpRequest, presented: &Presented) -> Result<Actor, ApiError> {
    let keys = req
        .app_data::<web::Data<ApiKeyService>>()
        .ok_or_else(|| ApiError::internal(&"the ApiKeyService is not registered"))?;
    let auth = req
        .app_data::<web::Data<AuthService>>()
        .ok_or_else(|| ApiError::internal(&"the AuthService is not registered"))?;
    identify(auth, keys, presented, ClientIp::of(req).0).await
}

/// 403 for a user the security policy requires to enrol a second factor first.
pub(crate) fn two_factor_required() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "TWO_FACTOR_REQUIRED",
        "two-factor sign-in is required: enrol with POST /api/v1/auth/2fa/enroll, then \
         activate it with a code",
    )
}

/// Makes `req` come from `actor`, as [`authenticate`] would for a valid token: handler tests
/// then need no token issuer or session store.
#[cfg(test)]
pub(crate) fn act_as(req: &ServiceRequest, actor: Actor) {
    req.extensions_mut().insert(Authentication(Ok(actor)));
}

fn require<C: Requirement>(actor: Actor) -> Result<Authorized<C>, ApiError> {
    if actor.must_enrol && !C::WHILE_ENROLLING {
        return Err(two_factor_required());
    }
    if C::SIGNED_IN && actor.via_key() {
        return Err(ApiError::forbidden(
            "API keys cannot manage users, keys or the security policy: sign in to do it",
        ));
    }
    if !actor.can(C::CAPABILITY) {
        return Err(ApiError::forbidden(format!(
            "your role ({}) may not do this",
            actor.user.role
        )));
    }
    if C::GLOBAL && !actor.can_globally(C::CAPABILITY) {
        return Err(ApiError::forbidden(
            "this reaches every client: only users of every client may do it",
        ));
    }
    Ok(Authorized {
        actor,
        _requirement: PhantomData,
    })
}

impl<C: Requirement> FromRequest for Authorized<C> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(Authentication(outcome)) = req.extensions_mut().remove::<Authentication>() {
            return Box::pin(ready(outcome.and_then(require)));
        }
        // Outside the middleware (an app built without it): authenticate here.
        let req = req.clone();
        Box::pin(async move {
            let presented = Presented::of(&req)?;
            require(credential(&req, &presented).await?)
        })
    }
}
