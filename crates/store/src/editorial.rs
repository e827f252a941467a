//! Writing articles, and the newsroom's reads that see every status.
//!
//! Nothing here may be reachable from public handlers: these reads return drafts.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, Correction, LeadImage, Slug, Status, Version};
use serde::Serialize;
use sqlx::any::Any;
use sqlx::{Row, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::binds::{Bind, Sql};
use crate::rows::{article_from_row, time, ARTICLE_SELECT};
use crate::terms::{TermCache, TermKind};
use crate::{Error, Result, Store};

/// An article ready to be written: rendered, validated, with terms given by name.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRecord {
    /// Desired slug; made unique by the store when creating (`-2`, `-3`, …).
    pub slug: Slug,
    /// Id in the source system.
    pub external_id: Option<String>,
    /// Headline.
    pub title: String,
    /// Dek.
    pub standfirst: Option<String>,
    /// Markdown source.
    pub body_markdown: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// Editor's summary.
    pub summary: Option<String>,
    /// Summary or extracted teaser.
    pub teaser: String,
    /// Place line.
    pub dateline: Option<String>,
    /// Section name.
    pub section: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Author names in byline order.
    pub authors: Vec<String>,
    /// Lead image.
    pub lead_image: Option<LeadImage>,
    /// Story origin.
    pub source: Option<String>,
    /// Correction notice.
    pub correction: Option<Correction>,
    /// Status to store.
    pub status: Status,
    /// Publication time (required for published and scheduled).
    pub published_at: Option<DateTime<Utc>>,
    /// Words in the body.
    pub word_count: i64,
    /// The newsroom user creating the article (`None` for imports and API-key writes).
    /// Written by [`WriteTx::create`] only: [`WriteTx::update`] never changes an owner.
    pub owner_id: Option<i64>,
}

impl ArticleRecord {
    /// The record that rewrites `article` unchanged; callers then change what they need.
    pub fn from_article(article: &Article) -> ArticleRecord {
        ArticleRecord {
            slug: article.slug.clone(),
            external_id: article.external_id.clone(),
            title: article.title.clone(),
            standfirst: article.standfirst.clone(),
            body_markdown: article.body_markdown.clone(),
            body_html: article.body_html.clone(),
            summary: article.summary.clone(),
            teaser: article.teaser.clone(),
            dateline: article.dateline.clone(),
            section: article.section.as_ref().map(|s| s.name.clone()),
            tags: article.tags.iter().map(|t| t.name.clone()).collect(),
            authors: article.authors.iter().map(|t| t.name.clone()).collect(),
            lead_image: article.lead_image.clone(),
            source: article.source.clone(),
            correction: article.correction.clone(),
            status: article.status,
            published_at: article.published_at,
            word_count: article.word_count,
            owner_id: article.owner_id,
        }
    }
}

/// One saved change of an article, with the full snapshot as it was after the change.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    /// The version this revision created.
    pub version: Version,
    /// Who made the change (user email, `key:<name>`, `import`, `scheduler`).
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The article as saved.
    pub snapshot: Article,
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx<'a> {
    tx: Transaction<'a, Any>,
    sqlite: bool,
    terms: TermCache,
    /// Rows written in multi-row statements at [`WriteTx::flush`]: on SQLite every statement
    /// is a round trip to the database thread, and a bulk import would otherwise spend most
    /// of its time on those hand-offs.
    pending: Pending,
    /// Surrogate keys of every change written, for the writer's own cache invalidation.
    written_keys: Vec<String>,
    bulk: Option<BulkIndex>,
    _guard: Option<OwnedMutexGuard<()>>,
}

/// Rows waiting for the next flush.
#[derive(Default)]
struct Pending {
    revisions: Vec<(i64, i64, String, String, i64)>,
    changes: Vec<(i64, String, String, i64)>,
    tag_links: Vec<(i64, i64, i64)>,
    author_links: Vec<(i64, i64, i64)>,
}

impl Pending {
    fn len(&self) -> usize {
        self.revisions.len() + self.changes.len() + self.tag_links.len() + self.author_links.len()
    }
}

