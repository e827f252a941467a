//! WebSub hub pings against a small hub this test starts on loopback (an axum server that
//! records every ping): publish, update and unpublish ping every feed of the article within
//! a bounded time, a draft save pings nothing, and a hub that is down or failing never
//! fails or slows a publish.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Form, Router};
use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Pings recorded by the hub: `(hub.mode, hub.url)`.
#[derive(Clone, Default)]
struct Hub {
    pings: Arc<Mutex<Vec<(String, String)>>>,
    /// Requests still to refuse with 503 before accepting.
    fail_first: Arc<Mutex<usize>>,
    refused: Arc<Mutex<usize>>,
}

impl Hub {
    fn topics(&self) -> BTreeSet<String> {
        self.pings
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, url)| url.clone())
            .collect()
    }

    fn count(&self) -> usize {
        self.pings.lock().expect("lock").len()
    }

    fn clear(&self) {
        self.pings.lock().expect("lock").clear();
    }

    /// Waits until the hub has heard exactly `want` (fails after 15 s), then a little
    /// longer, to catch extra pings.
    async fn expect_topics(&self, want: &BTreeSet<String>) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.topics() != *want && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(self.topics(), *want);
        assert_eq!(self.count(), want.len(), "one ping per topic");
        assert!(self
            .pings
            .lock()
            .expect("lock")
            .iter()
            .all(|(mode, _)| mode == "publish"));
    }
}

