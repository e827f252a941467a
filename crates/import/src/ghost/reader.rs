//! The two passes over a Ghost export and the iterator the app consumes.
//!
//! Ghost writes `posts` before the tables that say who wrote them and how they are
//! tagged, so the first pass reads `meta` and the relation tables (users, tags,
//! posts_tags, posts_authors, posts_meta: small rows) and skips the posts; the second
//! yields the posts one by one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use super::lexical::{self, RenderNotes};
use super::mobiledoc;
use super::scan::Scanner;
use crate::error::{ImportError, Position, Result};
use crate::post::{ImportedPost, LeadImage, PostStatus};
use crate::report::{ReaderReport, SkippedItem};
use crate::source::{open_decoded, Source};

/// What the caller knows that a Ghost export does not say.
#[derive(Debug, Clone, Default)]
pub struct GhostOptions {
    /// The site's URL (`https://news.example.com`), put in place of Ghost's
    /// `__GHOST_URL__` placeholder in bodies and image URLs. Empty (the default) leaves
    /// site-relative paths (`/content/images/…`).
    pub site_url: String,
}

/// Ids are strings in Ghost 2+ and numbers before; read both as strings.
fn id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(de::Error::custom(format!(
            "an id must be a string or number, not {other}"
        ))),
    }
}

/// Ghost 0/1 exports used `0`/`1` for booleans and numbers for everything; sort orders
/// are read leniently so a string does not stop an import.
fn order<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    version: Option<Value>,
}

#[derive(Deserialize)]
struct User {
    #[serde(deserialize_with = "id")]
    id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(deserialize_with = "id")]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(deserialize_with = "id")]
    post_id: String,
    #[serde(default, deserialize_with = "id")]
    tag_id: String,
    #[serde(default, deserialize_with = "id")]
    author_id: String,
    #[serde(default, deserialize_with = "order")]
    sort_order: i64,
}

#[derive(Deserialize)]
struct PostMeta {
    #[serde(deserialize_with = "id")]
    post_id: String,
    #[serde(default)]
    feature_image_alt: Option<String>,
    #[serde(default)]
    feature_image_caption: Option<String>,
}

#[derive(Deserialize)]
struct Post {
    #[serde(deserialize_with = "id")]
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    lexical: Option<String>,
    #[serde(default)]
    mobiledoc: Option<String>,
    #[serde(default)]
    feature_image: Option<String>,
    #[serde(default)]
    feature_image_alt: Option<String>,
    #[serde(default)]
    feature_image_caption: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    page: Option<Value>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    published_at: Option<Value>,
    #[serde(default)]
    updated_at: Option<Value>,
    #[serde(default)]
    custom_excerpt: Option<String>,
    #[serde(default, deserialize_with = "id")]
    author_id: String,
}

/// The first pass's findings.
#[derive(Default)]
struct Index {
    version: Option<String>,
    users: HashMap<String, String>,
    /// id → (name, public)
    tags: HashMap<String, (String, bool)>,
    posts_tags: HashMap<String, Vec<(i64, String)>>,
    posts_authors: HashMap<String, Vec<(i64, String)>>,
    posts_meta: HashMap<String, (Option<String>, Option<String>)>,
    posts: usize,
}

/// Streams the posts of a Ghost JSON export; see the [module docs](super).
pub struct GhostReader {
    scanner: Scanner,
    index: Index,
    options: GhostOptions,
    report: ReaderReport,
    buf: Vec<u8>,
    position: usize,
    started: bool,
    finished: bool,
}

impl std::fmt::Debug for GhostReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GhostReader")
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

/// Called with the scanner at `db[0].meta`'s value; must consume it.
type OnMeta<'a> = dyn FnMut(&mut Scanner, &mut Vec<u8>) -> Result<()> + 'a;
/// Called with the scanner at the value of one `db[0].data` key; must consume it (or
/// return `true` to stop the walk there).
type OnDataKey<'a> = dyn FnMut(&mut Scanner, &mut Vec<u8>, &str) -> Result<bool> + 'a;

