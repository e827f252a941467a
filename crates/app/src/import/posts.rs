//! WordPress and Ghost posts as dateline records: the app's half of "Mapping, said out
//! loud" (the reader crate's docs hold the other half), and the summary an import of such
//! a file prints.

use dateline_core::{slugify, ArticleInput, Status};
use dateline_import::ghost::GhostReader;
use dateline_import::wxr::WxrReader;
use dateline_import::{ImportError, ImportedPost, PostStatus, ReaderReport, Record, Warning};
use serde::Serialize;

use super::{ImportReport, Progress, RecordImport, RecordStream};
use crate::{App, Error, Result};

/// A reader of an old platform's export (WXR, Ghost).
pub trait PostReader: Iterator<Item = std::result::Result<ImportedPost, ImportError>> {
    /// What it has seen so far.
    fn report(&self) -> &ReaderReport;
    /// Bytes of input consumed so far.
    fn bytes_read(&self) -> u64;
}

impl PostReader for WxrReader {
    fn report(&self) -> &ReaderReport {
        WxrReader::report(self)
    }
    fn bytes_read(&self) -> u64 {
        WxrReader::bytes_read(self)
    }
}

impl PostReader for GhostReader {
    fn report(&self) -> &ReaderReport {
        GhostReader::report(self)
    }
    fn bytes_read(&self) -> u64 {
        GhostReader::bytes_read(self)
    }
}

/// What mapping posts to articles did beyond the reader's account.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MappingReport {
    /// Posts public on the old site only to some readers (Ghost members/paid, WordPress
    /// password-protected): imported as drafts, so nothing that was gated becomes public.
    pub held_back_as_drafts: usize,
    /// Scheduled posts whose time had already passed: published at that time.
    pub schedule_passed: usize,
    /// Lead images dropped because their URL is neither http(s) nor a site path.
    pub images_dropped: usize,
    /// Tags beyond the 50 an article may have, dropped.
    pub tags_dropped: usize,
    /// One line per post concerned (the first 1000).
    pub warnings: Vec<Warning>,
}

impl MappingReport {
    fn warn(&mut self, post: &ImportedPost, message: String) {
        if self.warnings.len() < dateline_import::report::MAX_LISTED {
            self.warnings.push(Warning {
                position: post.position,
                source_id: Some(post.source_id.clone()),
                message,
            });
        }
    }
}

/// The account of one import, printed at the end and written by `--report`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// `jsonl`, `wxr` or `ghost`.
    pub format: &'static str,
    /// Nothing was written (`--dry-run`); the counts say what a real run would do.
    pub dry_run: bool,
    /// Articles created, updated, unchanged; old addresses kept.
    pub articles: ImportReport,
    /// The reader's account (WXR and Ghost): items by kind, posts by status, skipped items
    /// with reasons, shortcodes, warnings.
    pub source: Option<ReaderReport>,
    /// What the mapping to articles changed or held back (WXR and Ghost).
    pub mapping: Option<MappingReport>,
    /// Wall time of reading, mapping and writing.
    pub duration_ms: u64,
}

/// The posts of a reader as numbered records.
struct PostRecords<'a, R: PostReader> {
    reader: R,
    namespace: &'a str,
    now: chrono::DateTime<chrono::Utc>,
    mapping: MappingReport,
}

impl<R: PostReader> RecordStream for PostRecords<'_, R> {
    fn next_record(&mut self) -> Option<Result<Record>> {
        let post = match self.reader.next()? {
            Ok(post) => post,
            Err(e) => return Some(Err(Error::Unreadable(e))),
        };
        Some(map_post(post, self.namespace, self.now, &mut self.mapping))
    }
    fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }
}

