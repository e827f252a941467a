//! The newsroom in the browser: sign-in, the article list, the editor, history and diffs,
//! the conflict view, and the admin pages for users and API keys.
//!
//! Every page here needs a session ([`session::Editor`]); every form that changes state
//! carries the session's CSRF token ([`session::EditorForm`]). Responses are never cached.

pub mod articles;
pub mod auth;
pub mod people;
pub mod related;
pub mod session;
mod views;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::{WebError, WebState};
use session::Editor;
use views::{Frame, MessagePage, NewsroomView};

/// The newsroom's HTML routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/signin", get(auth::signin_page).post(auth::signin))
        .route("/signout", post(auth::signout))
        .route("/setup", get(auth::setup_page).post(auth::setup))
        .route("/reset/{token}", get(auth::reset_page).post(auth::reset))
        .route("/admin", get(articles::list))
        .route("/admin/", get(articles::list))
        .route("/admin/articles/new", get(articles::new_page))
        .route("/admin/articles", post(articles::create))
        .route("/admin/articles/{id}", post(articles::save))
        .route("/admin/articles/{id}/edit", get(articles::edit))
        .route("/admin/articles/{id}/delete", post(articles::delete))
        .route("/admin/articles/{id}/history", get(articles::history))
        .route("/admin/articles/{id}/diff", get(articles::diff))
        .route("/admin/articles/{id}/restore", post(articles::restore))
        .route("/admin/articles/{id}/related", post(related::change))
        .route("/admin/account", get(people::account))
        .route(
            "/admin/account/signout-everywhere",
            post(people::signout_everywhere),
        )
        .route("/admin/users", get(people::users).post(people::add_user))
        .route("/admin/users/{id}", post(people::change_user))
        .route("/admin/keys", get(people::keys).post(people::add_key))
        .route("/admin/keys/{id}/revoke", post(people::revoke_key))
}

/// Renders a newsroom page with `status`, framed with who is signed in and their CSRF token.
fn page<P: NewsroomView>(
    state: &WebState,
    status: StatusCode,
    editor: Option<&Editor>,
    view: &P,
) -> Result<Response, WebError> {
    render(state, status, Frame::new(editor, None, view))
}

/// Renders a framed page (the pre-session pages bring their form token in the frame).
fn render<P: NewsroomView>(
    state: &WebState,
    status: StatusCode,
    frame: Frame<'_, P>,
) -> Result<Response, WebError> {
    let html = state
        .templates
        .render_newsroom(P::TEMPLATE, &state.site(), &frame)?;
    Ok((
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// The newsroom's error page for `error` (403, 404, 409, 422 …), keeping the signed-in bar.
pub(crate) fn error_page(state: &WebState, editor: Option<&Editor>, error: WebError) -> Response {
    let status = error.status();
    if status.is_server_error() {
        return error.into_response();
    }
    let title = match status {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "Conflict",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        _ => "Request refused",
    };
    let message = match &error {
        WebError::App(dateline_app::Error::Forbidden) => {
            "Your role does not allow this. Ask an editor or an admin.".to_owned()
        }
        WebError::App(dateline_app::Error::Invalid(fields)) => fields
            .0
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.public_message(),
    };
    let view = MessagePage {
        title,
        message: &message,
        code: Some(error.code()),
        link: None,
    };
    match page(state, status, editor, &view) {
        Ok(mut r) => {
            if let Some(v) = error.retry_after() {
                r.headers_mut().insert(header::RETRY_AFTER, v.into());
            }
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `303 See Other` to `to`.
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}
