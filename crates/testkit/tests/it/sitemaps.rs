//! Sitemaps over HTTP, on SQLite and PostgreSQL: the index named in robots.txt, article
//! sitemaps in id blocks that list exactly the public articles with their real update
//! times, term sitemaps, the Google News sitemap of the last 48 hours, and a publish or
//! unpublish showing at once.

use std::collections::BTreeSet;

use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

use super::feeds::{act, create, fetch, per_backend, settle};

const SM: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// `(loc, lastmod)` of every `<url>` or `<sitemap>` in a document, parsed strictly.
fn locs(path: &str, body: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(body)
        .unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}\n{body}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(SM), "{path}");
    root.children()
        .filter(|n| n.is_element())
        .map(|n| {
            let child = |name: &str| {
                n.children()
                    .find(|c| c.has_tag_name((SM, name)))
                    .and_then(|c| c.text())
                    .map(str::to_owned)
            };
            (
                child("loc").unwrap_or_else(|| panic!("{path}: a url without loc")),
                child("lastmod"),
            )
        })
        .collect()
}

/// Every URL the sitemaps reachable from `/sitemap.xml` list, with their lastmod; asserts
/// that no articles file holds more than `page_size` URLs.
async fn crawl(t: &TestApp, page_size: usize) -> Vec<(String, Option<String>)> {
    let (s, body, _) = fetch(t, "/sitemap.xml").await;
    assert_eq!(s, 200, "{body}");
    let mut all = Vec::new();
    for (loc, _) in locs("/sitemap.xml", &body) {
        let path = loc
            .strip_prefix(&t.base_url)
            .expect("absolute, on this site")
            .to_owned();
        if path == "/sitemap-news.xml" {
            continue;
        }
        let (s, body, _) = fetch(t, &path).await;
        assert_eq!(s, 200, "{path}");
        let urls = locs(&path, &body);
        assert!(!urls.is_empty(), "{path} lists nothing");
        if path.starts_with("/sitemaps/articles-") {
            assert!(urls.len() <= page_size, "{path}: {} URLs", urls.len());
        }
        all.extend(urls);
    }
    all
}

