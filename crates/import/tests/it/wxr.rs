//! The WXR reader against WordPress's theme test data, TryGhost's edge cases and small
//! exports written here.

use std::io::Write;

use dateline_import::wxr::{WxrOptions, WxrReader};
use dateline_import::{BytesSource, FileSource, ImportError, PostStatus};

use crate::fixtures::{fixture, post, read_wxr, utc};

fn count(map: &std::collections::BTreeMap<String, usize>, key: &str) -> usize {
    map.get(key).copied().unwrap_or(0)
}

#[test]
fn theme_unit_test_data_imports_every_post_and_reports_everything_else() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };

    let (posts, report) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    assert_eq!(posts.len(), 58);
    assert_eq!(report.source_version.as_deref(), Some("1.2"));
    let kinds: Vec<(&str, usize)> = report
        .items_by_kind
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        kinds,
        [
            ("attachment", 37),
            ("comment", 33),
            ("nav_menu_item", 70),
            ("page", 21),
            ("post", 58)
        ]
    );
    assert_eq!(report.imported_by_status.get("published"), Some(&56));
    assert_eq!(report.imported_by_status.get("draft"), Some(&1));
    assert_eq!(report.imported_by_status.get("scheduled"), Some(&1));
    assert_eq!(report.skipped_total(), 37 + 33 + 70 + 21);
    assert_eq!(
        report.skipped.len(),
        37 + 70 + 21,
        "comments are counted, not listed"
    );
    assert!(report
        .skipped
        .iter()
        .any(|s| s.kind == "page" && s.title == "About The Tests"));
    assert_eq!(count(&report.shortcodes_converted, "caption"), 7);
    assert_eq!(count(&report.shortcodes_converted, "gallery"), 12);
    assert_eq!(count(&report.shortcodes_converted, "audio"), 1);
    assert_eq!(
        report.shortcodes_unknown.iter().collect::<Vec<_>>(),
        [(&"simple".to_owned(), &1)]
    );
}

#[test]
fn a_classic_post_gets_paragraphs_its_byline_section_tags_dates_and_old_urls() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    let p = post(&posts, "358");

    assert_eq!(p.title, "Post Format: Standard");
    assert_eq!(p.slug.as_deref(), Some("post-format-standard"));
    assert_eq!(p.status, PostStatus::Published);
    assert_eq!(p.published_at, Some(utc(2010, 10, 5, 7, 27, 25)));
    assert_eq!(p.authors, ["Theme Buster"]);
    assert_eq!(p.section.as_deref(), Some("Classic"));
    assert_eq!(p.tags, ["Post Formats", "readability", "standard"]);
    assert_eq!(p.old_urls, ["/2010/10/05/post-format-standard/", "/?p=358"]);
    assert!(
        p.body_html
            .starts_with("<p>All children, except one, grow up."),
        "{}",
        &p.body_html[..80]
    );
    assert!(
        !p.body_html.contains("\n\n"),
        "wpautop leaves no blank lines"
    );
}

#[test]
fn captions_galleries_audio_and_bare_urls_become_html() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    let caption = post(&posts, "1163");
    assert!(caption.body_html.contains(
        "<figure class=\"wp-caption\"><a href=\"https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg\"><img class=\"wp-image-754 size-large\""
    ), "{}", caption.body_html);
    assert!(caption
        .body_html
        .contains("<figcaption>Bell on wharf in San Francisco</figcaption>"));
    assert!(!caption.body_html.contains("[caption"));
    let lead = caption.lead_image.as_ref().expect("the test input reads");
    assert_eq!(
        lead.url,
        "https://wpthemetestdata.files.wordpress.com/2010/08/triforce-wallpaper.jpg"
    );
    assert_eq!(
        lead.caption.as_deref(),
        Some("It’s dangerous to go alone! Take this.")
    );

    // `[gallery]` without ids: the images attached to the post, from attachments that
    // come later in the file than the post.
    let gallery = post(&posts, "555");
    assert!(
        gallery.body_html.starts_with("<ul class=\"gallery\">"),
        "{}",
        &gallery.body_html[..200]
    );
    assert!(gallery.body_html.contains("<img src=\"https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg\" alt=\"canola\">"));

    let audio = post(&posts, "587");
    assert!(audio.body_html.contains("<audio controls src=\"https://wpthemetestdata.files.wordpress.com/2008/06/originaldixielandjazzbandwithalbernard-stlouisblues.mp3\"></audio>"), "{}", audio.body_html);

    let youtube = post(&posts, "1161");
    assert!(
        youtube
            .body_html
            .starts_with("<p><a href=\"https://www.youtube.com/watch?v=SQEQr7c0-dw\">"),
        "{}",
        youtube.body_html
    );
}

