//! WordPress (WXR) and Ghost exports imported end to end on every backend: counts, articles
//! field by field through the public API of a second node, old addresses answering 301 over
//! HTTP, a re-import that changes nothing, a dry run and broken files that write nothing.

use std::path::PathBuf;

use dateline_app::import::{FileFormat, FileImport, ImportSummary, NoProgress};
use dateline_testkit::{backends, TestApp};
use serde_json::Value;

/// A shared fixture, or `None` with the reason printed (a failure under `CI=true`).
fn fixture(name: &str) -> Option<PathBuf> {
    let path = dateline_testkit::shared::fixture(name)?;
    if path.is_file() {
        Some(path)
    } else {
        dateline_testkit::missing_prerequisite(&format!("fixture {} not found", path.display()));
        None
    }
}

const WXR: &str = "wordpress/themeunittestdata.wordpress.xml";
const GHOST: &str = "ghost/ghost-5.130-export.json";

async fn import(
    t: &TestApp,
    format: FileFormat,
    path: &std::path::Path,
    dry_run: bool,
) -> dateline_app::Result<ImportSummary> {
    let options = FileImport {
        dry_run,
        site_url: Some("https://ghost.example".into()),
        ..FileImport::default()
    };
    t.app.import_file(format, path, &options, &NoProgress).await
}

/// Every article in the store, any status.
async fn stored(t: &TestApp) -> usize {
    t.app
        .store()
        .articles_after(None, 10_000)
        .await
        .expect("articles")
        .len()
}

