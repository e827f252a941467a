//! The page-cache layer in front of public pages and the public API.
//!
//! A handler marks a response cacheable by attaching [`Cacheable`]; this layer then gives it
//! an ETag, `Last-Modified`, `Cache-Control` (with `stale-while-revalidate`, so a CDN can
//! absorb reads) and a `Surrogate-Key` header, stores it, and answers later requests for the
//! same URL from memory — with 304 when the client already has it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dateline_app::CachedPage;

use crate::WebState;

/// Browsers and CDNs may reuse a page for a minute and serve it stale for ten while they
/// refetch; publish events purge by surrogate key.
const CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=600";

/// Largest body this layer buffers to cache; bigger responses pass through uncached.
const MAX_CACHEABLE_BYTES: usize = 4 * 1024 * 1024;

/// Marks a response as a cacheable public page.
#[derive(Debug, Clone)]
pub struct Cacheable {
    /// Surrogate keys of the data shown.
    pub keys: Vec<String>,
    /// Newest change among the data shown.
    pub last_modified: DateTime<Utc>,
    /// `Content-Type`.
    pub content_type: &'static str,
}

/// A body plus its cache marker, as handlers return it.
pub fn cacheable(
    body: String,
    content_type: &'static str,
    keys: Vec<String>,
    last_modified: DateTime<Utc>,
) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    response.extensions_mut().insert(Cacheable {
        keys,
        last_modified,
        content_type,
    });
    response
}

/// `response` (made by [`cacheable`]) served as it is but kept out of every cache: a page
/// shown incomplete must not be stored that way.
pub fn uncacheable(mut response: Response) -> Response {
    response.extensions_mut().remove::<Cacheable>();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The middleware.
pub async fn page_cache(State(state): State<WebState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return next.run(request).await;
    }
    let url = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let cache = state.app.cache();
    if let Some(page) = cache.get(&url) {
        return respond(&page, request.headers(), "HIT");
    }
    let conditional = request.headers().clone();
    let generation = cache.generation();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(meta) = response.extensions().get::<Cacheable>().cloned() else {
        return response;
    };
    // Handlers hand over whole strings, so the body knows its length before it is read. A
    // body that is too big, or whose length is unknown, is streamed to the client untouched
    // (never buffered, never truncated) and simply not cached.
    let fits = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|n| n <= MAX_CACHEABLE_BYTES as u64);
    if !fits {
        tracing::debug!(url, "page too large to cache; passed through");
        return pass_through(response, &meta);
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_CACHEABLE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            // Only a body that lied about its length, or failed while being read, gets here.
            tracing::error!(error = %e, url, status = parts.status.as_u16(), "could not read a page to cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // The rendered String grew by doubling, and Bytes keeps the whole allocation: copy to an
    // exact-size buffer so a cached page costs its length, not up to twice that.
    let bytes = bytes::Bytes::copy_from_slice(&bytes);
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    let page = CachedPage::new(
        bytes,
        meta.content_type,
        etag,
        meta.last_modified,
        meta.keys,
    );
    let response = respond(&page, &conditional, "MISS");
    cache.insert(url, page, generation);
    response
}

/// A cacheable response too big to keep: served as the handler made it, with the same
/// freshness headers as a cached page (minus the ETag, which would need the whole body) so a
/// CDN treats it alike, and `X-Cache: BYPASS`.
fn pass_through(mut response: Response, meta: &Cacheable) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert("x-cache", HeaderValue::from_static("BYPASS"));
    if let Ok(v) = HeaderValue::from_str(&http_date(meta.last_modified)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&meta.keys.join(" ")) {
        h.insert("surrogate-key", v);
    }
    response
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn not_modified(page: &CachedPage, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == page.etag);
    }
    if let Some(ims) = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(since) = DateTime::parse_from_rfc2822(ims) {
            return page.last_modified.timestamp() <= since.timestamp();
        }
    }
    false
}

fn respond(page: &CachedPage, request_headers: &HeaderMap, x_cache: &'static str) -> Response {
    let status = if not_modified(page, request_headers) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let body = if status == StatusCode::OK {
        Body::from(page.body.clone())
    } else {
        Body::empty()
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(page.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert("x-cache", HeaderValue::from_static(x_cache));
    if let Ok(v) = HeaderValue::from_str(&page.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(page.last_modified)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&page.keys.join(" ")) {
        h.insert("surrogate-key", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> CachedPage {
        let t = DateTime::from_timestamp(1_700_000_000, 0).expect("valid");
        CachedPage::new(
            bytes::Bytes::from_static(b"x"),
            "text/html",
            "\"abc\"".into(),
            t,
            vec![],
        )
    }

    #[test]
    fn etag_and_date_conditions_give_304() {
        let p = page();
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"zzz\", \"abc\""),
        );
        assert!(not_modified(&p, &h));
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"zzz\""));
        assert!(!not_modified(&p, &h));
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&http_date(p.last_modified)).expect("ascii"),
        );
        assert!(not_modified(&p, &h));
        let mut h = HeaderMap::new();
        let earlier = p.last_modified - chrono::Duration::seconds(1);
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&http_date(earlier)).expect("ascii"),
        );
        assert!(!not_modified(&p, &h));
    }
}
