//! Sign-in, sign-out, the one-time setup page and password resets.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dateline_app::sessions::NewSession;
use serde::Deserialize;

use super::session::{
    cookie, device_cookie, form_cookie, form_token, safe_next, session_cookies, signed_out,
    EditorForm, PublicForm, DEVICE_COOKIE, SESSION_COOKIE,
};
use super::views::{Frame, LinkView, MessagePage, NewsroomView, ResetPage, SetupPage, SignInPage};
use super::{error_page, page, render, see_other};
use crate::{WebError, WebState};

/// A page rendered before sign-in, with a pre-session form token (set as a cookie if new).
fn public_page<P: NewsroomView>(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    view: &P,
) -> Result<Response, WebError> {
    let (token, fresh) = form_token(headers);
    let mut response = render(state, status, Frame::new(None, Some(token.as_str()), view))?;
    if fresh {
        response
            .headers_mut()
            .append(header::SET_COOKIE, form_cookie(state, &token));
    }
    Ok(response)
}

/// `?next=` of the sign-in page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /signin`.
pub async fn signin_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if state.app.needs_setup().await? {
        return Ok(see_other("/setup"));
    }
    let next = safe_next(q.next.as_deref());
    public_page(
        &state,
        &headers,
        StatusCode::OK,
        &SignInPage {
            next: &next,
            email: "",
            error: None,
        },
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /signin`.
pub async fn signin(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<PublicForm<SignInForm>, WebError>,
) -> Result<Response, WebError> {
    let PublicForm { form, address, .. } = match form {
        Ok(f) => f,
        Err(e) => return Ok(error_page(&state, None, e)),
    };
    let next = safe_next(form.next.as_deref());
    let device = cookie(&headers, DEVICE_COOKIE);
    match state
        .app
        .sign_in(&form.email, &form.password, &address, device)
        .await
    {
        Ok(session) => Ok(signed_in(&state, &next, &session)),
        Err(e @ (dateline_app::Error::Unauthenticated | dateline_app::Error::Throttled { .. })) => {
            let throttled = matches!(e, dateline_app::Error::Throttled { .. });
            let error = WebError::App(e);
            let refusal = if throttled {
                error.public_message()
            } else {
                "That email and password do not match an account.".to_owned()
            };
            let email: String = form.email.chars().take(254).collect();
            let view = SignInPage {
                next: &next,
                email: &email,
                error: Some(&refusal),
            };
            let mut response = public_page(&state, &headers, error.status(), &view)?;
            if let Some(secs) = error.retry_after() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// The redirect after a sign-in, with the session and device cookies.
fn signed_in(state: &WebState, next: &str, session: &NewSession) -> Response {
    let mut response = see_other(next);
    for c in session_cookies(state, &session.secret) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response.headers_mut().append(
        header::SET_COOKIE,
        device_cookie(state, &session.device_token),
    );
    response
}

/// Just the CSRF token (sign-out has no other fields).
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /signout`: ends this browser's session.
pub async fn signout(
    State(state): State<WebState>,
    headers: HeaderMap,
    _form: EditorForm<EmptyForm>,
) -> Result<Response, WebError> {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        state.app.sign_out(secret).await?;
    }
    let mut response = see_other("/signin");
    signed_out(&state, &mut response);
    Ok(response)
}

/// Whether the request comes from this machine itself. A loopback peer that forwards for
/// someone (a reverse proxy on the same host) does not count: the setup page must not be
/// reachable from the internet through it.
fn from_loopback(peer: Option<std::net::SocketAddr>, headers: &HeaderMap) -> bool {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    !forwarded && peer.is_some_and(|p| p.ip().is_loopback())
}

/// `GET /setup`: the first admin account, on an empty install, from this machine only.
pub async fn setup_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let (parts, _) = request.into_parts();
    if !state.app.needs_setup().await? || !from_loopback(super::session::peer(&parts), &headers) {
        return Ok(error_page(
            &state,
            None,
            WebError::App(dateline_app::Error::NotFound),
        ));
    }
    public_page(
        &state,
        &headers,
        StatusCode::OK,
        &SetupPage {
            email: "",
            name: "",
            errors: None,
        },
    )
}

/// The setup form.
#[derive(Deserialize)]
pub struct SetupForm {
    email: String,
    name: String,
    password: String,
}

/// `POST /setup`.
pub async fn setup(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<PublicForm<SetupForm>, WebError>,
) -> Result<Response, WebError> {
    let PublicForm { form, peer, .. } = match form {
        Ok(f) => f,
        Err(e) => return Ok(error_page(&state, None, e)),
    };
    if !from_loopback(peer, &headers) {
        return Ok(error_page(
            &state,
            None,
            WebError::App(dateline_app::Error::NotFound),
        ));
    }
    match state
        .app
        .set_up_first_admin(&form.email, &form.name, &form.password)
        .await
    {
        Ok(user) => {
            tracing::info!(
                user.id = user.id,
                "first admin created through the setup page"
            );
            let session = state
                .app
                .sign_in(&form.email, &form.password, "setup", None)
                .await?;
            Ok(signed_in(&state, "/admin", &session))
        }
        Err(dateline_app::Error::Invalid(fields)) => public_page(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                email: &form.email,
                name: &form.name,
                errors: Some(&fields),
            },
        ),
        Err(e) => Ok(error_page(&state, None, e.into())),
    }
}

/// `GET /reset/{token}`.
pub async fn reset_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    match state.app.reset_token_user(&token).await {
        Ok(user) => public_page(
            &state,
            &headers,
            StatusCode::OK,
            &ResetPage {
                token: &token,
                email: &user.email,
                errors: None,
            },
        ),
        Err(dateline_app::Error::NotFound) => Ok(expired_link(&state)),
        Err(e) => Err(e.into()),
    }
}

fn expired_link(state: &WebState) -> Response {
    let view = MessagePage {
        title: "This link has expired",
        message: "Reset links work once and for 24 hours. Ask an admin for a new one (dateline user reset-link EMAIL).",
        code: None,
        link: None,
    };
    match page(state, StatusCode::NOT_FOUND, None, &view) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// The new-password form.
#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

/// `POST /reset/{token}`.
pub async fn reset(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<PublicForm<ResetForm>, WebError>,
) -> Result<Response, WebError> {
    let form = match form {
        Ok(f) => f.form,
        Err(e) => return Ok(error_page(&state, None, e)),
    };
    match state.app.reset_password(&token, &form.password).await {
        Ok(_) => page(
            &state,
            StatusCode::OK,
            None,
            &MessagePage {
                title: "Password changed",
                message: "Your new password is set and every old session has been signed out.",
                code: None,
                link: Some(LinkView {
                    href: "/signin",
                    text: "Sign in",
                }),
            },
        ),
        Err(dateline_app::Error::NotFound) => Ok(expired_link(&state)),
        Err(dateline_app::Error::Invalid(fields)) => {
            let email = state
                .app
                .reset_token_user(&token)
                .await
                .map(|u| u.email)
                .unwrap_or_default();
            public_page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    token: &token,
                    email: &email,
                    errors: Some(&fields),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
