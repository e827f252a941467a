//! The public JSON API: published content only, cursor pagination, external_id lookup.

use chrono::{Duration, Utc};
use dateline_core::Status;
use dateline_testkit::{article, backends, TestApp};

#[tokio::test]
async fn the_public_api_pages_through_published_articles_only() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let now = Utc::now();
        for i in 0..5 {
            let mut a = article(&format!("Public {i}"), "Text.");
            a.external_id = Some(format!("wire-{i}"));
            a.section = Some("Tech".into());
            a.published_at = Some(now - Duration::minutes(10 - i));
            t.arrange_article(a).await.expect("article");
        }
        for status in [Status::Draft, Status::Unpublished] {
            let mut a = article(&format!("Hidden {status}"), "Text.");
            a.status = Some(status);
            a.external_id = Some(format!("hidden-{status}"));
            t.arrange_article(a).await.expect("article");
        }
        let mut future = article("Hidden scheduled", "Text.");
        future.published_at = Some(now + Duration::hours(3));
        t.arrange_article(future).await.expect("scheduled");

        let mut slugs = Vec::new();
        let mut path = "/api/v1/articles?limit=2".to_owned();
        loop {
            let page = t.get_json(&path, 200).await.expect("page");
            for item in page["items"].as_array().expect("items") {
                slugs.push(item["slug"].as_str().expect("slug").to_owned());
                for field in [
                    "slug",
                    "external_id",
                    "title",
                    "summary",
                    "teaser",
                    "section",
                    "tags",
                    "authors",
                    "dateline",
                    "source",
                    "url",
                    "published_at",
                    "updated_at",
                    "body_html",
                    "story_id",
                ] {
                    assert!(item.get(field).is_some(), "missing {field}");
                }
            }
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/articles?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(
            slugs,
            ["public-4", "public-3", "public-2", "public-1", "public-0"],
            "{backend:?}"
        );

        let one = t
            .get_json("/api/v1/articles?external_id=wire-2", 200)
            .await
            .expect("lookup");
        assert_eq!(one["items"][0]["title"], "Public 2");
        let none = t
            .get_json("/api/v1/articles?external_id=hidden-draft", 200)
            .await
            .expect("lookup");
        assert_eq!(
            none["items"].as_array().map(Vec::len),
            Some(0),
            "drafts are not found by external id"
        );
        let tech = t
            .get_json("/api/v1/articles?section=tech&limit=100", 200)
            .await
            .expect("section");
        assert_eq!(tech["items"].as_array().map(Vec::len), Some(5));

        let a = t
            .get_json("/api/v1/articles/public-1", 200)
            .await
            .expect("one");
        assert_eq!(a["url"], t.url("/articles/public-1"));
        assert_eq!(a["body_html"], "<p>Text.</p>\n");
        t.get_json("/api/v1/articles/hidden-draft", 404)
            .await
            .expect("draft is 404");
        let gone = t
            .get_json("/api/v1/articles/hidden-unpublished", 410)
            .await
            .expect("410");
        assert_eq!(gone["error"]["code"], "gone");
        let bad = t
            .get_json("/api/v1/articles?limit=1000", 400)
            .await
            .expect("400");
        assert_eq!(bad["error"]["code"], "invalid_query");
        t.get_json("/api/v1/articles?cursor=nonsense", 400)
            .await
            .expect("bad cursor");
        t.get_json("/api/v1/articles?colour=red", 400)
            .await
            .expect("unknown parameter");
    }
}

#[tokio::test]
async fn the_openapi_document_is_served_and_names_every_endpoint() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let doc = t
        .get_json("/api/v1/openapi.json", 200)
        .await
        .expect("openapi");
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/{slug}",
        "/api/v1/admin/articles",
        "/api/v1/admin/articles/{id}",
        "/api/v1/admin/articles/{id}/publish",
        "/api/v1/admin/articles/{id}/unpublish",
        "/api/v1/admin/articles/{id}/revisions",
        "/api/v1/articles/{slug}/related",
        "/api/v1/search",
        "/api/v1/admin/articles/{id}/related",
        "/api/v1/admin/articles/{id}/presence",
        "/api/v1/admin/articles/{id}/permissions",
        "/api/v1/admin/preview",
        "/api/v1/admin/tags",
        "/api/v1/openapi.json",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}
