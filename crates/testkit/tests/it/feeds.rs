//! Atom, RSS and JSON Feed over HTTP, on SQLite and PostgreSQL: only public articles,
//! entry ids that survive a new headline and slug, conditional GET, a publish (and an
//! unpublish) showing at once on this node and within a poll on another, and hostile
//! headlines that come out of a strict XML parser and serde_json as they went in.

use std::time::Duration as StdDuration;

use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The nine feeds of a list: site, and one section, tag and author, in each format.
pub(crate) fn feed_paths(lists: &[&str]) -> Vec<String> {
    lists
        .iter()
        .flat_map(|l| {
            ["atom.xml", "rss.xml", "feed.json"]
                .into_iter()
                .map(move |f| format!("{l}/{f}"))
        })
        .collect()
}

/// Creates an article through the admin API (published unless `extra` says otherwise).
pub(crate) async fn create(t: &TestApp, key: &str, title: &str, extra: Value) -> Value {
    let mut body = json!({"title": title, "body": format!("Body of {title}."),
        "section": "Harbour", "tags": ["Shipping"], "authors": ["Amira Haddad"]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (s, created) = t
        .admin(key, Method::POST, "/api/v1/admin/articles", Some(body))
        .await
        .expect("create");
    assert_eq!(s, 201, "{created}");
    created
}

/// POSTs `action` (`publish`, `unpublish`) or DELETEs the article; expects success.
pub(crate) async fn act(t: &TestApp, key: &str, id: i64, action: &str, body: Option<Value>) {
    let path = format!("/api/v1/admin/articles/{id}");
    let (method, path) = match action {
        "delete" => (Method::DELETE, path),
        a => (Method::POST, format!("{path}/{a}")),
    };
    let (s, v) = t.admin(key, method, &path, body).await.expect(action);
    assert!((200..300).contains(&s), "{action}: {s} {v}");
}

/// Waits until `t`'s change follower and indexer have applied every write so far, so a
/// late invalidation of what they wrote does not disturb a cache assertion.
pub(crate) async fn settle(t: &TestApp) {
    t.settle().await.expect("follower");
    t.settle_index().await.expect("indexer");
}

/// GET `path`: status and body.
pub(crate) async fn fetch(t: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = t.get(path).await.expect("get");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.expect("body"), headers)
}

/// Entry titles and ids of a feed, read with a strict XML parser (Atom, RSS) or serde_json.
pub(crate) fn entries(path: &str, body: &str) -> Vec<(String, String)> {
    if path.ends_with(".json") {
        let v: Value = serde_json::from_str(body).expect("JSON Feed is JSON");
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        return v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["title"].as_str().expect("title").to_owned(),
                    i["id"].as_str().expect("id").to_owned(),
                )
            })
            .collect();
    }
    let doc = roxmltree::Document::parse(body)
        .unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}\n{body}"));
    let text = |n: roxmltree::Node<'_, '_>, name: (&str, &str)| {
        n.children()
            .find(|c| {
                c.tag_name().namespace().unwrap_or("") == name.0 && c.tag_name().name() == name.1
            })
            .map(|c| c.text().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("{path}: no {name:?}"))
    };
    if path.ends_with("atom.xml") {
        doc.descendants()
            .filter(|n| n.has_tag_name((ATOM, "entry")))
            .map(|n| (text(n, (ATOM, "title")), text(n, (ATOM, "id"))))
            .collect()
    } else {
        doc.descendants()
            .filter(|n| n.has_tag_name("item"))
            .map(|n| (text(n, ("", "title")), text(n, ("", "guid"))))
            .collect()
    }
}

fn titles(path: &str, body: &str) -> Vec<String> {
    entries(path, body).into_iter().map(|(t, _)| t).collect()
}

