//! The Ghost reader against a real Ghost 5.130 export and small exports written here.

use dateline_import::ghost::{GhostOptions, GhostReader};
use dateline_import::{
    BytesSource, FileSource, ImportError, ImportedPost, PostStatus, ReaderReport,
};

use crate::fixtures::{fixture, utc};

const SITE: &str = "https://ledger.example/";

fn read(
    source: &dyn dateline_import::Source,
    site_url: &str,
) -> Result<(Vec<ImportedPost>, ReaderReport), ImportError> {
    let mut reader = GhostReader::open(
        source,
        GhostOptions {
            site_url: site_url.into(),
        },
    )?;
    let posts = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((posts, reader.into_report()))
}

fn by_slug<'a>(posts: &'a [ImportedPost], slug: &str) -> &'a ImportedPost {
    posts
        .iter()
        .find(|p| p.slug.as_deref() == Some(slug))
        .unwrap_or_else(|| panic!("no post {slug}"))
}

#[test]
fn the_ghost_5_export_imports_every_post_and_skips_its_pages() {
    let Some(path) = fixture("ghost/ghost-5.130-export.json") else {
        return;
    };

    let (posts, report) = read(&FileSource::new(path), SITE).expect("the test input reads");

    assert_eq!(posts.len(), 23);
    assert_eq!(report.source_version.as_deref(), Some("5.130.6"));
    assert_eq!(report.items_by_kind["post"], 23);
    assert_eq!(report.items_by_kind["page"], 4);
    assert_eq!(report.imported_by_status["published"], 18);
    assert_eq!(report.imported_by_status["draft"], 3);
    assert_eq!(report.imported_by_status["scheduled"], 2);
    assert_eq!(report.skipped.len(), 4);
    assert!(report.skipped.iter().all(|s| s.kind == "page"));
    assert!(report
        .skipped
        .iter()
        .any(|s| s.title == "Corrections policy"));
    // Members-only and paid posts are imported, with a warning each.
    assert_eq!(report.warning_count, 2);
    let text = format!("{posts:?}");
    assert!(!text.contains("REDACTED"), "no password hashes");
    assert!(
        posts
            .iter()
            .flat_map(|p| &p.authors)
            .all(|a| !a.contains('@')),
        "no emails in bylines"
    );
}

#[test]
fn a_multi_author_post_with_feature_image_meta_and_ghost_url_placeholders() {
    let Some(path) = fixture("ghost/ghost-5.130-export.json") else {
        return;
    };
    let (posts, _) = read(&FileSource::new(path), SITE).expect("the test input reads");

    let p = by_slug(
        &posts,
        "council-approves-48m-harbour-flood-wall-after-two-year-delay",
    );

    assert_eq!(p.source_id, "6b07ffe65481d622db6f0cd4");
    assert_eq!(
        p.title,
        "Council approves £48m harbour flood wall after two-year delay"
    );
    assert_eq!(p.status, PostStatus::Published);
    assert_eq!(p.published_at, Some(utc(2026, 11, 24, 19, 30, 0)));
    assert_eq!(p.authors, ["Daniel Okoro", "Ines Marlowe"]);
    assert_eq!(p.section.as_deref(), Some("News"));
    assert_eq!(p.tags, ["Politics", "Climate"]);
    let lead = p.lead_image.as_ref().expect("the test input reads");
    assert_eq!(
        lead.url,
        "https://ledger.example/content/images/2026/11/inner-harbour-dusk.jpg"
    );
    assert_eq!(
        lead.alt.as_deref(),
        Some("Fishing boats moored in Port Alder's inner harbour at dusk")
    );
    assert!(lead
        .caption
        .as_deref()
        .expect("the test input reads")
        .contains("Photo: <a href=\"https://example.org/photographers/rhea-lund\">Rhea Lund</a>"));
    assert!(!p.body_html.contains("__GHOST_URL__"));
    assert!(p.body_html.contains(
        "<img src=\"https://ledger.example/content/images/2026/11/harbour-wall-render.jpg\""
    ));
    assert_eq!(
        p.old_urls,
        ["/council-approves-48m-harbour-flood-wall-after-two-year-delay/"]
    );
}

