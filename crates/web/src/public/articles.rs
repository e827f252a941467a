//! The article page.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use dateline_app::reading::ArticleAt;
use dateline_core::article_path;

use crate::cache_layer::{cacheable, uncacheable};
use crate::views::ArticlePage;
use crate::{WebError, WebState};

/// `GET /articles/{slug}`: the page, a 301 from an old slug, 410 if withdrawn, else 404.
pub async fn show(
    State(state): State<WebState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    match render(&state, &slug).await {
        Ok(r) => Ok(r),
        Err(e) => Err(state.html_error(e).await),
    }
}

async fn render(state: &WebState, slug: &str) -> Result<Response, WebError> {
    match state.app.article_page(slug).await? {
        Ok(data) => {
            let site = state.site();
            let nav = state.nav().await;
            let page = ArticlePage::new(&data.article, &data.related, data.other_reports, &site);
            let html = state.templates.render("article.html", &site, &nav, page)?;
            // The page shows its related articles too: a change to any of them refreshes it.
            // The story link counts the other reports: the indexer refreshes every member's
            // page when one joins or leaves (their `article:` keys).
            let mut keys = vec![format!("article:{}", data.article.id), "nav".to_owned()];
            keys.extend(
                data.related
                    .iter()
                    .map(|(r, _)| format!("article:{}", r.id)),
            );
            let response = cacheable(
                html,
                "text/html; charset=utf-8",
                keys,
                data.article.updated_at,
            );
            // Served without its related articles (they failed to load): not cached, so
            // the next reader gets the complete page.
            Ok(if data.complete {
                response
            } else {
                uncacheable(response)
            })
        }
        Err(ArticleAt::Moved(new_slug)) => Ok((
            StatusCode::MOVED_PERMANENTLY,
            [
                (header::LOCATION, article_path(&new_slug)),
                (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
            ],
        )
            .into_response()),
        Err(ArticleAt::Gone) => Err(WebError::Gone),
        Err(ArticleAt::NotFound | ArticleAt::Live(_)) => {
            Err(WebError::App(dateline_app::Error::NotFound))
        }
    }
}
