//! `/metrics`: guarded by its token, parsed by a Prometheus text-format parser, and the
//! figures agree with what the test did and with the store.

use dateline_app::config::Secret;
use dateline_app::Backend;
use dateline_testkit::TestApp;
use prometheus_parse::{Sample, Scrape, Value};

const TOKEN: &str = "metrics-token-for-the-test-0123";

async fn scrape(t: &TestApp) -> Scrape {
    let response = t
        .client
        .get(t.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain; version=0.0.4")));
    let text = response.text().await.expect("body");
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

fn samples<'a>(s: &'a Scrape, name: &'a str) -> impl Iterator<Item = &'a Sample> {
    s.samples.iter().filter(move |x| x.metric == name)
}

fn label<'a>(sample: &'a Sample, name: &str) -> &'a str {
    sample.labels.get(name).unwrap_or("")
}

fn number(sample: &Sample) -> f64 {
    match &sample.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
        other => panic!("{} is not a number: {other:?}", sample.metric),
    }
}

fn gauge(s: &Scrape, name: &str, follower: Option<&str>) -> f64 {
    let found = samples(s, name)
        .find(|x| follower.is_none_or(|f| label(x, "follower") == f))
        .unwrap_or_else(|| panic!("no {name} {follower:?}"));
    number(found)
}

#[tokio::test]
async fn metrics_need_the_token_and_count_what_happened() {
    let t = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.metrics_token = Some(Secret(TOKEN.into()));
    })
    .await
    .expect("app");
    for (auth, expected) in [
        (None, 401),
        (Some("Bearer wrong-token-of-some-length"), 401),
    ] {
        let mut request = t.client.get(t.url("/metrics"));
        if let Some(a) = auth {
            request = request.header("authorization", a);
        }
        assert_eq!(
            request.send().await.expect("send").status().as_u16(),
            expected
        );
    }

    let a = t
        .arrange_article(dateline_testkit::article(
            "Harbour reopens",
            "Ships are back.",
        ))
        .await
        .expect("article");
    let mut draft = dateline_testkit::article("Draft only", "Not public.");
    draft.status = Some(dateline_core::Status::Draft);
    t.arrange_article(draft).await.expect("draft");
    t.settle_index().await.expect("index");
    t.settle().await.expect("cache follower");
    let page = format!("/articles/{}", a.slug.as_str());
    for _ in 0..3 {
        assert_eq!(t.get(&page).await.expect("page").status().as_u16(), 200);
    }
    assert_eq!(
        t.get("/no-such-page").await.expect("404").status().as_u16(),
        404
    );

    let s = scrape(&t).await;
    let article_requests: f64 = samples(&s, "http_requests_total")
        .filter(|x| {
            label(x, "route") == "/articles/:slug"
                && label(x, "status") == "200"
                && label(x, "method") == "GET"
        })
        .map(number)
        .sum();
    assert!(article_requests >= 3.0, "{article_requests}");
    assert!(
        samples(&s, "http_requests_total")
            .any(|x| label(x, "route") == "unmatched" && label(x, "status") == "404"),
        "the 404 is counted without its raw path as a label"
    );
    let histogram = samples(&s, "http_request_duration_seconds")
        .find(|x| label(x, "route") == "/articles/:slug")
        .expect("latency histogram");
    match &histogram.value {
        Value::Histogram(buckets) => assert!(buckets.len() >= 10, "{buckets:?}"),
        other => panic!("not a histogram: {other:?}"),
    }
    let hits: f64 = samples(&s, "page_cache_requests_total")
        .filter(|x| label(x, "result") == "hit")
        .map(number)
        .sum();
    assert!(
        hits >= 2.0,
        "two of the three page views were cache hits: {hits}"
    );

    // Node figures, judged against the store.
    assert_eq!(
        gauge(&s, "search_documents", None),
        1.0,
        "the draft is not indexed"
    );
    assert_eq!(gauge(&s, "related_engine_articles", None), 1.0);
    assert!(gauge(&s, "page_cache_bytes", None) > 0.0);
    assert!(gauge(&s, "database_pool_connections", None) >= 1.0);
    assert_eq!(gauge(&s, "node_ready", None), 1.0);
    let end = t.app.store().change_horizon().await.expect("horizon") as f64;
    assert_eq!(gauge(&s, "change_sequence_end", None), end);
    for follower in ["page_cache", "search_related"] {
        assert_eq!(
            gauge(&s, "change_cursor_lag", Some(follower)),
            0.0,
            "{follower}"
        );
    }
}

#[tokio::test]
async fn without_a_token_configured_there_is_no_metrics_page() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let r = t
        .client
        .get(t.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 404);
}
