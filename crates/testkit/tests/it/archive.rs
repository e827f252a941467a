//! The archive format (issue 11, item 6): a whole newsroom exported, imported into an empty
//! store and exported again gives the same bytes, on each backend and between them; a
//! second client (the public site of the imported store) serves the same pages and
//! redirects; a damaged archive is refused by file and line with nothing written.

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use dateline_app::archive::{ArchiveError, ArchiveReport};
use dateline_app::articles::{Actor, ArticlePatch};
use dateline_app::import::NoProgress;
use dateline_app::{Backend, Error};
use dateline_core::{Role, Status};
use dateline_testkit::{article, backends, TestApp};
use serde_json::json;
use sha2::Digest as _;

const OLD_SITE: &str = concat!(
    r#"{"external_id": "wp-1", "title": "Layout test", "body": "Old post about ports.", "section": "Shipping", "tags": ["Ports", "Oman"], "authors": ["Amira Haddad", "Jon Bell"], "published_at": "2008-09-02T10:00:00Z", "old_urls": ["https://old.example/2008/09/02/layout-test/", "http://old.example/?p=1133"]}"#,
    "\n",
    r#"{"external_id": "wp-2", "title": "Old draft", "body": "Unseen.", "status": "draft", "old_urls": ["/archives/1134"]}"#,
    "\n",
);

/// What the arranged newsroom holds, for the assertions.
struct Newsroom {
    /// Current slug of the corrected article (its first slug is `harbour-reopens`).
    corrected_slug: String,
}

fn patch(value: serde_json::Value) -> ArticlePatch {
    serde_json::from_value(value).expect("patch")
}

/// A newsroom with every kind of record: articles in every status, a slug change, two
/// corrections, revisions, pins and exclusions, users of each role (one disabled), API keys
/// (one revoked), old addresses from an import.
async fn arrange(t: &TestApp) -> Newsroom {
    let app = &t.app;
    let report = app
        .import_jsonl(OLD_SITE.as_bytes(), false, &NoProgress)
        .await
        .expect("import");
    assert_eq!(report.old_urls, 3);
    let mut users = Vec::new();
    for (email, role) in [
        ("admin@news.example", Role::Admin),
        ("editor@news.example", Role::Editor),
        ("author@news.example", Role::Author),
        ("contrib@news.example", Role::Contributor),
    ] {
        let u = app
            .create_user(
                email,
                email.split('@').next().unwrap_or("x"),
                role,
                "correct horse battery",
            )
            .await
            .expect("user");
        users.push(u);
    }
    app.store()
        .set_user_disabled(users[3].id, Some(Utc::now()))
        .await
        .expect("disable");
    let author = Actor {
        label: users[2].email.clone(),
        role: Role::Author,
        user_id: Some(users[2].id),
    };
    let editor = Actor {
        label: users[1].email.clone(),
        role: Role::Editor,
        user_id: Some(users[1].id),
    };

    let mut input = article("Harbour reopens", "The harbour reopened on Monday.");
    input.section = Some("Shipping".into());
    input.tags = vec!["Ports".into(), "Muscat".into()];
    input.authors = vec!["Jon Bell".into(), "Amira Haddad".into()];
    input.dateline = Some("Muscat".into());
    let a = app.create_article(&author, input).await.expect("create");
    let a = app
        .update_article(
            &editor,
            a.id,
            patch(json!({"version": a.version.0, "slug": "muscat-harbour-reopens"})),
        )
        .await
        .expect("slug change");
    let a = app
        .update_article(
            &editor,
            a.id,
            patch(json!({"version": a.version.0, "body": "The harbour reopened on Tuesday.", "correction": "An earlier version gave the wrong day."})),
        )
        .await
        .expect("first correction");
    let a = app
        .update_article(
            &editor,
            a.id,
            patch(json!({"version": a.version.0, "body": "The port reopened on Tuesday.", "correction": "It is a port, not a harbour."})),
        )
        .await
        .expect("second correction");

    let mut ids = Vec::new();
    for (title, status) in [
        ("Tariffs draft", Some(Status::Draft)),
        ("Budget later", Some(Status::Draft)),
        ("Pulled story", None),
        ("Deleted story", None),
        ("Port strike ends", None),
        ("Port strike begins", None),
    ] {
        let mut input = article(
            title,
            &format!("{title}: the body, about ports and strikes."),
        );
        input.status = status;
        input.section = Some("Business".into());
        input.tags = vec!["Ports".into()];
        ids.push(app.create_article(&editor, input).await.expect("create").id);
    }
    app.publish_article(&editor, ids[1], Some(Utc::now() + Duration::days(2)), None)
        .await
        .expect("schedule");
    app.unpublish_article(&editor, ids[2], None)
        .await
        .expect("unpublish");
    app.delete_article(&editor, ids[3], None)
        .await
        .expect("delete");
    app.set_related_overrides(&editor, a.id, vec![ids[4]], vec![ids[5]])
        .await
        .expect("pins");

    app.create_api_key("wire importer", Role::Editor)
        .await
        .expect("key");
    let (old, _) = app
        .create_api_key("old script", Role::Admin)
        .await
        .expect("key");
    app.store()
        .revoke_api_key(old.id, Utc::now())
        .await
        .expect("revoke");
    Newsroom {
        corrected_slug: a.slug.as_str().to_owned(),
    }
}

fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("archive dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("file"),
            )
        })
        .collect();
    files.sort();
    files
}

async fn export(t: &TestApp, dir: &Path, secrets: bool) -> ArchiveReport {
    t.app
        .export_archive(dir, secrets, &NoProgress)
        .await
        .expect("export")
}

async fn import(t: &TestApp, dir: &Path) -> ArchiveReport {
    let report = t
        .app
        .import_archive(dir, &NoProgress)
        .await
        .expect("import");
    t.app.rebuild_discovery(&NoProgress).await.expect("reindex");
    report
}

async fn status_and_location(t: &TestApp, path: &str) -> (u16, Option<String>) {
    let r = t.get(path).await.expect("request");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location)
}

/// Export on `from`, import on `to`, export again: the same bytes; then the public site of
/// the imported store answers as the original does.
async fn round_trip(from: Backend, to: Backend) {
    let work = tempfile::tempdir().expect("tmp");
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    let source = TestApp::spawn(from).await.expect("source");
    let newsroom = arrange(&source).await;
    source.settle_index().await.expect("settle");
    let exported = export(&source, &first, false).await;
    for (file, at_least) in [
        ("users.jsonl", 4),
        ("sections.jsonl", 2),
        ("tags.jsonl", 3),
        ("authors.jsonl", 2),
        ("articles.jsonl", 9),
        ("revisions.jsonl", 12),
        ("slug_redirects.jsonl", 1),
        ("legacy_redirects.jsonl", 3),
        ("related_overrides.jsonl", 2),
        ("api_keys.jsonl", 2),
    ] {
        assert!(
            exported.records(file) >= at_least,
            "{from:?}: {file} has {} records",
            exported.records(file)
        );
    }

    let target = TestApp::spawn(to).await.expect("target");
    import(&target, &first).await;
    export(&target, &second, false).await;
    assert_eq!(
        read_dir(&first),
        read_dir(&second),
        "{from:?} → {to:?}: the second export differs from the first"
    );

    // Judged by a second client: the imported site serves what the original served.
    target.settle_index().await.expect("settle");
    let corrected = format!("/api/v1/articles/{}", newsroom.corrected_slug);
    for path in [
        corrected.as_str(),
        "/api/v1/articles/layout-test",
        "/api/v1/articles?limit=20",
    ] {
        // The two sites listen on different ports; absolute URLs differ by that only.
        let seen = |t: &TestApp, json: serde_json::Value| json.to_string().replace(&t.base_url, "");
        assert_eq!(
            seen(&source, source.get_json(path, 200).await.expect("source")),
            seen(&target, target.get_json(path, 200).await.expect("target")),
            "{from:?} → {to:?}: {path}"
        );
    }
    let page = target
        .get(&format!("/articles/{}", newsroom.corrected_slug))
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    for note in [
        "It is a port, not a harbour.",
        "An earlier version gave the wrong day.",
    ] {
        assert!(
            page.contains(note),
            "{from:?} → {to:?}: the page lacks {note:?}"
        );
    }
    for (old, new) in [
        (
            "/articles/harbour-reopens",
            format!("/articles/{}", newsroom.corrected_slug),
        ),
        (
            "/2008/09/02/layout-test/",
            "/articles/layout-test".to_owned(),
        ),
        ("/?p=1133", "/articles/layout-test".to_owned()),
    ] {
        assert_eq!(
            status_and_location(&target, old).await,
            (301, Some(new)),
            "{from:?} → {to:?}: {old}"
        );
    }
    // Ids move on from the imported ones (PostgreSQL's identity sequences were reset).
    let max = exported.records("articles.jsonl") as i64;
    let fresh = target
        .arrange_article(article_input("After the move"))
        .await
        .expect("a new article after the import");
    assert!(
        fresh.id.0 > max,
        "new id {} after {max} articles",
        fresh.id.0
    );
}

