//! Import and export: all-or-nothing, idempotent by external_id, lossless round trip.

use dateline_app::import::NoProgress;
use dateline_app::Error;
use dateline_testkit::{backends, shared, TestApp};

const GOOD: &str = concat!(
    r#"{"external_id": "w-1", "title": "Floods hit valley", "body": "Water rose.\n\nMore rain due.", "section": "World", "tags": ["Weather", "Floods"], "authors": ["Ann"], "dateline": "Dhaka", "summary": null, "source": "Reuters", "published_at": "2005-03-01T09:00:00Z", "status": "published"}"#,
    "\n",
    r#"{"external_id": "w-2", "title": "Draft on rates", "body": "Pending.", "status": "draft"}"#,
    "\n",
    r#"{"title": "No external id", "body": "Plain.", "published_at": "2005-03-02T10:30:00+02:00"}"#,
    "\n",
);

#[tokio::test]
async fn a_bad_record_rejects_the_whole_file_naming_line_and_field() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let bad = format!(
            "{GOOD}{}\n",
            r#"{"external_id": "w-9", "title": "Bad date", "body": "x", "published_at": "last Tuesday"}"#
        );
        let err = t
            .app
            .import_jsonl(bad.as_bytes(), false, &NoProgress)
            .await
            .expect_err("must fail");
        match &err {
            Error::Import(e) => {
                assert_eq!(e.number, 4);
                assert_eq!(e.field.as_deref(), Some("published_at"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string().contains("line 4, field `published_at`"),
            "{err}"
        );
        assert_eq!(
            t.app.store().article_count().await.expect("count"),
            0,
            "nothing written on {backend:?}"
        );
        assert_eq!(t.app.store().latest_change_seq().await.expect("seq"), 0);

        let invalid = format!("{GOOD}{}\n", r#"{"title": "", "body": "empty title"}"#);
        let err = t
            .app
            .import_jsonl(invalid.as_bytes(), false, &NoProgress)
            .await
            .expect_err("must fail");
        assert!(err.to_string().contains("line 4, field `title`"), "{err}");
        let unknown = format!(
            "{}\n{GOOD}",
            r#"{"title": "a", "body": "b", "colour": "red"}"#
        );
        let err = t
            .app
            .import_jsonl(unknown.as_bytes(), false, &NoProgress)
            .await
            .expect_err("must fail");
        assert!(err.to_string().contains("line 1, field `colour`"), "{err}");
        assert_eq!(t.app.store().article_count().await.expect("count"), 0);
        let report = t
            .app
            .import_jsonl(unknown.as_bytes(), true, &NoProgress)
            .await
            .expect("lenient");
        assert_eq!(report.created, 4);
    }
}

#[tokio::test]
async fn reimporting_updates_by_external_id_and_never_duplicates() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let first = t
            .app
            .import_jsonl(GOOD.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        assert_eq!((first.created, first.updated, first.unchanged), (3, 0, 0));
        let again = t
            .app
            .import_jsonl(GOOD.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        // The record without external_id cannot be matched, so it is created again.
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (1, 0, 2),
            "{backend:?}"
        );
        let changed = GOOD.replace("Water rose.", "Water rose fast.");
        let third = t
            .app
            .import_jsonl(changed.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        assert_eq!((third.updated, third.unchanged), (1, 1));
        let api = t
            .get_json("/api/v1/articles?external_id=w-1", 200)
            .await
            .expect("api");
        assert_eq!(api["items"].as_array().map(Vec::len), Some(1));
        assert!(api["items"][0]["body_html"]
            .as_str()
            .is_some_and(|b| b.contains("Water rose fast.")));
        assert_eq!(api["items"][0]["published_at"], "2005-03-01T09:00:00Z");
        assert_eq!(api["items"][0]["dateline"], "DHAKA");
    }
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_then_export_is_identical() {
    for backend in backends() {
        let source = TestApp::spawn(backend).await.expect("app");
        source
            .app
            .import_jsonl(GOOD.as_bytes(), false, &NoProgress)
            .await
            .expect("import");
        dateline_app::demo::load_if_empty(&source.app)
            .await
            .expect("no-op on a non-empty store");
        let mut lead = dateline_testkit::article("With picture", "Body **bold**.");
        lead.lead_image_url = Some("https://img.example/a.jpg".into());
        lead.lead_image_caption = Some("Caption".into());
        lead.standfirst = Some("Dek".into());
        lead.correction = Some("Fixed a name.".into());
        source.arrange_article(lead).await.expect("article");
        let mut first = Vec::new();
        let n = source
            .app
            .export_jsonl(&mut first, &NoProgress)
            .await
            .expect("export");
        assert_eq!(n, 4);

        let target = TestApp::spawn(backend).await.expect("app");
        target
            .app
            .import_jsonl(first.as_slice(), false, &NoProgress)
            .await
            .expect("reimport");
        let mut second = Vec::new();
        target
            .app
            .export_jsonl(&mut second, &NoProgress)
            .await
            .expect("export");
        assert_eq!(
            String::from_utf8(first).expect("utf8"),
            String::from_utf8(second).expect("utf8"),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn the_bbc_corpus_imports_completely() {
    let Some(path) = shared::corpus("bbc.jsonl") else {
        return;
    };
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("corpus"));
    let report = t
        .app
        .import_jsonl(file, false, &NoProgress)
        .await
        .expect("import");
    assert_eq!(report.created, 2225);
    let page = t
        .get_json("/api/v1/articles?section=sport&limit=100", 200)
        .await
        .expect("api");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(100));
}