/// Walks `{"db": [ {meta, data}, … ], …}` calling `on_data_key` for each key of
/// `db[0].data` (positioned at its value, which it must consume), and `on_meta` for
/// `db[0].meta`. Returns early when `on_data_key` says to stop.
fn walk(
    s: &mut Scanner,
    buf: &mut Vec<u8>,
    on_meta: &mut OnMeta<'_>,
    on_data_key: &mut OnDataKey<'_>,
) -> Result<bool> {
    s.skip_bom()?;
    match s.peek()? {
        Some(b'{') => {}
        Some(b) => {
            return Err(ImportError::WrongFormat {
                expected: "Ghost JSON export",
                reason: format!(
                    "the file starts with `{}`, not a JSON object",
                    (b as char).escape_default()
                ),
            })
        }
        None => {
            return Err(ImportError::WrongFormat {
                expected: "Ghost JSON export",
                reason: "the file is empty".into(),
            })
        }
    }
    s.expect(b'{', "an object")?;
    let mut saw_db = false;
    if !s.empty(b'}')? {
        loop {
            let key = s.key(buf)?;
            if key == "db" && !saw_db {
                saw_db = true;
                s.expect(b'[', "the `db` array")?;
                if !s.empty(b']')? {
                    if walk_db(s, buf, on_meta, on_data_key)? {
                        return Ok(true);
                    }
                    while s.more(b']')? {
                        s.value(None)?;
                    }
                }
            } else {
                s.value(None)?;
            }
            if !s.more(b'}')? {
                break;
            }
        }
    }
    if !saw_db {
        return Err(ImportError::WrongFormat {
            expected: "Ghost JSON export",
            reason: "no `db` key at the top level".into(),
        });
    }
    s.end()?;
    Ok(false)
}

fn walk_db(
    s: &mut Scanner,
    buf: &mut Vec<u8>,
    on_meta: &mut OnMeta<'_>,
    on_data_key: &mut OnDataKey<'_>,
) -> Result<bool> {
    s.expect(b'{', "the `db[0]` object")?;
    if s.empty(b'}')? {
        return Ok(false);
    }
    loop {
        let key = s.key(buf)?;
        match key.as_str() {
            "meta" => on_meta(s, buf)?,
            "data" => {
                s.expect(b'{', "the `data` object")?;
                if !s.empty(b'}')? {
                    loop {
                        let table = s.key(buf)?;
                        if on_data_key(s, buf, &table)? {
                            return Ok(true);
                        }
                        if !s.more(b'}')? {
                            break;
                        }
                    }
                }
            }
            _ => s.value(None)?,
        }
        if !s.more(b'}')? {
            return Ok(false);
        }
    }
}

/// Calls `row` with the bytes of each element of the array at the scanner.
fn rows(
    s: &mut Scanner,
    buf: &mut Vec<u8>,
    table: &str,
    row: &mut dyn FnMut(&Scanner, &[u8]) -> Result<()>,
) -> Result<()> {
    if s.peek()? == Some(b'n') {
        // `"posts_meta": null` in some hand-made exports.
        return s.value(None);
    }
    s.expect(b'[', &format!("the `{table}` array"))?;
    if s.empty(b']')? {
        return Ok(());
    }
    loop {
        buf.clear();
        s.value(Some(buf))?;
        row(s, buf)?;
        if !s.more(b']')? {
            return Ok(());
        }
    }
}

fn parse_row<'a, T: Deserialize<'a>>(s: &Scanner, table: &str, bytes: &'a [u8]) -> Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| s.malformed(format!("a `{table}` row is not what Ghost writes: {e}")))
}