fn article_input(title: &str) -> dateline_core::ArticleInput {
    article(title, "Written after the import.")
}

fn postgres_available() -> bool {
    backends().contains(&Backend::Postgres)
}

#[tokio::test]
async fn an_archive_round_trips_byte_for_byte_on_sqlite() {
    round_trip(Backend::Sqlite, Backend::Sqlite).await;
}

#[tokio::test]
async fn an_archive_round_trips_byte_for_byte_on_postgres() {
    if postgres_available() {
        round_trip(Backend::Postgres, Backend::Postgres).await;
    }
}

#[tokio::test]
async fn a_newsroom_moves_from_sqlite_to_postgres_byte_for_byte() {
    if postgres_available() {
        round_trip(Backend::Sqlite, Backend::Postgres).await;
    }
}

#[tokio::test]
async fn a_newsroom_moves_from_postgres_to_sqlite_byte_for_byte() {
    if postgres_available() {
        round_trip(Backend::Postgres, Backend::Sqlite).await;
    }
}

#[tokio::test]
async fn secrets_travel_only_when_asked_for() {
    let to = if postgres_available() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let work = tempfile::tempdir().expect("tmp");
    let source = TestApp::spawn(Backend::Sqlite).await.expect("source");
    source
        .app
        .create_user(
            "ed@news.example",
            "Ed",
            Role::Editor,
            "correct horse battery",
        )
        .await
        .expect("user");
    let (_, key) = source
        .app
        .create_api_key("bot", Role::Editor)
        .await
        .expect("key");

    let (with, without) = (work.path().join("with"), work.path().join("without"));
    export(&source, &with, true).await;
    export(&source, &without, false).await;
    let users = std::fs::read_to_string(without.join("users.jsonl")).expect("users");
    assert!(
        !users.contains("password_hash") && !users.contains("argon2"),
        "{users}"
    );

    let a = TestApp::spawn(to).await.expect("with secrets");
    import(&a, &with).await;
    a.app
        .verify_password("ed@news.example", "correct horse battery")
        .await
        .expect("the password still works");
    a.app
        .authenticate_key(&key)
        .await
        .expect("the key still works");

    let b = TestApp::spawn(to).await.expect("without secrets");
    import(&b, &without).await;
    assert!(b
        .app
        .verify_password("ed@news.example", "correct horse battery")
        .await
        .is_err());
    assert!(b.app.authenticate_key(&key).await.is_err());
    // The way back in: a reset link, then the new password works.
    let link = b
        .app
        .reset_link("ed@news.example")
        .await
        .expect("reset link");
    let token = link.rsplit('/').next().expect("token");
    b.app
        .reset_password(token, "a brand new passphrase")
        .await
        .expect("reset");
    b.app
        .verify_password("ed@news.example", "a brand new passphrase")
        .await
        .expect("signs in after the reset");
}

/// Recomputes the manifest's checksums and counts after a test edited a file on purpose,
/// so the import reaches the record.
fn reseal(dir: &Path) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("manifest")).expect("json");
    for f in manifest["files"].as_array_mut().expect("files") {
        let bytes = std::fs::read(dir.join(f["name"].as_str().expect("name"))).expect("file");
        f["sha256"] = json!(hex::encode(sha2::Sha256::digest(&bytes)));
        f["records"] = json!(bytes.iter().filter(|&&b| b == b'\n').count());
    }
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&manifest).expect("json"),
    )
    .expect("write");
}

/// A fresh exported archive of the arranged newsroom.
async fn fresh_archive(work: &Path, name: &str) -> PathBuf {
    let source = TestApp::spawn(Backend::Sqlite).await.expect("source");
    arrange(&source).await;
    let dir = work.join(name);
    export(&source, &dir, false).await;
    dir
}

