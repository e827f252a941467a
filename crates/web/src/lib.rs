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
mod newsroom;
mod public;
mod security;
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
    let max_body = state.app.config().max_request_bytes;
    let cached = Router::new()
        .route("/", get(public::lists::home))
        .route("/section/{slug}", get(public::lists::section))
        .route("/tag/{slug}", get(public::lists::tag))
        .route("/author/{slug}", get(public::lists::author))
        .route("/articles/{slug}", get(public::articles::show))
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
    Router::new()
        .merge(cached)
        .route("/static/{file}", get(assets::serve))
        .route("/robots.txt", get(assets::robots))
        .route("/healthz", get(public::health))
        .route("/readyz", get(public::ready))
        .route("/search", get(public::search::show))
        .route("/api/v1/search", get(api::search::search))
        .route("/api/v1/openapi.json", get(api::openapi))
        .nest("/api/v1/admin", api::admin::routes())
        .merge(newsroom::routes())
        .fallback(public::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::map_response(security::headers))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
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
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
