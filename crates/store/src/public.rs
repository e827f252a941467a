//! The one read path for everything public: pages, API, lists.
//!
//! Every query here carries the visibility rule in SQL — `status = 'published' AND
//! published_at <= now` — so no caller can forget it (DESIGN.md: nothing public may ever
//! expose a draft, scheduled, unpublished or deleted article).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, Slug, Term};
use sqlx::any::Any;
use sqlx::Row;

use crate::binds::{Bind, Sql};
use crate::rows::{
    article_from_row, slug as parse_slug, ARTICLE_SELECT, ARTICLE_SUMMARY_COLUMNS,
    ARTICLE_SUMMARY_SELECT,
};
use crate::terms::TermKind;
use crate::{Backend, Error, Result, Store};

pub(crate) const VISIBLE: &str = " a.status = 'published' AND a.published_at <= ";

/// The same condition, written so that no index on status or publish time can serve it:
/// for scans in id order the primary key must drive. With sampled statistics SQLite may
/// otherwise judge the status index selective and sort every public row per page (1.5 s
/// per 1,000 rows at 100,000 articles instead of milliseconds). `|| ''` and `+ 0` are
/// no-ops on both backends.
const VISIBLE_BY_ID: &str = " (a.status || '') = 'published' AND (a.published_at + 0) <= ";

/// Which public list to read: every given criterion must hold; none means all articles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// The external id the article was imported with.
    pub external_id: Option<String>,
}

/// A position in a newest-first list: the last item's publish time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    published_at: i64,
    id: i64,
}

impl Cursor {
    /// The opaque text form used in URLs and the API.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.published_at, self.id))
    }

    /// Parses the text form; `Error::Invalid` for anything we did not make.
    pub fn decode(s: &str) -> Result<Cursor> {
        let invalid = || Error::Invalid {
            field: "cursor".into(),
            reason: "is not a cursor from this site".into(),
        };
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let (p, i) = text.split_once(':').ok_or_else(invalid)?;
        Ok(Cursor {
            published_at: p.parse().map_err(|_| invalid())?,
            id: i.parse().map_err(|_| invalid())?,
        })
    }

    fn after(article: &Article) -> Cursor {
        Cursor {
            published_at: article.published_at.map_or(0, |t| t.timestamp()),
            id: article.id.0,
        }
    }
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page {
    /// Articles, newest first.
    pub items: Vec<Article>,
    /// Cursor of the next (older) page, `None` at the end.
    pub next: Option<Cursor>,
}

/// What a public slug leads to.
#[derive(Debug, Clone)]
pub enum SlugLookup {
    /// A public article.
    Live(Box<Article>),
    /// An old slug of a public article: redirect to its current slug.
    Moved(Slug),
    /// The article was published and then withdrawn: 410.
    Gone,
    /// Nothing public has (or had) this slug: 404.
    NotFound,
}

impl Store {
    /// Resolves a slug for the public article page.
    pub async fn public_lookup(&self, slug: &str, now: DateTime<Utc>) -> Result<SlugLookup> {
        let row = sqlx::query::<Any>(&format!("{ARTICLE_SELECT} WHERE a.slug = $1"))
            .bind(slug)
            .fetch_optional(self.pool())
            .await?;
        if let Some(row) = row {
            let article = article_from_row(&row)?;
            return Ok(if article.is_public_at(now) {
                SlugLookup::Live(Box::new(article))
            } else if article.status == dateline_core::Status::Unpublished {
                SlugLookup::Gone
            } else {
                SlugLookup::NotFound
            });
        }
        let moved = sqlx::query::<Any>(&format!(
            "SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id \
             WHERE r.old_slug = $1 AND{VISIBLE}$2"
        ))
        .bind(slug)
        .bind(now.timestamp())
        .fetch_optional(self.pool())
        .await?;
        Ok(match moved {
            Some(row) => SlugLookup::Moved(parse_slug(row.try_get("slug")?)?),
            None => SlugLookup::NotFound,
        })
    }

    /// A public article by slug, or `NotFound`.
    pub async fn public_article(&self, slug: &str, now: DateTime<Utc>) -> Result<Article> {
        let row = sqlx::query::<Any>(&format!(
            "{ARTICLE_SELECT} WHERE a.slug = $1 AND{VISIBLE}$2"
        ))
        .bind(slug)
        .bind(now.timestamp())
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        article_from_row(&row)
    }

