//! Text that cannot be shown is refused at the door: control characters and headlines made
//! of invisible characters only, through the admin API and the importer.

use dateline_app::import::NoProgress;
use dateline_app::Error;
use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn nul_and_invisible_only_titles_are_refused_naming_the_field() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        for (title, field_body) in [
            ("Port\u{0} of Muscat", None),
            ("\u{200B}\u{200D}\u{FEFF}", None),
            ("\u{202E}\u{2060}", None),
            ("Fine title", Some(("tags", json!(["Ports", "\u{1b}[2J"])))),
            ("Fine title", Some(("body", json!("NUL \u{0} in the body")))),
        ] {
            let mut body = json!({"title": title, "body": "Text."});
            let field = match &field_body {
                Some((f, v)) => {
                    body[*f] = v.clone();
                    *f
                }
                None => "title",
            };
            let (s, e) = t
                .admin(&key, Method::POST, "/api/v1/admin/articles", Some(body))
                .await
                .expect("send");
            assert_eq!(s, 422, "{backend:?} {title:?}: {e}");
            assert_eq!(e["error"]["code"], "invalid_fields", "{e}");
            assert!(e["error"]["fields"][field].is_string(), "{field}: {e}");
        }
        let (s, created) = t
            .admin(
                &key,
                Method::POST,
                "/api/v1/admin/articles",
                Some(json!({"title": "Visible", "body": "Text."})),
            )
            .await
            .expect("send");
        assert_eq!(s, 201, "{created}");
        let id = created["id"].as_i64().expect("id");
        let (s, e) = t
            .admin(
                &key,
                Method::PATCH,
                &format!("/api/v1/admin/articles/{id}"),
                Some(json!({"version": 1, "title": "\u{200B}"})),
            )
            .await
            .expect("send");
        assert_eq!(s, 422, "{e}");
        assert!(e["error"]["fields"]["title"].is_string(), "{e}");
        assert_eq!(
            t.app.store().article_count().await.expect("count"),
            1,
            "only the visible one on {backend:?}"
        );
        let public = t
            .get_json(
                &format!(
                    "/api/v1/articles/{}",
                    created["slug"].as_str().expect("slug")
                ),
                200,
            )
            .await
            .expect("public");
        assert_eq!(public["title"], "Visible");

        let file = format!(
            "{}\n{}\n",
            json!({"external_id": "x-1", "title": "Fine", "body": "b"}),
            json!({"external_id": "x-2", "title": "\u{0}", "body": "b"}),
        );
        let err = t
            .app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect_err("NUL title");
        match &err {
            Error::Import(e) => assert_eq!((e.number, e.field.as_deref()), (2, Some("title"))),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(t.app.store().article_count().await.expect("count"), 1);
    }
}
