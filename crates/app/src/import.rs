//! Import and export of whole files, all-or-nothing.
//!
//! Every format ends in [`App::import_records`]: JSON Lines records as read, WXR and Ghost
//! posts mapped to records by `posts.rs`. An import runs in one transaction: any bad record
//! rolls back everything and the error names its line (or record) and field. Records are idempotent by `external_id`: importing the same
//! file twice updates (or skips, when nothing changed), never duplicates.

use std::io::{BufRead, Write};

use chrono::Utc;
use dateline_core::{ArticleInput, Limits};
use dateline_import::jsonl::JsonlReader;
use dateline_import::{Record, RecordError};
use dateline_store::ArticleRecord;

use crate::articles::{initial_status, prepare, Actor};
use crate::{App, Error, Result};

mod posts;

pub use posts::{html_body, FileFormat, FileImport, ImportSummary, MappingReport, PostReader};

/// Records rendered in parallel per batch; big enough to keep both cores busy, small enough
/// to keep memory flat on a 100,000-article file.
const BATCH: usize = 512;

/// Receives progress during long work (a terminal bar or structured logs).
pub trait Progress: Send + Sync {
    /// `records` done so far, `bytes` of input consumed.
    fn advance(&self, records: usize, bytes: u64);
}

/// Progress that goes nowhere (tests, library use).
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _: usize, _: u64) {}
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// New articles.
    pub created: usize,
    /// Existing articles (same external id) that changed.
    pub updated: usize,
    /// Existing articles that were already identical.
    pub unchanged: usize,
    /// Old addresses kept (they answer `301` to their article).
    pub old_urls: usize,
    /// Old addresses that could not be an article's (the site root, not a URL, …).
    pub old_urls_ignored: usize,
}

impl ImportReport {
    fn keep_old_urls(
        &mut self,
        tx: &mut dateline_store::WriteTx<'_>,
        id: dateline_core::ArticleId,
        urls: &[String],
        now: chrono::DateTime<Utc>,
    ) {
        let ignored = tx.keep_old_urls(id, urls, now);
        self.old_urls += urls.len() - ignored;
        self.old_urls_ignored += ignored;
    }
}

/// How the records of a file are located, matched and checked.
#[derive(Debug, Clone, Copy)]
pub struct RecordImport {
    /// `line` (JSON Lines) or `record` (WXR items, Ghost posts): how an error names the
    /// record it is about.
    pub location: &'static str,
    /// JSON Lines: a requested slug that is taken refuses the file (a slug someone asked
    /// for is never renamed). WXR and Ghost: the old site's slug is a wish — a taken one
    /// gets a suffix, a re-import keeps the slug the article has (its old addresses
    /// redirect whatever it is).
    pub strict_slugs: bool,
    /// Read, map and check everything, write it inside the transaction, then roll back:
    /// the counts are what a real run would do, and nothing stays.
    pub dry_run: bool,
}

impl RecordImport {
    /// JSON Lines as `dateline import --format jsonl` has always read it.
    pub fn jsonl() -> RecordImport {
        RecordImport {
            location: "line",
            strict_slugs: true,
            dry_run: false,
        }
    }
}

/// Numbered records, one at a time, from any file format.
pub trait RecordStream {
    /// The next record, or why the file cannot be imported.
    fn next_record(&mut self) -> Option<Result<Record>>;
    /// Bytes of input consumed so far (for progress).
    fn bytes_read(&self) -> u64;
}

/// A JSON Lines file as a [`RecordStream`].
pub struct JsonlRecords<R: BufRead>(JsonlReader<R>);

impl<R: BufRead> JsonlRecords<R> {
    /// Reads `input`; `lenient` ignores unknown fields.
    pub fn new(input: R, lenient: bool) -> Self {
        JsonlRecords(JsonlReader::new(input).lenient(lenient))
    }
}

impl<R: BufRead> RecordStream for JsonlRecords<R> {
    fn next_record(&mut self) -> Option<Result<Record>> {
        self.0.next().map(|r| r.map_err(Error::Import))
    }
    fn bytes_read(&self) -> u64 {
        self.0.bytes_read()
    }
}

impl App {
    /// Imports a JSON Lines file in one transaction.
    pub async fn import_jsonl<R: BufRead>(
        &self,
        input: R,
        lenient: bool,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        self.import_records(
            &mut JsonlRecords::new(input, lenient),
            RecordImport::jsonl(),
            progress,
        )
        .await
    }