async fn only_public_articles_reach_any_feed(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    create(&t, &key, "Live harbour story", json!({})).await;
    create(&t, &key, "Draft harbour story", json!({"status": "draft"})).await;
    let scheduled = create(
        &t,
        &key,
        "Scheduled harbour story",
        json!({"status": "draft"}),
    )
    .await;
    let at = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    act(
        &t,
        &key,
        scheduled["id"].as_i64().expect("id"),
        "publish",
        Some(json!({"at": at})),
    )
    .await;
    let withdrawn = create(&t, &key, "Withdrawn harbour story", json!({})).await;
    act(
        &t,
        &key,
        withdrawn["id"].as_i64().expect("id"),
        "unpublish",
        None,
    )
    .await;
    let deleted = create(&t, &key, "Deleted harbour story", json!({})).await;
    act(
        &t,
        &key,
        deleted["id"].as_i64().expect("id"),
        "delete",
        None,
    )
    .await;
    // A tag only a draft carries must not be revealed by its feeds.
    create(&t, &key, "Embargoed story", json!({"status": "draft", "tags": ["Embargo"], "section": "Secret", "authors": ["Hidden Hand"]})).await;

    for path in feed_paths(&[
        "",
        "/section/harbour",
        "/tag/shipping",
        "/author/amira-haddad",
    ]) {
        let (s, body, headers) = fetch(&t, &path).await;
        assert_eq!(s, 200, "{backend:?} {path}: {body}");
        let content_type = headers["content-type"].to_str().expect("ascii");
        let expected = match &path {
            p if p.ends_with("atom.xml") => "application/atom+xml",
            p if p.ends_with("rss.xml") => "application/rss+xml",
            _ => "application/feed+json",
        };
        assert!(content_type.starts_with(expected), "{path}: {content_type}");
        assert_eq!(
            titles(&path, &body),
            ["Live harbour story"],
            "{backend:?} {path}"
        );
        for hidden in ["Draft", "Scheduled", "Withdrawn", "Deleted", "Embargo"] {
            assert!(!body.contains(hidden), "{backend:?} {path} shows {hidden}");
        }
    }
    for path in feed_paths(&[
        "/tag/embargo",
        "/section/secret",
        "/author/hidden-hand",
        "/tag/nothing-here",
    ]) {
        assert_eq!(fetch(&t, &path).await.0, 404, "{backend:?} {path}");
    }
    // Old WordPress addresses lead to the RSS feeds.
    for (old, new) in [
        ("/feed", "/rss.xml"),
        ("/feed/", "/rss.xml"),
        ("/feed.xml", "/atom.xml"),
        ("/section/harbour/feed", "/section/harbour/rss.xml"),
    ] {
        let r = t.get(old).await.expect("get");
        assert_eq!(r.status(), 301, "{old}");
        assert_eq!(r.headers()["location"], new, "{old}");
    }
}

async fn entry_ids_survive_a_new_headline_and_slug(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let a = create(&t, &key, "Port opens", json!({})).await;
    let id = a["id"].as_i64().expect("id");
    let paths = feed_paths(&["", "/section/harbour"]);
    let mut before = Vec::new();
    for p in &paths {
        let (_, body, _) = fetch(&t, p).await;
        let e = entries(p, &body);
        assert_eq!(e.len(), 1, "{p}");
        assert!(e[0].1.starts_with("tag:127.0.0.1,"), "{p}: {}", e[0].1);
        assert!(
            e[0].1.ends_with(&format!(":article:{id}")),
            "{p}: {}",
            e[0].1
        );
        before.push(e[0].1.clone());
    }
    let (s, v) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{id}"),
            Some(json!({
            "version": a["version"], "title": "Port opens a week early",
            "slug": "port-opens-early", "correction": "The opening date was wrong."})),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200, "{v}");
    for (p, old_id) in paths.iter().zip(&before) {
        let (_, body, _) = fetch(&t, p).await;
        let e = entries(p, &body);
        assert_eq!(
            e,
            [("Port opens a week early".to_owned(), old_id.clone())],
            "{backend:?} {p}"
        );
        assert!(
            body.contains("/articles/port-opens-early"),
            "{p}: the link follows the slug"
        );
    }
}

async fn feeds_answer_conditional_requests_with_304(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    create(&t, &key, "Cached story", json!({})).await;
    settle(&t).await;
    for path in feed_paths(&["", "/tag/shipping"]) {
        let (s, _, first) = fetch(&t, &path).await;
        assert_eq!(
            (s, first["x-cache"].to_str().ok()),
            (200, Some("MISS")),
            "{path}"
        );
        let etag = first["etag"].to_str().expect("etag").to_owned();
        let since = first["last-modified"].to_str().expect("date").to_owned();
        let (_, _, second) = fetch(&t, &path).await;
        assert_eq!(second["x-cache"], "HIT", "{path}");
        for (name, value) in [
            ("if-none-match", etag.as_str()),
            ("if-modified-since", since.as_str()),
        ] {
            let r = t
                .client
                .get(t.url(&path))
                .header(name, value)
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), 304, "{backend:?} {path} {name}");
            assert!(r.text().await.expect("body").is_empty());
        }
        let r = t
            .client
            .get(t.url(&path))
            .header("if-none-match", "\"stale\"")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200, "{path}");
    }
}

