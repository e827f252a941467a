//! Admin API: writing articles with a bearer key (DESIGN.md "Admin API").

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use dateline_app::articles::ArticlePatch;
use dateline_core::{ArticleId, ArticleInput, Status, Version};
use serde::Deserialize;
use serde_json::json;

use super::AdminArticleJson;
use crate::extract::{parse_id, ApiActor, ApiBytes, ApiJson, ApiPath, ApiQuery};
use crate::views::iso_time;
use crate::{WebError, WebState};

/// Routes under `/api/v1/admin`.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/articles", post(create))
        .route("/articles/{id}", get(show).patch(update).delete(delete))
        .route("/articles/{id}/publish", post(publish))
        .route("/articles/{id}/unpublish", post(unpublish))
        .route("/articles/{id}/revisions", get(revisions))
        .route(
            "/articles/{id}/related",
            get(related_overrides).put(set_related_overrides),
        )
        .route("/articles/{id}/presence", post(presence))
        .route("/articles/{id}/permissions", get(permissions))
        .route("/preview", post(preview))
        .route("/tags", get(tag_suggestions))
        .fallback(|| async { WebError::App(dateline_app::Error::NotFound) })
}

/// Body of `POST /api/v1/admin/articles`: the JSONL article fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateArticleRequest {
    title: String,
    body: String,
    slug: Option<String>,
    external_id: Option<String>,
    standfirst: Option<String>,
    summary: Option<String>,
    dateline: Option<String>,
    section: Option<String>,
    tags: Option<Vec<String>>,
    authors: Option<Vec<String>>,
    lead_image_url: Option<String>,
    lead_image_alt: Option<String>,
    lead_image_caption: Option<String>,
    lead_image_credit: Option<String>,
    source: Option<String>,
    correction: Option<String>,
    published_at: Option<DateTime<Utc>>,
    status: Option<Status>,
}

impl From<CreateArticleRequest> for ArticleInput {
    fn from(r: CreateArticleRequest) -> Self {
        ArticleInput {
            title: r.title,
            body: r.body,
            slug: r.slug,
            external_id: r.external_id,
            standfirst: r.standfirst,
            summary: r.summary,
            dateline: r.dateline,
            section: r.section,
            tags: r.tags.unwrap_or_default(),
            authors: r.authors.unwrap_or_default(),
            lead_image_url: r.lead_image_url,
            lead_image_alt: r.lead_image_alt,
            lead_image_caption: r.lead_image_caption,
            lead_image_credit: r.lead_image_credit,
            source: r.source,
            correction: r.correction,
            published_at: r.published_at,
            status: r.status,
        }
    }
}

fn article_response(status: StatusCode, a: &dateline_core::Article) -> Response {
    let mut response = (status, axum::Json(AdminArticleJson::from(a))).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if status == StatusCode::CREATED {
        if let Ok(v) = header::HeaderValue::from_str(&format!("/api/v1/admin/articles/{}", a.id)) {
            h.insert(header::LOCATION, v);
        }
    }
    response
}

async fn create(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateArticleRequest>,
) -> Result<Response, WebError> {
    let article = state.app.create_article(&actor, req.into()).await?;
    Ok(article_response(StatusCode::CREATED, &article))
}

async fn show(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let mut article = state
        .app
        .article_for_editing(&actor, parse_id(&id)?)
        .await?;
    state.app.set_story(&mut article);
    // Editors see the other versions of the story ("3 other versions of this story").
    let others: Vec<i64> = state
        .app
        .other_versions(article.id)
        .into_iter()
        .map(|a| a.0)
        .collect();
    let mut body = serde_json::to_value(AdminArticleJson::from(&article))
        .map_err(|e| dateline_app::Error::Internal(e.to_string()))?;
    body["other_versions"] = json!(others);
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}

async fn update(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ArticlePatch>,
) -> Result<Response, WebError> {
    let article = state
        .app
        .update_article(&actor, parse_id(&id)?, patch)
        .await?;
    Ok(article_response(StatusCode::OK, &article))
}

/// Optional body of publish / unpublish.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRequest {
    at: Option<DateTime<Utc>>,
    version: Option<i64>,
}

