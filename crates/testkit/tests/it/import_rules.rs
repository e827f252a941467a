//! Import rules beyond single records: one file names each article once.

use dateline_app::import::NoProgress;
use dateline_app::Error;
use dateline_testkit::{backends, TestApp};

#[tokio::test]
async fn a_duplicate_external_id_in_one_file_rejects_it_naming_both_lines() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let file = concat!(
            r#"{"external_id": "d-1", "title": "First telling", "body": "One."}"#,
            "\n",
            r#"{"external_id": "d-2", "title": "Other story", "body": "Two."}"#,
            "\n\n",
            r#"{"external_id": "d-1", "title": "Second telling", "body": "Three."}"#,
            "\n",
        );
        let err = t
            .app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect_err("duplicate external_id");
        match &err {
            Error::Import(e) => {
                assert_eq!(e.number, 4, "{err}");
                assert_eq!(e.field.as_deref(), Some("external_id"), "{err}");
                assert!(e.message.contains("line 1"), "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string().contains("line 4, field `external_id`"),
            "{err}"
        );
        assert_eq!(
            t.app.store().article_count().await.expect("count"),
            0,
            "nothing written on {backend:?}"
        );
        t.get_json("/api/v1/articles?external_id=d-1", 200)
            .await
            .map(|v| assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{v}"))
            .expect("public list");

        // The same id in two files is an update, as before.
        let one = concat!(
            r#"{"external_id": "d-1", "title": "First", "body": "One."}"#,
            "\n"
        );
        let two = concat!(
            r#"{"external_id": "d-1", "title": "Second", "body": "One."}"#,
            "\n"
        );
        let r1 = t
            .app
            .import_jsonl(one.as_bytes(), false, &NoProgress)
            .await
            .expect("one");
        let r2 = t
            .app
            .import_jsonl(two.as_bytes(), false, &NoProgress)
            .await
            .expect("two");
        assert_eq!((r1.created, r2.updated), (1, 1));
    }
}