impl GhostReader {
    /// Opens `source` (gzip is recognised by its magic bytes) and makes the first pass:
    /// the version check, the relation tables, and the check that the JSON outline is
    /// whole, before any post is handed out.
    pub fn open(source: &dyn Source, options: GhostOptions) -> Result<GhostReader> {
        let mut s = Scanner::new(open_decoded(source).map_err(read_error)?);
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut index = Index::default();
        {
            let index = &mut index;
            let mut version: Option<String> = None;
            let mut on_meta = |s: &mut Scanner, buf: &mut Vec<u8>| -> Result<()> {
                buf.clear();
                s.value(Some(buf))?;
                let meta: Meta = parse_row(s, "meta", buf)?;
                version = meta.version.map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                });
                Ok(())
            };
            let mut tables = |s: &mut Scanner, buf: &mut Vec<u8>, table: &str| -> Result<bool> {
                match table {
                    "users" => rows(s, buf, table, &mut |s, b| {
                        let u: User = parse_row(s, "users", b)?;
                        index.users.insert(u.id, u.name.unwrap_or_default());
                        Ok(())
                    })?,
                    "tags" => rows(s, buf, table, &mut |s, b| {
                        let t: Tag = parse_row(s, "tags", b)?;
                        let name = t.name.unwrap_or_default();
                        // Internal tags (`#homepage-lead`) organise Ghost's theme, not
                        // the news: never a section or a tag.
                        let public =
                            t.visibility.as_deref() != Some("internal") && !name.starts_with('#');
                        index.tags.insert(t.id, (name, public));
                        Ok(())
                    })?,
                    "posts_tags" => rows(s, buf, table, &mut |s, b| {
                        let l: Link = parse_row(s, "posts_tags", b)?;
                        index
                            .posts_tags
                            .entry(l.post_id)
                            .or_default()
                            .push((l.sort_order, l.tag_id));
                        Ok(())
                    })?,
                    "posts_authors" => rows(s, buf, table, &mut |s, b| {
                        let l: Link = parse_row(s, "posts_authors", b)?;
                        index
                            .posts_authors
                            .entry(l.post_id)
                            .or_default()
                            .push((l.sort_order, l.author_id));
                        Ok(())
                    })?,
                    "posts_meta" => rows(s, buf, table, &mut |s, b| {
                        let m: PostMeta = parse_row(s, "posts_meta", b)?;
                        index
                            .posts_meta
                            .insert(m.post_id, (m.feature_image_alt, m.feature_image_caption));
                        Ok(())
                    })?,
                    "posts" => {
                        let mut n = 0;
                        s.expect(b'[', "the `posts` array")?;
                        if !s.empty(b']')? {
                            loop {
                                n += 1;
                                s.value(None)?;
                                if !s.more(b']')? {
                                    break;
                                }
                            }
                        }
                        index.posts = n;
                    }
                    _ => s.value(None)?,
                }
                Ok(false)
            };
            walk(&mut s, &mut buf, &mut on_meta, &mut tables)?;
            index.version = version;
        }
        let version = index
            .version
            .clone()
            .ok_or_else(|| ImportError::WrongFormat {
                expected: "Ghost JSON export",
                reason: "no `db[0].meta.version`".into(),
            })?;
        let major = version.split('.').next().unwrap_or("");
        if !matches!(major, "4" | "5" | "6") {
            return Err(ImportError::UnsupportedVersion { version });
        }
        for list in index
            .posts_tags
            .values_mut()
            .chain(index.posts_authors.values_mut())
        {
            // Stable: equal sort orders keep file order, as Ghost shows them.
            list.sort_by_key(|(order, _)| *order);
        }
        let mut report = ReaderReport::new("ghost");
        report.source_version = Some(version);
        Ok(GhostReader {
            scanner: Scanner::new(open_decoded(source).map_err(read_error)?),
            index,
            options,
            report,
            buf,
            position: 0,
            started: false,
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

    /// Rows in `posts` (known after the first pass), for progress bars.
    pub fn item_count(&self) -> usize {
        self.index.posts
    }

    /// Bytes of the (decompressed) file read by the second pass so far.
    pub fn bytes_read(&self) -> u64 {
        self.scanner.offset()
    }

    /// Positions the second pass inside the `posts` array; `false` when there is none.
    fn seek_posts(&mut self) -> Result<bool> {
        let mut found = false;
        let mut on_meta = |s: &mut Scanner, _: &mut Vec<u8>| s.value(None);
        let mut on_key = |s: &mut Scanner, _: &mut Vec<u8>, table: &str| -> Result<bool> {
            if table == "posts" {
                s.expect(b'[', "the `posts` array")?;
                found = true;
                return Ok(true);
            }
            s.value(None)?;
            Ok(false)
        };
        let mut buf = std::mem::take(&mut self.buf);
        let r = walk(&mut self.scanner, &mut buf, &mut on_meta, &mut on_key);
        self.buf = buf;
        r?;
        if found && self.scanner.empty(b']')? {
            return Ok(false);
        }
        Ok(found)
    }

    fn next_post(&mut self) -> Result<Option<ImportedPost>> {
        if !self.started {
            self.started = true;
            if !self.seek_posts()? {
                return Ok(None);
            }
        } else if self.position == 0 || !self.scanner.more(b']')? {
            return Ok(None);
        }
        loop {
            self.position += 1;
            self.scanner.record = Some(self.position);
            let offset = self.scanner.offset();
            self.buf.clear();
            self.scanner.value(Some(&mut self.buf))?;
            let post: Post = parse_row(&self.scanner, "posts", &self.buf)?;
            let at = Position {
                record: Some(self.position),
                byte: offset,
            };
            if let Some(p) = self.map(post, at)? {
                return Ok(Some(p));
            }
            if !self.scanner.more(b']')? {
                return Ok(None);
            }
        }
    }

    fn resolve(&self, s: &str) -> String {
        if s.contains("__GHOST_URL__") {
            s.replace("__GHOST_URL__", self.options.site_url.trim_end_matches('/'))
        } else {
            s.to_owned()
        }
    }

    fn map(&mut self, post: Post, at: Position) -> Result<Option<ImportedPost>> {
        let position = self.position;
        let is_page = post.kind.as_deref() == Some("page")
            || matches!(post.page, Some(Value::Bool(true)))
            || post.page.as_ref().and_then(Value::as_i64) == Some(1);
        let kind = if is_page {
            "page"
        } else {
            post.kind.as_deref().unwrap_or("post")
        };
        self.report.count_kind(kind);
        let title = post.title.as_deref().map(str::trim).unwrap_or("");
        if kind != "post" {
            let reason = if is_page {
                "pages are not imported: dateline has articles only"
            } else {
                "unknown post type: not imported"
            };
            self.report.skip(SkippedItem {
                position,
                source_id: post.id.clone(),
                kind: kind.to_owned(),
                title: title.to_owned(),
                reason: reason.to_owned(),
            });
            return Ok(None);
        }
        let invalid = |field: &'static str, reason: &str| ImportError::Invalid {
            at,
            source_id: Some(post.id.clone()),
            field,
            reason: reason.to_owned(),
        };
        if post.id.is_empty() {
            return Err(invalid("id", "the post has no id"));
        }
        if title.is_empty() {
            return Err(invalid("title", "the post has no title"));
        }
        let published_at =
            time(post.published_at.as_ref()).map_err(|r| invalid("published_at", &r))?;
        let modified_at = time(post.updated_at.as_ref()).map_err(|r| invalid("updated_at", &r))?;
        let mut notes: Vec<String> = Vec::new();
        let mut visibility_note = None;
        let status = match post.status.as_deref().unwrap_or("draft") {
            "published" => PostStatus::Published,
            "draft" => PostStatus::Draft,
            "scheduled" => match published_at {
                Some(at) => PostStatus::Scheduled { at },
                None => {
                    return Err(invalid(
                        "published_at",
                        "a scheduled post without a publication time",
                    ))
                }
            },
            "sent" => {
                visibility_note =
                    Some("sent as an email newsletter only on Ghost, never on the site".to_owned());
                PostStatus::Draft
            }
            other => {
                notes.push(format!("unknown status `{other}`: imported as a draft"));
                PostStatus::Draft
            }
        };
        match post.visibility.as_deref().unwrap_or("public") {
            "public" => {}
            v => {
                let who = match v {
                    "members" => "members only",
                    "paid" => "paying members only",
                    "tiers" => "members of some tiers only",
                    _ => "a restricted audience",
                };
                let note = format!("visibility `{v}` on Ghost: {who}");
                notes.push(format!(
                    "{note}; dateline has no paywall, so it will be public when published"
                ));
                visibility_note = Some(note);
            }
        }

        let mut render_notes = RenderNotes::default();
        let body = match (&post.html, &post.lexical, &post.mobiledoc) {
            (Some(h), _, _) if !h.trim().is_empty() => h.clone(),
            (_, Some(l), _) if !l.trim().is_empty() => {
                lexical::render(l, &mut render_notes).map_err(|r| invalid("lexical", &r))?
            }
            (_, _, Some(m)) if !m.trim().is_empty() => {
                mobiledoc::render(m, &mut render_notes).map_err(|r| invalid("mobiledoc", &r))?
            }
            _ => String::new(),
        };
        notes.append(&mut render_notes.warnings);
        let body_html = self.resolve(&body);

        let (meta_alt, meta_caption) = self
            .index
            .posts_meta
            .get(&post.id)
            .cloned()
            .unwrap_or_default();
        let lead_image = post
            .feature_image
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| LeadImage {
                url: self.resolve(u.trim()),
                alt: meta_alt
                    .or(post.feature_image_alt)
                    .filter(|s| !s.is_empty()),
                caption: meta_caption
                    .or(post.feature_image_caption)
                    .filter(|s| !s.is_empty())
                    .map(|c| self.resolve(&c)),
            });

        let mut authors: Vec<String> = Vec::new();
        let ids: Vec<&str> = match self.index.posts_authors.get(&post.id) {
            Some(list) => list.iter().map(|(_, id)| id.as_str()).collect(),
            None if !post.author_id.is_empty() => vec![post.author_id.as_str()],
            None => Vec::new(),
        };
        for id in ids {
            match self.index.users.get(id) {
                Some(name) if !name.is_empty() => {
                    if !authors.contains(name) {
                        authors.push(name.clone());
                    }
                }
                _ => notes.push(format!(
                    "author {id} is not among the export's users: left out of the byline"
                )),
            }
        }

        let mut section = None;
        let mut tags: Vec<String> = Vec::new();
        for (_, tag_id) in self
            .index
            .posts_tags
            .get(&post.id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            match self.index.tags.get(tag_id) {
                Some((name, true)) if !name.is_empty() => {
                    if section.is_none() {
                        section = Some(name.clone());
                    } else if Some(name) != section.as_ref() && !tags.contains(name) {
                        tags.push(name.clone());
                    }
                }
                Some(_) => {}
                None => notes.push(format!("tag {tag_id} is not among the export's tags")),
            }
        }

        let slug = post.slug.filter(|s| !s.trim().is_empty());
        let old_urls = slug.iter().map(|s| format!("/{s}/")).collect();
        for note in notes {
            self.report.warn(position, Some(&post.id), note);
        }
        self.report.imported(status.name());
        Ok(Some(ImportedPost {
            source_id: post.id,
            position,
            status,
            title: title.to_owned(),
            slug,
            summary: post.custom_excerpt.filter(|s| !s.trim().is_empty()),
            body_html,
            lead_image,
            authors,
            section,
            tags,
            published_at,
            modified_at,
            visibility_note,
            old_urls,
        }))
    }
}

/// Ghost times: `2026-11-24 19:30:00` (SQLite, UTC), `2026-11-24T19:30:00.000Z` (MySQL
/// and API exports), or milliseconds since the epoch (Ghost 0.x/1.x).
fn time(v: Option<&Value>) -> std::result::Result<Option<DateTime<Utc>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Ok(Some(t.with_timezone(&Utc)));
            }
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
                .map(|t| Some(t.and_utc()))
                .map_err(|_| format!("`{s}` is not a time"))
        }
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(DateTime::from_timestamp_millis)
            .map(Some)
            .ok_or_else(|| format!("`{n}` is not a time")),
        Some(other) => Err(format!("`{other}` is not a time")),
    }
}

impl Iterator for GhostReader {
    type Item = Result<ImportedPost>;

    /// The next post, or the error that stops the file; after either, `None` for ever.
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
