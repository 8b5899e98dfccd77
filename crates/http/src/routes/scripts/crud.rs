use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use slimrmm_domain::script::ScriptService;
use slimrmm_domain::script::{ScriptChanges, ScriptFilter, ScriptId, ScriptInput, ScriptSort};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::rules;
use crate::dto::{ApiResponse, Null, PageResponse, ScriptResponse, created, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Global, ListParams, ListParamsDoc, Operate, Read, ValidJson};

/// A new script. The content is checked as the agent checks it before running anything: at
/// most 64 KiB and none of its dangerous patterns (`$(...)`, backticks, `eval(`, `exec(`,
/// `base64 -d`, `curl ... | sh`, `rm -rf /`, ...); a refusal names the pattern and line.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateScriptBody {
    /// 1 to 128 characters, unique without regard to case.
    #[schema(example = "Disk usage")]
    pub name: String,
    /// Up to 2,000 characters.
    pub description: Option<String>,
    /// `bash`, `sh`, `powershell`, `python` or `cmd`.
    #[schema(example = "bash")]
    pub script_type: String,
    /// The script (no arguments or environment are passed).
    #[schema(example = "df -h")]
    pub content: String,
    /// 1 to 600 seconds (default 60).
    #[schema(minimum = 1, maximum = 600)]
    pub timeout_seconds: Option<i64>,
    /// `linux`, `darwin`, `windows`: a subset of the systems the type runs on (`cmd`: Windows
    /// only; `bash`/`sh`: not Windows). Default: all of those.
    #[schema(min_items = 1)]
    pub platforms: Option<Vec<String>>,
    /// Up to 64 characters.
    pub category: Option<String>,
}

impl From<CreateScriptBody> for ScriptInput {
    fn from(body: CreateScriptBody) -> Self {
        Self {
            name: body.name,
            description: body.description,
            script_type: body.script_type,
            content: body.content,
            timeout_seconds: body.timeout_seconds,
            platforms: body.platforms,
            category: body.category,
        }
    }
}

/// Changes to a script; absent fields stay, `null` clears `description`, `platforms` (back to
/// derived) and `category`. The result is checked as a whole.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateScriptBody {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or `null`.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// A new type.
    pub script_type: Option<String>,
    /// A new text.
    pub content: Option<String>,
    /// A new timeout.
    pub timeout_seconds: Option<i64>,
    /// Declared platforms, or `null` for every system the type runs on.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub platforms: Option<Option<Vec<String>>>,
    /// A new category, or `null`.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
}

impl From<UpdateScriptBody> for ScriptChanges {
    fn from(body: UpdateScriptBody) -> Self {
        Self {
            name: body.name,
            description: body.description,
            script_type: body.script_type,
            content: body.content,
            timeout_seconds: body.timeout_seconds,
            platforms: body.platforms,
            category: body.category,
        }
    }
}

/// Filters of the script list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScriptFilterParams {
    /// `bash`, `sh`, `powershell`, `python` or `cmd`.
    #[param(pattern = "^(bash|sh|powershell|python|cmd)$")]
    pub script_type: Option<String>,
    /// Only this category (without regard to case).
    pub category: Option<String>,
}

impl ScriptFilterParams {
    fn into_domain(self) -> Result<ScriptFilter, ApiError> {
        Ok(ScriptFilter {
            script_type: self
                .script_type
                .map(|kind| {
                    kind.parse()
                        .map_err(|message: String| ApiError::invalid_field("script_type", message))
                })
                .transpose()?,
            category: self.category,
        })
    }
}

/// List scripts; `search` covers name, description and category; `sort_by` is `name`,
/// `created_at` or `updated_at`.
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<ScriptSort>, ScriptFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<ScriptResponse>>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_scripts(
    scripts: web::Data<ScriptService>,
    caller: Authorized<Read>,
    params: ListParams<ScriptSort, ScriptFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(ScriptFilterParams::into_domain)?;
    let page = scripts.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, ScriptResponse::from)))
}

/// Add a script to the library (technicians and admins).
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["technician"])),
    request_body = CreateScriptBody,
    responses(
        (status = 201, body = ApiResponse<ScriptResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "Name taken (`SCRIPT_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the content would be refused by the agent", body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_script(
    scripts: web::Data<ScriptService>,
    caller: Authorized<Global<Operate>>,
    body: ValidJson<CreateScriptBody>,
) -> Result<HttpResponse, ApiError> {
    let script = scripts.create(&caller.actor, body.0.into()).await?;
    Ok(created(ScriptResponse::from(script)))
}

/// One script.
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Script id")),
    responses(
        (status = 200, body = ApiResponse<ScriptResponse>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_script(
    scripts: web::Data<ScriptService>,
    caller: Authorized<Read>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let script = scripts
        .get(&caller.actor, ScriptId(id.into_inner()))
        .await?;
    Ok(ok(ScriptResponse::from(script)))
}

/// Change a script (technicians and admins). Runs already queued keep the text they were
/// queued with.
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Script id")),
    request_body = UpdateScriptBody,
    responses(
        (status = 200, body = ApiResponse<ScriptResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken (`SCRIPT_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/{id}")]
pub async fn update_script(
    scripts: web::Data<ScriptService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateScriptBody>,
) -> Result<HttpResponse, ApiError> {
    let script = scripts
        .update(&caller.actor, ScriptId(id.into_inner()), body.0.into())
        .await?;
    Ok(ok(ScriptResponse::from(script)))
}

/// Delete a script (technicians and admins). Its runs not yet sent are cancelled; finished
/// runs keep their results in `/api/v1/executions`.
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Script id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn delete_script(
    scripts: web::Data<ScriptService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let script = ScriptId(id.into_inner());
    scripts.delete(&caller.actor, script).await?;
    Ok(ok_with_message(Null, "Script deleted"))
}
