//! Public, read-only article API: published content only.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dateline_app::reading::{ArticleAt, Cursor, ListFilter};
use serde::Deserialize;
use serde_json::json;

use super::ArticleJson;
use crate::cache_layer::cacheable;
use crate::extract::{ApiPath, ApiQuery};
use crate::{WebError, WebState};

/// Query of `GET /api/v1/articles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    section: Option<String>,
    tag: Option<String>,
    author: Option<String>,
    external_id: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// `GET /api/v1/articles`: `{"items": [...], "next_cursor": "…" | null}`.
pub async fn list(
    State(state): State<WebState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, WebError> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(WebError::BadRequest {
            code: "invalid_query",
            message: "limit must be between 1 and 100".into(),
        });
    }
    let cursor = q
        .cursor
        .as_deref()
        .map(Cursor::decode)
        .transpose()
        .map_err(|_| WebError::BadRequest {
            code: "invalid_cursor",
            message: "cursor is not one this API returned".into(),
        })?;
    let filter = ListFilter {
        section: q.section,
        tag: q.tag,
        author: q.author,
        external_id: q.external_id,
    };
    let page = state.app.public_list(&filter, cursor, limit).await?;
    let base = &state.app.config().base_url;
    let body = json!({
        "items": page.items.iter().map(|a| ArticleJson::new(a, base)).collect::<Vec<_>>(),
        "next_cursor": page.next.map(|c| c.encode()),
    });
    let mut keys: Vec<String> = [
        ("section", &filter.section),
        ("tag", &filter.tag),
        ("author", &filter.author),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}:{v}")))
    .collect();
    if keys.is_empty() {
        keys.push("home".into());
    }
    let last_modified = page
        .items
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    Ok(cacheable(
        body.to_string(),
        "application/json",
        keys,
        last_modified,
    ))
}

/// `GET /api/v1/articles/{slug}`.
pub async fn show(
    State(state): State<WebState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, WebError> {
    match state.app.public_article_at(&slug).await? {
        ArticleAt::Live(a) => {
            let body = serde_json::to_string(&ArticleJson::new(&a, &state.app.config().base_url))
                .map_err(|e| dateline_app::Error::Internal(e.to_string()))?;
            Ok(cacheable(
                body,
                "application/json",
                vec![format!("article:{}", a.id)],
                a.updated_at,
            ))
        }
        ArticleAt::Moved(new_slug) => Ok((
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("/api/v1/articles/{new_slug}"))],
        )
            .into_response()),
        ArticleAt::Gone => Err(WebError::Gone),
        ArticleAt::NotFound => Err(WebError::App(dateline_app::Error::NotFound)),
    }
}

/// `?limit=` of the related endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedQuery {
    limit: Option<usize>,
}

/// `GET /api/v1/articles/{slug}/related?limit=N`.
pub async fn related(
    State(state): State<WebState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<RelatedQuery>,
) -> Result<Response, WebError> {
    let limit = q.limit.unwrap_or(state.app.config().related_count);
    if !(1..=50).contains(&limit) {
        return Err(WebError::BadRequest {
            code: "invalid_query",
            message: "limit must be between 1 and 50".into(),
        });
    }
    let a = match state.app.public_article_at(&slug).await? {
        ArticleAt::Live(a) => a,
        ArticleAt::Moved(new_slug) => {
            return Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(
                    header::LOCATION,
                    format!("/api/v1/articles/{new_slug}/related"),
                )],
            )
                .into_response())
        }
        ArticleAt::Gone => return Err(WebError::Gone),
        ArticleAt::NotFound => return Err(WebError::App(dateline_app::Error::NotFound)),
    };
    let related = state.app.related_articles(&a, limit).await?;
    let base = &state.app.config().base_url;
    let items: Vec<_> = related
        .iter()
        .map(|(r, score)| {
            json!({
                "slug": r.slug.as_str(),
                "external_id": r.external_id,
                "title": r.title,
                "teaser": r.teaser,
                "section": r.section.as_ref().map(|s| s.slug.as_str()),
                "story_id": r.story_id.to_string(),
                "url": format!("{base}{}", r.path()),
                "published_at": r.published_at.map(crate::views::iso_time),
                "score": score,
            })
        })
        .collect();
    let mut keys = vec![format!("article:{}", a.id)];
    keys.extend(related.iter().map(|(r, _)| format!("article:{}", r.id)));
    let body = json!({ "items": items }).to_string();
    Ok(cacheable(body, "application/json", keys, a.updated_at))
}
