//! Who is at the keyboard: the session cookie, CSRF checks and the client address.
//!
//! Cookies: `dl_session` (HttpOnly, SameSite=Lax, Secure behind HTTPS) carries the session
//! secret; `dl_signed_in` (readable by script, no secret in it) only tells the public pages'
//! script to ask whether to show "Edit", so cached pages stay the same for everyone.
//! Forms before sign-in carry a double-submit token in `dl_csrf`. `dl_device` (HttpOnly,
//! sent only to `/signin`) makes a browser that signed in before known to its account, so
//! sign-in throttling's ceilings do not lock it out (see `dateline_app::throttle`).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use dateline_app::articles::Actor;
use dateline_app::credentials::tokens_match;
use dateline_app::sessions::SignedIn;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::{WebError, WebState};

/// The session cookie.
pub const SESSION_COOKIE: &str = "dl_session";
/// The "signed in" hint cookie for public pages' script.
pub const HINT_COOKIE: &str = "dl_signed_in";
/// The pre-session CSRF cookie.
pub const FORM_COOKIE: &str = "dl_csrf";
/// The known-browser cookie, sent back only to the sign-in form.
pub const DEVICE_COOKIE: &str = "dl_device";
/// Header that browser API calls carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn secure(state: &WebState) -> &'static str {
    if state.app.config().base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// `Set-Cookie` values that start a session.
pub fn session_cookies(state: &WebState, secret: &str) -> [HeaderValue; 2] {
    let max_age = 30 * 24 * 3600;
    let s = secure(state);
    [
        header_value(&format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{s}"
        )),
        header_value(&format!(
            "{HINT_COOKIE}=1; Path=/; SameSite=Lax; Max-Age={max_age}{s}"
        )),
    ]
}

/// `Set-Cookie` value that makes this browser known to the account that just signed in.
/// It stays after signing out: it opens nothing, it only spares the browser the lockouts
/// meant for strangers.
pub fn device_cookie(state: &WebState, token: &str) -> HeaderValue {
    let max_age = dateline_app::throttle::KNOWN_DEVICE_DAYS * 24 * 3600;
    header_value(&format!(
        "{DEVICE_COOKIE}={token}; Path=/signin; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure(state)
    ))
}

/// Headers that end a session in this browser: the cookies, and `Clear-Site-Data` for
/// storage, so unsaved drafts kept on a shared computer go with the session.
pub fn signed_out(state: &WebState, response: &mut Response) {
    for c in clear_session_cookies(state) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
        .headers_mut()
        .insert("clear-site-data", HeaderValue::from_static("\"storage\""));
}

/// `Set-Cookie` values that end a session in this browser.
pub fn clear_session_cookies(state: &WebState) -> [HeaderValue; 2] {
    let s = secure(state);
    [
        header_value(&format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{s}"
        )),
        header_value(&format!(
            "{HINT_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0{s}"
        )),
    ]
}

/// `Set-Cookie` value of a fresh pre-session form token.
pub fn form_cookie(state: &WebState, token: &str) -> HeaderValue {
    header_value(&format!(
        "{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200{}",
        secure(state)
    ))
}

fn header_value(s: &str) -> HeaderValue {
    // Only hex secrets and fixed text go into these cookies.
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The client's address, for throttling: the peer, or — when configured to sit behind a
/// proxy — the last `X-Forwarded-For` entry, the one that proxy appended (earlier entries
/// are whatever the client wrote).
pub fn client_address(parts: &Parts, state: &WebState) -> String {
    if state.app.config().trust_forwarded_for {
        if let Some(last) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return last.to_string();
        }
    }
    peer(parts).map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// The TCP peer, when the server recorded it.
pub fn peer(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<crate::listener::Peer>>()
        .map(|c| c.0 .0)
}

/// Whether the caller asked for JSON (the editor's script does).
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// A signed-in newsroom user on an HTML page. Without a valid session, pages redirect to
/// sign-in (and come back afterwards); script calls get 401 JSON.
pub struct Editor {
    /// The session.
    pub signed_in: SignedIn,
}

impl Editor {
    /// The user as the actor of use-cases.
    pub fn actor(&self) -> Actor {
        self.signed_in.actor()
    }

    /// The token forms must carry.
    pub fn csrf(&self) -> &str {
        &self.signed_in.csrf_token
    }
}

/// Why there is no usable session for this request.
pub enum NoSession {
    /// Send the browser to sign in, then back to `next`.
    SignIn(String),
    /// An error response.
    Error(WebError),
    /// A rendered error page.
    Page(Response),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::SignIn(next) => {
                let next = percent_encoding::utf8_percent_encode(
                    &next,
                    percent_encoding::NON_ALPHANUMERIC,
                );
                Redirect::to(&format!("/signin?next={next}")).into_response()
            }
            NoSession::Error(e) => e.into_response(),
            NoSession::Page(r) => r,
        }
    }
}

