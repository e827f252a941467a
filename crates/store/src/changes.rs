//! The change sequence: what every node reads to keep its caches and indexes current.

use chrono::{DateTime, Utc};
use dateline_core::ArticleId;
use sqlx::any::Any;
use sqlx::Row;

use crate::rows::time;
use crate::{Result, Store};

/// One saved change, in commit order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Position in the sequence; strictly increasing.
    pub seq: i64,
    /// The article that changed.
    pub article_id: ArticleId,
    /// `create`, `update`, or the new status (`published`, `unpublished`, `deleted`, …).
    pub kind: String,
    /// Surrogate keys of the public pages the change touches (before and after).
    pub surrogate_keys: Vec<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl Store {
    /// Changes after `seq`, oldest first, at most `limit`.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query::<Any>(
            "SELECT seq, article_id, kind, surrogate_keys, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.try_get("seq")?,
                    article_id: ArticleId(r.try_get("article_id")?),
                    kind: r.try_get("kind")?,
                    surrogate_keys: r
                        .try_get::<String, _>("surrogate_keys")?
                        .split(' ')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    at: time(r.try_get("at")?)?,
                })
            })
            .collect()
    }

    /// The newest sequence number, 0 on an empty store.
    pub async fn latest_change_seq(&self) -> Result<i64> {
        let row = sqlx::query::<Any>("SELECT COALESCE(MAX(seq), 0) AS seq FROM changes")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("seq")?)
    }
}