#[test]
fn block_posts_lose_their_block_comments_and_keep_their_markup() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    let p = post(&posts, "1752");

    assert_eq!(p.title, "Block: Gallery");
    assert!(!p.body_html.contains("<!-- wp:"), "block comments stripped");
    assert!(!p.body_html.contains("<!-- /wp:"));
    assert!(
        p.body_html
            .starts_with("<p>Gallery blocks have two settings"),
        "{}",
        &p.body_html[..100]
    );
    assert!(p.body_html.contains("<figure class=\"wp-block-gallery"));
    assert_eq!(
        p.lead_image
            .as_ref()
            .expect("the test input reads")
            .alt
            .as_deref(),
        Some("Boat Barco Texture")
    );
    assert_eq!(p.section.as_deref(), Some("Block"));
    // A stray `>` before the login in the fixture does not reach the byline.
    assert_eq!(post(&posts, "1730").authors, ["Theme Reviewer"]);
}

#[test]
fn drafts_scheduled_untitled_and_protected_posts() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let (posts, report) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    let scheduled = post(&posts, "1153");
    let at = utc(2030, 1, 1, 19, 0, 18);
    assert_eq!(scheduled.status, PostStatus::Scheduled { at });

    // The draft has no GMT date: its local date is read in the offset the other posts
    // show (UTC−7), and its only old URL is its `?p=` link.
    let draft = post(&posts, "1164");
    assert_eq!(draft.status, PostStatus::Draft);
    assert_eq!(draft.slug, None);
    assert_eq!(draft.old_urls, ["/?p=1164"]);
    assert_eq!(draft.published_at, Some(utc(2013, 4, 9, 18, 20, 39)));
    assert!(report
        .warnings
        .iter()
        .any(|w| w.position == 0 && w.message.contains("UTC-07:00")));

    let untitled = post(&posts, "1169");
    assert_eq!(untitled.title, "Edge case no title");
    assert!(report
        .warnings
        .iter()
        .any(|w| w.source_id.as_deref() == Some("1169") && w.message.contains("untitled")));

    let protected = post(&posts, "1168");
    assert_eq!(
        protected.visibility_note.as_deref(),
        Some("password-protected on WordPress")
    );
    assert!(
        !format!("{protected:?}").contains("enter\"") || protected.title.contains("enter"),
        "the password field is never copied"
    );

    // Guids that name another post's `?p=` are not this post's old URL.
    assert!(!post(&posts, "1158").old_urls.iter().any(|u| u == "/?p=568"));
}

#[test]
fn co_authors_plus_bylines_keep_their_order_without_duplicates() {
    let Some(path) = fixture("wordpress/edge-cases/co-authors-plus.xml") else {
        return;
    };

    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    let bylines: Vec<Vec<String>> = posts.iter().map(|p| p.authors.clone()).collect();
    assert_eq!(
        bylines,
        [
            vec!["Alice Smith", "Bob Jones"],
            vec!["Alice Smith", "Bob Jones", "Carol White"],
            vec!["Bob Jones"],
            vec!["Alice Smith", "Bob Jones"],
        ]
    );
    assert_eq!(posts[0].tags, ["Collaboration"]);
    assert_eq!(posts[0].old_urls, ["/multi-author-post"]);
}

