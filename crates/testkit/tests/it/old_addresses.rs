//! Old addresses of imported articles answer 301 to the article's current page, on every
//! node, through slug changes, and stop when the article is no longer public.

use dateline_app::import::NoProgress;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::json;

const ARCHIVE: &str = concat!(
    r#"{"external_id": "wp-1", "title": "Layout test", "body": "Old post.", "published_at": "2008-09-02T10:00:00Z", "old_urls": ["https://old.example/2008/09/02/layout-test/", "http://old.example/?p=1133", "/archives/1133"]}"#,
    "\n",
    r#"{"external_id": "wp-2", "title": "Still a draft", "body": "Unseen.", "status": "draft", "old_urls": ["https://old.example/2008/09/03/draft/"]}"#,
    "\n",
    r#"{"external_id": "wp-3", "title": "Root is not an address", "body": "Text.", "old_urls": ["https://old.example/", "not a url"]}"#,
    "\n",
);

async fn location(t: &TestApp, path: &str) -> (u16, Option<String>) {
    let r = t.get(path).await.expect("request");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location)
}

#[tokio::test]
async fn an_imported_article_answers_at_its_old_addresses_on_every_node() {
    for backend in backends() {
        let a = TestApp::spawn(backend).await.expect("app");
        let report = a
            .app
            .import_jsonl(ARCHIVE.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        assert_eq!(
            (report.old_urls, report.old_urls_ignored),
            (4, 2),
            "{backend:?}"
        );
        let b = a.another_node().await.expect("second node");
        for node in [&a, &b] {
            for old in [
                "/2008/09/02/layout-test/",
                "/2008/09/02/layout-test",
                "/?p=1133",
                "/archives/1133",
            ] {
                assert_eq!(
                    location(node, old).await,
                    (301, Some("/articles/layout-test".to_owned())),
                    "{backend:?} {old}"
                );
            }
            // A draft's old address must not reveal it; unknown paths stay 404.
            assert_eq!(
                location(node, "/2008/09/03/draft").await.0,
                404,
                "{backend:?}"
            );
            assert_eq!(location(node, "/2008/09/04/never-was").await.0, 404);
            // The front page with its own parameters is still the front page.
            assert_eq!(location(node, "/").await.0, 200);
            assert_eq!(
                location(node, "/?p=999999").await.0,
                200,
                "an unknown parameter that is no old address is the front page"
            );
        }
        let followed = reqwest::get(a.url("/archives/1133")).await.expect("follow");
        assert_eq!(followed.status().as_u16(), 200);
        assert!(followed.text().await.expect("page").contains("Layout test"));

        // The address belongs to the article, not its slug.
        let key = a.key(dateline_core::Role::Editor).await.expect("key");
        let id = a
            .app
            .store()
            .public_article("layout-test", chrono::Utc::now())
            .await
            .expect("lookup")
            .id
            .0;
        let current = a
            .admin(
                &key,
                Method::GET,
                &format!("/api/v1/admin/articles/{id}"),
                None,
            )
            .await
            .expect("admin read")
            .1;
        let (status, _) = a
            .admin(
                &key,
                Method::PATCH,
                &format!("/api/v1/admin/articles/{id}"),
                Some(json!({"version": current["version"], "slug": "layout-test-moved"})),
            )
            .await
            .expect("rename");
        assert_eq!(status, 200);
        assert_eq!(
            location(&b, "/?p=1133").await,
            (301, Some("/articles/layout-test-moved".to_owned())),
            "{backend:?}: the other node follows the slug change"
        );

        // Unpublished: the old address stops answering with the article.
        let (status, _) = a
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{id}/unpublish"),
                None,
            )
            .await
            .expect("unpublish");
        assert_eq!(status, 200);
        assert_eq!(location(&b, "/archives/1133").await.0, 404, "{backend:?}");

        // Re-importing the file keeps one address per path, pointing at the same article.
        let again = a
            .app
            .import_jsonl(ARCHIVE.as_bytes(), false, &NoProgress)
            .await
            .expect("re-import");
        assert_eq!(again.created, 0, "{backend:?}");
    }
}