/// Flush once this many rows are pending (well under both backends' parameter limits).
const FLUSH_AT: usize = 256;

/// Taken slugs and external ids, loaded once for a bulk import so that each record needs
/// no lookup query.
struct BulkIndex {
    slugs: std::collections::HashSet<String>,
    external_ids: std::collections::HashMap<String, i64>,
}

impl<'a> WriteTx<'a> {
    pub(crate) fn new(
        tx: Transaction<'a, Any>,
        sqlite: bool,
        guard: Option<OwnedMutexGuard<()>>,
    ) -> Self {
        WriteTx {
            tx,
            sqlite,
            terms: TermCache::default(),
            pending: Pending::default(),
            written_keys: Vec::new(),
            bulk: None,
            _guard: guard,
        }
    }

    /// Gives this transaction's connection a large page cache (SQLite), so a bulk import
    /// spills fewer pages to the WAL before commit. A no-op on PostgreSQL.
    ///
    /// Also loads every taken slug and external id, so that creating an article needs no
    /// lookup queries for the rest of the transaction.
    pub async fn bulk_mode(&mut self) -> Result<()> {
        if self.sqlite {
            sqlx::query::<Any>("PRAGMA cache_size = -262144")
                .execute(&mut *self.tx)
                .await?;
        }
        let mut slugs = std::collections::HashSet::new();
        for row in sqlx::query::<Any>(
            "SELECT slug FROM articles UNION ALL SELECT old_slug FROM slug_redirects",
        )
        .fetch_all(&mut *self.tx)
        .await?
        {
            slugs.insert(row.try_get::<String, _>(0)?);
        }
        let mut external_ids = std::collections::HashMap::new();
        for row in
            sqlx::query::<Any>("SELECT external_id, id FROM articles WHERE external_id IS NOT NULL")
                .fetch_all(&mut *self.tx)
                .await?
        {
            external_ids.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
        }
        self.bulk = Some(BulkIndex {
            slugs,
            external_ids,
        });
        Ok(())
    }

