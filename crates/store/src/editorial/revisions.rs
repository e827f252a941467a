//! Revisions: every saved change keeps a full snapshot of the article.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, Version};
use serde::Serialize;
use sqlx::any::Any;
use sqlx::Row;

use super::WriteTx;
use crate::rows::time;
use crate::{Result, Store};

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

impl WriteTx<'_> {
    pub(super) async fn write_revision(&mut self, article: &Article, actor: &str) -> Result<()> {
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
}

impl Store {
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
}
