//! `/metrics` in the Prometheus text format, for the people who run the site: requests by
//! route and status, latency histograms by route, page-cache results, and the node's
//! figures read at scrape time (change-cursor lag per follower, cache bytes, search and
//! related engine sizes, database pool use). Guarded by a bearer token
//! (`metrics_token`); without one configured the URL does not exist (404).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::WebState;

/// Request latency buckets, in seconds: cached pages answer in well under a millisecond,
/// renders in a few, searches and saves in tens.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The process-wide recorder (the `metrics` facade has one per process), installed on
/// first use. `None` if another recorder was installed first.
fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .and_then(|b| b.install_recorder());
            match built {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed; /metrics stays empty");
                    None
                }
            }
        })
        .as_ref()
}

/// Makes sure the recorder exists before the first request is counted.
pub fn install() {
    let _ = recorder();
}

/// Counts every request by route template (not raw path: bounded label values) and
/// status, times it, and counts page-cache results from the cache layer's `X-Cache`.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| route_label(p.as_str()));
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    if let Some(result) = cache {
        metrics::counter!("page_cache_requests_total", "result" => result).increment(1);
    }
    response
}

/// A route template as a label value: `/articles/{slug}` becomes `/articles/:slug`. Braces
/// are legal in label values, but common scrapers' parsers split on them.
fn route_label(template: &str) -> String {
    template.replace('{', ":").replace('}', "")
}

fn authorised(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Constant-time comparison: the token is a secret.
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `GET /metrics`.
pub async fn serve(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let Some(token) = state.app.config().metrics_token.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !authorised(&headers, &token.0) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a bearer token is required\n",
        )
            .into_response();
    }
    let Some(handle) = recorder() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded\n",
        )
            .into_response();
    };
    match state.app.node_figures().await {
        Ok(f) => {
            for follower in f.followers {
                let label = follower.follower.label();
                if let Some(lag) = follower.lag {
                    metrics::gauge!("change_cursor_lag", "follower" => label).set(lag as f64);
                }
                if let Some(position) = follower.position {
                    metrics::gauge!("change_cursor_position", "follower" => label)
                        .set(position as f64);
                }
            }
            metrics::gauge!("change_sequence_end").set(f.change_horizon as f64);
            metrics::gauge!("page_cache_entries").set(f.page_cache_entries as f64);
            metrics::gauge!("page_cache_bytes").set(f.page_cache_bytes as f64);
            metrics::gauge!("page_cache_budget_bytes").set(f.page_cache_budget as f64);
            metrics::gauge!("search_documents").set(f.search_documents as f64);
            metrics::gauge!("related_engine_articles").set(f.related_articles as f64);
            metrics::gauge!("database_pool_connections").set(f64::from(f.pool_connections));
            metrics::gauge!("database_pool_idle").set(f.pool_idle as f64);
            metrics::gauge!("node_ready").set(if f.ready { 1.0 } else { 0.0 });
            metrics::gauge!("database_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "node figures unavailable for /metrics");
            metrics::gauge!("database_up").set(0.0);
        }
    }
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}
