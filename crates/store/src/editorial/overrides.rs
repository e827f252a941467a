//! Editors' pinned and excluded related articles.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId};
use sqlx::any::Any;
use sqlx::Row;

use super::WriteTx;
use crate::{Result, Store};

impl WriteTx<'_> {
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
}

impl Store {
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
}
