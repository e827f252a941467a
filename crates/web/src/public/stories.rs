//! The story page: every public report of one story ("full coverage").

use axum::extract::{Path, State};
use axum::response::Response;

use crate::cache_layer::cacheable;
use crate::extract::parse_id;
use crate::views::StoryPage;
use crate::{WebError, WebState};

/// `GET /story/{id}`: the reports of a story in time order; 404 unless it has two or more.
pub async fn show(
    State(state): State<WebState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    match render(&state, &id).await {
        Ok(r) => Ok(r),
        Err(e) => Err(state.html_error(e).await),
    }
}

async fn render(state: &WebState, id: &str) -> Result<Response, WebError> {
    let id = parse_id(id)?;
    let story = state.app.story(id.0).await?;
    let site = state.site();
    let nav = state.nav().await;
    let html = state
        .templates
        .render("story.html", &site, &nav, StoryPage::new(&story, &site))?;
    // A report joining or leaving the story refreshes every member's pages (the indexer
    // drops their `article:` keys), this one with them.
    let mut keys: Vec<String> = story
        .reports
        .iter()
        .map(|a| format!("article:{}", a.id))
        .collect();
    keys.push("nav".to_owned());
    let modified = story
        .reports
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or_default();
    Ok(cacheable(html, "text/html; charset=utf-8", keys, modified))
}
