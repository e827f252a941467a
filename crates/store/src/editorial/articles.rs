//! Creating and updating articles inside a write transaction (slugs, terms, which pages a
//! change touches), and the newsroom's reads that see every status.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, Slug, Status, Version};
use sqlx::any::Any;
use sqlx::Row;

use super::{ArticleRecord, WriteTx};
use crate::rows::{article_from_row, time, ARTICLE_SELECT};
use crate::terms::TermKind;
use crate::{Error, Result, Store};

/// The columns an article's content fills, in the order [`bind_content`] binds them. A new
/// content field is one column here and one bind there; both statements below follow.
const CONTENT_COLUMNS: [&str; 16] = [
    "title",
    "standfirst",
    "body_markdown",
    "body_html",
    "summary",
    "teaser",
    "dateline",
    "section_id",
    "tags_json",
    "authors_json",
    "lead_image_url",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "source",
    "word_count",
];

/// Binds the content of `record` (with its resolved terms) as the last
/// `CONTENT_COLUMNS.len()` parameters of a statement.
fn bind_content<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    record: &'q ArticleRecord,
    terms: &'q ResolvedTerms,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let content = &record.content;
    let image = content.lead_image.as_ref();
    query
        .bind(content.title.as_str())
        .bind(content.standfirst.as_deref())
        .bind(content.body.as_str())
        .bind(record.body_html.as_str())
        .bind(content.summary.as_deref())
        .bind(record.teaser.as_str())
        .bind(content.dateline.as_deref())
        .bind(terms.section_id)
        .bind(terms.tags_json.as_str())
        .bind(terms.authors_json.as_str())
        .bind(image.map(|i| i.url.as_str()))
        .bind(image.and_then(|i| i.alt.as_deref()))
        .bind(image.and_then(|i| i.caption.as_deref()))
        .bind(image.and_then(|i| i.credit.as_deref()))
        .bind(content.source.as_deref())
        .bind(record.word_count)
}

/// `$first, $first+1, …` for the content columns.
fn content_placeholders(first: usize) -> impl Iterator<Item = String> {
    (first..first + CONTENT_COLUMNS.len()).map(|n| format!("${n}"))
}

/// Insert: 9 fixed parameters, version 1, then the content.
static INSERT_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO articles (slug, external_id, correction_note, corrected_at, status, \
         created_at, published_at, updated_at, owner_id, version, {}) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,{}) RETURNING id",
        CONTENT_COLUMNS.join(", "),
        content_placeholders(10).collect::<Vec<_>>().join(",")
    )
});

/// Update guarded by the expected version: 11 fixed parameters, then the content.
static UPDATE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let content: Vec<String> = CONTENT_COLUMNS
        .iter()
        .zip(content_placeholders(12))
        .map(|(column, p)| format!("{column} = {p}"))
        .collect();
    format!(
        "UPDATE articles SET slug = $1, external_id = $2, correction_note = $3, \
         corrected_at = $4, status = $5, published_at = $6, updated_at = $7, version = $8, \
         earlier_corrections = $9, {} WHERE id = $10 AND version = $11",
        content.join(", ")
    )
});

impl WriteTx<'_> {
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

    pub(super) async fn article_in_any_status(&mut self, id: ArticleId) -> Result<Article> {
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

    pub(super) async fn slug_taken(
        &mut self,
        slug: &Slug,
        except: Option<ArticleId>,
    ) -> Result<bool> {
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

    pub(super) async fn unique_slug(
        &mut self,
        wanted: &Slug,
        except: Option<ArticleId>,
    ) -> Result<Slug> {
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
        let query = sqlx::query::<Any>(INSERT_SQL.as_str())
            .bind(slug.as_str())
            .bind(record.external_id.as_deref())
            .bind(record.correction.as_ref().map(|c| c.note.as_str()))
            .bind(record.correction.as_ref().map(|c| c.at.timestamp()))
            .bind(record.status.as_str())
            .bind(now.timestamp())
            .bind(record.published_at.map(|t| t.timestamp()))
            .bind(now.timestamp())
            .bind(record.owner_id);
        let row = bind_content(query, record, &terms)
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
            title: record.content.title.clone(),
            standfirst: record.content.standfirst.clone(),
            body_markdown: record.content.body.clone(),
            body_html: record.body_html.clone(),
            summary: record.content.summary.clone(),
            teaser: record.teaser.clone(),
            dateline: record.content.dateline.clone(),
            section: terms.section.clone(),
            tags: terms.tags.clone(),
            authors: terms.authors.clone(),
            lead_image: record.content.lead_image.clone(),
            source: record.content.source.clone(),
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
        let query = sqlx::query::<Any>(UPDATE_SQL.as_str())
            .bind(slug.as_str())
            .bind(record.external_id.as_deref())
            .bind(record.correction.as_ref().map(|c| c.note.as_str()))
            .bind(record.correction.as_ref().map(|c| c.at.timestamp()))
            .bind(record.status.as_str())
            .bind(record.published_at.map(|t| t.timestamp()))
            .bind(now.timestamp())
            .bind(version.0)
            .bind(serde_json::to_string(&earlier_corrections)?)
            .bind(id.0)
            .bind(expected.0);
        let result = bind_content(query, record, &terms)
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

    pub(super) async fn resolve_terms(&mut self, record: &ArticleRecord) -> Result<ResolvedTerms> {
        let conn = &mut *self.tx;
        let section = match &record.content.section {
            Some(name) => Some(self.terms.resolve(conn, TermKind::Section, name).await?),
            None => None,
        };
        let mut tags = Vec::with_capacity(record.content.tags.len());
        for name in &record.content.tags {
            let t = self.terms.resolve(conn, TermKind::Tag, name).await?;
            if !tags.iter().any(|(id, _)| *id == t.0) {
                tags.push(t);
            }
        }
        let mut authors = Vec::with_capacity(record.content.authors.len());
        for name in &record.content.authors {
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

    pub(super) async fn link_terms(
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

    /// Whether the write just made (the row already holds `after`) changed the set of
    /// sections with public articles: a section got its first public article or lost its
    /// last one.
    pub(super) async fn public_sections_changed(
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
}

pub(super) struct ResolvedTerms {
    pub(super) section_id: Option<i64>,
    pub(super) section: Option<dateline_core::Term>,
    pub(super) tags: Vec<dateline_core::Term>,
    pub(super) authors: Vec<dateline_core::Term>,
    pub(super) tags_json: String,
    pub(super) authors_json: String,
    pub(super) tag_ids: Vec<i64>,
    pub(super) author_ids: Vec<i64>,
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
