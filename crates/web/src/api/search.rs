//! `GET /api/v1/search`: full-text search over published articles.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate};
use dateline_app::reading::{SearchQuery, Sort};
use serde::Deserialize;
use serde_json::json;

use crate::extract::ApiQuery;
use crate::views::iso_time;
use crate::{WebError, WebState};

/// Query of the search API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchApiQuery {
    q: Option<String>,
    section: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

fn bad(message: &str) -> WebError {
    WebError::BadRequest {
        code: "invalid_query",
        message: message.to_owned(),
    }
}

/// `YYYY-MM-DD` (start of that day, UTC) or a full RFC 3339 time.
fn parse_time(s: &str, field: &str) -> Result<i64, WebError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
        .ok_or_else(|| bad(&format!("{field} must be YYYY-MM-DD or an RFC 3339 time")))
}

/// `GET /api/v1/search?q=&section=&from=&to=&sort=relevance|date&cursor=&limit=`.
pub async fn search(
    State(state): State<WebState>,
    ApiQuery(p): ApiQuery<SearchApiQuery>,
) -> Result<Response, WebError> {
    let limit = p.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(bad("limit must be between 1 and 100"));
    }
    let max_offset = state.app.config().search_max_offset;
    let offset =
        match p.cursor.as_deref() {
            None => 0,
            Some(c) => c.parse::<usize>().ok().filter(|o| *o <= max_offset).ok_or(
                WebError::BadRequest {
                    code: "invalid_cursor",
                    message: "cursor is not one this API returned".into(),
                },
            )?,
        };
    let sort = match p.sort.as_deref() {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Newest,
        Some(_) => return Err(bad("sort must be relevance or date")),
    };
    let q = p.q.unwrap_or_default();
    if q.chars().count() > 500 {
        return Err(bad("q must be at most 500 characters"));
    }
    let query = SearchQuery {
        text: q,
        section: p.section,
        from: p
            .from
            .as_deref()
            .map(|s| parse_time(s, "from"))
            .transpose()?,
        to: p.to.as_deref().map(|s| parse_time(s, "to")).transpose()?,
        sort,
        offset,
        limit,
    };
    let page = state.app.search_stories(&query).await?;
    let base = &state.app.config().base_url;
    let items: Vec<_> = page
        .hits
        .iter()
        .map(|hit| {
            let a = &hit.article;
            json!({
                "slug": a.slug.as_str(),
                "external_id": a.external_id,
                "title": a.title,
                "teaser": a.teaser,
                "snippet": hit.snippet_html,
                "section": a.section.as_ref().map(|s| s.slug.as_str()),
                "story_id": a.story_id.to_string(),
                "url": format!("{base}{}", a.path()),
                "published_at": a.published_at.map(iso_time),
                "score": hit.score,
                "other_reports": hit.other_reports.iter().map(|o| json!({
                    "slug": o.slug.as_str(),
                    "title": o.title,
                    "source": o.source,
                    "url": format!("{base}{}", o.path()),
                    "published_at": o.published_at.map(iso_time),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Only a cursor this API accepts: none past the deepest offset it serves.
    let next = page
        .next_offset
        .filter(|next| *next <= max_offset)
        .map(|next| next.to_string());
    let body =
        json!({ "items": items, "next_cursor": next, "total": page.total, "fuzzy": page.fuzzy });
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}