async fn redirect(t: &TestApp, path: &str) -> (u16, Option<String>) {
    let r = t.get(path).await.expect("request");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (r.status().as_u16(), location)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_wordpress_fixture_imports_with_its_old_addresses_on_every_node() {
    let Some(file) = fixture(WXR) else { return };
    for backend in backends() {
        let a = TestApp::spawn(backend).await.expect("app");
        let s = import(&a, FileFormat::Wxr, &file, false)
            .await
            .expect("import");
        assert_eq!(
            (s.articles.created, s.articles.updated, s.articles.unchanged),
            (58, 0, 0),
            "{backend:?}"
        );
        assert_eq!(s.articles.old_urls, 90, "{backend:?}");
        let src = s.source.as_ref().expect("reader report");
        assert_eq!(src.items_by_kind.get("post"), Some(&58));
        assert_eq!(src.items_by_kind.get("page"), Some(&21));
        assert_eq!(src.imported_by_status.get("published"), Some(&56));
        assert_eq!(src.imported_by_status.get("scheduled"), Some(&1));
        assert_eq!(src.imported_by_status.get("draft"), Some(&1));
        assert_eq!(src.skipped_total(), 37 + 33 + 70 + 21);
        assert_eq!(src.shortcodes_converted.get("caption"), Some(&7));
        assert_eq!(src.shortcodes_unknown.get("simple"), Some(&1));
        let mapping = s.mapping.as_ref().expect("mapping");
        assert_eq!(
            mapping.held_back_as_drafts, 1,
            "the password-protected post"
        );
        assert_eq!(stored(&a).await, 58);

        // Field by field, read by a second node through the public API.
        let b = a.another_node().await.expect("second node");
        let wind = b
            .get_json("/api/v1/articles/theme-block-category", 200)
            .await
            .expect("article");
        assert_eq!(wind["title"], "WP 6.1 Theme block category");
        assert_eq!(wind["external_id"], "wordpress:51");
        assert_eq!(wind["section_name"], "6.1");
        assert_eq!(strings(&wind["tags"]), ["Block"]);
        assert_eq!(strings(&wind["authors"]), ["Theme Reviewer"]);
        assert_eq!(wind["published_at"], "2023-01-13T18:38:05Z");
        assert_eq!(
            wind["lead_image"]["url"],
            "https://wpthemetestdata.files.wordpress.com/2008/06/dsc20050102_192118_51.jpg"
        );
        assert_eq!(wind["lead_image"]["alt"], "Wind Farm");
        assert_eq!(
            wind["lead_image"]["caption"],
            "Albany wind-farm against the sunset, Western Australia"
        );
        let page = b
            .get("/articles/theme-block-category")
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(page.contains(r#"alt="Wind Farm""#), "the page's <img alt>");

        let markup = b
            .get_json("/api/v1/articles/markup-title-with-markup", 200)
            .await
            .expect("article");
        assert_eq!(
            markup["title"], "Markup: Title With Markup",
            "titles are plain text"
        );
        let caption = b
            .get_json("/api/v1/articles/post-format-image-caption", 200)
            .await
            .expect("article");
        let body = caption["body_html"].as_str().unwrap_or_default();
        assert!(
            body.contains("<figure") && body.contains("<figcaption"),
            "[caption] became a figure: {body}"
        );
        assert!(!body.contains("[caption"), "{body}");

        // Not public: the draft, the scheduled post (2030), the password-protected post.
        for slug in ["draft", "scheduled", "template-password-protected"] {
            b.get_json(&format!("/api/v1/articles/{slug}"), 404)
                .await
                .expect(slug);
        }
        let scheduled = a
            .app
            .store()
            .articles_after(None, 10_000)
            .await
            .expect("articles")
            .into_iter()
            .find(|x| x.external_id.as_deref() == Some("wordpress:1153"))
            .expect("scheduled article");
        assert_eq!(scheduled.status, dateline_core::Status::Scheduled);
        assert_eq!(
            scheduled.published_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2030-01-01T19:00:18+00:00"),
            "a scheduled post keeps its time"
        );

        // Old addresses: 301 to the new page on both nodes, and the page is there.
        for node in [&a, &b] {
            assert_eq!(
                redirect(node, "/2012/01/07/template-sticky/").await,
                (301, Some("/articles/template-sticky".into())),
                "{backend:?}"
            );
            assert_eq!(
                redirect(node, "/2013/01/10/markup-image-alignment").await,
                (301, Some("/articles/markup-image-alignment".into())),
                "{backend:?}"
            );
        }
        let followed = reqwest::get(b.url("/2012/01/07/template-sticky/"))
            .await
            .expect("follow");
        assert_eq!(followed.status().as_u16(), 200);
        assert!(followed
            .text()
            .await
            .expect("page")
            .contains("Template: Sticky"));

        // A second run finds every article as it is.
        let again = import(&a, FileFormat::Wxr, &file, false)
            .await
            .expect("again");
        assert_eq!(
            (
                again.articles.created,
                again.articles.updated,
                again.articles.unchanged
            ),
            (0, 0, 58),
            "{backend:?}"
        );
        assert_eq!(stored(&a).await, 58);
    }
}

#[tokio::test]
async fn the_ghost_fixture_imports_authors_in_order_and_holds_back_members_posts() {
    let Some(file) = fixture(GHOST) else { return };
    for backend in backends() {
        let a = TestApp::spawn(backend).await.expect("app");
        let s = import(&a, FileFormat::Ghost, &file, false)
            .await
            .expect("import");
        assert_eq!(s.articles.created, 23, "{backend:?}");
        assert_eq!(s.articles.old_urls, 23);
        let src = s.source.as_ref().expect("reader report");
        assert_eq!(src.items_by_kind.get("page"), Some(&4));
        assert_eq!(src.imported_by_status.get("published"), Some(&18));
        assert_eq!(src.imported_by_status.get("scheduled"), Some(&2));
        assert_eq!(src.imported_by_status.get("draft"), Some(&3));
        assert_eq!(
            s.mapping.as_ref().map(|m| m.held_back_as_drafts),
            Some(2),
            "members-only and paid posts stay drafts"
        );

        let b = a.another_node().await.expect("second node");
        let slug = "council-approves-48m-harbour-flood-wall-after-two-year-delay";
        let council = b
            .get_json(&format!("/api/v1/articles/{slug}"), 200)
            .await
            .expect("article");
        assert_eq!(
            council["title"],
            "Council approves £48m harbour flood wall after two-year delay"
        );
        assert_eq!(council["external_id"], "ghost:6b07ffe65481d622db6f0cd4");
        assert_eq!(
            strings(&council["authors"]),
            ["Daniel Okoro", "Ines Marlowe"]
        );
        assert_eq!(council["section_name"], "News");
        assert_eq!(strings(&council["tags"]), ["Politics", "Climate"]);
        assert_eq!(council["published_at"], "2026-11-24T19:30:00Z");
        assert_eq!(
            council["lead_image"]["url"],
            "https://ghost.example/content/images/2026/11/inner-harbour-dusk.jpg",
            "__GHOST_URL__ resolved"
        );
        assert_eq!(
            council["lead_image"]["alt"],
            "Fishing boats moored in Port Alder's inner harbour at dusk"
        );
        assert!(!council["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("__GHOST_URL__"));

        // Only what was public to everyone on Ghost is public here.
        let list = b
            .get_json("/api/v1/articles?limit=50", 200)
            .await
            .expect("list");
        let now = chrono::Utc::now();
        let due_scheduled = ["2026-12-31T18:00:00Z", "2027-01-02T08:00:00Z"]
            .iter()
            .filter(|t| {
                t.parse::<chrono::DateTime<chrono::Utc>>()
                    .is_ok_and(|t| t <= now)
            })
            .count();
        let items = list["items"].as_array().map_or(0, Vec::len);
        assert!(
            items == 16 || items == 16 + due_scheduled,
            "18 published less 2 members-only: {items}"
        );
        b.get_json(
            "/api/v1/articles/inside-the-budget-what-the-spreadsheets-dont-say",
            404,
        )
        .await
        .expect("a draft stays unseen");

        assert_eq!(
            redirect(&b, &format!("/{slug}/")).await,
            (301, Some(format!("/articles/{slug}"))),
            "{backend:?}"
        );

        let again = import(&a, FileFormat::Ghost, &file, false)
            .await
            .expect("again");
        assert_eq!(
            (again.articles.created, again.articles.updated),
            (0, 0),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_dry_run_reads_everything_and_writes_nothing() {
    let Some(file) = fixture(WXR) else { return };
    for backend in backends() {
        let a = TestApp::spawn(backend).await.expect("app");
        let s = import(&a, FileFormat::Wxr, &file, true)
            .await
            .expect("dry run");
        assert!(s.dry_run);
        assert_eq!(s.articles.created, 58, "what a real run would do");
        assert_eq!(stored(&a).await, 0, "{backend:?}: nothing written");
        assert_eq!(
            redirect(&a, "/2012/01/07/template-sticky/").await.0,
            404,
            "no old address kept"
        );
    }
}

#[tokio::test]
async fn broken_exports_fail_with_their_position_and_write_nothing() {
    let (Some(wxr), Some(old_ghost)) = (fixture(WXR), fixture("ghost/small-lexical-html.json"))
    else {
        return;
    };
    let text = std::fs::read_to_string(&wxr).expect("fixture");
    let work = tempfile::tempdir().expect("tmp");
    let truncated = work.path().join("truncated.xml");
    std::fs::write(&truncated, &text[..text.len() * 3 / 5]).expect("write");
    // The first post loses its <title> element.
    let untitled = work.path().join("untitled.xml");
    let post = text
        .find("<wp:post_type><![CDATA[post]]></wp:post_type>")
        .expect("a post");
    let item = text[..post].rfind("<item>").expect("its item");
    let title_start = item + text[item..].find("<title>").expect("title");
    let title_end = item + text[item..].find("</title>").expect("title end") + "</title>".len();
    std::fs::write(
        &untitled,
        format!("{}{}", &text[..title_start], &text[title_end..]),
    )
    .expect("write");
    for backend in backends() {
        let a = TestApp::spawn(backend).await.expect("app");
        let cases = [
            (FileFormat::Wxr, &truncated, "byte"),
            (FileFormat::Wxr, &untitled, "record"),
            (FileFormat::Ghost, &old_ghost, "version 2.0.0"),
        ];
        for (format, file, says) in cases {
            let err = import(&a, format, file, false)
                .await
                .expect_err("refused")
                .to_string();
            assert!(err.contains("nothing was written"), "{err}");
            assert!(err.contains(says), "{backend:?} {}: {err}", file.display());
            assert_eq!(stored(&a).await, 0, "{backend:?}: {err}");
        }
    }
}

/// Every file of an archive directory with its bytes, in name order.
fn archive_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("archive dir")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = std::fs::read(e.path()).expect("archive file");
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// How a newsroom moves in and up: a WordPress or Ghost export imported on SQLite, archived,
/// the archive imported into an empty PostgreSQL store and archived again — the two
/// archives hold the same bytes, and the PostgreSQL site answers the old addresses and
/// serves the articles.
#[tokio::test]
async fn an_imported_site_moves_to_postgres_through_the_archive_unchanged() {
    let (Some(wxr), Some(ghost)) = (fixture(WXR), fixture(GHOST)) else {
        return;
    };
    if !backends().contains(&dateline_app::Backend::Postgres) {
        return;
    }
    for (format, file, old_path, new_path) in [
        (
            FileFormat::Wxr,
            wxr,
            "/2012/01/07/template-sticky/",
            "/articles/template-sticky",
        ),
        (FileFormat::Ghost, ghost, "", ""),
    ] {
        let work = tempfile::tempdir().expect("tmp");
        let (first, second) = (work.path().join("first"), work.path().join("second"));
        let source = TestApp::spawn(dateline_app::Backend::Sqlite)
            .await
            .expect("sqlite");
        let summary = import(&source, format, &file, false).await.expect("import");
        assert!(summary.articles.created > 20, "{format:?}: {summary:?}");
        source
            .app
            .export_archive(&first, false, &NoProgress)
            .await
            .expect("export from SQLite");

        let target = TestApp::spawn(dateline_app::Backend::Postgres)
            .await
            .expect("postgres");
        target
            .app
            .import_archive(&first, &NoProgress)
            .await
            .expect("archive into PostgreSQL");
        target
            .app
            .rebuild_discovery(&NoProgress)
            .await
            .expect("reindex");
        target
            .app
            .export_archive(&second, false, &NoProgress)
            .await
            .expect("export from PostgreSQL");
        let (a, b) = (archive_files(&first), archive_files(&second));
        assert_eq!(
            a.iter().map(|f| &f.0).collect::<Vec<_>>(),
            b.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "{format:?}"
        );
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                x == y,
                "{format:?}: {name} differs after SQLite → PostgreSQL"
            );
        }
        assert_eq!(stored(&target).await, stored(&source).await, "{format:?}");

        // The PostgreSQL site: the same public articles, by a public listing on both.
        let public = |t: &TestApp| {
            let url = t.url("/api/v1/articles?limit=100");
            async move {
                let list: Value = reqwest::get(url)
                    .await
                    .expect("list")
                    .json()
                    .await
                    .expect("json");
                let mut slugs: Vec<String> = list["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter_map(|i| i["slug"].as_str().map(str::to_owned))
                    .collect();
                slugs.sort();
                slugs
            }
        };
        let (before, after) = (public(&source).await, public(&target).await);
        assert!(!after.is_empty(), "{format:?}");
        assert_eq!(before, after, "{format:?}");
        if !old_path.is_empty() {
            assert_eq!(
                redirect(&target, old_path).await,
                (301, Some(new_path.to_owned())),
                "{format:?}"
            );
        }
    }
}
