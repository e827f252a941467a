//! Reader-facing HTML pages.

pub mod articles;
pub mod feeds;
pub mod lists;
pub mod oembed;
pub mod search;
pub mod sitemaps;
pub mod stories;
mod xml;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dateline_core::Term;

use crate::views::{ErrorPage, SiteView};
use crate::{WebError, WebState};

impl WebState {
    pub(crate) fn site(&self) -> SiteView {
        SiteView::from_config(self.app.config())
    }

    pub(crate) async fn nav(&self) -> Vec<Term> {
        // Navigation is decoration: a failure here must not take the page down.
        self.app.public_sections().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not load sections for navigation");
            Vec::new()
        })
    }

    /// Turns any error into the site's HTML error page with the right status.
    pub(crate) async fn html_error(&self, error: WebError) -> WebError {
        let (title, message) = match error.status() {
            StatusCode::NOT_FOUND => ("Page not found", "There is no page at this address. It may never have existed, or its address was mistyped.".to_owned()),
            StatusCode::GONE => ("This article has been withdrawn", "The article that was here has been unpublished by the newsroom.".to_owned()),
            StatusCode::BAD_REQUEST => ("Bad request", error.public_message()),
            s if s.is_server_error() => ("Something went wrong", error.public_message()),
            _ => ("Request refused", error.public_message()),
        };
        let site = self.site();
        let nav = self.nav().await;
        match self
            .templates
            .render("error.html", &site, &nav, ErrorPage { title, message })
        {
            Ok(page) => WebError::Html(Box::new(error), page),
            Err(template_error) => template_error,
        }
    }
}

/// `GET /healthz`: 200 when the store answers, 503 otherwise.
pub async fn health(State(state): State<WebState>) -> Response {
    match state.app.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// `GET /readyz`: 200 once this node's search index and related articles are loaded and
/// it has caught up with the change sequence; 503 (with what is missing) until then, so a
/// load balancer sends it no readers before it can serve them complete pages.
pub async fn ready(State(state): State<WebState>) -> Response {
    let r = state.app.readiness();
    let body = serde_json::json!({
        "ready": r.is_ready(),
        "search": r.search,
        "related": r.related,
        "caught_up": r.caught_up,
    });
    let status = if r.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

/// Anything no route matched: an old address of an imported article answers `301` to its
/// page; anything else the 404 page (or JSON under /api).
pub async fn not_found(
    State(state): State<WebState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    let error = WebError::App(dateline_app::Error::NotFound);
    if uri.path().starts_with("/api/") {
        return error.into_response();
    }
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        match old_address(&state, &uri).await {
            Ok(Some(moved)) => return moved,
            Ok(None) => {}
            Err(e) => return state.html_error(e).await.into_response(),
        }
    }
    state.html_error(error).await.into_response()
}

/// `301` to the current page of the article that had `uri` as its address on the platform
/// it was imported from, if one did.
pub(crate) async fn old_address(
    state: &WebState,
    uri: &axum::http::Uri,
) -> Result<Option<Response>, WebError> {
    let wanted = uri
        .path_and_query()
        .map_or_else(|| uri.path(), |pq| pq.as_str());
    Ok(state.app.old_address(wanted).await?.map(|path| {
        (
            StatusCode::MOVED_PERMANENTLY,
            [
                (axum::http::header::LOCATION, path),
                // Short, like an old slug's: an unpublished article must stop answering.
                (
                    axum::http::header::CACHE_CONTROL,
                    "public, max-age=300".to_owned(),
                ),
            ],
        )
            .into_response()
    }))
}