    /// Makes everything written visible at once; returns the surrogate keys of the pages
    /// the transaction's changes touched (the same keys its change rows carry to other
    /// nodes), deduplicated.
    pub async fn commit(mut self) -> Result<Vec<String>> {
        self.flush().await?;
        self.tx.commit().await?;
        let mut keys = std::mem::take(&mut self.written_keys);
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// Writes the buffered revision, change and link rows now rather than at commit (they
    /// stay invisible to others until then). Tests use it to take sequence numbers early.
    pub async fn flush_pending(&mut self) -> Result<()> {
        self.flush().await
    }

    /// Writes pending revision, change and link rows.
    async fn flush(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        for chunk in pending.revisions.chunks(FLUSH_AT) {
            let mut sql = Sql::new(
                "INSERT INTO revisions (article_id, version, actor, snapshot, created_at) VALUES ",
            );
            for (i, (article, version, actor, snapshot, at)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Bind::Int(*article))
                    .push(", ")
                    .bind(Bind::Int(*version))
                    .push(", ")
                    .bind(Bind::Text(actor.clone()))
                    .push(", ")
                    .bind(Bind::Text(snapshot.clone()))
                    .push(", ")
                    .bind(Bind::Int(*at))
                    .push(")");
            }
            sql.query().execute(&mut *self.tx).await?;
        }
        for chunk in pending.changes.chunks(FLUSH_AT) {
            let mut sql =
                Sql::new("INSERT INTO changes (article_id, kind, surrogate_keys, at) VALUES ");
            for (i, (article, kind, keys, at)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Bind::Int(*article))
                    .push(", ")
                    .bind(Bind::Text(kind.clone()))
                    .push(", ")
                    .bind(Bind::Text(keys.clone()))
                    .push(", ")
                    .bind(Bind::Int(*at))
                    .push(")");
            }
            sql.query().execute(&mut *self.tx).await?;
        }
        for (table, column, rows) in [
            ("article_tags", "tag_id", &pending.tag_links),
            ("article_authors", "author_id", &pending.author_links),
        ] {
            for chunk in rows.chunks(FLUSH_AT) {
                let mut sql = Sql::new(&format!(
                    "INSERT INTO {table} (article_id, {column}, position) VALUES "
                ));
                for (i, (article, term, position)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind(Bind::Int(*article))
                        .push(", ")
                        .bind(Bind::Int(*term))
                        .push(", ")
                        .bind(Bind::Int(*position))
                        .push(")");
                }
                sql.query().execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }

    async fn flush_if_full(&mut self) -> Result<()> {
        if self.pending.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// Replaces the editors' pinned and excluded related articles of `id`, and records a
    /// change so every node refreshes the article's cached page.
    pub async fn set_related_overrides(
        &mut self,
        id: ArticleId,
        pins: &[ArticleId],
        excludes: &[ArticleId],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let article = self.article(id).await?;
        sqlx::query::<Any>("DELETE FROM related_overrides WHERE article_id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        let rows = pins
            .iter()
            .map(|p| (p, "pin"))
            .chain(excludes.iter().map(|e| (e, "exclude")));
        for (position, (other, kind)) in rows.enumerate() {
            sqlx::query::<Any>(
                "INSERT INTO related_overrides (article_id, related_id, kind, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(other.0)
            .bind(kind)
            .bind(position as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        let at = Article {
            updated_at: now,
            ..article
        };
        self.write_change(&at, "related", &[format!("article:{}", id.0)])
            .await
    }

    /// Reads an article in any status but deleted, inside this transaction.
    pub async fn article(&mut self, id: ArticleId) -> Result<Article> {
        let row = sqlx::query::<Any>(&format!(
            "{ARTICLE_SELECT} WHERE a.id = $1 AND a.status <> 'deleted'"
        ))
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(Error::NotFound)?;
        article_from_row(&row)
    }

    async fn article_in_any_status(&mut self, id: ArticleId) -> Result<Article> {
        let row = sqlx::query::<Any>(&format!("{ARTICLE_SELECT} WHERE a.id = $1"))
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(Error::NotFound)?;
        article_from_row(&row)
    }

    /// The id of the live article imported with `external_id`, if any.
    pub async fn id_by_external_id(&mut self, external_id: &str) -> Result<Option<ArticleId>> {
        if let Some(bulk) = &self.bulk {
            return Ok(bulk.external_ids.get(external_id).copied().map(ArticleId));
        }
        let row = sqlx::query::<Any>("SELECT id FROM articles WHERE external_id = $1")
            .bind(external_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?
            .map(ArticleId))
    }

    async fn slug_taken(&mut self, slug: &Slug, except: Option<ArticleId>) -> Result<bool> {
        let row = sqlx::query::<Any>(
            "SELECT id FROM articles WHERE slug = $1 \
             UNION ALL SELECT article_id FROM slug_redirects WHERE old_slug = $2",
        )
        .bind(slug.as_str())
        .bind(slug.as_str())
        .fetch_all(&mut *self.tx)
        .await?;
        let others = row
            .iter()
            .filter_map(|r| r.try_get::<i64, _>(0).ok())
            .any(|id| Some(ArticleId(id)) != except);
        Ok(others)
    }

    /// Whether `slug` is free for article `except` (or for a new article when `None`): no
    /// other article has it or redirects from it, counting articles written earlier in this
    /// transaction. Writers check this for a slug that was asked for, which must not be
    /// renamed the way [`WriteTx::create`] renames one made from a title.
    pub async fn slug_is_free(&mut self, slug: &Slug, except: Option<ArticleId>) -> Result<bool> {
        if let (Some(bulk), None) = (&self.bulk, except) {
            return Ok(!bulk.slugs.contains(slug.as_str()));
        }
        Ok(!self.slug_taken(slug, except).await?)
    }

    async fn unique_slug(&mut self, wanted: &Slug, except: Option<ArticleId>) -> Result<Slug> {
        if let (Some(bulk), None) = (&mut self.bulk, except) {
            let mut candidate = wanted.clone();
            let mut n = 2;
            while bulk.slugs.contains(candidate.as_str()) {
                candidate = wanted.with_suffix(n);
                n += 1;
            }
            bulk.slugs.insert(candidate.as_str().to_owned());
            return Ok(candidate);
        }
        if !self.slug_taken(wanted, except).await? {
            return Ok(wanted.clone());
        }
        for n in 2..10_000 {
            let candidate = wanted.with_suffix(n);
            if !self.slug_taken(&candidate, except).await? {
                return Ok(candidate);
            }
        }
        Err(Error::Duplicate {
            field: "slug".into(),
        })
    }

    /// Inserts a new article (version 1) with its first revision and a change row.
    pub async fn create(
        &mut self,
        record: &ArticleRecord,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Article> {
        let slug = self.unique_slug(&record.slug, None).await?;
        let terms = self.resolve_terms(record).await?;
        let row = sqlx::query::<Any>(
            "INSERT INTO articles (slug, external_id, title, standfirst, body_markdown, body_html, \
             summary, teaser, dateline, section_id, tags_json, authors_json, lead_image_url, \
             lead_image_caption, lead_image_credit, source, correction_note, corrected_at, status, \
             created_at, published_at, updated_at, version, word_count, owner_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,1,$23,$24) \
             RETURNING id",
        )
        .bind(slug.as_str())
        .bind(record.external_id.as_deref())
        .bind(record.title.as_str())
        .bind(record.standfirst.as_deref())
        .bind(record.body_markdown.as_str())
        .bind(record.body_html.as_str())
        .bind(record.summary.as_deref())
        .bind(record.teaser.as_str())
        .bind(record.dateline.as_deref())
        .bind(terms.section_id)
        .bind(terms.tags_json.as_str())
        .bind(terms.authors_json.as_str())
        .bind(record.lead_image.as_ref().map(|i| i.url.as_str()))
        .bind(record.lead_image.as_ref().and_then(|i| i.caption.as_deref()))
        .bind(record.lead_image.as_ref().and_then(|i| i.credit.as_deref()))
        .bind(record.source.as_deref())
        .bind(record.correction.as_ref().map(|c| c.note.as_str()))
        .bind(record.correction.as_ref().map(|c| c.at.timestamp()))
        .bind(record.status.as_str())
        .bind(now.timestamp())
        .bind(record.published_at.map(|t| t.timestamp()))
        .bind(now.timestamp())
        .bind(record.word_count)
        .bind(record.owner_id)
        .fetch_one(&mut *self.tx)
        .await?;
        let id = ArticleId(row.try_get("id")?);
        if let (Some(bulk), Some(ext)) = (&mut self.bulk, &record.external_id) {
            bulk.external_ids.insert(ext.clone(), id.0);
        }
        self.link_terms(id, &terms, false).await?;
        let article = Article {
            id,
            slug,
            external_id: record.external_id.clone(),
            title: record.title.clone(),
            standfirst: record.standfirst.clone(),
            body_markdown: record.body_markdown.clone(),
            body_html: record.body_html.clone(),
            summary: record.summary.clone(),
            teaser: record.teaser.clone(),
            dateline: record.dateline.clone(),
            section: terms.section.clone(),
            tags: terms.tags.clone(),
            authors: terms.authors.clone(),
            lead_image: record.lead_image.clone(),
            source: record.source.clone(),
            correction: record.correction.clone(),
            status: record.status,
            created_at: time(now.timestamp())?,
            published_at: record
                .published_at
                .map(|t| time(t.timestamp()))
                .transpose()?,
            updated_at: time(now.timestamp())?,
            version: Version(1),
            story_id: id.0,
            word_count: record.word_count,
            owner_id: record.owner_id,
            earlier_corrections: Vec::new(),
        };
        self.write_revision(&article, actor).await?;
        let sections_changed = self.public_sections_changed(None, &article, now).await?;
        let keys = dateline_core::change_keys(None, &article, sections_changed);
        self.write_change(&article, "create", &keys).await?;
        Ok(article)
    }

    /// Rewrites article `id` from `record` if its current version is `expected`.
    ///
    /// A stale `expected` gives [`Error::VersionConflict`] with the current article and
    /// writes nothing. When the slug of an article that has been public changes, the old
    /// slug keeps answering as a redirect.
    pub async fn update(
        &mut self,
        id: ArticleId,
        expected: Version,
        record: &ArticleRecord,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Article> {
        // Link rows of an article created earlier in this transaction may still be pending;
        // they must land before the links are replaced below.
        self.flush().await?;
        let before = self.article(id).await?;
        if before.version != expected {
            return Err(Error::VersionConflict {
                expected: expected.0,
                current: Box::new(before),
            });
        }
        let slug = if record.slug == before.slug {
            before.slug.clone()
        } else {
            self.unique_slug(&record.slug, Some(id)).await?
        };
        if let Some(bulk) = &mut self.bulk {
            bulk.slugs.insert(slug.as_str().to_owned());
        }
        if slug != before.slug {
            let was_public = matches!(before.status, Status::Published | Status::Unpublished);
            sqlx::query::<Any>("DELETE FROM slug_redirects WHERE old_slug = $1")
                .bind(slug.as_str())
                .execute(&mut *self.tx)
                .await?;
            if was_public {
                sqlx::query::<Any>(
                    "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2)",
                )
                .bind(before.slug.as_str())
                .bind(id.0)
                .execute(&mut *self.tx)
                .await?;
            }
        }
        let terms = self.resolve_terms(record).await?;
        let version = Version(before.version.0 + 1);
        // A correction is never taken back: a replaced (or cleared) notice joins the
        // history, whatever the record says.
        let mut earlier_corrections = before.earlier_corrections.clone();
        if let Some(previous) = &before.correction {
            if record.correction.as_ref() != Some(previous) {
                earlier_corrections.push(previous.clone());
            }
        }
        let result = sqlx::query::<Any>(
            "UPDATE articles SET slug = $1, external_id = $2, title = $3, standfirst = $4, \
             body_markdown = $5, body_html = $6, summary = $7, teaser = $8, dateline = $9, \
             section_id = $10, tags_json = $11, authors_json = $12, lead_image_url = $13, \
             lead_image_caption = $14, lead_image_credit = $15, source = $16, \
             correction_note = $17, corrected_at = $18, status = $19, published_at = $20, \
             updated_at = $21, version = $22, word_count = $23, earlier_corrections = $26 \
             WHERE id = $24 AND version = $25",
        )
        .bind(slug.as_str())
        .bind(record.external_id.as_deref())
        .bind(record.title.as_str())
        .bind(record.standfirst.as_deref())
        .bind(record.body_markdown.as_str())
        .bind(record.body_html.as_str())
        .bind(record.summary.as_deref())
        .bind(record.teaser.as_str())
        .bind(record.dateline.as_deref())
        .bind(terms.section_id)
        .bind(terms.tags_json.as_str())
        .bind(terms.authors_json.as_str())
        .bind(record.lead_image.as_ref().map(|i| i.url.as_str()))
        .bind(
            record
                .lead_image
                .as_ref()
                .and_then(|i| i.caption.as_deref()),
        )
        .bind(record.lead_image.as_ref().and_then(|i| i.credit.as_deref()))
        .bind(record.source.as_deref())
        .bind(record.correction.as_ref().map(|c| c.note.as_str()))
        .bind(record.correction.as_ref().map(|c| c.at.timestamp()))
        .bind(record.status.as_str())
        .bind(record.published_at.map(|t| t.timestamp()))
        .bind(now.timestamp())
        .bind(version.0)
        .bind(record.word_count)
        .bind(id.0)
        .bind(expected.0)
        .bind(serde_json::to_string(&earlier_corrections)?)
        .execute(&mut *self.tx)
        .await?;
        if result.rows_affected() == 0 {
            // Another writer got in between our read and write (PostgreSQL, no write lock).
            let current = self.article(id).await?;
            return Err(Error::VersionConflict {
                expected: expected.0,
                current: Box::new(current),
            });
        }
        self.link_terms(id, &terms, true).await?;
        let after = self.article_in_any_status(id).await?;
        self.write_revision(&after, actor).await?;
        let sections_changed = self
            .public_sections_changed(Some(&before), &after, now)
            .await?;
        let keys = dateline_core::change_keys(Some(&before), &after, sections_changed);
        let kind = if after.status == before.status {
            "update"
        } else {
            after.status.as_str()
        };
        self.write_change(&after, kind, &keys).await?;
        Ok(after)
    }

    async fn resolve_terms(&mut self, record: &ArticleRecord) -> Result<ResolvedTerms> {
        let conn = &mut *self.tx;
        let section = match &record.section {
            Some(name) => Some(self.terms.resolve(conn, TermKind::Section, name).await?),
            None => None,
        };
        let mut tags = Vec::with_capacity(record.tags.len());
        for name in &record.tags {
            let t = self.terms.resolve(conn, TermKind::Tag, name).await?;
            if !tags.iter().any(|(id, _)| *id == t.0) {
                tags.push(t);
            }
        }
        let mut authors = Vec::with_capacity(record.authors.len());
        for name in &record.authors {
            let a = self.terms.resolve(conn, TermKind::Author, name).await?;
            if !authors.iter().any(|(id, _)| *id == a.0) {
                authors.push(a);
            }
        }
        let tag_terms: Vec<_> = tags.iter().map(|(_, t)| t.clone()).collect();
        let author_terms: Vec<_> = authors.iter().map(|(_, t)| t.clone()).collect();
        Ok(ResolvedTerms {
            section_id: section.as_ref().map(|(id, _)| *id),
            section: section.map(|(_, t)| t),
            tags_json: serde_json::to_string(&tag_terms)?,
            authors_json: serde_json::to_string(&author_terms)?,
            tag_ids: tags.iter().map(|(id, _)| *id).collect(),
            author_ids: authors.iter().map(|(id, _)| *id).collect(),
            tags: tag_terms,
            authors: author_terms,
        })
    }

    async fn link_terms(
        &mut self,
        id: ArticleId,
        terms: &ResolvedTerms,
        replace: bool,
    ) -> Result<()> {
        for (table, column, ids) in [
            ("article_tags", "tag_id", &terms.tag_ids),
            ("article_authors", "author_id", &terms.author_ids),
        ] {
            if replace {
                sqlx::query::<Any>(&format!("DELETE FROM {table} WHERE article_id = $1"))
                    .bind(id.0)
                    .execute(&mut *self.tx)
                    .await?;
            }
            let rows = ids
                .iter()
                .enumerate()
                .map(|(position, term)| (id.0, *term, position as i64));
            if column == "tag_id" {
                self.pending.tag_links.extend(rows);
            } else {
                self.pending.author_links.extend(rows);
            }
        }
        self.flush_if_full().await
    }

    async fn write_revision(&mut self, article: &Article, actor: &str) -> Result<()> {
        // The HTML is derived from the Markdown (the app re-renders it when a revision is
        // read), so snapshots keep only the source: a quarter less to write per save.
        let snapshot = serde_json::to_string(&Article {
            body_html: String::new(),
            ..article.clone()
        })?;
        self.pending.revisions.push((
            article.id.0,
            article.version.0,
            actor.to_owned(),
            snapshot,
            article.updated_at.timestamp(),
        ));
        self.flush_if_full().await
    }

    /// Whether the write just made (the row already holds `after`) changed the set of
    /// sections with public articles: a section got its first public article or lost its
    /// last one.
    async fn public_sections_changed(
        &mut self,
        before: Option<&Article>,
        after: &Article,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let public_before = before.filter(|b| b.is_public_at(now));
        let public_after = after.is_public_at(now).then_some(after);
        let section_before = public_before.and_then(|b| b.section.as_ref());
        let section_after = public_after.and_then(|a| a.section.as_ref());
        if section_before == section_after {
            return Ok(false);
        }
        // A section left: does any public article remain in it? A section entered: was
        // there any other public article in it?
        for section in [section_before, section_after].into_iter().flatten() {
            let others = sqlx::query::<Any>(
                "SELECT COUNT(*) AS n FROM articles a JOIN sections s ON s.id = a.section_id \
                 WHERE s.slug = $1 AND a.id <> $2 AND a.status = 'published' AND a.published_at <= $3",
            )
            .bind(section.slug.as_str())
            .bind(after.id.0)
            .bind(now.timestamp())
            .fetch_one(&mut *self.tx)
            .await?
            .try_get::<i64, _>("n")?;
            if others == 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn write_change(&mut self, article: &Article, kind: &str, keys: &[String]) -> Result<()> {
        self.written_keys.extend(keys.iter().cloned());
        self.pending.changes.push((
            article.id.0,
            kind.to_owned(),
            keys.join(" "),
            article.updated_at.timestamp(),
        ));
        self.flush_if_full().await
    }
}

struct ResolvedTerms {
    section_id: Option<i64>,
    section: Option<dateline_core::Term>,
    tags: Vec<dateline_core::Term>,
    authors: Vec<dateline_core::Term>,
    tags_json: String,
    authors_json: String,
    tag_ids: Vec<i64>,
    author_ids: Vec<i64>,
}

impl Store {
    /// An article in any status except deleted.
    pub async fn article(&self, id: ArticleId) -> Result<Article> {
        let row = sqlx::query::<Any>(&format!(
            "{ARTICLE_SELECT} WHERE a.id = $1 AND a.status <> 'deleted'"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        article_from_row(&row)
    }

    /// The editors' pinned (in order) and excluded related articles of `id`.
    pub async fn related_overrides(
        &self,
        id: ArticleId,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        let rows = sqlx::query::<Any>(
            "SELECT related_id, kind FROM related_overrides WHERE article_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        let mut pins = Vec::new();
        let mut excludes = Vec::new();
        for r in &rows {
            let other = ArticleId(r.try_get("related_id")?);
            if r.try_get::<String, _>("kind")? == "pin" {
                pins.push(other);
            } else {
                excludes.push(other);
            }
        }
        Ok((pins, excludes))
    }

    /// Every revision of an article, newest first. Snapshots carry the Markdown body only;
    /// `body_html` is empty (render it from `body_markdown`).
    pub async fn revisions(&self, id: ArticleId) -> Result<Vec<Revision>> {
        let rows = sqlx::query::<Any>(
            "SELECT version, actor, created_at, snapshot FROM revisions WHERE article_id = $1 ORDER BY version DESC",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Revision {
                    version: Version(r.try_get("version")?),
                    actor: r.try_get("actor")?,
                    created_at: time(r.try_get("created_at")?)?,
                    snapshot: serde_json::from_str(&r.try_get::<String, _>("snapshot")?)?,
                })
            })
            .collect()
    }

    /// A page of articles in id order, every status but deleted: the export's source.
    pub async fn articles_after(
        &self,
        after: Option<ArticleId>,
        limit: i64,
    ) -> Result<Vec<Article>> {
        let rows = sqlx::query::<Any>(&format!(
            "{ARTICLE_SELECT} WHERE a.id > $1 AND a.status <> 'deleted' ORDER BY a.id LIMIT $2"
        ))
        .bind(after.map_or(0, |a| a.0))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Scheduled articles whose time has come.
    pub async fn due_scheduled(&self, now: DateTime<Utc>) -> Result<Vec<(ArticleId, Version)>> {
        let rows = sqlx::query::<Any>(
            "SELECT id, version FROM articles WHERE status = 'scheduled' AND published_at <= $1 ORDER BY published_at",
        )
        .bind(now.timestamp())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((ArticleId(r.try_get("id")?), Version(r.try_get("version")?))))
            .collect()
    }

    /// How many articles are stored, in any status but deleted.
    pub async fn article_count(&self) -> Result<i64> {
        let row =
            sqlx::query::<Any>("SELECT COUNT(*) AS n FROM articles WHERE status <> 'deleted'")
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get("n")?)
    }
}
