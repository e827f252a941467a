//! Old addresses of imported articles (see [`dateline_core::legacy`]).

use chrono::{DateTime, Utc};
use dateline_core::{legacy_path, ArticleId};
use sqlx::any::Any;
use sqlx::Row;

use super::WriteTx;
use crate::binds::{Bind, Sql};
use crate::{Result, Store};

impl WriteTx<'_> {
    /// Records `urls` as old addresses of article `id`, to answer `301` to it. Each URL is
    /// reduced by [`legacy_path`]; those that reduce to nothing are skipped and counted in
    /// the returned number of URLs not kept. An address already kept for another article
    /// moves to this one (the newest import wins, as it would on the old site).
    pub fn keep_old_urls(&mut self, id: ArticleId, urls: &[String], now: DateTime<Utc>) -> usize {
        let mut skipped = 0;
        for url in urls {
            match legacy_path(url) {
                Some(path) => self.pending.legacy.push((path, id.0, now.timestamp())),
                None => skipped += 1,
            }
        }
        skipped
    }

    pub(super) async fn flush_legacy(&mut self, mut rows: Vec<(String, i64, i64)>) -> Result<()> {
        // One statement may not upsert a key twice (PostgreSQL refuses): keep the last.
        let mut seen = std::collections::HashSet::new();
        rows.reverse();
        rows.retain(|(path, _, _)| seen.insert(path.clone()));
        rows.reverse();
        for chunk in rows.chunks(super::write::FLUSH_AT) {
            let mut sql =
                Sql::new("INSERT INTO legacy_redirects (path, article_id, created_at) VALUES ");
            for (i, (path, article, at)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Bind::Text(path.clone()))
                    .push(", ")
                    .bind(Bind::Int(*article))
                    .push(", ")
                    .bind(Bind::Int(*at))
                    .push(")");
            }
            sql.push(" ON CONFLICT (path) DO UPDATE SET article_id = excluded.article_id");
            sql.query().execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

impl Store {
    /// The current slug of the public article that had the old address `path` (already
    /// reduced by [`legacy_path`]); `None` when no public article had it.
    pub async fn public_legacy_redirect(
        &self,
        path: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<dateline_core::Slug>> {
        let row = sqlx::query::<Any>(&format!(
            "SELECT a.slug FROM legacy_redirects r JOIN articles a ON a.id = r.article_id \
             WHERE r.path = $1 AND{}$2",
            crate::public::VISIBLE
        ))
        .bind(path)
        .bind(now.timestamp())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| crate::rows::slug(r.try_get("slug")?))
            .transpose()
    }

    /// The old addresses kept for article `id`, in path order.
    pub async fn old_urls(&self, id: ArticleId) -> Result<Vec<String>> {
        let rows = sqlx::query::<Any>(
            "SELECT path FROM legacy_redirects WHERE article_id = $1 ORDER BY path",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("path")?))
            .collect()
    }
}