fn optional_body(body: &Bytes) -> Result<StatusRequest, WebError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StatusRequest::default());
    }
    crate::extract::require_object(body)?;
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            WebError::BadRequest {
                code: "invalid_json",
                message: e.to_string(),
            }
        } else {
            let mut fields = dateline_core::FieldErrors::default();
            fields.add("body", e.to_string());
            WebError::App(dateline_app::Error::Invalid(fields))
        }
    })
}

async fn publish(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Response, WebError> {
    let req = optional_body(&body)?;
    let article = state
        .app
        .publish_article(&actor, parse_id(&id)?, req.at, req.version.map(Version))
        .await?;
    Ok(article_response(StatusCode::OK, &article))
}

async fn unpublish(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Response, WebError> {
    let req = optional_body(&body)?;
    if req.at.is_some() {
        let mut fields = dateline_core::FieldErrors::default();
        fields.add("at", "unpublish takes effect at once");
        return Err(WebError::App(dateline_app::Error::Invalid(fields)));
    }
    let article = state
        .app
        .unpublish_article(&actor, parse_id(&id)?, req.version.map(Version))
        .await?;
    Ok(article_response(StatusCode::OK, &article))
}

/// `?version=` of DELETE.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteQuery {
    version: Option<i64>,
}

async fn delete(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<Response, WebError> {
    let article = state
        .app
        .delete_article(&actor, parse_id(&id)?, q.version.map(Version))
        .await?;
    Ok(article_response(StatusCode::OK, &article))
}

async fn revisions(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let revisions = state.app.revisions(&actor, parse_id(&id)?).await?;
    let items: Vec<_> = revisions
        .iter()
        .map(|r| {
            json!({
                "version": r.version.0,
                "actor": r.actor,
                "created_at": iso_time(r.created_at),
                "article": AdminArticleJson::from(&r.snapshot),
            })
        })
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "items": items })),
    )
        .into_response())
}

/// Body of `PUT /api/v1/admin/articles/{id}/related`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelatedOverridesRequest {
    #[serde(default)]
    pin: Vec<i64>,
    #[serde(default)]
    exclude: Vec<i64>,
}

fn overrides_json(pins: &[ArticleId], excludes: &[ArticleId]) -> Response {
    let body = json!({
        "pin": pins.iter().map(|a| a.0).collect::<Vec<_>>(),
        "exclude": excludes.iter().map(|a| a.0).collect::<Vec<_>>(),
    });
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

async fn related_overrides(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let (pins, excludes) = state.app.related_overrides(&actor, parse_id(&id)?).await?;
    Ok(overrides_json(&pins, &excludes))
}

async fn set_related_overrides(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RelatedOverridesRequest>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    state.app.article_for_editing(&actor, id).await?;
    let (pins, excludes) = state
        .app
        .set_related_overrides(
            &actor,
            id,
            req.pin.into_iter().map(ArticleId).collect(),
            req.exclude.into_iter().map(ArticleId).collect(),
        )
        .await?;
    Ok(overrides_json(&pins, &excludes))
}

/// Body of `POST /api/v1/admin/preview`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    body: String,
}

/// The editor's live preview: the same renderer and sanitiser as the public page.
async fn preview(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> Result<Response, WebError> {
    if req.body.len() > dateline_core::Limits::default().body_bytes {
        return Err(WebError::TooLarge);
    }
    let preview = state.app.render_preview(&actor, req.body).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({
            "html": preview.html,
            "word_count": preview.word_count,
        })),
    )
        .into_response())
}

/// `?q=` of the tag suggestions.
#[derive(Debug, Deserialize)]
struct TagQuery {
    #[serde(default)]
    q: String,
}

async fn tag_suggestions(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<TagQuery>,
) -> Result<Response, WebError> {
    let items = state.app.tag_suggestions(&actor, &q.q).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "items": items })),
    )
        .into_response())
}

/// The editor checks in; the answer names who else has the article open.
async fn presence(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let others = state.app.check_in(&actor, parse_id(&id)?).await?;
    let others: Vec<_> = others
        .iter()
        .map(|p| json!({"name": p.name, "email": p.email}))
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "others": others })),
    )
        .into_response())
}

/// What the caller may do with an article (the public page's "Edit" link asks this).
async fn permissions(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let may = state.app.permissions(&actor, id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({
            "edit": may.edit,
            "publish": may.publish,
            "edit_url": may.edit.then(|| format!("/admin/articles/{id}/edit")),
        })),
    )
        .into_response())
}
