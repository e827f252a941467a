//! The article page.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use dateline_app::reading::SlugLookup;
use dateline_core::article_path;

use crate::cache_layer::cacheable;
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
    let lookup = state
        .app
        .store()
        .public_lookup(slug, Utc::now())
        .await
        .map_err(dateline_app::Error::from)?;
    match lookup {
        SlugLookup::Live(mut article) => {
            state.app.set_story(&mut article);
            // Related articles are an extra: if they fail, the story is still served.
            let related = state
                .app
                .related_articles(&article, state.app.config().related_count)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not load related articles");
                    Vec::new()
                });
            let site = state.site();
            let nav = state.nav().await;
            let page = ArticlePage::new(&article, &related, &site);
            let html = state.templates.render("article.html", &site, &nav, page)?;
            // The page shows its related articles too: a change to any of them refreshes it.
            let mut keys = vec![format!("article:{}", article.id), "nav".to_owned()];
            keys.extend(related.iter().map(|(r, _)| format!("article:{}", r.id)));
            Ok(cacheable(
                html,
                "text/html; charset=utf-8",
                keys,
                article.updated_at,
            ))
        }
        SlugLookup::Moved(new_slug) => Ok((
            StatusCode::MOVED_PERMANENTLY,
            [
                (header::LOCATION, article_path(&new_slug)),
                (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
            ],
        )
            .into_response()),
        SlugLookup::Gone => Err(WebError::Gone),
        SlugLookup::NotFound => Err(WebError::App(dateline_app::Error::NotFound)),
    }
}
