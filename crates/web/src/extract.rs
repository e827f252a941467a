//! Our own extractors, so every rejection comes back in dateline's error format.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use dateline_app::articles::Actor;
use serde::de::DeserializeOwned;

use crate::{WebError, WebState};

/// A JSON body; syntax errors are 400, wrong fields 422, oversized bodies 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<WebState> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(WebError::UnsupportedMediaType(
                "Content-Type: application/json",
            ));
        }
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        require_object(&bytes)?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `application/json` or `application/…+json`, as axum's `Json` accepts.
fn json_content_type(headers: &header::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Every request body of the API is a JSON object. serde would also read a struct from an
/// array, by position (`[]` would be a valid `{"pin": [], "exclude": []}`), so anything but an
/// object is refused before it gets there: 422, like any other value of the wrong type.
/// (Syntax errors are left to the parser, which names them 400.)
pub fn require_object(bytes: &[u8]) -> Result<(), WebError> {
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | None)
        || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err()
    {
        return Ok(());
    }
    let mut fields = dateline_core::FieldErrors::default();
    fields.add("body", "must be a JSON object");
    Err(WebError::App(dateline_app::Error::Invalid(fields)))
}

fn json_rejection(rejection: JsonRejection) -> WebError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            let mut fields = dateline_core::FieldErrors::default();
            let text = e.body_text();
            // "…target type: title: invalid type: null…" names the field by its path;
            // "unknown field `colour`" and "missing field `title`" in backquotes.
            let path = text
                .split_once("target type: ")
                .and_then(|(_, rest)| rest.split_once(": "))
                .map(|(path, _)| path)
                .filter(|p| !p.contains(' '))
                .and_then(|p| p.split(['[', '.']).next())
                .filter(|p| !p.is_empty());
            let quoted = text.split('`').nth(1).filter(|_| text.contains("field"));
            let field = quoted.or(path).unwrap_or("body").to_owned();
            fields.add(&field, text);
            WebError::App(dateline_app::Error::Invalid(fields))
        }
        JsonRejection::JsonSyntaxError(e) => WebError::BadRequest {
            code: "invalid_json",
            message: e.body_text(),
        },
        JsonRejection::MissingJsonContentType(_) => {
            WebError::UnsupportedMediaType("Content-Type: application/json")
        }
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            WebError::TooLarge
        }
        other => WebError::BadRequest {
            code: "bad_request",
            message: other.body_text(),
        },
    }
}

/// A raw body (for endpoints whose body is optional); an oversized one is 413 in our format.
pub struct ApiBytes(pub Bytes);

impl FromRequest<WebState> for ApiBytes {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(ApiBytes(bytes)),
            Err(BytesRejection::FailedToBufferBody(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(WebError::TooLarge)
            }
            Err(other) => Err(WebError::BadRequest {
                code: "bad_request",
                message: other.body_text(),
            }),
        }
    }
}

/// Path parameters. A segment that does not decode (e.g. percent-encoded bytes that are not
/// UTF-8) names nothing we have: 404 in our format, not axum's plain-text 400.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<WebState> for ApiPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(WebError::App(dateline_app::Error::NotFound)),
        }
    }
}

/// Query parameters; malformed ones are 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<WebState> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(WebError::BadRequest {
                code: "invalid_query",
                message: e.body_text(),
            }),
            Err(other) => Err(WebError::BadRequest {
                code: "invalid_query",
                message: other.body_text(),
            }),
        }
    }
}

/// The caller of an admin API endpoint: `Authorization: Bearer <key>`, or the browser
/// session cookie plus the `X-CSRF-Token` header on anything but GET/HEAD.
pub struct ApiActor(pub Actor);

impl FromRequestParts<WebState> for ApiActor {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let Some(header) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return session_actor(parts, state).await;
        };
        let key = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(WebError::App(dateline_app::Error::Unauthenticated))?;
        let actor = state.app.authenticate_key(key.trim()).await?;
        Ok(ApiActor(actor))
    }
}

async fn session_actor(parts: &Parts, state: &WebState) -> Result<ApiActor, WebError> {
    let signed_in = crate::newsroom::session::session_of(parts, state)
        .await?
        .ok_or(WebError::App(dateline_app::Error::Unauthenticated))?;
    if !(parts.method == Method::GET || parts.method == Method::HEAD) {
        let token = parts
            .headers
            .get(crate::newsroom::session::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !dateline_app::credentials::tokens_match(token, &signed_in.csrf_token) {
            return Err(WebError::Csrf);
        }
    }
    Ok(ApiActor(signed_in.actor()))
}

/// An article id from a path segment: plain decimal digits without sign, spaces or leading
/// zeros (so each article has one address; `str::parse` alone takes `+1`). Anything else is
/// a 404.
pub fn parse_id(raw: &str) -> Result<dateline_core::ArticleId, WebError> {
    let canonical = !raw.is_empty()
        && raw.bytes().all(|b| b.is_ascii_digit())
        && !(raw.len() > 1 && raw.starts_with('0'));
    canonical
        .then(|| raw.parse::<i64>().ok())
        .flatten()
        .map(dateline_core::ArticleId)
        .ok_or(WebError::App(dateline_app::Error::NotFound))
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn article_ids_are_plain_decimal_digits() {
        assert_eq!(parse_id("1").map(|id| id.0).ok(), Some(1));
        assert_eq!(parse_id("1234").map(|id| id.0).ok(), Some(1234));
        assert_eq!(
            parse_id("9223372036854775807").map(|id| id.0).ok(),
            Some(i64::MAX)
        );
        for bad in [
            "",
            "+1",
            "-1",
            "01",
            "00",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x1",
            "١",
            "9223372036854775808",
        ] {
            assert!(parse_id(bad).is_err(), "{bad:?}");
        }
    }
}