#[test]
fn feature_images_take_alt_and_caption_from_their_attachment_and_emails_never_become_bylines() {
    let Some(path) = fixture("wordpress/edge-cases/feature-image-captions.xml") else {
        return;
    };

    let (posts, report) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    assert_eq!(posts.len(), 3);
    let described = post(&posts, "20");
    let lead = described.lead_image.as_ref().expect("the test input reads");
    assert_eq!(
        lead.url,
        "https://example.com/wp-content/uploads/2013/06/described-image.jpg"
    );
    assert_eq!(
        lead.caption.as_deref(),
        Some("The caption from the attachment description.")
    );
    assert_eq!(
        post(&posts, "21")
            .lead_image
            .as_ref()
            .expect("the test input reads")
            .caption,
        None
    );
    assert_eq!(post(&posts, "22").lead_image, None);
    assert!(
        described.authors.is_empty(),
        "hermione@example.com is not a byline"
    );
    assert!(report.warnings.iter().any(|w| w.message.contains("email")));
    assert_eq!(described.old_urls, ["/blog/post-with-described-image.html"]);
    // No wp:post_date at all: the RSS pubDate, which has its zone.
    assert_eq!(described.published_at, Some(utc(2013, 6, 7, 3, 0, 44)));

    let Some(path) = fixture("wordpress/edge-cases/sample-with-alt.xml") else {
        return;
    };
    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");
    let lead = posts[0].lead_image.as_ref().expect("the test input reads");
    assert_eq!(
        lead.alt.as_deref(),
        Some("Sunset over mountains with orange and pink sky")
    );
}

#[test]
fn pages_and_custom_post_types_are_skipped_with_reasons() {
    let Some(path) = fixture("wordpress/edge-cases/sample-no-slug.xml") else {
        return;
    };

    let (posts, report) = read_wxr(&FileSource::new(path)).expect("the test input reads");

    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|p| p.slug.is_none()));
    assert_eq!(
        report.skipped_counts["customcpt"]["custom post types are not imported"],
        1
    );
    assert_eq!(report.skipped_counts["page"].values().sum::<usize>(), 1);
    assert_eq!(
        report.skipped_counts["attachment"].values().sum::<usize>(),
        1
    );
    assert_eq!(posts[0].section.as_deref(), Some("Company News"));
    assert_eq!(posts[0].tags, ["Programming"]);

    let Some(path) = fixture("wordpress/edge-cases/has-meta.xml") else {
        return;
    };
    let (posts, report) = read_wxr(&FileSource::new(path)).expect("the test input reads");
    assert!(posts.is_empty());
    assert_eq!(report.skipped[0].kind, "enmse_message");
}

#[test]
fn every_edge_case_and_the_preview_export_read_without_error() {
    for name in [
        "theme-preview.xml",
        "edge-cases/co-authors-plus.xml",
        "edge-cases/feature-image-captions.xml",
        "edge-cases/has-meta.xml",
        "edge-cases/has-yoast-meta.xml",
        "edge-cases/sample-no-slug.xml",
        "edge-cases/sample-with-alt.xml",
        "edge-cases/sample.xml",
    ] {
        let Some(path) = fixture(&format!("wordpress/{name}")) else {
            return;
        };
        let (posts, report) =
            read_wxr(&FileSource::new(path)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let imported: usize = report.imported_by_status.values().sum();
        assert_eq!(imported, posts.len(), "{name}");
    }
    let Some(path) = fixture("wordpress/edge-cases/has-yoast-meta.xml") else {
        return;
    };
    let (posts, _) = read_wxr(&FileSource::new(path)).expect("the test input reads");
    assert_eq!(posts[0].modified_at, Some(utc(2022, 5, 9, 12, 20, 14)));
    assert_eq!(posts[0].old_urls, ["/my-sample-post/", "/?p=100"]);
}

#[test]
fn a_gzip_export_reads_the_same_as_the_plain_one() {
    let Some(path) = fixture("wordpress/theme-preview.xml") else {
        return;
    };
    let plain = std::fs::read(&path).expect("the test input reads");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&plain).expect("the test input reads");
    let gz = gz.finish().expect("the test input reads");

    let (from_plain, _) = read_wxr_bytes(plain);
    let (from_gzip, _) = read_wxr_bytes(gz);

    assert_eq!(from_plain.len(), 7);
    assert_eq!(from_plain, from_gzip);
}

fn read_wxr_bytes(
    bytes: Vec<u8>,
) -> (
    Vec<dateline_import::ImportedPost>,
    dateline_import::ReaderReport,
) {
    let mut reader = WxrReader::open(&BytesSource::new(bytes), WxrOptions::default())
        .expect("the test input reads");
    let posts = reader
        .by_ref()
        .collect::<Result<Vec<_>, _>>()
        .expect("the test input reads");
    (posts, reader.into_report())
}