    /// Imports a stream of records in one transaction: every format ends here. A record
    /// whose `external_id` exists updates that article (or is left alone when nothing
    /// changed); others are created. Any bad record returns its number and reason, and the
    /// dropped transaction rolls everything back.
    pub async fn import_records<S: RecordStream + ?Sized>(
        &self,
        stream: &mut S,
        options: RecordImport,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let started = std::time::Instant::now();
        let actor = Actor::import();
        let location = options.location;
        let mut tx = self.store().begin().await?;
        tx.bulk_mode().await?;
        let mut report = ImportReport::default();
        let mut keys: Vec<String> = Vec::new();
        // external_id → the record that first gave it: a second record with the same id
        // would silently overwrite the first one's article.
        let mut records_by_external_id: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        loop {
            let mut batch: Vec<Record> = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                match stream.next_record() {
                    Some(record) => batch.push(record?),
                    None => break,
                }
            }
            if batch.is_empty() {
                break;
            }
            let now = Utc::now();
            let prepared = prepare_batch(batch, now, location)?;
            for (number, input, record, old_urls) in prepared {
                if let Some(ext) = &input.external_id {
                    if let Some(first) = records_by_external_id.insert(ext.clone(), number) {
                        return Err(Error::Import(RecordError {
                            location,
                            number,
                            field: Some("external_id".into()),
                            message: format!(
                                "`{ext}` is also the external_id of {location} {first}; a file may hold each article once"
                            ),
                        }));
                    }
                }
                let existing = match &input.external_id {
                    Some(ext) => tx
                        .id_by_external_id(ext)
                        .await
                        .map_err(|e| at_record(location, number, e))?,
                    None => None,
                };
                match existing {
                    None => {
                        if options.strict_slugs && input.slug.is_some() {
                            require_free_slug(&mut tx, location, number, &record.slug, None)
                                .await?;
                        }
                        let a = tx
                            .create(&record, &actor.label, now)
                            .await
                            .map_err(|e| at_record(location, number, e))?;
                        keys.push(format!("article:{}", a.id));
                        report.created += 1;
                        report.keep_old_urls(&mut tx, a.id, &old_urls, now);
                    }
                    Some(id) => {
                        let current = tx
                            .article(id)
                            .await
                            .map_err(|e| at_record(location, number, e))?;
                        let mut wanted = record;
                        if input.slug.is_none() || !options.strict_slugs {
                            wanted.slug = current.slug.clone();
                        }
                        if input.published_at.is_none() {
                            wanted.published_at = current.published_at.or(wanted.published_at);
                        }
                        if input.slug.is_some() && wanted.slug != current.slug {
                            require_free_slug(&mut tx, location, number, &wanted.slug, Some(id))
                                .await?;
                        }
                        // Old addresses are kept whatever else changed: a re-import may
                        // bring addresses an earlier export did not have.
                        report.keep_old_urls(&mut tx, id, &old_urls, now);
                        if same_content(&ArticleRecord::from_article(&current), &wanted) {
                            report.unchanged += 1;
                            continue;
                        }
                        let a = tx
                            .update(id, current.version, &wanted, &actor.label, now)
                            .await
                            .map_err(|e| at_record(location, number, e))?;
                        keys.extend(current.surrogate_keys());
                        keys.extend(a.surrogate_keys());
                        report.updated += 1;
                    }
                }
            }
            progress.advance(
                report.created + report.updated + report.unchanged,
                stream.bytes_read(),
            );
        }
        if options.dry_run {
            // Dropping the transaction rolls back every write it made.
            drop(tx);
            return Ok(report);
        }
        tx.commit().await?;
        if report.created + report.updated > 0 {
            self.store().refresh_statistics().await?;
            // New articles can appear on any list; dropping everything is cheaper than
            // working out which lists, and an import is rare.
            self.cache().clear();
            self.wake_indexer();
        }
        let secs = started.elapsed().as_secs_f64();
        tracing::info!(
            created = report.created,
            updated = report.updated,
            unchanged = report.unchanged,
            duration_ms = (secs * 1000.0) as u64,
            per_second = ((report.created + report.updated + report.unchanged) as f64
                / secs.max(1e-9)) as u64,
            "import committed"
        );
        Ok(report)
    }

    /// Writes every article (all statuses but deleted) as JSON Lines, in id order.
    pub async fn export_jsonl<W: Write>(
        &self,
        out: &mut W,
        progress: &dyn Progress,
    ) -> Result<usize> {
        let mut after = None;
        let mut written = 0;
        loop {
            let page = self.store().articles_after(after, 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for article in &page {
                dateline_import::jsonl::write_article(out, article)
                    .map_err(|e| Error::Internal(format!("could not write export: {e}")))?;
            }
            written += page.len();
            progress.advance(written, 0);
        }
        out.flush()
            .map_err(|e| Error::Internal(format!("could not write export: {e}")))?;
        Ok(written)
    }
}

