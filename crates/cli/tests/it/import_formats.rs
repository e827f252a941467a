//! `dateline import --format wxr|ghost`: the summary on the terminal and as JSON, a second
//! run that creates nothing, `--dry-run` and a broken file that write nothing, and the
//! search index ready for the next `serve` when the command returns.

use std::path::PathBuf;

use super::{dateline, run_ok};

fn fixture(name: &str) -> Option<PathBuf> {
    let path = dateline_testkit::shared::fixture(name)?;
    if path.is_file() {
        Some(path)
    } else {
        dateline_testkit::missing_prerequisite(&format!("fixture {} not found", path.display()));
        None
    }
}

/// How many articles `export` finds (any status).
fn exported(data: &std::path::Path) -> usize {
    run_ok(dateline(data).args(["export", "--format", "jsonl", "-"]))
        .lines()
        .count()
}

#[test]
fn a_wxr_import_prints_and_writes_its_summary_and_a_second_run_creates_nothing() {
    let Some(file) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let work = tempfile::tempdir().expect("tmp");
    let data = work.path().join("data");
    let report = work.path().join("report.json");
    let out = run_ok(
        dateline(&data)
            .args(["import", "--format", "wxr", "--report"])
            .arg(&report)
            .arg(&file),
    );
    assert!(out.contains("58 created, 0 updated, 0 unchanged"), "{out}");
    assert!(out.contains("90 old addresses kept"), "{out}");
    assert!(out.contains("21 page (pages are not imported"), "{out}");
    assert!(out.contains("unknown (kept as text): [simple] 1"), "{out}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(json["format"], "wxr");
    assert_eq!(json["dry_run"], false);
    assert_eq!(json["articles"]["created"], 58);
    assert_eq!(json["articles"]["old_urls"], 90);
    assert_eq!(json["source"]["items_by_kind"]["attachment"], 37);
    assert_eq!(json["source"]["imported_by_status"]["scheduled"], 1);
    assert_eq!(json["source"]["shortcodes_converted"]["gallery"], 12);
    assert!(json["source"]["skipped"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(json["mapping"]["held_back_as_drafts"], 1);
    // Search and related articles are saved with the import, for the next `serve`.
    assert!(data.join("search").is_dir(), "the search index was written");

    let again = run_ok(
        dateline(&data)
            .args(["import", "--format", "wxr"])
            .arg(&file),
    );
    assert!(
        again.contains("0 created, 0 updated, 58 unchanged"),
        "{again}"
    );
    assert_eq!(exported(&data), 58);
}

#[test]
fn a_ghost_dry_run_prints_the_summary_and_writes_nothing() {
    let Some(file) = fixture("ghost/ghost-5.130-export.json") else {
        return;
    };
    let work = tempfile::tempdir().expect("tmp");
    let out = run_ok(
        dateline(work.path())
            .args(["import", "--format", "ghost", "--dry-run"])
            .args(["--site-url", "https://ghost.example"])
            .arg(&file),
    );
    assert!(out.contains("dry run (nothing written)"), "{out}");
    assert!(out.contains("23 created"), "{out}");
    assert_eq!(exported(work.path()), 0);
}

#[test]
fn a_truncated_wxr_file_fails_with_its_position_and_writes_nothing() {
    let Some(file) = fixture("wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let work = tempfile::tempdir().expect("tmp");
    let text = std::fs::read(&file).expect("fixture");
    let cut = work.path().join("cut.xml");
    std::fs::write(&cut, &text[..text.len() / 2]).expect("write");
    let data = work.path().join("data");
    let out = dateline(&data)
        .args(["import", "--format", "wxr"])
        .arg(&cut)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was written") && err.contains("byte"),
        "{err}"
    );
    assert_eq!(exported(&data), 0);
}

/// A WXR export of `n` password-protected posts (each one a warning and a note).
fn gated_wxr(n: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Gated</title><link>https://gated.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://gated.example</wp:base_site_url>
<wp:author><wp:author_login>editor</wp:author_login><wp:author_display_name>The Editor</wp:author_display_name></wp:author>
"#,
    );
    for i in 1..=n {
        xml.push_str(&format!(
            "<item><title>Members story {i}</title><link>https://gated.example/?p={i}</link>\
             <dc:creator>editor</dc:creator><content:encoded><![CDATA[<p>Story {i}.</p>]]></content:encoded>\
             <wp:post_id>{i}</wp:post_id><wp:post_date_gmt>2024-01-02 03:04:05</wp:post_date_gmt>\
             <wp:post_name>members-{i}</wp:post_name><wp:status>publish</wp:status>\
             <wp:post_type>post</wp:post_type><wp:post_password>secret</wp:post_password></item>\n"
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// A big export's warnings do not flood the terminal: ten of each kind, then a count and
/// where the rest are (it printed one line per post: 10,000 lines for a 5,000-post file).
#[test]
fn the_terminal_summary_lists_ten_warnings_and_points_at_the_report_for_the_rest() {
    let work = tempfile::tempdir().expect("tmp");
    let (data, file, report) = (
        work.path().join("data"),
        work.path().join("gated.xml"),
        work.path().join("report.json"),
    );
    std::fs::write(&file, gated_wxr(40)).expect("write export");
    let out = run_ok(
        dateline(&data)
            .args(["import", "--format", "wxr", "--report"])
            .arg(&report)
            .arg(&file),
    );
    assert!(out.contains("40 created"), "{out}");
    let warnings = out
        .lines()
        .filter(|l| l.trim_start().starts_with("warning:"))
        .count();
    let notes = out
        .lines()
        .filter(|l| l.trim_start().starts_with("note:"))
        .count();
    assert_eq!((warnings, notes), (10, 10), "{out}");
    assert!(
        out.contains("… and 30 more warnings (the first 40 are listed in the --report file)"),
        "{out}"
    );
    assert!(
        out.contains("… and more notes (the first 40 are listed in the --report file)"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(json["mapping"]["held_back_as_drafts"], 40);
    assert_eq!(
        json["mapping"]["warnings"].as_array().map(Vec::len),
        Some(40)
    );
    assert_eq!(
        json["source"]["warnings"].as_array().map(Vec::len),
        Some(40)
    );
}
