//! Rendering runs off the async workers (issue 9: "two 32 KB previews from a contributor
//! stalled the home page for 9.6 s").

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dateline_core::Role;
use dateline_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

/// Health checks sent from a thread with its own runtime, so that they measure the server
/// and not the test's runtime: one every `every` until `stop` is set, each one's latency.
fn health_checks(
    url: String,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<Duration>> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("client");
            let mut latencies = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let started = Instant::now();
                let status = client.get(&url).send().await.map(|r| r.status().as_u16());
                assert_eq!(status.ok(), Some(200), "GET /healthz");
                latencies.push(started.elapsed());
                tokio::time::sleep(every).await;
            }
            latencies
        })
    })
}

/// As many hostile 1 MB bodies as the server has async workers, from a contributor, as
/// previews and as a save; meanwhile the health check keeps answering at once. Before the
/// fix each of these renders held a worker for seconds (nested raw `<blockquote>`s at 1 MB:
/// 12.8 s in a release build), so two of them stopped a two-worker server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributors_hostile_bodies_do_not_stall_other_requests() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let contributor = t.signed_in(Role::Contributor).await.expect("contributor");
    let hostile = "<blockquote>".repeat(1_000_000 / "<blockquote>".len());
    // A small preview first, so that one-time setup is not what gets measured.
    let (s, _) = contributor
        .api(
            Method::POST,
            "/api/v1/admin/preview",
            Some(json!({"body": "*hi*"})),
        )
        .await
        .expect("preview");
    assert_eq!(s, 200);

    let started = Instant::now();
    let mut hostile_requests = Vec::new();
    for i in 0..3 {
        let (client, csrf, url) = (
            contributor.client.clone(),
            contributor.csrf.clone(),
            if i < 2 {
                contributor.url("/api/v1/admin/preview")
            } else {
                contributor.url("/api/v1/admin/articles")
            },
        );
        let body = if i < 2 {
            json!({"body": hostile})
        } else {
            json!({"title": "Nested", "body": hostile, "status": "draft"})
        };
        hostile_requests.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .header("X-CSRF-Token", csrf)
                .json(&body)
                .send()
                .await
                .expect("send");
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            (status, started.elapsed())
        }));
    }
    // Check health the whole time the hostile requests run.
    let stop = Arc::new(AtomicBool::new(false));
    let checks = health_checks(t.url("/healthz"), Duration::from_millis(25), stop.clone());
    let mut hostile_done = Vec::new();
    for r in hostile_requests {
        hostile_done.push(r.await.expect("hostile request"));
    }
    stop.store(true, Ordering::SeqCst);
    let latencies = tokio::task::spawn_blocking(move || checks.join().expect("checks"))
        .await
        .expect("join");
    let slowest_check = latencies.iter().max().copied().unwrap_or_default();
    println!(
        "{} health checks, slowest {slowest_check:?}; hostile (status, done after) {hostile_done:?}",
        latencies.len()
    );
    for (status, _) in &hostile_done {
        // Rendered (200 preview, 201 saved), or over the render budget on a very busy
        // machine (503 render_timeout): never a stalled worker.
        assert!(matches!(status, 200 | 201 | 503), "{hostile_done:?}");
    }
    assert!(
        slowest_check < Duration::from_secs(1),
        "a health check took {slowest_check:?} while hostile bodies rendered ({hostile_done:?})"
    );
}

/// A render that overruns `render_timeout_ms` is a clear 503, not a hung request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_over_its_budget_is_a_503_render_timeout() {
    let t = TestApp::spawn_with(dateline_app::Backend::Sqlite, |c| c.render_timeout_ms = 100)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    // Ten 1 MB previews at once cannot all finish within 100 ms: they wait for a render slot
    // (one per core), and the ones left waiting answer 503.
    let body = json!({"body": "Fish & chips, *£5*. ".repeat(1_000_000 / 24)});
    let mut calls = Vec::new();
    for _ in 0..10 {
        let request = t
            .client
            .post(t.url("/api/v1/admin/preview"))
            .bearer_auth(&key)
            .json(&body);
        calls.push(tokio::spawn(async move {
            let r = request.send().await.expect("send");
            let status = r.status().as_u16();
            let retry_after = r.headers().get("retry-after").is_some();
            let json: serde_json::Value = r.json().await.expect("json");
            (status, retry_after, json)
        }));
    }
    let mut timeouts = 0;
    for call in calls {
        let (status, retry_after, json) = call.await.expect("call");
        match status {
            200 => assert!(json["html"]
                .as_str()
                .is_some_and(|h| h.starts_with("<p>Fish"))),
            503 => {
                timeouts += 1;
                assert_eq!(json["error"]["code"], "render_timeout", "{json}");
                let message = json["error"]["message"].as_str().unwrap_or("");
                assert!(message.contains("100 ms"), "{json}");
                assert!(retry_after, "503 without Retry-After");
            }
            other => panic!("status {other}: {json}"),
        }
    }
    assert!(timeouts > 0, "no render went over its 100 ms budget");
}