async fn a_publish_and_an_unpublish_reach_the_feeds_on_every_node(backend: Backend) {
    let a = TestApp::spawn(backend).await.expect("app");
    let key = a.key(Role::Editor).await.expect("key");
    create(&a, &key, "First story", json!({})).await;
    create(
        &a,
        &key,
        "Elsewhere story",
        json!({"section": "Arts", "tags": ["Film"], "authors": ["Other Writer"]}),
    )
    .await;
    let b = a.another_node().await.expect("second node");
    settle(&a).await;
    settle(&b).await;
    let watched = feed_paths(&[
        "",
        "/section/harbour",
        "/tag/shipping",
        "/author/amira-haddad",
    ]);
    let unrelated = feed_paths(&["/section/arts"]);
    for node in [&a, &b] {
        for p in watched.iter().chain(&unrelated) {
            assert_eq!(fetch(node, p).await.0, 200, "{p}");
            assert_eq!(fetch(node, p).await.2["x-cache"], "HIT", "{p} warmed");
        }
    }
    let fresh = create(&a, &key, "Breaking harbour story", json!({})).await;
    // On the node that wrote it: at once.
    for p in &watched {
        let (_, body, h) = fetch(&a, p).await;
        assert_eq!(h["x-cache"], "MISS", "{backend:?} {p} purged");
        assert_eq!(
            titles(p, &body)[0],
            "Breaking harbour story",
            "{backend:?} {p}"
        );
    }
    for p in &unrelated {
        assert_eq!(fetch(&a, p).await.2["x-cache"], "HIT", "{p} is not touched");
    }
    // On the other node: once its follower reads the change (poll interval 100 ms).
    wait_for(&b, &watched, |titles| {
        titles.first().map(String::as_str) == Some("Breaking harbour story")
    })
    .await;
    act(
        &a,
        &key,
        fresh["id"].as_i64().expect("id"),
        "unpublish",
        None,
    )
    .await;
    for p in &watched {
        let (_, body, _) = fetch(&a, p).await;
        assert!(!body.contains("Breaking harbour story"), "{backend:?} {p}");
    }
    wait_for(&b, &watched, |titles| {
        !titles.iter().any(|t| t == "Breaking harbour story")
    })
    .await;
}

async fn wait_for(node: &TestApp, paths: &[String], done: impl Fn(&[String]) -> bool) {
    for p in paths {
        let mut last = Vec::new();
        for _ in 0..100 {
            let (_, body, _) = fetch(node, p).await;
            last = titles(p, &body);
            if done(&last) {
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        assert!(done(&last), "{p} on the second node: {last:?}");
    }
}

async fn hostile_headlines_come_out_of_a_strict_parser_as_they_went_in(backend: Backend) {
    let t = TestApp::spawn_with(backend, |c| c.feed_full_content = false)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let typed = [
        "R&D <script>alert(1)</script> \"quoted\" & 'single' > less",
        "عاجل: افتتاح الميناء الجديد في صحار",
        "Rocket 🚀 launch — über-late, naïve café",
        "Mixed \u{202B}right-to-left\u{202C} embedding & <b>",
    ];
    for title in typed {
        create(&t, &key, title, json!({"tags": ["R&D <lab>"]})).await;
    }
    // Control characters XML forbids cannot be typed (the editor refuses them), but older
    // data can hold them: put them straight into the database.
    let raw = "Bell\u{7}and\u{1}escape\u{1b}[31m\u{b}\u{c}\u{fffe} done";
    let odd = create(&t, &key, "Placeholder", json!({})).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&t.db.url).await.expect("database");
    sqlx::query("UPDATE articles SET title = $1 WHERE id = $2")
        .bind(raw)
        .bind(odd["id"].as_i64().expect("id"))
        .execute(&pool)
        .await
        .expect("update");
    pool.close().await;
    for path in feed_paths(&["", "/tag/r-d-lab"]) {
        let (s, body, _) = fetch(&t, &path).await;
        assert_eq!(s, 200, "{path}");
        let got = titles(&path, &body);
        let json = path.ends_with(".json");
        for title in typed {
            assert!(
                got.iter().any(|g| g == title),
                "{backend:?} {path}: {title:?} not in {got:?}"
            );
        }
        if path.starts_with("/feed") || path.starts_with("/atom") || path.starts_with("/rss") {
            let expected = if json {
                raw.to_owned()
            } else {
                "Bellandescape[31m done".to_owned()
            };
            assert!(
                got.contains(&expected),
                "{backend:?} {path}: {expected:?} not in {got:?}"
            );
        }
        for forbidden in ['\u{1}', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{fffe}'] {
            assert!(
                json || !body.contains(forbidden),
                "{path} carries {forbidden:?}"
            );
        }
        // Summary only (feed_full_content = false): no body in any format.
        assert!(
            !body.contains("content:encoded")
                && !body.contains("<content")
                && !body.contains("content_html"),
            "{path}"
        );
    }
}

/// One `#[tokio::test]` per backend for each scenario, so a failure names its backend.
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(dateline_app::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if std::env::var("DATELINE_TEST_DATABASE_URL").is_err() {
                        dateline_testkit::missing_prerequisite(
                            "DATELINE_TEST_DATABASE_URL is not set; PostgreSQL test not run",
                        );
                        return;
                    }
                    super::$name(dateline_app::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use per_backend;

per_backend!(
    only_public_articles_reach_any_feed,
    entry_ids_survive_a_new_headline_and_slug,
    feeds_answer_conditional_requests_with_304,
    a_publish_and_an_unpublish_reach_the_feeds_on_every_node,
    hostile_headlines_come_out_of_a_strict_parser_as_they_went_in,
);