/// A small export written here, with the features the fixtures lack.
pub fn synthetic(items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/">
<channel>
<title>Gazette</title>
<link>https://gazette.example</link>
<wp:wxr_version>1.1</wp:wxr_version>
<wp:author><wp:author_login>ed</wp:author_login><wp:author_email>ed@gazette.example</wp:author_email><wp:author_display_name><![CDATA[Ed Ito]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>world</wp:category_nicename><wp:cat_name><![CDATA[World]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>6</wp:term_id><wp:category_nicename>sport</wp:category_nicename><wp:cat_name><![CDATA[Sport &amp; Games]]></wp:cat_name></wp:category>
{items}
</channel>
</rss>
"#
    )
}

pub fn item(id: u32, title: &str, status: &str, extra: &str) -> String {
    format!(
        r#"<item>
<title>{title}</title>
<link>https://gazette.example/news/post-{id}/</link>
<guid isPermaLink="false">https://gazette.example/?p={id}</guid>
<dc:creator><![CDATA[ed]]></dc:creator>
<content:encoded><![CDATA[First line
second line

[contact-form-7 id="1"] and [video src="https://gazette.example/v.mp4"][/video]]]></content:encoded>
<excerpt:encoded><![CDATA[The gist.]]></excerpt:encoded>
<wp:post_id>{id}</wp:post_id>
<wp:post_date>2024-03-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2024-03-01 09:00:00</wp:post_date_gmt>
<wp:post_name>post-{id}</wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_type>post</wp:post_type>
<category domain="category" nicename="world"><![CDATA[World]]></category>
<category domain="category" nicename="sport"><![CDATA[Sport &amp; Games]]></category>
{extra}
</item>"#
    )
}

#[test]
fn wxr_1_1_with_yoast_primary_category_statuses_and_shortcodes() {
    let yoast = "<wp:postmeta><wp:meta_key>_yoast_wpseo_primary_category</wp:meta_key><wp:meta_value>6</wp:meta_value></wp:postmeta>";
    let doc = synthetic(
        &[
            item(1, "Published", "publish", yoast),
            item(2, "Pending", "pending", ""),
            item(3, "Private", "private", ""),
            item(4, "Binned", "trash", ""),
            item(
                5,
                "Future",
                "future",
                "<wp:comment><wp:comment_id>1</wp:comment_id></wp:comment>",
            ),
        ]
        .join("\n"),
    );

    let (posts, report) = read_wxr_bytes(doc.into_bytes());

    assert_eq!(posts.len(), 4);
    let p = &posts[0];
    assert_eq!(
        p.section.as_deref(),
        Some("Sport & Games"),
        "Yoast's primary category wins"
    );
    assert_eq!(p.tags, ["World"]);
    assert_eq!(p.authors, ["Ed Ito"]);
    assert_eq!(p.summary.as_deref(), Some("The gist."));
    assert_eq!(p.body_html, "<p>First line<br />\nsecond line</p>\n<p>[contact-form-7 id=\"1\"] and</p>\n<video controls src=\"https://gazette.example/v.mp4\"></video>\n");
    assert_eq!(p.old_urls, ["/news/post-1/", "/?p=1"]);
    assert_eq!(posts[1].status, PostStatus::Draft);
    assert_eq!(posts[2].status, PostStatus::Draft);
    assert!(posts[2]
        .visibility_note
        .as_deref()
        .expect("the test input reads")
        .contains("private"));
    assert_eq!(
        posts[3].status,
        PostStatus::Scheduled {
            at: utc(2024, 3, 1, 9, 0, 0)
        }
    );
    assert_eq!(
        report.skipped_counts["post"]["in the trash on WordPress"],
        1
    );
    assert_eq!(report.items_by_kind["comment"], 1);
    assert_eq!(
        report.shortcodes_unknown["contact-form-7"], 4,
        "bodies of imported posts only"
    );
    assert_eq!(report.shortcodes_converted["video"], 4);
}

#[test]
fn a_post_without_a_title_element_fails_with_its_position() {
    let doc = synthetic(
        &[
            item(1, "Fine", "publish", ""),
            item(2, "x", "publish", "").replace("<title>x</title>", ""),
        ]
        .join("\n"),
    );

    let mut reader = WxrReader::open(&BytesSource::new(doc.into_bytes()), WxrOptions::default())
        .expect("the test input reads");
    let results: Vec<_> = reader.by_ref().collect();

    assert!(results[0].is_ok());
    match &results[1] {
        Err(ImportError::Invalid {
            at,
            source_id,
            field,
            ..
        }) => {
            assert_eq!(at.record, Some(2));
            assert!(at.byte > 0);
            assert_eq!(source_id.as_deref(), Some("2"));
            assert_eq!(*field, "title");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(results.len(), 2, "nothing after the error");
}

#[test]
fn broken_files_fail_at_open_with_position_and_reason() {
    let good =
        synthetic(&[item(1, "One", "publish", ""), item(2, "Two", "publish", "")].join("\n"));
    let open = |bytes: Vec<u8>| {
        WxrReader::open(&BytesSource::new(bytes), WxrOptions::default()).map(|_| ())
    };

    // Truncated in the middle of the second item.
    let cut = good.find("<title>Two").expect("the test input reads") + 20;
    match open(good.as_bytes()[..cut].to_vec()) {
        Err(ImportError::Malformed { at, reason }) => {
            assert_eq!(at.record, Some(2), "{reason}");
            assert!(at.byte > 0 && at.byte <= cut as u64, "{at:?}");
        }
        other => panic!("{other:?}"),
    }

    // Invalid UTF-8 inside a body.
    let mut bad = good.clone().into_bytes();
    let at = good.find("second line").expect("the test input reads");
    bad[at] = 0xff;
    match open(bad) {
        Err(ImportError::Malformed { at, reason }) => {
            assert!(reason.contains("UTF-8"), "{reason}");
            assert_eq!(at.record, Some(1));
        }
        other => panic!("{other:?}"),
    }

    // Another encoding declared.
    let latin = good.replacen("UTF-8", "ISO-8859-1", 1);
    let r = open(latin.into_bytes());
    assert!(
        matches!(&r, Err(ImportError::Malformed { reason, .. }) if reason.contains("iso-8859-1")),
        "{r:?}"
    );

    // Not WXR at all.
    assert!(matches!(
        open(b"{\"db\": []}".to_vec()),
        Err(ImportError::Malformed { .. } | ImportError::WrongFormat { .. })
    ));
    assert!(matches!(
        open(b"<html><body/></html>".to_vec()),
        Err(ImportError::WrongFormat { .. })
    ));
    assert!(matches!(
        open(Vec::new()),
        Err(ImportError::WrongFormat { .. })
    ));

    // Mismatched end tag.
    let wrong = good.replacen("</wp:post_name>", "</wp:post_nam>", 1);
    assert!(
        matches!(open(wrong.into_bytes()), Err(ImportError::Malformed { at, .. }) if at.record == Some(1))
    );
}

#[test]
fn drafts_without_a_gmt_date_use_the_given_offset_else_utc_with_a_warning() {
    let draft = |extra: &str| {
        item(7, "Draft", "draft", extra).replace(
            "<wp:post_date_gmt>2024-03-01 09:00:00</wp:post_date_gmt>",
            "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>",
        )
    };
    let doc = synthetic(&draft("")).into_bytes();

    let offset = chrono::FixedOffset::east_opt(2 * 3600).expect("a valid offset");
    let options = WxrOptions {
        site_utc_offset: Some(offset),
    };
    let mut reader =
        WxrReader::open(&BytesSource::new(doc.clone()), options).expect("the test input reads");
    let post = reader
        .next()
        .expect("one post")
        .expect("the test input reads");
    assert_eq!(
        post.published_at,
        Some(utc(2024, 3, 1, 8, 0, 0)),
        "10:00 at UTC+2"
    );

    // No offset given and no post to learn one from: UTC, and the report says so.
    let (posts, report) = read_wxr_bytes(doc);
    assert_eq!(posts[0].published_at, Some(utc(2024, 3, 1, 10, 0, 0)));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("read as UTC")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn readers_can_move_to_another_thread() {
    fn send<T: Send>() {}
    send::<WxrReader>();
    send::<dateline_import::ghost::GhostReader>();
}

#[test]
fn co_authors_plus_guest_authors_use_their_term_name_and_logins_their_display_name() {
    let terms = r#"<category domain="author" nicename="cap-guest-writer"><![CDATA[Guest Writer]]></category>
<category domain="author" nicename="cap-ed"><![CDATA[ed]]></category>"#;
    let doc = synthetic(&item(1, "Two bylines", "publish", terms));

    let (posts, _) = read_wxr_bytes(doc.into_bytes());

    assert_eq!(posts[0].authors, ["Guest Writer", "Ed Ito"]);
}
