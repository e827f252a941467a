//! `GET /api/v1/stories/{id}`: every public report of one story.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::ArticleJson;
use crate::cache_layer::cacheable;
use crate::extract::{parse_id, ApiPath};
use crate::{WebError, WebState};

/// A story in the public API.
#[derive(Serialize)]
struct StoryJson<'a> {
    id: String,
    url: String,
    reports: Vec<ArticleJson<'a>>,
}

/// `GET /api/v1/stories/{id}`: `{"id", "url", "reports": [...]}`, reports oldest first; 404
/// unless the story has two or more public reports.
pub async fn show(
    State(state): State<WebState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let story = state.app.story(id.0).await?;
    let base = &state.app.config().base_url;
    let body = serde_json::to_string(&StoryJson {
        id: story.id.to_string(),
        url: format!("{base}/story/{}", story.id),
        reports: story
            .reports
            .iter()
            .map(|a| ArticleJson::new(a, base))
            .collect(),
    })
    .map_err(|e| dateline_app::Error::Internal(e.to_string()))?;
    let keys = story
        .reports
        .iter()
        .map(|a| format!("article:{}", a.id))
        .collect();
    let modified = story
        .reports
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or_default();
    Ok(cacheable(body, "application/json", keys, modified))
}
