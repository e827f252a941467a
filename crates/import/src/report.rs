//! The reader's account of a file: what it held, what was skipped and why, what the body
//! conversion did and what looked wrong. The CLI prints it and writes it as JSON.

use std::collections::BTreeMap;

use serde::Serialize;

/// At most this many skipped items and warnings are listed one by one; past it they are
/// only counted, so a report of a huge export stays small (memory bounded by the largest
/// item, not the file).
pub const MAX_LISTED: usize = 1000;

/// What a reader saw in one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReaderReport {
    /// `wxr` or `ghost`.
    pub format: &'static str,
    /// WXR `wp:wxr_version` or Ghost `db[0].meta.version`.
    pub source_version: Option<String>,
    /// Every item in the file by kind (`post`, `page`, `attachment`, `nav_menu_item`,
    /// `comment`, custom post types by their name), imported or not.
    pub items_by_kind: BTreeMap<String, usize>,
    /// Posts yielded, by status (`published`, `draft`, `scheduled`).
    pub imported_by_status: BTreeMap<&'static str, usize>,
    /// Items not imported: kind → reason → count.
    pub skipped_counts: BTreeMap<String, BTreeMap<String, usize>>,
    /// The first [`MAX_LISTED`] skipped items (comments are only counted).
    pub skipped: Vec<SkippedItem>,
    /// Shortcodes turned into HTML, by name.
    pub shortcodes_converted: BTreeMap<String, usize>,
    /// Shortcodes left as text, by name.
    pub shortcodes_unknown: BTreeMap<String, usize>,
    /// How many warnings there were in all.
    pub warning_count: usize,
    /// The first [`MAX_LISTED`] warnings.
    pub warnings: Vec<Warning>,
}

/// An item the reader did not import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedItem {
    /// 1-based position among the file's items.
    pub position: usize,
    /// The source's id.
    pub source_id: String,
    /// `page`, `attachment`, `nav_menu_item`, a custom post type…
    pub kind: String,
    /// Its title, to recognise it by.
    pub title: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Something the reader did not like but could work around.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based position of the item concerned; 0 for the file as a whole.
    pub position: usize,
    /// The item's source id, when the warning is about an item.
    pub source_id: Option<String>,
    /// What happened, for a person to read.
    pub message: String,
}

impl ReaderReport {
    pub(crate) fn new(format: &'static str) -> Self {
        ReaderReport {
            format,
            ..ReaderReport::default()
        }
    }

    pub(crate) fn count_kind(&mut self, kind: &str) {
        bump(&mut self.items_by_kind, kind);
    }

    pub(crate) fn skip(&mut self, item: SkippedItem) {
        let reasons = self.skipped_counts.entry(item.kind.clone()).or_default();
        bump(reasons, &item.reason);
        if self.skipped.len() < MAX_LISTED {
            self.skipped.push(item);
        }
    }

    /// Counts skipped items that are not listed one by one (comments).
    pub(crate) fn skip_uncounted_kind(&mut self, kind: &str, reason: &str, n: usize) {
        if n == 0 {
            return;
        }
        *self.items_by_kind.entry(kind.to_owned()).or_default() += n;
        *self
            .skipped_counts
            .entry(kind.to_owned())
            .or_default()
            .entry(reason.to_owned())
            .or_default() += n;
    }

    pub(crate) fn warn(&mut self, position: usize, source_id: Option<&str>, message: String) {
        self.warning_count += 1;
        if self.warnings.len() < MAX_LISTED {
            self.warnings.push(Warning {
                position,
                source_id: source_id.map(str::to_owned),
                message,
            });
        }
    }

    pub(crate) fn imported(&mut self, status: &'static str) {
        *self.imported_by_status.entry(status).or_default() += 1;
    }

    /// Total of items skipped, all kinds.
    pub fn skipped_total(&self) -> usize {
        self.skipped_counts.values().flat_map(|r| r.values()).sum()
    }
}

/// Adds one to `map[key]`, allocating the key only the first time it is seen.
pub(crate) fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}
