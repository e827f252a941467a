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

#[tokio::test]
async fn a_refused_import_does_not_lock_out_the_next_writer() {
    // A refused import has written rows in its transaction; the next writer must wait for
    // the rollback, not fail with SQLite's "database is locked".
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let mut file = String::new();
    for i in 0..40 {
        file.push_str(&format!(
            "{{\"external_id\": \"r-{i}\", \"title\": \"Story {i}\", \"body\": \"Text {i}.\"}}\n"
        ));
    }
    // Refused while writing: the id of line 1 again.
    file.push_str("{\"external_id\": \"r-0\", \"title\": \"Again\", \"body\": \"x\"}\n");
    for round in 0..100 {
        let err = t
            .app
            .import_jsonl(file.as_bytes(), false, &NoProgress)
            .await
            .expect_err("bad last line");
        assert!(err.to_string().contains("line 41"), "round {round}: {err}");
        let ok = concat!(r#"{"title": "Good", "body": "Fine."}"#, "\n");
        t.app
            .import_jsonl(ok.as_bytes(), false, &NoProgress)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
    }
    assert_eq!(t.app.store().article_count().await.expect("count"), 100);
}
