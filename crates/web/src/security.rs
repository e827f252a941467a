//! Security headers on every response.

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;

/// No inline script anywhere: all behaviour lives in /static/site.js. JSON-LD blocks are
/// data, not script, and CSP does not block them.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// CSP, nosniff, referrer policy and frame protection: on every answer, the router's (by
/// [`headers`]) and hyper's own (by [`crate::listener`]).
pub const HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Adds [`HEADERS`] unless a handler set them.
pub async fn headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    for (name, value) in HEADERS {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