/// The session of a request, if any (not an error when absent).
pub async fn session_of(parts: &Parts, state: &WebState) -> Result<Option<SignedIn>, WebError> {
    let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    match state.app.session(secret).await {
        Ok(s) => Ok(Some(s)),
        Err(dateline_app::Error::Unauthenticated) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl FromRequestParts<WebState> for Editor {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, NoSession> {
        match session_of(parts, state).await {
            Ok(Some(signed_in)) => Ok(Editor { signed_in }),
            Ok(None) if wants_json(&parts.headers) || parts.method != Method::GET => {
                if wants_json(&parts.headers) {
                    Err(NoSession::Error(WebError::App(
                        dateline_app::Error::Unauthenticated,
                    )))
                } else {
                    // A form posted after the session ended: back to the page it came from.
                    let back = parts
                        .headers
                        .get(header::REFERER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|r| r.parse::<axum::http::Uri>().ok())
                        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_owned()))
                        .filter(|p| p.starts_with("/admin"))
                        .unwrap_or_else(|| "/admin".to_owned());
                    Err(NoSession::SignIn(back))
                }
            }
            Ok(None) => Err(NoSession::SignIn(
                parts
                    .uri
                    .path_and_query()
                    .map_or("/admin", |p| p.as_str())
                    .to_owned(),
            )),
            Err(e) => Err(NoSession::Error(e)),
        }
    }
}

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

/// The `csrf_token` field of a url-encoded body, if any.
fn form_csrf_token(bytes: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<CsrfField>(bytes)
        .ok()
        .and_then(|f| f.csrf_token)
}

/// The whole body of a form post, within the request size limit (413 beyond it).
async fn form_body(req: Request, state: &WebState) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::BadRequest {
                code: "bad_request",
                message: e.body_text(),
            }
        }
    })
}

/// A state-changing form from a signed-in user: the session, the CSRF check (form field
/// `csrf_token` or header `X-CSRF-Token`) and the url-encoded body as `T`.
pub struct EditorForm<T> {
    /// Who posted it.
    pub editor: Editor,
    /// The form.
    pub form: T,
    /// Whether the caller wants JSON back.
    pub json: bool,
}

impl<T: DeserializeOwned> FromRequest<WebState> for EditorForm<T> {
    type Rejection = NoSession;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, NoSession> {
        let (mut parts, body) = req.into_parts();
        let editor = Editor::from_request_parts(&mut parts, state).await?;
        let json = wants_json(&parts.headers);
        let header_token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = form_body(Request::from_parts(parts, body), state)
            .await
            .map_err(NoSession::Error)?;
        let form_token = form_csrf_token(&bytes);
        let token = header_token.or(form_token).unwrap_or_default();
        if !tokens_match(&token, editor.csrf()) {
            return Err(if json {
                NoSession::Error(WebError::Csrf)
            } else {
                NoSession::Page(super::error_page(state, Some(&editor), WebError::Csrf))
            });
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            NoSession::Error(WebError::BadRequest {
                code: "invalid_form",
                message: e.to_string(),
            })
        })?;
        Ok(EditorForm { editor, form, json })
    }
}

/// A form posted before sign-in (sign-in, setup, reset), checked against the `dl_csrf`
/// double-submit cookie.
pub struct PublicForm<T> {
    /// The form.
    pub form: T,
    /// The client's address.
    pub address: String,
    /// The TCP peer.
    pub peer: Option<SocketAddr>,
}

impl<T: DeserializeOwned> FromRequest<WebState> for PublicForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, WebError> {
        let (parts, body) = req.into_parts();
        let address = client_address(&parts, state);
        let peer = peer(&parts);
        let cookie_token = cookie(&parts.headers, FORM_COOKIE)
            .unwrap_or_default()
            .to_owned();
        let bytes = form_body(Request::from_parts(parts, body), state).await?;
        let form_token = form_csrf_token(&bytes).unwrap_or_default();
        if !tokens_match(&form_token, &cookie_token) {
            return Err(WebError::Csrf);
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| WebError::BadRequest {
            code: "invalid_form",
            message: e.to_string(),
        })?;
        Ok(PublicForm {
            form,
            address,
            peer,
        })
    }
}

/// The pre-session form token for a page: reuses the browser's cookie when it has one.
pub fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, FORM_COOKIE) {
        Some(t) if dateline_app::credentials::is_secret(t) => (t.to_owned(), false),
        _ => (dateline_app::credentials::new_secret(), true),
    }
}

/// Whether `next` is a safe place to send the browser after sign-in (same site, newsroom
/// pages only, so the sign-in form cannot be used as an open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/admin")
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; dl_session=abc; dl_signed_in=1"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn next_stays_inside_the_newsroom() {
        assert_eq!(
            safe_next(Some("/admin/articles/3/edit")),
            "/admin/articles/3/edit"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/admin");
        assert_eq!(safe_next(Some("//evil.example/admin")), "/admin");
        assert_eq!(safe_next(None), "/admin");
    }
}
