//! The newsroom's article list and the term suggestions of the browser editor.
//!
//! Newsroom-only: the list shows drafts and scheduled articles, so nothing here may be
//! reachable from public handlers.

use chrono::{DateTime, Utc};
use dateline_core::{ArticleId, Status, Term, Version};
use sqlx::any::{Any, AnyRow};
use sqlx::Row;

use crate::binds::{Bind, Sql};
use crate::rows::{opt_time, time};
use crate::{Error, Result, Store};

/// The most rows one call returns, whatever limit is asked for.
const MAX_LIMIT: i64 = 500;

/// Which articles the newsroom list shows: every given criterion must hold. Deleted
/// articles are never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsroomFilter {
    /// Exactly this status.
    pub status: Option<Status>,
    /// Section slug.
    pub section: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Case-insensitive substring of the title, taken literally (`%`, `_` and `\` are not
    /// wildcards).
    pub title: Option<String>,
    /// The user who created the article.
    pub owner_id: Option<i64>,
    /// Keyset cursor: only articles strictly after this `(updated_at, id)` in list order,
    /// i.e. the last item of the previous page.
    pub before: Option<(DateTime<Utc>, ArticleId)>,
    /// How many to return, clamped to 1..=500.
    pub limit: i64,
}

impl Default for NewsroomFilter {
    fn default() -> Self {
        NewsroomFilter {
            status: None,
            section: None,
            author: None,
            title: None,
            owner_id: None,
            before: None,
            limit: 50,
        }
    }
}

/// One row of the newsroom list: what the list shows, without bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsroomItem {
    /// Store id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Current slug.
    pub slug: String,
    /// Status (never deleted).
    pub status: Status,
    /// Section name.
    pub section: Option<String>,
    /// Author names in byline order.
    pub authors: Vec<String>,
    /// The user who created the article (`None` for imports and API-key writes).
    pub owner_id: Option<i64>,
    /// That user's display name.
    pub owner_name: Option<String>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was (or will be) published.
    pub published_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: Version,
    /// Words in the body.
    pub word_count: i64,
}

/// `text` as a `LIKE` pattern matching itself only, with `\` as the escape character.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn item_from_row(row: &AnyRow) -> Result<NewsroomItem> {
    let status_text: String = row.try_get("status")?;
    let status = Status::parse(&status_text)
        .ok_or_else(|| Error::Corrupt(format!("status {status_text:?}")))?;
    let authors: Vec<Term> = serde_json::from_str(&row.try_get::<String, _>("authors_json")?)?;
    Ok(NewsroomItem {
        id: ArticleId(row.try_get("id")?),
        title: row.try_get("title")?,
        slug: row.try_get("slug")?,
        status,
        section: row.try_get("section_name")?,
        authors: authors.into_iter().map(|a| a.name).collect(),
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        updated_at: time(row.try_get("updated_at")?)?,
        published_at: opt_time(row.try_get("published_at")?)?,
        version: Version(row.try_get("version")?),
        word_count: row.try_get("word_count")?,
    })
}

impl Store {
    /// A page of the newsroom list: articles in every status but deleted, most recently
    /// changed first (`updated_at DESC, id DESC`). The next page starts after the last item:
    /// pass its `(updated_at, id)` as [`NewsroomFilter::before`].
    pub async fn newsroom_articles(&self, f: &NewsroomFilter) -> Result<Vec<NewsroomItem>> {
        let mut sql = Sql::new(
            "SELECT a.id, a.title, a.slug, a.status, s.name AS section_name, a.authors_json, \
             a.owner_id, u.name AS owner_name, a.updated_at, a.published_at, a.version, \
             a.word_count \
             FROM articles a LEFT JOIN sections s ON s.id = a.section_id \
             LEFT JOIN users u ON u.id = a.owner_id \
             WHERE a.status <> 'deleted'",
        );
        if let Some(status) = f.status {
            sql.push(" AND a.status = ")
                .bind(Bind::Text(status.as_str().to_owned()));
        }
        if let Some(section) = &f.section {
            sql.push(" AND s.slug = ").bind(Bind::Text(section.clone()));
        }
        if let Some(author) = &f.author {
            sql.by_author(author);
        }
        if let Some(title) = &f.title {
            sql.push(" AND LOWER(a.title) LIKE LOWER(")
                .bind(Bind::Text(format!("%{}%", like_escape(title))))
                .push(") ESCAPE '\\'");
        }
        if let Some(owner) = f.owner_id {
            sql.push(" AND a.owner_id = ").bind(Bind::Int(owner));
        }
        if let Some((updated_at, id)) = f.before {
            sql.push(" AND (a.updated_at < ")
                .bind(Bind::Int(updated_at.timestamp()))
                .push(" OR (a.updated_at = ")
                .bind(Bind::Int(updated_at.timestamp()))
                .push(" AND a.id < ")
                .bind(Bind::Int(id.0))
                .push("))");
        }
        sql.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ")
            .bind(Bind::Int(f.limit.clamp(1, MAX_LIMIT)));
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Names of tags starting with `prefix` (case-insensitive, taken literally), ordered by
    /// name ignoring case; at most `limit` (clamped to 1..=100). For the editor's tag field.
    pub async fn tag_names_starting(&self, prefix: &str, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query::<Any>(
            "SELECT name FROM tags WHERE LOWER(name) LIKE LOWER($1) ESCAPE '\\' \
             ORDER BY LOWER(name), name LIMIT $2",
        )
        .bind(format!("{}%", like_escape(prefix)))
        .bind(limit.clamp(1, 100))
        .fetch_all(self.pool())
        .await?;
        names(&rows)
    }

    /// Every section name, ordered by name ignoring case. For the editor's section field.
    pub async fn section_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query::<Any>("SELECT name FROM sections ORDER BY LOWER(name), name")
            .fetch_all(self.pool())
            .await?;
        names(&rows)
    }

    /// Every author name, ordered by name ignoring case. For the editor's byline field.
    pub async fn author_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query::<Any>("SELECT name FROM authors ORDER BY LOWER(name), name")
            .fetch_all(self.pool())
            .await?;
        names(&rows)
    }
}

fn names(rows: &[AnyRow]) -> Result<Vec<String>> {
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("name")?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::like_escape;

    #[test]
    fn like_patterns_take_wildcards_and_the_escape_literally() {
        assert_eq!(like_escape("plain"), "plain");
        assert_eq!(like_escape("100%"), "100\\%");
        assert_eq!(like_escape("a_b"), "a\\_b");
        assert_eq!(like_escape("c:\\x"), "c:\\\\x");
    }
}