#[test]
fn statuses_visibility_internal_tags_and_non_ascii() {
    let Some(path) = fixture("ghost/ghost-5.130-export.json") else {
        return;
    };
    let (posts, _) = read(&FileSource::new(path), "").expect("the test input reads");

    let scheduled = by_slug(&posts, "new-year-new-fares-what-changes-on-1-january");
    assert_eq!(
        scheduled.status,
        PostStatus::Scheduled {
            at: utc(2026, 12, 31, 18, 0, 0)
        }
    );
    let draft = by_slug(&posts, "harbour-festival-line-up-announced");
    assert_eq!(
        (draft.status, draft.published_at),
        (PostStatus::Draft, None)
    );

    let members = by_slug(&posts, "inside-the-budget-what-the-spreadsheets-dont-say");
    assert!(members
        .visibility_note
        .as_deref()
        .expect("the test input reads")
        .contains("members"));
    let paid = by_slug(
        &posts,
        "investigation-the-missing-millions-in-the-ferry-contract",
    );
    assert!(paid
        .visibility_note
        .as_deref()
        .expect("the test input reads")
        .contains("paid"));
    assert_eq!(
        paid.authors,
        ["Daniel Okoro", "Zoë Ó Briain", "Ines Marlowe"]
    );

    assert!(
        posts
            .iter()
            .all(|p| p.tags.iter().chain(&p.section).all(|t| !t.starts_with('#'))),
        "internal tags never appear"
    );
    let cafe = by_slug(&posts, "cafe-zoes-reopens-on-skofja-street-ole");
    assert_eq!(cafe.title, "Café Zoë’s reopens on Škofja Street — ¡Olé! 🎉");
    assert_eq!(cafe.tags, ["Food & Drink"]);
    let specials = by_slug(
        &posts,
        "q-a-fares-fair-why-the-new-ticket-zones-arent-as-simple-as-they-look",
    );
    assert_eq!(
        specials.title,
        "Q&A: \"Fares < fair\"? Why the <new> ticket zones aren't as simple as they look"
    );

    // Without a site URL, placeholders become site-relative paths.
    let seals = by_slug(
        &posts,
        "scientists-tag-first-grey-seals-in-the-estuary-in-a-decade",
    );
    assert_eq!(
        seals.lead_image.as_ref().expect("the test input reads").url,
        "/content/images/2026/10/grey-seals-sandbank.jpg"
    );

    // The default "Coming soon" post has only mobiledoc and html: the html is used.
    let coming = by_slug(&posts, "coming-soon");
    assert!(
        coming
            .body_html
            .starts_with("<p>This is The Harbour Ledger"),
        "{}",
        coming.body_html
    );
}

#[test]
fn the_lexical_only_draft_is_rendered_from_lexical() {
    let Some(path) = fixture("ghost/ghost-5.130-export.json") else {
        return;
    };
    let (posts, _) = read(&FileSource::new(path), SITE).expect("the test input reads");

    let notes = by_slug(&posts, "notes-for-the-weekend-briefing");

    assert_eq!(notes.status, PostStatus::Draft);
    assert_eq!(
        notes.body_html, "<p></p>",
        "its lexical is one empty paragraph"
    );
    assert_eq!(notes.authors, ["Ines Marlowe"]);
}

#[test]
fn a_ghost_2_export_is_refused_naming_its_version() {
    let Some(path) = fixture("ghost/small-lexical-html.json") else {
        return;
    };

    let err = GhostReader::open(&FileSource::new(path), GhostOptions::default())
        .expect_err("the input is refused");

    assert_eq!(
        err,
        ImportError::UnsupportedVersion {
            version: "2.0.0".into()
        }
    );
    assert!(err.to_string().contains("2.0.0"));
}

/// A Ghost export written here: `posts` rows given, one user, two tags (one internal).
pub fn export(version: &str, posts: &str) -> String {
    format!(
        r##"{{"db":[{{"meta":{{"exported_on":1,"version":"{version}"}},"data":{{
"posts":[{posts}],
"users":[{{"id":"u1","name":"Ana Ruiz","email":"ana@example.com","password":"$2a$10$x"}}],
"tags":[{{"id":"t1","name":"World","slug":"world","visibility":"public"}},{{"id":"t2","name":"#feature","slug":"hash-feature","visibility":"internal"}}],
"posts_tags":[{{"id":"a","post_id":"p1","tag_id":"t2","sort_order":0}},{{"id":"b","post_id":"p1","tag_id":"t1","sort_order":1}}],
"posts_authors":[{{"id":"c","post_id":"p1","author_id":"u1","sort_order":0}}],
"posts_meta":[]}}}}]}}"##
    )
}

