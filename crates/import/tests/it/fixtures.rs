//! The shared fixtures (`../shared/fixtures`, never copied into the repo), found the way
//! `dateline-testkit` finds them; not a dependency on it, which would build the whole
//! web stack for a reader's tests.

use std::path::PathBuf;

use dateline_import::{FileSource, ImportError, ImportedPost, ReaderReport};

/// `$DATELINE_SHARED_DIR/fixtures/NAME`, else `../shared/fixtures/NAME` beside the
/// repository. Missing: a skip notice, or a failure under `CI=true`.
pub fn fixture(name: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("DATELINE_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let path = dir.join("fixtures").join(name);
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "fixture {} not found (set DATELINE_SHARED_DIR to the shared folder)",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}

/// Every post of a WXR file, and the report.
pub fn read_wxr(source: &FileSource) -> Result<(Vec<ImportedPost>, ReaderReport), ImportError> {
    let mut reader = dateline_import::wxr::WxrReader::open(source, Default::default())?;
    let posts = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((posts, reader.into_report()))
}

/// The post with this source id.
pub fn post<'a>(posts: &'a [ImportedPost], id: &str) -> &'a ImportedPost {
    posts
        .iter()
        .find(|p| p.source_id == id)
        .unwrap_or_else(|| panic!("no post {id}"))
}

/// A UTC time, for expected values.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("a valid time")
}