impl App {
    /// Imports the posts an old platform's reader yields, in one transaction, keyed by
    /// `{namespace}:{source id}` (`wordpress:1133`, `ghost:5f…`) so a re-import updates.
    pub async fn import_posts<R: PostReader>(
        &self,
        reader: R,
        namespace: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<ImportSummary> {
        let started = std::time::Instant::now();
        let format = reader.report().format;
        let mut stream = PostRecords {
            reader,
            namespace,
            now: chrono::Utc::now(),
            mapping: MappingReport::default(),
        };
        let options = RecordImport {
            location: "record",
            strict_slugs: false,
            dry_run,
        };
        let articles = self.import_records(&mut stream, options, progress).await?;
        Ok(ImportSummary {
            format,
            dry_run,
            articles,
            source: Some(stream.reader.report().clone()),
            mapping: Some(stream.mapping),
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// One post as the record of its article.
fn map_post(
    post: ImportedPost,
    namespace: &str,
    now: chrono::DateTime<chrono::Utc>,
    mapping: &mut MappingReport,
) -> Result<Record> {
    let refuse = |field: &str, message: String| {
        Error::Import(dateline_import::RecordError {
            location: "record",
            number: post.position,
            field: Some(field.into()),
            message,
        })
    };
    if post.title.trim().is_empty() {
        return Err(refuse(
            "title",
            format!(
                "post {} has no title; every article needs one",
                post.source_id
            ),
        ));
    }
    let (status, published_at) = match post.status {
        PostStatus::Published if post.visibility_note.is_some() => {
            mapping.held_back_as_drafts += 1;
            let note = post.visibility_note.clone().unwrap_or_default();
            mapping.warn(&post, format!("imported as a draft, not published: {note}"));
            (Status::Draft, post.published_at)
        }
        PostStatus::Published => (Status::Published, post.published_at),
        PostStatus::Draft => (Status::Draft, None),
        PostStatus::Scheduled { at } => {
            if at <= now {
                mapping.schedule_passed += 1;
                mapping.warn(
                    &post,
                    format!("scheduled for {at}, which has passed: published at that time"),
                );
            }
            (Status::Scheduled, Some(at))
        }
    };
    let slug = post.slug.as_deref().and_then(|s| {
        let slug = slugify(s, "");
        (!slug.as_str().is_empty()).then(|| slug.as_str().to_owned())
    });
    // Titles are plain text in dateline; WordPress allows markup in them.
    let title = if post.title.contains('<') {
        text_of(&post.title)
    } else {
        post.title.clone()
    };
    let mut input = ArticleInput {
        title,
        body: html_body(&post.body_html),
        slug,
        external_id: Some(format!("{namespace}:{}", post.source_id)),
        summary: post.summary.as_deref().map(text_of),
        section: post.section.clone(),
        tags: post.tags.clone(),
        authors: post.authors.clone(),
        published_at,
        status: Some(status),
        ..ArticleInput::default()
    };
    if let Some(image) = &post.lead_image {
        if usable_image_url(&image.url) {
            input.lead_image_url = Some(image.url.clone());
            input.lead_image_alt = image.alt.clone();
            input.lead_image_caption = image.caption.as_deref().map(text_of);
        } else {
            mapping.images_dropped += 1;
            mapping.warn(
                &post,
                format!(
                    "lead image `{}` dropped: not an http(s) URL or a site path",
                    image.url
                ),
            );
        }
    }
    let most = dateline_core::Limits::default().terms;
    if input.tags.len() > most {
        let dropped = input.tags.len() - most;
        mapping.tags_dropped += dropped;
        mapping.warn(
            &post,
            format!("{dropped} tags dropped: an article has at most {most}"),
        );
        input.tags.truncate(most);
    }
    Ok(Record {
        number: post.position,
        input,
        old_urls: post.old_urls,
    })
}

/// The lead-image rule of `ArticleInput::validate`, checked first so a bad image URL costs
/// the image (with a warning), not the whole import.
fn usable_image_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<')
        && url.len() <= 2_000
}

/// Summaries and captions are plain text in dateline; the old platforms' may hold markup.
fn text_of(html: &str) -> String {
    if html.contains('<') || html.contains('&') {
        dateline_render::plain_text(&html_body(html))
    } else {
        html.to_owned()
    }
}

/// Makes an HTML body a Markdown body that says exactly that HTML.
///
/// dateline bodies are Markdown, and CommonMark reads HTML as HTML only inside an HTML
/// block, which a blank line ends: after one, `*stars*` would become emphasis and a line
/// indented four spaces a code block. So the HTML is wrapped in one `<div>` (an HTML block
/// that starts at the first line) and every blank line outside `<pre>` — where blank lines
/// mean nothing — is removed; inside `<pre>`, where they are the content, line breaks are
/// written as `&#10;`, which is the same character to the sanitiser's HTML parser. The
/// whole body is thus one HTML block: the Markdown parser passes it through untouched,
/// and only the sanitiser (`render_body`, as for every body) decides what stays.
pub fn html_body(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    out.push_str("<div>\n");
    let mut rest = html;
    loop {
        let Some(start) = find_ascii_ci(rest, "<pre") else {
            push_without_blank_lines(rest, &mut out);
            break;
        };
        push_without_blank_lines(&rest[..start], &mut out);
        let pre = &rest[start..];
        let end = find_ascii_ci(pre, "</pre")
            .and_then(|e| pre[e..].find('>').map(|g| e + g + 1))
            .unwrap_or(pre.len());
        for c in pre[..end].chars() {
            match c {
                '\n' => out.push_str("&#10;"),
                '\r' => {}
                c => out.push(c),
            }
        }
        rest = &pre[end..];
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("</div>");
    out
}

fn push_without_blank_lines(text: &str, out: &mut String) {
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        out.push_str(line.trim_end_matches(['\r', '\n']));
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
}

/// Byte index of `needle` (ASCII, lowercase) in `haystack`, ignoring ASCII case.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_stay_html_through_the_markdown_renderer() {
        let html = "<p>Intro with *stars* and _underscores_.</p>\n\n\n    <p>Indented four spaces.</p>\n\n# not a heading\n<pre>line one\n\n    indented in pre\n</pre>\n\n<p>After &amp; done</p>\n<script>alert(1)</script>";
        let rendered = dateline_render::render_body(&html_body(html));
        let out = &rendered.html;
        assert!(
            out.contains("<p>Intro with *stars* and _underscores_.</p>"),
            "{out}"
        );
        assert!(out.contains("<p>Indented four spaces.</p>"), "{out}");
        assert!(!out.contains("<em>") && !out.contains("<code>"), "{out}");
        assert!(
            out.contains("# not a heading") && !out.contains("<h2>"),
            "{out}"
        );
        assert!(
            out.contains("<pre>line one\n\n    indented in pre\n</pre>"),
            "blank and indented lines of <pre> are kept: {out}"
        );
        assert!(out.contains("After &amp; done"), "{out}");
        assert!(!out.contains("<script"), "the sanitiser still runs: {out}");
        assert!(
            rendered.plain.starts_with("Intro with *stars*"),
            "{}",
            rendered.plain
        );
        assert!(dateline_render::word_count(&rendered.plain) > 10);
    }

    #[test]
    fn a_post_without_a_title_is_refused_with_its_position() {
        let post = ImportedPost {
            source_id: "7".into(),
            position: 12,
            status: PostStatus::Published,
            title: "  ".into(),
            slug: None,
            summary: None,
            body_html: String::new(),
            lead_image: None,
            authors: vec![],
            section: None,
            tags: vec![],
            published_at: None,
            modified_at: None,
            visibility_note: None,
            old_urls: vec![],
        };
        let err = map_post(
            post,
            "wordpress",
            chrono::Utc::now(),
            &mut MappingReport::default(),
        )
        .expect_err("no title");
        assert!(
            err.to_string().contains("record 12, field `title`"),
            "{err}"
        );
    }
}

/// The file formats `dateline import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// dateline's JSON Lines.
    Jsonl,
    /// WordPress eXtended RSS (WXR 1.1/1.2), gzip too.
    Wxr,
    /// Ghost JSON export (Ghost 4, 5, 6), gzip too.
    Ghost,
}

/// How to read one file.
#[derive(Debug, Clone, Default)]
pub struct FileImport {
    /// JSON Lines: ignore unknown fields.
    pub lenient: bool,
    /// Read, map and check everything; write nothing.
    pub dry_run: bool,
    /// Ghost: the site's URL, put in place of `__GHOST_URL__`.
    pub site_url: Option<String>,
    /// WXR: the site's UTC offset for posts with only a local date.
    pub site_utc_offset: Option<chrono::FixedOffset>,
}

impl App {
    /// Imports the file at `path` (`-`: standard input, JSON Lines only) in one
    /// transaction and says what it did.
    pub async fn import_file(
        &self,
        format: FileFormat,
        path: &std::path::Path,
        options: &FileImport,
        progress: &dyn Progress,
    ) -> Result<ImportSummary> {
        let started = std::time::Instant::now();
        let unreadable = |e: std::io::Error| {
            Error::Unreadable(ImportError::Read {
                at: dateline_import::Position::default(),
                message: format!("{}: {e}", path.display()),
            })
        };
        match format {
            FileFormat::Jsonl => {
                let options_jsonl = RecordImport {
                    dry_run: options.dry_run,
                    ..RecordImport::jsonl()
                };
                let articles = if path.as_os_str() == "-" {
                    let stdin = std::io::stdin().lock();
                    let mut stream = super::JsonlRecords::new(stdin, options.lenient);
                    self.import_records(&mut stream, options_jsonl, progress)
                        .await?
                } else {
                    let file = std::fs::File::open(path).map_err(unreadable)?;
                    let input = std::io::BufReader::with_capacity(1 << 20, file);
                    let mut stream = super::JsonlRecords::new(input, options.lenient);
                    self.import_records(&mut stream, options_jsonl, progress)
                        .await?
                };
                Ok(ImportSummary {
                    format: "jsonl",
                    dry_run: options.dry_run,
                    articles,
                    source: None,
                    mapping: None,
                    duration_ms: started.elapsed().as_millis() as u64,
                })
            }
            FileFormat::Wxr => {
                let source = dateline_import::FileSource::new(path);
                let reader = WxrReader::open(
                    &source,
                    dateline_import::wxr::WxrOptions {
                        site_utc_offset: options.site_utc_offset,
                    },
                )
                .map_err(Error::Unreadable)?;
                self.import_posts(reader, "wordpress", options.dry_run, progress)
                    .await
            }
            FileFormat::Ghost => {
                let source = dateline_import::FileSource::new(path);
                let reader = GhostReader::open(
                    &source,
                    dateline_import::ghost::GhostOptions {
                        site_url: options.site_url.clone().unwrap_or_default(),
                    },
                )
                .map_err(Error::Unreadable)?;
                self.import_posts(reader, "ghost", options.dry_run, progress)
                    .await
            }
        }
    }
}