async fn ping(State(hub): State<Hub>, Form(form): Form<Vec<(String, String)>>) -> StatusCode {
    {
        let mut fail = hub.fail_first.lock().expect("lock");
        if *fail > 0 {
            *fail -= 1;
            *hub.refused.lock().expect("lock") += 1;
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    hub.pings
        .lock()
        .expect("lock")
        .push((get("hub.mode"), get("hub.url")));
    StatusCode::NO_CONTENT
}

/// Starts the hub on 127.0.0.1:0; returns it and its URL.
async fn start_hub() -> (Hub, String) {
    let hub = Hub::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new()
        .route("/hub", post(ping))
        .with_state(hub.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (hub, format!("http://{addr}/hub"))
}

fn feeds(t: &TestApp, prefixes: &[&str]) -> BTreeSet<String> {
    prefixes
        .iter()
        .flat_map(|p| ["atom.xml", "rss.xml", "feed.json"].map(|f| t.url(&format!("{p}/{f}"))))
        .collect()
}

async fn create(t: &TestApp, key: &str, body: Value) -> Value {
    let (s, a) = t
        .admin(key, Method::POST, "/api/v1/admin/articles", Some(body))
        .await
        .expect("create");
    assert_eq!(s, 201, "{a}");
    a
}

async fn publish_update_and_unpublish_ping_every_feed_and_drafts_none(backend: Backend) {
    let (hub, hub_url) = start_hub().await;
    let t = TestApp::spawn_with(backend, |c| c.websub_hub = Some(hub_url.clone()))
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");

    // Pages advertise the hub.
    let home = t.get("/").await.expect("home").text().await.expect("html");
    assert!(home.contains(&format!("<link rel=\"hub\" href=\"{hub_url}\">")));

    // A draft, created and saved again: nothing to ping.
    let draft = create(
        &t,
        &key,
        json!({"title": "Port grows", "body": "Text.", "status": "draft",
               "section": "Business", "tags": ["Shipping"], "authors": ["Amira Haddad"]}),
    )
    .await;
    let id = draft["id"].clone();
    let (s, saved) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{id}"),
            Some(json!({"version": draft["version"], "body": "More text."})),
        )
        .await
        .expect("save");
    assert_eq!(s, 200, "{saved}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hub.count(), 0, "a draft pings nothing: {:?}", hub.topics());

    // Publish: the site's feeds and those of its section, tag and author.
    let started = Instant::now();
    let (s, published) = t
        .admin(
            &key,
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/publish"),
            None,
        )
        .await
        .expect("publish");
    assert_eq!(s, 200, "{published}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let topics = feeds(
        &t,
        &[
            "",
            "/section/business",
            "/tag/shipping",
            "/author/amira-haddad",
        ],
    );
    assert_eq!(topics.len(), 12);
    hub.expect_topics(&topics).await;
    // Every topic pinged is a feed this node serves, and each names the hub to subscribe
    // with (Atom and RSS `rel="hub"` links, JSON Feed `hubs`).
    for topic in &topics {
        let feed = t
            .client
            .get(topic)
            .send()
            .await
            .expect("feed")
            .text()
            .await
            .expect("body");
        let named = if topic.ends_with(".json") {
            let v: Value = serde_json::from_str(&feed).expect("JSON Feed");
            v["hubs"][0]["url"] == hub_url.as_str() && v["hubs"][0]["type"] == "WebSub"
        } else {
            let xml = roxmltree::Document::parse(&feed).expect("XML feed");
            xml.descendants().any(|n| {
                n.tag_name().name() == "link"
                    && n.attribute("rel") == Some("hub")
                    && n.attribute("href") == Some(hub_url.as_str())
            })
        };
        assert!(named, "{topic} does not name the hub: {feed}");
    }

    // An update that moves it to another tag: the feeds of both versions.
    hub.clear();
    let (s, updated) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{id}"),
            Some(json!({"version": published["version"], "tags": ["Ports"]})),
        )
        .await
        .expect("update");
    assert_eq!(s, 200, "{updated}");
    let mut both = topics.clone();
    both.extend(feeds(&t, &["/tag/ports"]));
    hub.expect_topics(&both).await;

    // Unpublish: the feeds it leaves.
    hub.clear();
    let (s, _) = t
        .admin(
            &key,
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/unpublish"),
            None,
        )
        .await
        .expect("unpublish");
    assert_eq!(s, 200);
    hub.expect_topics(&feeds(
        &t,
        &[
            "",
            "/section/business",
            "/tag/ports",
            "/author/amira-haddad",
        ],
    ))
    .await;

    // A scheduled story pings when it goes live, not when it is scheduled.
    hub.clear();
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = create(
        &t,
        &key,
        json!({"title": "Embargoed", "body": "Text.", "published_at": at, "section": "World"}),
    )
    .await;
    assert_eq!(scheduled["status"], "scheduled");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hub.count(), 0, "scheduled, not yet public");
    hub.expect_topics(&feeds(&t, &["", "/section/world"])).await;
}

async fn a_hub_that_is_down_or_failing_never_holds_up_a_publish(backend: Backend) {
    // Down: a port nothing listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dead = format!("http://{}/hub", closed.local_addr().expect("addr"));
    drop(closed);
    let t = TestApp::spawn_with(backend, |c| c.websub_hub = Some(dead))
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    for n in 0..3 {
        let started = Instant::now();
        let a = create(
            &t,
            &key,
            json!({"title": format!("Story {n}"), "body": "Text."}),
        )
        .await;
        assert_eq!(a["status"], "published");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }
    let r = t.get("/articles/story-2").await.expect("page");
    assert_eq!(r.status(), 200);

    // Failing: the hub answers 503 to the first three requests; the pinger retries.
    let (hub, hub_url) = start_hub().await;
    *hub.fail_first.lock().expect("lock") = 3;
    let t = TestApp::spawn_with(backend, |c| c.websub_hub = Some(hub_url))
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    create(&t, &key, json!({"title": "Retried", "body": "Text."})).await;
    hub.expect_topics(&feeds(&t, &[""])).await;
    assert_eq!(*hub.refused.lock().expect("lock"), 3);
}

async fn no_hub_configured_means_no_link_and_no_pinger(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    assert_eq!(t.app.websub_hub(), None);
    let key = t.key(Role::Editor).await.expect("key");
    create(&t, &key, json!({"title": "Quiet", "body": "Text."})).await;
    let home = t.get("/").await.expect("home").text().await.expect("html");
    assert!(!home.contains("rel=\"hub\""));
}

fn postgres() -> bool {
    backends().contains(&Backend::Postgres)
}

#[tokio::test]
async fn publish_update_and_unpublish_ping_every_feed_and_drafts_none_on_sqlite() {
    publish_update_and_unpublish_ping_every_feed_and_drafts_none(Backend::Sqlite).await;
}

#[tokio::test]
async fn publish_update_and_unpublish_ping_every_feed_and_drafts_none_on_postgres() {
    if postgres() {
        publish_update_and_unpublish_ping_every_feed_and_drafts_none(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn a_hub_that_is_down_or_failing_never_holds_up_a_publish_on_sqlite() {
    a_hub_that_is_down_or_failing_never_holds_up_a_publish(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_hub_that_is_down_or_failing_never_holds_up_a_publish_on_postgres() {
    if postgres() {
        a_hub_that_is_down_or_failing_never_holds_up_a_publish(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn no_hub_configured_means_no_link_and_no_pinger_on_sqlite() {
    no_hub_configured_means_no_link_and_no_pinger(Backend::Sqlite).await;
}

#[tokio::test]
async fn no_hub_configured_means_no_link_and_no_pinger_on_postgres() {
    if postgres() {
        no_hub_configured_means_no_link_and_no_pinger(Backend::Postgres).await;
    }
}