fn same_content(a: &ArticleRecord, b: &ArticleRecord) -> bool {
    // Correction times are stamped at write; compare notes only. Ownership is not
    // content (and an update never changes it).
    let note = |r: &ArticleRecord| r.correction.as_ref().map(|c| c.note.clone());
    // Terms are one per slug, named as first written ("Markup" and "markup" are one
    // tag), and an article's tags come back in the order the terms were made: the same
    // slugs are the same terms, and the same set of tags is the same tags.
    let term = |t: &String| dateline_core::slugify(t, "").as_str().to_owned();
    let strip = |r: &ArticleRecord| {
        let mut r = ArticleRecord {
            correction: None,
            owner_id: None,
            ..r.clone()
        };
        r.content.tags = r.content.tags.iter().map(term).collect();
        r.content.tags.sort();
        r.content.authors = r.content.authors.iter().map(term).collect();
        r.content.section = r.content.section.as_ref().map(term);
        r
    };
    note(a) == note(b) && strip(a) == strip(b)
}

fn at_record(location: &'static str, number: usize, e: dateline_store::Error) -> Error {
    match e {
        dateline_store::Error::Unavailable(m) => Error::Unavailable(m),
        other => Error::Import(RecordError {
            location,
            number,
            field: match &other {
                dateline_store::Error::Duplicate { field } => Some(field.clone()),
                _ => None,
            },
            message: other.to_string(),
        }),
    }
}

/// Refuses a record's requested slug that another article (or an earlier record of the
/// file) has: a requested slug is never renamed.
async fn require_free_slug(
    tx: &mut dateline_store::WriteTx<'_>,
    location: &'static str,
    number: usize,
    slug: &dateline_core::Slug,
    except: Option<dateline_core::ArticleId>,
) -> Result<()> {
    if tx
        .slug_is_free(slug, except)
        .await
        .map_err(|e| at_record(location, number, e))?
    {
        return Ok(());
    }
    Err(Error::Import(RecordError {
        location,
        number,
        field: Some("slug".into()),
        message: format!("`{slug}` {}", crate::articles::SLUG_TAKEN),
    }))
}

type Prepared = (usize, ArticleInput, ArticleRecord, Vec<String>);

/// Validates and renders a batch on all cores; the first invalid record (by line) wins.
fn prepare_batch(
    batch: Vec<Record>,
    now: chrono::DateTime<Utc>,
    location: &'static str,
) -> Result<Vec<Prepared>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = batch.len().div_ceil(threads).max(1);
    let limits = Limits::default();
    let work = |records: &[Record]| -> std::result::Result<Vec<Prepared>, RecordError> {
        records
            .iter()
            .map(|r| {
                let mut input = r.input.clone();
                input.normalise();
                if let Err(errors) = input.validate(&limits) {
                    let (field, message) = errors.0.into_iter().next().unwrap_or_default();
                    return Err(RecordError {
                        location,
                        number: r.number,
                        field: Some(field),
                        message,
                    });
                }
                let (status, published_at) = initial_status(&input, now);
                let record = prepare(&input, status, published_at, None, now);
                Ok((r.number, input, record, r.old_urls.clone()))
            })
            .collect()
    };
    let results: Vec<std::result::Result<Vec<Prepared>, RecordError>> = std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|c| s.spawn(move || work(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(RecordError {
                        location,
                        number: 0,
                        field: None,
                        message: "renderer crashed".into(),
                    })
                })
            })
            .collect()
    });
    let mut out = Vec::with_capacity(batch.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}