    /// A page of public articles, newest first.
    pub async fn public_list(
        &self,
        filter: &ListFilter,
        cursor: Option<Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Page> {
        let limit = i64::from(limit.clamp(1, 100));
        let mut sql = Sql::new(ARTICLE_SELECT);
        sql.push(" WHERE")
            .push(VISIBLE)
            .bind(Bind::Int(now.timestamp()));
        if let Some(section) = &filter.section {
            sql.push(" AND s.slug = ").bind(Bind::Text(section.clone()));
        }
        if let Some(tag) = &filter.tag {
            sql.push(
                " AND a.id IN (SELECT at.article_id FROM article_tags at \
                 JOIN tags t ON t.id = at.tag_id WHERE t.slug = ",
            )
            .bind(Bind::Text(tag.clone()))
            .push(")");
        }
        if let Some(author) = &filter.author {
            sql.by_author(author);
        }
        if let Some(external_id) = &filter.external_id {
            sql.push(" AND a.external_id = ")
                .bind(Bind::Text(external_id.clone()));
        }
        if let Some(c) = cursor {
            sql.push(" AND (a.published_at < ")
                .bind(Bind::Int(c.published_at))
                .push(" OR (a.published_at = ")
                .bind(Bind::Int(c.published_at))
                .push(" AND a.id < ")
                .bind(Bind::Int(c.id))
                .push("))");
        }
        sql.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
            .bind(Bind::Int(limit + 1));
        let rows = sql.query().fetch_all(self.pool()).await?;
        let mut items = rows
            .iter()
            .map(article_from_row)
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(Cursor::after)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The public article with this id, if it is public now.
    pub async fn public_article_by_id(
        &self,
        id: ArticleId,
        now: DateTime<Utc>,
    ) -> Result<Option<Article>> {
        let row = sqlx::query::<Any>(&format!("{ARTICLE_SELECT} WHERE a.id = $1 AND{VISIBLE}$2"))
            .bind(id.0)
            .bind(now.timestamp())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(article_from_row).transpose()
    }

    /// The public articles among `ids`, in the order of `ids` (absent ones skipped), without
    /// their bodies (`body_markdown` and `body_html` are empty): for related lists and search
    /// hits, which show headlines and teasers.
    pub async fn public_summaries_by_ids(
        &self,
        ids: &[ArticleId],
        now: DateTime<Utc>,
    ) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = &ids[..ids.len().min(500)];
        let sql = match self.backend() {
            Backend::Sqlite => {
                let wanted = ids.iter().map(|id| id.0.to_string()).collect::<Vec<_>>();
                let wanted = format!("[{}]", wanted.join(","));
                // A join on `json_each` is one primary-key lookup per id. An `IN (…)` list
                // makes SQLite build and free a temporary b-tree, with its own page cache,
                // in every query: about a tenth of a search request's CPU.
                let mut sql = Sql::new(ARTICLE_SUMMARY_COLUMNS);
                sql.push("FROM json_each(")
                    .bind(Bind::Text(wanted))
                    .push(
                        ") wanted JOIN articles a ON a.id = wanted.value \
                         LEFT JOIN sections s ON s.id = a.section_id WHERE",
                    )
                    .push(VISIBLE)
                    .bind(Bind::Int(now.timestamp()));
                sql
            }
            Backend::Postgres => {
                let mut sql = Sql::new(ARTICLE_SUMMARY_SELECT);
                sql.push(" WHERE")
                    .push(VISIBLE)
                    .bind(Bind::Int(now.timestamp()))
                    .push(" AND a.id IN (");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(Bind::Int(id.0));
                }
                sql.push(")");
                sql
            }
        };
        let rows = sql.query().fetch_all(self.pool()).await?;
        let mut found: std::collections::HashMap<i64, Article> = rows
            .iter()
            .map(|r| article_from_row(r).map(|a| (a.id.0, a)))
            .collect::<Result<_>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(&id.0)).collect())
    }

    /// A page of public articles in id order: what search and related indexes are built from.
    pub async fn public_articles_after(
        &self,
        after: Option<ArticleId>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Article>> {
        let rows = sqlx::query::<Any>(&format!(
            "{ARTICLE_SELECT} WHERE a.id > $1 AND{VISIBLE_BY_ID}$2 ORDER BY a.id LIMIT $3"
        ))
        .bind(after.map_or(0, |a| a.0))
        .bind(now.timestamp())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// How many articles are public now.
    pub async fn public_count(&self, now: DateTime<Utc>) -> Result<i64> {
        let row = sqlx::query::<Any>(&format!(
            "SELECT COUNT(*) AS n FROM articles a WHERE{VISIBLE}$1"
        ))
        .bind(now.timestamp())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// A section, tag or author by slug, if it exists.
    pub async fn term(&self, kind: TermKind, slug: &str) -> Result<Option<Term>> {
        let row = sqlx::query::<Any>(&format!(
            "SELECT slug, name FROM {} WHERE slug = $1",
            kind.table()
        ))
        .bind(slug)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Term {
                slug: parse_slug(r.try_get("slug")?)?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }

    /// Sections that have at least one public article, by name: the site navigation.
    pub async fn public_sections(&self, now: DateTime<Utc>) -> Result<Vec<Term>> {
        let rows = sqlx::query::<Any>(&format!(
            "SELECT s.slug, s.name FROM sections s WHERE EXISTS \
             (SELECT 1 FROM articles a WHERE a.section_id = s.id AND{VISIBLE}$1) ORDER BY s.name"
        ))
        .bind(now.timestamp())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Term {
                    slug: parse_slug(r.try_get("slug")?)?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }
}

/// What a sitemap lists: articles, or the pages of sections, tags or authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    /// Article pages.
    Articles,
    /// Section pages.
    Sections,
    /// Tag pages.
    Tags,
    /// Author pages.
    Authors,
}

impl SitemapKind {
    /// The rows a sitemap block of this kind lists (alias `x`), and the condition that
    /// one is public: an article visible now, or a term with at least one such article
    /// (a term whose articles are all drafts is not revealed, as on its list page).
    fn source(self) -> (&'static str, &'static str) {
        match self {
            SitemapKind::Articles => ("articles x", "x.status = 'published' AND x.published_at <= $1"),
            SitemapKind::Sections => (
                "sections x",
                "EXISTS (SELECT 1 FROM articles a WHERE a.section_id = x.id AND a.status = 'published' AND a.published_at <= $1)",
            ),
            SitemapKind::Tags => (
                "tags x",
                "EXISTS (SELECT 1 FROM article_tags l JOIN articles a ON a.id = l.article_id \
                 WHERE l.tag_id = x.id AND a.status = 'published' AND a.published_at <= $1)",
            ),
            SitemapKind::Authors => (
                "authors x",
                "EXISTS (SELECT 1 FROM article_authors l JOIN articles a ON a.id = l.article_id \
                 WHERE l.author_id = x.id AND a.status = 'published' AND a.published_at <= $1)",
            ),
        }
    }
}

/// One line of a sitemap: the slug of a public page and, for articles, when it last
/// changed (the later of its update and publish times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// Slug of the article or term.
    pub slug: Slug,
    /// Last change, for articles; `None` for term pages.
    pub lastmod: Option<DateTime<Utc>>,
}

impl Store {
    /// The blocks of `block_size` ids (block `k` holds ids `k * block_size` up to, not
    /// including, `(k + 1) * block_size`) that hold at least one public row of `kind`,
    /// in order. One index seek per block that has one, never a scan of the table: from
    /// the start of a block, the first public id at or after it names the next block.
    pub async fn public_sitemap_blocks(
        &self,
        kind: SitemapKind,
        block_size: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<u64>> {
        let size = i64::from(block_size.max(1));
        let (from, public) = kind.source();
        let sql =
            format!("SELECT x.id FROM {from} WHERE x.id >= $2 AND {public} ORDER BY x.id LIMIT 1");
        let mut blocks = Vec::new();
        let mut start = 0_i64;
        loop {
            let row = sqlx::query::<Any>(&sql)
                .bind(now.timestamp())
                .bind(start)
                .fetch_optional(self.pool())
                .await?;
            let Some(row) = row else { break };
            let id: i64 = row.try_get("id")?;
            let block = id.div_euclid(size);
            blocks.push(u64::try_from(block).unwrap_or_default());
            start = (block + 1) * size;
        }
        Ok(blocks)
    }

    /// The public rows of `kind` in block `block` (see [`Store::public_sitemap_blocks`]),
    /// in id order: at most `block_size` of them, read by one range seek.
    pub async fn public_sitemap_block(
        &self,
        kind: SitemapKind,
        block: u64,
        block_size: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<SitemapEntry>> {
        let size = i64::from(block_size.max(1));
        let lo = i64::try_from(block)
            .ok()
            .and_then(|b| b.checked_mul(size))
            .ok_or(Error::NotFound)?;
        let hi = lo.saturating_add(size);
        let (from, public) = kind.source();
        let columns = match kind {
            SitemapKind::Articles => "x.slug, x.updated_at, x.published_at",
            _ => "x.slug, CAST(NULL AS BIGINT) AS updated_at, CAST(NULL AS BIGINT) AS published_at",
        };
        let rows = sqlx::query::<Any>(&format!(
            "SELECT {columns} FROM {from} WHERE x.id >= $2 AND x.id < $3 AND {public} ORDER BY x.id"
        ))
        .bind(now.timestamp())
        .bind(lo)
        .bind(hi)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let updated: Option<i64> = r.try_get("updated_at")?;
                let published: Option<i64> = r.try_get("published_at")?;
                let lastmod = match (updated, published) {
                    (Some(u), p) => Some(crate::rows::time(u.max(p.unwrap_or(u)))?),
                    (None, _) => None,
                };
                Ok(SitemapEntry {
                    slug: parse_slug(r.try_get("slug")?)?,
                    lastmod,
                })
            })
            .collect()
    }

    /// Public articles published at or after `since`, newest first, at most `limit`
    /// (without bodies): the news sitemap.
    pub async fn public_published_since(
        &self,
        since: DateTime<Utc>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Article>> {
        let rows = sqlx::query::<Any>(&format!(
            "{ARTICLE_SUMMARY_SELECT} WHERE{VISIBLE}$1 AND a.published_at >= $2 \
             ORDER BY a.published_at DESC, a.id DESC LIMIT $3"
        ))
        .bind(now.timestamp())
        .bind(since.timestamp())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_foreign_text() {
        let c = Cursor {
            published_at: 1_700_000_000,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c));
        assert!(Cursor::decode("not-a-cursor!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("1:x")).is_err());
    }
}
