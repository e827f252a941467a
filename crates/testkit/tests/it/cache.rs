//! The page cache: conditional requests, precise invalidation, and convergence across
//! nodes through the change sequence.

use std::time::Duration as StdDuration;

use dateline_core::Role;
use dateline_testkit::{article, backends, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn cached_pages_answer_conditional_requests_with_304() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let a = t
        .arrange_article(article("Cache me", "Body."))
        .await
        .expect("article");
    t.settle().await.expect("settle");
    t.settle_index().await.expect("indexed");
    let first = t.get(&a.path()).await.expect("get");
    assert_eq!(first.headers()["x-cache"], "MISS");
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    let last_modified = first.headers()["last-modified"]
        .to_str()
        .expect("date")
        .to_owned();
    assert!(first.headers()["cache-control"]
        .to_str()
        .expect("cc")
        .contains("stale-while-revalidate"));
    let second = t.get(&a.path()).await.expect("get");
    assert_eq!(second.headers()["x-cache"], "HIT");
    assert_eq!(second.headers()["etag"].to_str().expect("etag"), etag);

    let r = t
        .client
        .get(t.url(&a.path()))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 304);
    assert!(r.text().await.expect("body").is_empty());
    let r = t
        .client
        .get(t.url(&a.path()))
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 304);
    let r = t
        .client
        .get(t.url(&a.path()))
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn an_edit_refreshes_the_article_and_its_lists_but_not_unrelated_pages() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let mut one = article("Sport story", "Body.");
    one.section = Some("Sport".into());
    let one = t.arrange_article(one).await.expect("article");
    let mut two = article("Arts story", "Body.");
    two.section = Some("Arts".into());
    let two = t.arrange_article(two).await.expect("article");
    t.settle().await.expect("settle");
    t.settle_index().await.expect("indexed");
    for p in [
        one.path(),
        two.path(),
        "/".into(),
        "/section/sport".into(),
        "/section/arts".into(),
    ] {
        t.get(&p).await.expect("warm");
    }
    let (s, _) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{}", one.id),
            Some(json!({"version": 1, "title": "Sport story, updated",
                "correction": "The headline was updated."})),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200);
    // The arts article page is not checked for staying cached: it lists the sport story as
    // related, so it rightly refreshes too.
    for (path, expect_fresh) in [
        (one.path(), true),
        ("/".into(), true),
        ("/section/sport".into(), true),
        ("/section/arts".into(), false),
    ] {
        let r = t.get(&path).await.expect("get");
        let hit = r.headers()["x-cache"] == "HIT";
        assert_eq!(hit, !expect_fresh, "{path}");
        if expect_fresh {
            assert!(
                r.text()
                    .await
                    .expect("body")
                    .contains("Sport story, updated"),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn a_second_node_drops_its_cached_page_when_another_node_edits() {
    for backend in backends() {
        let a_node = TestApp::spawn(backend).await.expect("app");
        let b_node = a_node.another_node().await.expect("second node");
        let key = a_node.key(Role::Editor).await.expect("key");
        let a = a_node
            .arrange_article(article("Two nodes", "Body."))
            .await
            .expect("article");
        b_node.settle().await.expect("settle");
        b_node.settle_index().await.expect("indexed");
        let cached = b_node.get(&a.path()).await.expect("get");
        assert_eq!(cached.status(), 200);
        assert_eq!(
            b_node.get(&a.path()).await.expect("get").headers()["x-cache"],
            "HIT"
        );
        let (s, _) = a_node
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{}/unpublish", a.id),
                None,
            )
            .await
            .expect("unpublish");
        assert_eq!(s, 200);
        let mut converged = false;
        for _ in 0..40 {
            tokio::time::sleep(StdDuration::from_millis(100)).await;
            if b_node.get(&a.path()).await.expect("get").status() == 410 {
                converged = true;
                break;
            }
        }
        assert!(
            converged,
            "node B kept serving an unpublished article on {backend:?}"
        );
    }
}

#[tokio::test]
async fn a_publish_in_an_existing_section_leaves_other_cached_pages_alone() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let publish = |title: &'static str, body: &'static str, section: &'static str| {
            let (t, key) = (&t, &key);
            async move {
                let (status, json) = t
                    .admin(
                        key,
                        Method::POST,
                        "/api/v1/admin/articles",
                        Some(json!({"title": title, "body": body, "section": section})),
                    )
                    .await
                    .expect("publish");
                assert_eq!(status, 201, "{json}");
                json
            }
        };
        publish(
            "Glacier melt measured",
            "Hydrologists logged glacier runoff.",
            "Science",
        )
        .await;
        let sport = publish(
            "Derby ends level",
            "Striker equalised deep into stoppage time.",
            "Sport",
        )
        .await;
        let sport_path = format!("/articles/{}", sport["slug"].as_str().expect("slug"));
        t.settle().await.expect("settle");
        t.settle_index().await.expect("indexed");
        let x_cache = |path: String| {
            let t = &t;
            async move {
                let r = t.get(&path).await.expect("get");
                assert_eq!(r.status(), 200);
                r.headers()["x-cache"].to_str().expect("x-cache").to_owned()
            }
        };
        x_cache(sport_path.clone()).await;
        assert_eq!(x_cache(sport_path.clone()).await, "HIT", "{backend:?}");

        // Science already has a public article: the navigation does not change.
        publish(
            "Comet tail photographed",
            "Astronomers imaged the comet's ion tail.",
            "Science",
        )
        .await;
        t.settle().await.expect("settle");
        t.settle_index().await.expect("indexed");
        assert_eq!(
            x_cache(sport_path.clone()).await,
            "HIT",
            "{backend:?}: a publish in an existing section emptied unrelated pages"
        );

        // A new section appears in every page's navigation: pages are refreshed.
        publish(
            "Frost warning issued",
            "Forecasters expect frost on Thursday.",
            "Weather",
        )
        .await;
        t.settle().await.expect("settle");
        let r = t.get(&sport_path).await.expect("get");
        assert_eq!(r.headers()["x-cache"], "MISS", "{backend:?}");
        assert!(
            r.text().await.expect("body").contains("/section/weather"),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_page_served_without_its_related_articles_is_not_cached_that_way() {
    use sqlx::Connection;
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let a = t
        .arrange_article(article(
            "Ferry timetable changes",
            "The island ferry runs twice daily.",
        ))
        .await
        .expect("article");
    t.settle().await.expect("settle");
    t.settle_index().await.expect("indexed");
    // Related articles fail to load (their overrides table is gone for a moment).
    let mut raw = sqlx::SqliteConnection::connect(&t.db.url)
        .await
        .expect("raw connection");
    sqlx::query("ALTER TABLE related_overrides RENAME TO related_overrides_away")
        .execute(&mut raw)
        .await
        .expect("rename");
    let first = t.get(&a.path()).await.expect("get");
    assert_eq!(first.status(), 200, "the story is still served");
    assert_eq!(first.headers()["cache-control"], "no-store");
    let second = t.get(&a.path()).await.expect("get");
    assert_ne!(
        second
            .headers()
            .get("x-cache")
            .and_then(|v| v.to_str().ok()),
        Some("HIT"),
        "an incomplete page was cached"
    );
    sqlx::query("ALTER TABLE related_overrides_away RENAME TO related_overrides")
        .execute(&mut raw)
        .await
        .expect("rename back");
    let complete = t.get(&a.path()).await.expect("get");
    assert_ne!(complete.headers()["cache-control"], "no-store");
    assert_eq!(
        t.get(&a.path()).await.expect("get").headers()["x-cache"],
        "HIT"
    );
}

/// A page too big to keep in memory (over 4 MiB) is still served whole, with its own status
/// and content type, every time — it is only left out of the cache.
#[tokio::test]
async fn a_page_over_the_cacheable_size_passes_through_whole_and_uncached() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    // Under the 1 MB body limit, but every `&` renders as `&amp;`: about 4.8 MB of HTML.
    let line = "&".repeat(79);
    let lines = 12_000;
    let body = format!("{line}\n\n").repeat(lines);
    let a = t
        .arrange_article(article("Ampersands galore", &body))
        .await
        .expect("article");
    t.settle().await.expect("settle");
    let expected_amps = 79 * lines;
    for round in 0..2 {
        let r = t.get(&a.path()).await.expect("get page");
        assert_eq!(r.status(), 200, "round {round}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .expect("ct")
                .starts_with("text/html"),
            "round {round}: {:?}",
            r.headers()["content-type"]
        );
        assert_ne!(
            r.headers().get("x-cache").map(|v| v.as_bytes()),
            Some(&b"HIT"[..]),
            "round {round}: a page this big is not kept"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let html = r.text().await.expect("body");
        assert!(
            html.len() > 4 * 1024 * 1024,
            "round {round}: {}",
            html.len()
        );
        assert!(html.contains("Ampersands galore"), "round {round}");
        assert!(html.trim_end().ends_with("</html>"), "round {round}");
        // Every paragraph is there (share links add a few `&amp;` of their own).
        assert!(
            html.matches("&amp;").count() >= expected_amps,
            "round {round}"
        );

        let r = t
            .get(&format!("/api/v1/articles/{}", a.slug.as_str()))
            .await
            .expect("get json");
        assert_eq!(r.status(), 200, "round {round}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let json: serde_json::Value = r.json().await.expect("complete JSON");
        let html = json["body_html"].as_str().expect("body_html");
        assert_eq!(
            html.matches("&amp;").count(),
            expected_amps,
            "round {round}"
        );

        let r = t.get("/api/v1/articles").await.expect("get list");
        assert_eq!(r.status(), 200, "round {round}");
        let json: serde_json::Value = r.json().await.expect("complete JSON");
        assert_eq!(json["items"][0]["slug"], a.slug.as_str(), "round {round}");
    }
    // Small pages are still cached as before.
    let small = t
        .arrange_article(article("Small one", "Short."))
        .await
        .expect("article");
    t.settle().await.expect("settle");
    assert_eq!(
        t.get(&small.path()).await.expect("get").headers()["x-cache"],
        "MISS"
    );
    assert_eq!(
        t.get(&small.path()).await.expect("get").headers()["x-cache"],
        "HIT"
    );
}
