//! dateline's HTTP face: the axum router, reader pages, the public and admin JSON APIs,
//! caching headers and the HTTP error mapping.
//!
//! Only this crate knows HTTP and templates. Handlers stay thin: extract, call one `app`
//! function, shape the response. Public pages and public API responses pass through the
//! page cache layer (`cache_layer`), which answers conditional requests and stores
//! rendered bodies tagged with surrogate keys. Start at [`router`].

mod api;
mod assets;
mod cache_layer;
mod error;
mod extract;
mod listener;
mod metrics;
mod newsroom;
mod public;
mod security;
mod structured_data;
mod views;

use std::future::Future;

use axum::routing::get;
use axum::Router;
use dateline_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;
pub use views::Templates;

/// Everything a handler needs: the app and the compiled templates.
#[derive(Clone)]
pub struct WebState {
    app: App,
    templates: std::sync::Arc<Templates>,
}

impl WebState {
    /// Wraps an app with freshly compiled templates.
    pub fn new(app: App) -> Result<WebState, WebError> {
        Ok(WebState {
            app,
            templates: std::sync::Arc::new(Templates::new()?),
        })
    }
}

/// The whole site: pages, assets, public API, admin API.
pub fn router(state: WebState) -> Router {
    metrics::install();
    let cached = Router::new()
        .route("/", get(public::lists::home))
        .route("/section/{slug}", get(public::lists::section))
        .route("/tag/{slug}", get(public::lists::tag))
        .route("/author/{slug}", get(public::lists::author))
        .route("/atom.xml", get(public::feeds::site_atom))
        .route("/rss.xml", get(public::feeds::site_rss))
        .route("/feed.json", get(public::feeds::site_json))
        .route("/section/{slug}/{file}", get(public::feeds::section))
        .route("/tag/{slug}/{file}", get(public::feeds::tag))
        .route("/author/{slug}/{file}", get(public::feeds::author))
        .route("/sitemap.xml", get(public::sitemaps::index))
        .route("/sitemap-news.xml", get(public::sitemaps::news))
        .route("/sitemaps/{file}", get(public::sitemaps::file))
        .route("/articles/{slug}", get(public::articles::show))
        .route("/story/{id}", get(public::stories::show))
        .route("/oembed", get(public::oembed::show))
        .route("/api/v1/stories/{id}", get(api::stories::show))
        .route("/api/v1/articles", get(api::articles::list))
        .route("/api/v1/articles/{slug}", get(api::articles::show))
        .route(
            "/api/v1/articles/{slug}/related",
            get(api::articles::related),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache_layer::page_cache,
        ));
    let routes = Router::new()
        .merge(cached)
        .route("/static/{file}", get(assets::serve))
        .route("/robots.txt", get(assets::robots))
        .route("/feed", get(public::feeds::legacy_rss))
        .route("/feed/", get(public::feeds::legacy_rss))
        .route("/feed.xml", get(public::feeds::legacy_atom))
        .route("/healthz", get(public::health))
        .route("/readyz", get(public::ready))
        .route("/metrics", get(metrics::serve))
        .route("/search", get(public::search::show))
        .route("/api/v1/search", get(api::search::search))
        .route("/api/v1/openapi.json", get(api::openapi))
        .nest("/api/v1/admin", api::admin::routes())
        .merge(newsroom::routes())
        .fallback(public::not_found);
    with_layers(routes, state)
}

/// The layers every request and response passes through (the last one added is the
/// outermost).
fn with_layers(routes: Router<WebState>, state: WebState) -> Router {
    let max_body = state.app.config().max_request_bytes;
    routes
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::declared_length_limit,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::panic_page,
        ))
        // Outside the timeout and panic layers, so their answers carry the headers too.
        .layer(axum::middleware::map_response(security::headers))
        .layer(TraceLayer::new_for_http())
        // Outermost: counts and times every answer, including timeouts and panics.
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` resolves, then drains in-flight
/// requests.
pub async fn serve(
    state: WebState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address is needed for sign-in throttling and the localhost-only setup page.
    axum::serve(
        listener::HardenedListener::new(listener),
        router(state).into_make_service_with_connect_info::<listener::Peer>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("a handler bug")
    }

    async fn state(dir: &std::path::Path) -> WebState {
        let config =
            dateline_app::Config::new("127.0.0.1:0".parse().expect("address"), dir.to_path_buf());
        let app = App::open(config).await.expect("app");
        WebState::new(app).expect("templates")
    }

    #[tokio::test]
    async fn a_panic_answers_500_in_the_route_s_format_with_the_security_headers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let routes = Router::new()
            .route("/boom", get(boom))
            .route("/api/v1/boom", get(boom));
        let site = with_layers(routes, state(dir.path()).await);
        for (path, content_type, marker) in [
            ("/boom", "text/html", "<!doctype html>"),
            ("/api/v1/boom", "application/json", "\"internal\""),
        ] {
            let response = site
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("infallible");
            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{path}"
            );
            let h = response.headers();
            let ct = h[header::CONTENT_TYPE].to_str().expect("ascii");
            assert!(ct.starts_with(content_type), "{path}: {ct}");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            let body = String::from_utf8_lossy(&body).to_lowercase();
            assert!(body.contains(&marker.to_lowercase()), "{path}: {body}");
            assert!(body.contains("something went wrong"), "{path}: {body}");
            assert!(
                !body.contains("a handler bug"),
                "{path}: the cause stays in the log"
            );
        }
    }
}