async fn refused(backend: Backend, dir: &Path) -> ArchiveError {
    let target = TestApp::spawn(backend).await.expect("target");
    let err = target
        .app
        .import_archive(dir, &NoProgress)
        .await
        .expect_err("a bad archive is refused");
    let counts = target.app.store().archive_counts().await.expect("counts");
    assert!(
        counts.iter().all(|(_, n)| *n == 0),
        "{backend:?}: something was written: {counts:?}"
    );
    match err {
        Error::Archive(e) => e,
        other => panic!("expected an archive error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_changed_byte_a_missing_file_and_another_version_are_refused() {
    let work = tempfile::tempdir().expect("tmp");
    let dir = fresh_archive(work.path(), "a").await;

    let path = dir.join("articles.jsonl");
    let original = std::fs::read(&path).expect("read");
    let mut changed = original.clone();
    let at = changed.iter().position(|&b| b == b'L').expect("an L");
    changed[at] = b'M';
    std::fs::write(&path, &changed).expect("write");
    let e = refused(Backend::Sqlite, &dir).await;
    assert!(
        e.to_string().contains("articles.jsonl: checksum mismatch"),
        "{e}"
    );
    std::fs::write(&path, &original).expect("restore");

    let tags = std::fs::read(dir.join("tags.jsonl")).expect("read");
    std::fs::remove_file(dir.join("tags.jsonl")).expect("remove");
    let e = refused(Backend::Sqlite, &dir).await;
    assert_eq!(
        e.to_string(),
        "tags.jsonl: missing from the archive; nothing was written"
    );
    std::fs::write(dir.join("tags.jsonl"), tags).expect("restore");

    let manifest_path = dir.join("manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    std::fs::write(
        &manifest_path,
        manifest.replace("\"format_version\": 1", "\"format_version\": 2"),
    )
    .expect("write");
    let e = refused(Backend::Sqlite, &dir).await;
    assert!(
        e.to_string().contains("format version 2 is not supported"),
        "{e}"
    );
}

async fn a_bad_record_is_named_by_file_and_line(backend: Backend) {
    let work = tempfile::tempdir().expect("tmp");
    let dir = fresh_archive(work.path(), "a").await;
    // Line 3 of the revisions: everything before it (users, terms, articles, two
    // revisions) was written inside the transaction and must be rolled back.
    let path = dir.join("revisions.jsonl");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut bad: serde_json::Value = serde_json::from_str(&lines[2]).expect("json");
    bad["created_at"] = json!("yesterday");
    lines[2] = bad.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    reseal(&dir);
    let e = refused(backend, &dir).await;
    assert!(
        e.to_string().starts_with(
            "revisions.jsonl line 3, field `created_at`: \"yesterday\" is not an RFC 3339 time"
        ),
        "{backend:?}: {e}"
    );

    // A status the store does not know: refused by the database's check, still by line.
    std::fs::write(&path, &text).expect("restore");
    let path = dir.join("articles.jsonl");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen("\"status\":\"draft\"", "\"status\":\"archived\"", 1),
    )
    .expect("write");
    reseal(&dir);
    let e = refused(backend, &dir).await;
    assert!(
        matches!(&e, ArchiveError::Record { file, line: 2, .. } if file == "articles.jsonl"),
        "{backend:?}: {e}"
    );
}

#[tokio::test]
async fn a_bad_record_is_named_by_file_and_line_on_sqlite() {
    a_bad_record_is_named_by_file_and_line(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_bad_record_is_named_by_file_and_line_on_postgres() {
    if postgres_available() {
        a_bad_record_is_named_by_file_and_line(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn an_archive_is_imported_only_into_an_empty_store() {
    let work = tempfile::tempdir().expect("tmp");
    let dir = fresh_archive(work.path(), "a").await;
    let target = TestApp::spawn(Backend::Sqlite).await.expect("target");
    target
        .arrange_article(article("Already here", "A body."))
        .await
        .expect("arrange");
    let err = target
        .app
        .import_archive(&dir, &NoProgress)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Archive(ArchiveError::NotEmpty(m)) if m.contains("not empty")),
        "{err}"
    );
    assert_eq!(target.app.store().article_count().await.expect("count"), 1);
}
