//! One error type for every handler, rendered as JSON on API routes and as an HTML page
//! elsewhere. 5xx bodies stay generic; the cause is logged once, inside the request span.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dateline_app::Error as AppError;
use serde_json::{json, Map, Value};

use crate::WebState;

/// Why a request failed, with the status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// From a use-case.
    #[error(transparent)]
    App(#[from] AppError),
    /// The request itself is malformed (bad JSON, bad query value).
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// The request body is too large.
    #[error("the request body is too large")]
    TooLarge,
    /// A body of the wrong media type.
    #[error("expected {0}")]
    UnsupportedMediaType(&'static str),
    /// A request the protocol defines but this server does not serve (oEmbed's XML).
    #[error("{message}")]
    NotImplemented {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// The article existed and was withdrawn.
    #[error("this article has been withdrawn")]
    Gone,
    /// A state-changing request without the right CSRF token.
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    /// Template failure (a bug).
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    /// Rendered as an HTML page instead of JSON.
    #[error("{0}")]
    Html(Box<WebError>, String),
}

impl WebError {
    /// Wraps the error so it renders as the site's HTML error page (body pre-rendered).
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::App(e) => match e {
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Conflict { .. }
                | AppError::Duplicate { .. }
                | AppError::Transition { .. } => StatusCode::CONFLICT,
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                AppError::Refused { .. } => StatusCode::BAD_REQUEST,
                AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Import(_) | AppError::Unreadable(_) | AppError::Archive(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::Unavailable(_) | AppError::RenderTimeout { .. } => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                AppError::Startup(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::NotImplemented { .. } => StatusCode::NOT_IMPLEMENTED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Gone => StatusCode::GONE,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Html(inner, _) => inner.status(),
        }
    }

    /// The stable snake_case code of the JSON error object.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::App(e) => match e {
                AppError::Invalid(_) => "invalid_fields",
                AppError::NotFound => "not_found",
                AppError::Conflict { .. } => "version_conflict",
                AppError::Duplicate { .. } => "duplicate",
                AppError::Transition { .. } => "invalid_transition",
                AppError::Unauthenticated => "unauthenticated",
                AppError::Forbidden => "forbidden",
                AppError::Refused { code, .. } => code,
                AppError::Throttled { .. } => "too_many_attempts",
                AppError::Import(_) | AppError::Unreadable(_) => "invalid_import",
                AppError::Archive(_) => "invalid_archive",
                AppError::Unavailable(_) => "unavailable",
                AppError::RenderTimeout { .. } => "render_timeout",
                AppError::Startup(_) | AppError::Internal(_) => "internal",
            },
            WebError::BadRequest { code, .. } | WebError::NotImplemented { code, .. } => code,
            WebError::TooLarge => "payload_too_large",
            WebError::UnsupportedMediaType(_) => "unsupported_media_type",
            WebError::Gone => "gone",
            WebError::Csrf => "csrf_token_invalid",
            WebError::Template(_) => "internal",
            WebError::Html(inner, _) => inner.code(),
        }
    }

    /// The message safe to show: generic for server faults.
    pub fn public_message(&self) -> String {
        if let WebError::App(e @ AppError::RenderTimeout { .. }) = self.unwrap_html() {
            // Says what took too long, and nothing about the server's insides.
            return e.to_string();
        }
        match self.status() {
            // Not a fault: the answer a client needs to hear as it is.
            StatusCode::NOT_IMPLEMENTED => self.to_string(),
            StatusCode::SERVICE_UNAVAILABLE => {
                "The service is temporarily unavailable; please retry.".into()
            }
            s if s.is_server_error() => "Something went wrong on our side.".into(),
            _ => match self {
                WebError::Html(inner, _) => inner.public_message(),
                other => other.to_string(),
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(error = %self, status = status.as_u16(), "request failed");
        }
        let retry_after = self.retry_after();
        let mut response = self.response_body(status);
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

impl WebError {
    /// The error itself, without the HTML page wrapper.
    fn unwrap_html(&self) -> &WebError {
        match self {
            WebError::Html(inner, _) => inner.unwrap_html(),
            other => other,
        }
    }

    /// Seconds a refused client should wait (throttled sign-ins, a busy renderer).
    pub(crate) fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::App(AppError::Throttled { retry_after_secs }) => Some(*retry_after_secs),
            WebError::App(AppError::RenderTimeout { .. }) => Some(1),
            WebError::Html(inner, _) => inner.retry_after(),
            _ => None,
        }
    }

    fn response_body(self, status: StatusCode) -> Response {
        if let WebError::Html(_, page) = self {
            return (
                status,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                page,
            )
                .into_response();
        }
        let mut error = Map::new();
        error.insert("code".into(), Value::from(self.code()));
        error.insert("message".into(), Value::from(self.public_message()));
        match &self {
            WebError::App(AppError::Invalid(fields)) => {
                error.insert("fields".into(), json!(fields));
            }
            WebError::App(AppError::Duplicate { field }) => {
                error.insert("fields".into(), json!({ field: "is already taken" }));
            }
            WebError::App(AppError::Import(e)) => {
                error.insert("record".into(), json!(e.number));
                if let Some(f) = &e.field {
                    error.insert("fields".into(), json!({ f: e.message }));
                }
            }
            WebError::App(AppError::Conflict { current }) => {
                error.insert(
                    "current".into(),
                    json!(crate::api::AdminArticleJson::from(current.as_ref())),
                );
            }
            _ => {}
        }
        (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(json!({ "error": error })),
        )
            .into_response()
    }
}

/// Marks the 500 that [`panic_response`] made, so [`panic_page`] can give HTML routes the
/// site's error page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Panicked;

/// Turns a panic inside a handler into a 500 (the panic itself is logged by the hook). The
/// panic layer cannot see the request, so this is the JSON answer; [`panic_page`] swaps it
/// for the HTML error page outside the API.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(
            json!({"error": {"code": "internal", "message": "Something went wrong on our side."}}),
        ),
    )
        .into_response();
    response.extensions_mut().insert(Panicked);
    response
}

/// Middleware around the panic layer: a panic on an HTML route (anything outside `/api/`)
/// answers the site's HTML error page, not JSON.
pub(crate) async fn panic_page(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let html = !request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !html || response.extensions().get::<Panicked>().is_none() {
        return response;
    }
    let error = WebError::App(AppError::Internal("handler panicked".into()));
    // Not `into_response`: the panic was logged already.
    state
        .html_error(error)
        .await
        .response_body(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Middleware: a request whose declared `Content-Length` exceeds the body limit is refused
/// with 413 at once. The body limit alone only counts bytes as they arrive, so a client that
/// declared 100 MB and sent 10 bytes held a worker until the 30 s timeout.
pub(crate) async fn declared_length_limit(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.app.config().max_request_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_none_or(|n| n <= limit as u64) {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        WebError::TooLarge.into_response()
    } else {
        state.html_error(WebError::TooLarge).await.into_response()
    }
}