pub const MOBILEDOC_POST: &str = r#"{"id":"p1","title":"Old style","slug":"old-style","type":"post","status":"published","visibility":"public","published_at":"2021-05-01T10:00:00.000Z","updated_at":"2021-05-02T10:00:00.000Z","html":null,"lexical":null,"custom_excerpt":"Short.","feature_image":"__GHOST_URL__/content/images/a.jpg","mobiledoc":"{\"version\":\"0.3.1\",\"atoms\":[],\"cards\":[[\"image\",{\"src\":\"__GHOST_URL__/content/images/b.jpg\",\"caption\":\"B\"}]],\"markups\":[],\"sections\":[[1,\"p\",[[0,[],0,\"Hello\"]]],[10,0]]}"}"#;

#[test]
fn ghost_4_mobiledoc_bodies_are_rendered_and_internal_primary_tags_skipped() {
    let doc = export("4.48.2", MOBILEDOC_POST);

    let (posts, report) = read(&BytesSource::new(doc.into_bytes()), "https://x.example")
        .expect("the test input reads");

    assert_eq!(report.source_version.as_deref(), Some("4.48.2"));
    let p = &posts[0];
    assert_eq!(p.body_html, "<p>Hello</p><figure><img src=\"https://x.example/content/images/b.jpg\" alt=\"\"><figcaption>B</figcaption></figure>");
    assert_eq!(
        p.section.as_deref(),
        Some("World"),
        "the internal #feature tag comes first but is skipped"
    );
    assert!(p.tags.is_empty());
    assert_eq!(p.summary.as_deref(), Some("Short."));
    assert_eq!(p.modified_at, Some(utc(2021, 5, 2, 10, 0, 0)));
    assert_eq!(
        p.lead_image.as_ref().expect("the test input reads").url,
        "https://x.example/content/images/a.jpg"
    );

    // Ghost 6 has the same shape.
    assert!(read(
        &BytesSource::new(export("6.0.0", MOBILEDOC_POST).into_bytes()),
        ""
    )
    .is_ok());
}

#[test]
fn broken_ghost_files_fail_with_position_and_reason() {
    let open = |s: String| read(&BytesSource::new(s.into_bytes()), "");
    let good = export(
        "5.1.0",
        &format!(
            "{MOBILEDOC_POST},{}",
            MOBILEDOC_POST.replace("\"p1\"", "\"p2\"")
        ),
    );
    assert_eq!(open(good.clone()).expect("the test input reads").0.len(), 2);

    // Not JSON.
    assert!(matches!(
        open("<rss/>".into()),
        Err(ImportError::WrongFormat { .. })
    ));
    // Truncated inside the second post.
    let cut = good.rfind("Old style").expect("the test input reads");
    match open(good[..cut].to_owned()) {
        Err(ImportError::Malformed { at, reason }) => {
            assert_eq!(at.byte, cut as u64, "{reason}");
            assert!(reason.contains("truncated"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A post without a title, second of two: its record number.
    let untitled = good.replacen("\"title\":\"Old style\",", "", 2).replacen(
        "\"id\":\"p1\",",
        "\"id\":\"p1\",\"title\":\"T\",",
        1,
    );
    match open(untitled) {
        Err(ImportError::Invalid {
            at,
            field,
            source_id,
            ..
        }) => {
            assert_eq!(
                (at.record, field, source_id.as_deref()),
                (Some(2), "title", Some("p2"))
            );
        }
        other => panic!("{other:?}"),
    }
    // Another version.
    assert_eq!(
        open(export("3.42.0", MOBILEDOC_POST)).expect_err("the input is refused"),
        ImportError::UnsupportedVersion {
            version: "3.42.0".into()
        }
    );
    // A post that is not an object.
    assert!(
        matches!(open(export("5.0.0", "42")), Err(ImportError::Malformed { at, .. }) if at.record == Some(1))
    );
    // No db.
    assert!(matches!(
        open("{\"posts\": []}".into()),
        Err(ImportError::WrongFormat { .. })
    ));
}
