//! Slugs: one made from the title may get a `-2`; one that was asked for is never renamed.

use dateline_app::import::NoProgress;
use dateline_app::Error;
use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_requested_slug_that_is_taken_is_refused_naming_the_field() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let post = |body: serde_json::Value| {
            let (t, key) = (&t, &key);
            async move {
                t.admin(key, Method::POST, "/api/v1/admin/articles", Some(body))
                    .await
                    .expect("send")
            }
        };
        let (s, first) = post(json!({"title": "Same headline", "body": "One."})).await;
        assert_eq!(s, 201, "{first}");
        assert_eq!(first["slug"], "same-headline");

        // Made from the title: a suffix is fine.
        let (s, second) = post(json!({"title": "Same headline", "body": "Two."})).await;
        assert_eq!(s, 201, "{second}");
        assert_eq!(second["slug"], "same-headline-2");

        // Asked for: refused, nothing written.
        let (s, e) =
            post(json!({"title": "Third", "body": "Three.", "slug": "same-headline"})).await;
        assert_eq!(s, 422, "{backend:?}: {e}");
        assert_eq!(e["error"]["code"], "invalid_fields", "{e}");
        assert!(e["error"]["fields"]["slug"].is_string(), "{e}");
        assert_eq!(
            t.app.store().article_count().await.expect("count"),
            2,
            "nothing written on {backend:?}"
        );
        t.get_json("/api/v1/articles/same-headline-3", 404)
            .await
            .expect("no renamed copy");

        // A free slug that is asked for is used as given.
        let (s, ok) = post(json!({"title": "Third", "body": "Three.", "slug": "third-way"})).await;
        assert_eq!(s, 201, "{ok}");
        assert_eq!(ok["slug"], "third-way");

        // PATCH to a taken slug: refused, the article keeps its slug and version.
        let id = second["id"].as_i64().expect("id");
        let path = format!("/api/v1/admin/articles/{id}");
        let (s, e) = t
            .admin(
                &key,
                Method::PATCH,
                &path,
                Some(json!({"version": 1, "slug": "third-way"})),
            )
            .await
            .expect("send");
        assert_eq!(s, 422, "{backend:?}: {e}");
        assert!(e["error"]["fields"]["slug"].is_string(), "{e}");
        let public = t
            .get_json("/api/v1/articles/same-headline-2", 200)
            .await
            .expect("unchanged");
        assert_eq!(public["title"], "Same headline");
        t.get_json("/api/v1/articles/third-way-2", 404)
            .await
            .expect("no renamed slug");
        let stored = t
            .app
            .store()
            .article(dateline_core::ArticleId(id))
            .await
            .expect("read");
        assert_eq!(
            (stored.slug.as_str(), stored.version.0),
            ("same-headline-2", 1)
        );

        // PATCH that restates its own slug, or takes a free one, is fine.
        let (s, e) = t
            .admin(
                &key,
                Method::PATCH,
                &path,
                Some(
                    json!({"version": 1, "slug": "same-headline-2", "title": "Same, again",
                    "correction": "The headline was shortened."}),
                ),
            )
            .await
            .expect("send");
        assert_eq!(s, 200, "{e}");
        let (s, e) = t
            .admin(
                &key,
                Method::PATCH,
                &path,
                Some(json!({"version": 2, "slug": "second-look"})),
            )
            .await
            .expect("send");
        assert_eq!((s, e["slug"].as_str()), (200, Some("second-look")), "{e}");

        // An old slug that redirects to another article is taken too.
        let (s, e) =
            post(json!({"title": "Fourth", "body": "Four.", "slug": "same-headline-2"})).await;
        assert_eq!(s, 422, "{backend:?}: {e}");
        assert!(e["error"]["fields"]["slug"].is_string(), "{e}");
    }
}

#[tokio::test]
async fn an_import_with_a_requested_slug_that_is_taken_is_refused_whole() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        t.arrange_article(dateline_testkit::article("Harbour opens", "Text."))
            .await
            .expect("arrange");
        let file = concat!(
            r#"{"external_id": "s-1", "title": "Harbour opens", "body": "Derived slug: fine."}"#,
            "\n",
            r#"{"external_id": "s-2", "title": "Other", "body": "Taken slug.", "slug": "harbour-opens"}"#,
            "\n",
        );
        let err = t
            .app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect_err("taken slug");
        match &err {
            Error::Import(e) => {
                assert_eq!(e.number, 2, "{err}");
                assert_eq!(e.field.as_deref(), Some("slug"), "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(t.app.store().article_count().await.expect("count"), 1);

        // Two records of one file asking for the same new slug.
        let file = concat!(
            r#"{"external_id": "s-1", "title": "A", "body": "a", "slug": "fresh"}"#,
            "\n",
            r#"{"external_id": "s-2", "title": "B", "body": "b", "slug": "fresh"}"#,
            "\n",
        );
        let err = t
            .app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect_err("same slug twice");
        assert!(
            err.to_string().contains("line 2, field `slug`"),
            "{backend:?}: {err}"
        );
        assert_eq!(t.app.store().article_count().await.expect("count"), 1);

        // Re-import of an article under its own slug updates it.
        let file = concat!(
            r#"{"external_id": "s-1", "title": "A", "body": "a", "slug": "fresh"}"#,
            "\n"
        );
        t.app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        let again = concat!(
            r#"{"external_id": "s-1", "title": "A2", "body": "a", "slug": "fresh"}"#,
            "\n",
            r#"{"external_id": "s-3", "title": "C", "body": "c", "slug": "harbour-opens"}"#,
            "\n"
        );
        let err = t
            .app
            .import_jsonl(again.as_bytes(), false, &NoProgress)
            .await
            .expect_err("taken by the arranged article");
        assert!(err.to_string().contains("line 2, field `slug`"), "{err}");
        let page = t
            .get_json("/api/v1/articles/fresh", 200)
            .await
            .expect("public");
        assert_eq!(page["title"], "A", "rolled back whole");
    }
}