fn paths_under(urls: &[(String, Option<String>)], t: &TestApp, prefix: &str) -> BTreeSet<String> {
    urls.iter()
        .filter_map(|(l, _)| l.strip_prefix(&t.base_url))
        .filter(|p| p.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

async fn sitemaps_list_exactly_the_public_articles_in_blocks(backend: Backend) {
    let t = TestApp::spawn_with(backend, |c| c.sitemap_page_size = 3)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let mut public = BTreeSet::new();
    let mut live: Vec<Value> = Vec::new();
    // Public and hidden articles interleaved, so blocks hold both.
    for i in 0..8 {
        let a = create(&t, &key, &format!("Public story {i}"), json!({})).await;
        public.insert(format!("/articles/{}", a["slug"].as_str().expect("slug")));
        live.push(a);
        // Each hidden state in turn: unpublished, deleted, scheduled, draft.
        let hidden_terms =
            json!({"section": "Secret", "tags": ["Embargo"], "authors": ["Hidden Hand"]});
        let mut extra = hidden_terms.clone();
        if i % 4 >= 2 {
            extra["status"] = json!("draft");
        }
        let hidden = create(&t, &key, &format!("Hidden story {i}"), extra).await;
        let id = hidden["id"].as_i64().expect("id");
        match i % 4 {
            0 => act(&t, &key, id, "unpublish", None).await,
            1 => act(&t, &key, id, "delete", None).await,
            2 => {
                let at = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
                act(&t, &key, id, "publish", Some(json!({"at": at}))).await;
            }
            _ => {}
        }
    }
    let urls = crawl(&t, 3).await;
    assert_eq!(paths_under(&urls, &t, "/articles/"), public, "{backend:?}");
    assert_eq!(
        paths_under(&urls, &t, "/section/")
            .into_iter()
            .collect::<Vec<_>>(),
        ["/section/harbour"],
        "{backend:?}"
    );
    assert_eq!(
        paths_under(&urls, &t, "/tag/")
            .into_iter()
            .collect::<Vec<_>>(),
        ["/tag/shipping"]
    );
    assert_eq!(
        paths_under(&urls, &t, "/author/")
            .into_iter()
            .collect::<Vec<_>>(),
        ["/author/amira-haddad"]
    );
    assert!(
        urls.iter().any(|(l, _)| l == &format!("{}/", t.base_url)),
        "the front page"
    );
    // lastmod is the article's real update time, also after an edit.
    let first = &live[0];
    let id = first["id"].as_i64().expect("id");
    let (s, v) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{id}"),
            Some(json!({
        "version": first["version"], "summary": "A new summary."})),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200, "{v}");
    let (_, stored) = t
        .admin(
            &key,
            Method::GET,
            &format!("/api/v1/admin/articles/{id}"),
            None,
        )
        .await
        .expect("get");
    let updated =
        chrono::DateTime::parse_from_rfc3339(stored["updated_at"].as_str().expect("updated_at"))
            .expect("time")
            .with_timezone(&chrono::Utc);
    let urls = crawl(&t, 3).await;
    let loc = format!(
        "{}/articles/{}",
        t.base_url,
        first["slug"].as_str().expect("slug")
    );
    let lastmod = urls
        .iter()
        .find(|(l, _)| *l == loc)
        .and_then(|(_, m)| m.clone())
        .expect("listed");
    assert_eq!(
        lastmod,
        updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "{backend:?}"
    );
    // A block with nothing public, and names that are not sitemaps, answer 404.
    for path in [
        "/sitemaps/articles-999.xml",
        "/sitemaps/articles-0.xml",
        "/sitemaps/drafts-1.xml",
    ] {
        assert_eq!(fetch(&t, path).await.0, 404, "{path}");
    }
}

async fn the_news_sitemap_holds_the_last_two_days_and_robots_names_the_index(backend: Backend) {
    let t = TestApp::spawn_with(backend, |c| {
        c.site_name = "The Gazette & Co".into();
        c.language = "en-GB".into();
    })
    .await
    .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let hostile = "Port <deal> & \"talks\" 🚢 — عاجل";
    create(&t, &key, hostile, json!({})).await;
    let old = create(&t, &key, "Old archive story", json!({"status": "draft"})).await;
    act(&t, &key, old["id"].as_i64().expect("id"), "publish", None).await;
    // Move its publication three days back, as an archive import would have it.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&t.db.url).await.expect("database");
    let three_days_ago = (chrono::Utc::now() - chrono::Duration::days(3)).timestamp();
    sqlx::query("UPDATE articles SET published_at = $1 WHERE id = $2")
        .bind(three_days_ago)
        .bind(old["id"].as_i64().expect("id"))
        .execute(&pool)
        .await
        .expect("update");
    pool.close().await;
    create(&t, &key, "Unseen draft", json!({"status": "draft"})).await;

    let (s, body, headers) = fetch(&t, "/sitemap-news.xml").await;
    assert_eq!(s, 200);
    assert!(headers["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("application/xml"));
    let doc = roxmltree::Document::parse(&body).expect("well-formed");
    let news: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((NEWS, "news")))
        .collect();
    assert_eq!(news.len(), 1, "{backend:?}: {body}");
    let text = |name: &str| {
        news[0]
            .descendants()
            .find(|n| n.has_tag_name((NEWS, name)))
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    assert_eq!(text("title").as_deref(), Some(hostile));
    assert_eq!(text("name").as_deref(), Some("The Gazette & Co"));
    assert_eq!(text("language").as_deref(), Some("en"));
    assert!(
        text("publication_date").is_some_and(|d| chrono::DateTime::parse_from_rfc3339(&d).is_ok())
    );
    assert!(!body.contains("Old archive story") && !body.contains("Unseen draft"));

    let index = fetch(&t, "/sitemap.xml").await.1;
    assert!(index.contains(&format!("{}/sitemap-news.xml", t.base_url)));
    let (s, robots, _) = fetch(&t, "/robots.txt").await;
    assert_eq!(s, 200);
    assert!(
        robots
            .lines()
            .any(|l| l == format!("Sitemap: {}/sitemap.xml", t.base_url)),
        "{robots}"
    );
    assert!(robots.contains("Disallow: /admin"), "{robots}");
}

async fn a_publish_and_an_unpublish_refresh_the_sitemaps_at_once(backend: Backend) {
    let t = TestApp::spawn_with(backend, |c| c.sitemap_page_size = 2)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    create(&t, &key, "Opening story", json!({})).await;
    settle(&t).await;
    let before = crawl(&t, 2).await;
    fetch(&t, "/sitemap-news.xml").await;
    for p in [
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
        "/sitemap-news.xml",
    ] {
        assert_eq!(fetch(&t, p).await.2["x-cache"], "HIT", "{p} cached");
    }
    let fresh = create(&t, &key, "Late story", json!({"tags": ["Night shift"]})).await;
    let path = format!("/articles/{}", fresh["slug"].as_str().expect("slug"));
    let after = crawl(&t, 2).await;
    assert!(
        paths_under(&after, &t, "/articles/").contains(&path),
        "{backend:?}"
    );
    assert!(paths_under(&after, &t, "/tag/").contains("/tag/night-shift"));
    assert!(fetch(&t, "/sitemap-news.xml")
        .await
        .1
        .contains("Late story"));
    assert!(after.len() > before.len());
    act(
        &t,
        &key,
        fresh["id"].as_i64().expect("id"),
        "unpublish",
        None,
    )
    .await;
    let gone = crawl(&t, 2).await;
    assert!(
        !paths_under(&gone, &t, "/articles/").contains(&path),
        "{backend:?}"
    );
    assert!(!paths_under(&gone, &t, "/tag/").contains("/tag/night-shift"));
    assert!(!fetch(&t, "/sitemap-news.xml")
        .await
        .1
        .contains("Late story"));
}

per_backend!(
    sitemaps_list_exactly_the_public_articles_in_blocks,
    the_news_sitemap_holds_the_last_two_days_and_robots_names_the_index,
    a_publish_and_an_unpublish_refresh_the_sitemaps_at_once,
);
