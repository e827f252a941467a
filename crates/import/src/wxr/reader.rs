//! The two passes and the iterator the app consumes.

use chrono::FixedOffset;

use super::index::Index;
use super::item::{map_item, Outcome};
use super::parse::{RawItem, WxrParser};
use super::shortcodes::ShortcodeStats;
use crate::error::{ImportError, Position, Result};
use crate::post::ImportedPost;
use crate::report::{ReaderReport, SkippedItem};
use crate::source::{open_decoded, Source};

/// What the caller knows that a WXR file does not say.
#[derive(Debug, Clone, Default)]
pub struct WxrOptions {
    /// The site's UTC offset, for posts that have only a local date (drafts). When `None`,
    /// the offset most posts show between `wp:post_date` and `wp:post_date_gmt` is used,
    /// and when no post shows one, local dates are read as UTC with a warning.
    pub site_utc_offset: Option<FixedOffset>,
}

/// Streams the posts of a WXR export; see the [module docs](super).
pub struct WxrReader {
    parser: WxrParser,
    index: Index,
    options: WxrOptions,
    raw: RawItem,
    report: ReaderReport,
    stats: ShortcodeStats,
    notes: Vec<String>,
    finished: bool,
}

impl std::fmt::Debug for WxrReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxrReader")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

fn read_error(e: std::io::Error) -> ImportError {
    ImportError::Read {
        at: Position::default(),
        message: e.to_string(),
    }
}

impl WxrReader {
    /// Opens `source` (gzip is recognised by its magic bytes) and makes the first pass.
    /// Any malformed XML, wrong encoding or truncation anywhere in the file is reported
    /// here, before a single post is handed out.
    pub fn open(source: &dyn Source, options: WxrOptions) -> Result<WxrReader> {
        let mut first = WxrParser::new(open_decoded(source).map_err(read_error)?);
        first.keep_bodies = false;
        let mut index = Index::default();
        let mut raw = RawItem::default();
        while first.next_item(&mut raw)? {
            index.learn(&raw);
        }
        index.channel = std::mem::take(&mut first.channel);
        index.finish();

        let mut report = ReaderReport::new("wxr");
        report.source_version = index.channel.wxr_version.clone();
        match report.source_version.as_deref() {
            Some("1.0" | "1.1" | "1.2") => {}
            Some(v) => report.warn(
                0,
                None,
                format!("WXR version {v} is not one this reader was written for (1.1, 1.2)"),
            ),
            None => report.warn(
                0,
                None,
                "no <wp:wxr_version>: is this a WordPress export?".into(),
            ),
        }
        if options.site_utc_offset.is_none() {
            if let Some((offset, n)) = index.inferred_offset {
                report.warn(
                    0,
                    None,
                    format!("site time zone not given: UTC{offset} assumed for local-only dates, the offset {n} posts show between their local and GMT dates"),
                );
            }
        }
        let second = WxrParser::new(open_decoded(source).map_err(read_error)?);
        Ok(WxrReader {
            parser: second,
            index,
            options,
            raw,
            report,
            stats: ShortcodeStats::default(),
            notes: Vec::new(),
            finished: false,
        })
    }

    /// What has been read so far; complete once the iterator has returned `None`.
    pub fn report(&self) -> &ReaderReport {
        &self.report
    }

    /// The report, when reading is done.
    pub fn into_report(self) -> ReaderReport {
        self.report
    }

    /// Items in the file (known after the first pass), for progress bars.
    pub fn item_count(&self) -> usize {
        self.index.items
    }

    /// Bytes of the (decompressed) file read by the second pass so far.
    pub fn bytes_read(&self) -> u64 {
        self.parser.position()
    }

    fn next_post(&mut self) -> Result<Option<ImportedPost>> {
        while self.parser.next_item(&mut self.raw)? {
            let raw = &mut self.raw;
            let kind = raw.post_type.trim();
            self.report
                .count_kind(if kind.is_empty() { "post" } else { kind });
            self.report
                .skip_uncounted_kind("comment", "comments are not imported", raw.comments);
            self.notes.clear();
            let outcome = map_item(
                raw,
                &self.index,
                &self.options,
                &mut self.stats,
                &mut self.notes,
            )?;
            let position = raw.position;
            let source_id_owned = super::item::source_id_of(raw);
            let source_id = source_id_owned.as_str();
            for note in self.notes.drain(..).chain(self.stats.warnings.drain(..)) {
                self.report.warn(position, Some(source_id), note);
            }
            match outcome {
                Outcome::Post(post) => {
                    self.report.imported(post.status.name());
                    if let Some(note) = &post.visibility_note {
                        if !self.report.warnings.iter().any(|w| w.position == position) {
                            self.report.warn(position, Some(source_id), note.clone());
                        }
                    }
                    return Ok(Some(*post));
                }
                Outcome::Skipped { kind, reason } => {
                    let title = raw.title.as_deref().unwrap_or("").trim().to_owned();
                    self.report.skip(SkippedItem {
                        position,
                        source_id: source_id.to_owned(),
                        kind,
                        title,
                        reason,
                    });
                }
            }
        }
        // Shortcode counts are merged once, at the end, rather than per post.
        for (k, v) in std::mem::take(&mut self.stats.converted) {
            *self.report.shortcodes_converted.entry(k).or_default() += v;
        }
        for (k, v) in std::mem::take(&mut self.stats.unknown) {
            *self.report.shortcodes_unknown.entry(k).or_default() += v;
        }
        Ok(None)
    }
}

impl Iterator for WxrReader {
    type Item = Result<ImportedPost>;

    /// The next post, or the error that stops the file; after either an error or the
    /// end, `None` for ever.
    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.next_post() {
            Ok(Some(post)) => Some(Ok(post)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}
