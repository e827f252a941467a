//! Editors' story decisions: two articles merged into one story, or split apart.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId};
use sqlx::any::Any;
use sqlx::Row;

use super::WriteTx;
use crate::{Result, Store};

/// What an editor decided about the stories of two articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryDecisionKind {
    /// One story.
    Together,
    /// Never one story.
    Apart,
}

impl StoryDecisionKind {
    fn as_str(self) -> &'static str {
        match self {
            StoryDecisionKind::Together => "together",
            StoryDecisionKind::Apart => "apart",
        }
    }
}

/// A stored decision about a pair of articles (`a < b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStoryDecision {
    /// The smaller article id.
    pub a: ArticleId,
    /// The larger article id.
    pub b: ArticleId,
    /// Together or apart.
    pub kind: StoryDecisionKind,
    /// Who decided (user email or `key:<name>`).
    pub decided_by: String,
    /// When.
    pub decided_at: DateTime<Utc>,
}

impl WriteTx<'_> {
    /// Records (or, with `None`, withdraws) the decision about articles `x` and `y`, and a
    /// change on both so every node regroups its stories and refreshes their pages.
    pub async fn set_story_decision(
        &mut self,
        x: ArticleId,
        y: ArticleId,
        kind: Option<StoryDecisionKind>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (a, b) = if x.0 < y.0 { (x, y) } else { (y, x) };
        let first = self.article(a).await?;
        let second = self.article(b).await?;
        sqlx::query::<Any>("DELETE FROM story_decisions WHERE article_a = $1 AND article_b = $2")
            .bind(a.0)
            .bind(b.0)
            .execute(&mut *self.tx)
            .await?;
        if let Some(kind) = kind {
            sqlx::query::<Any>(
                "INSERT INTO story_decisions (article_a, article_b, decision, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(a.0)
            .bind(b.0)
            .bind(kind.as_str())
            .bind(actor)
            .bind(now.timestamp())
            .execute(&mut *self.tx)
            .await?;
        }
        for article in [first, second] {
            let key = format!("article:{}", article.id);
            let at = Article {
                updated_at: now,
                ..article
            };
            self.write_change(&at, "story", &[key]).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Every editors' story decision, by pair.
    pub async fn story_decisions(&self) -> Result<Vec<StoredStoryDecision>> {
        let rows = sqlx::query::<Any>(
            "SELECT article_a, article_b, decision, decided_by, decided_at FROM story_decisions \
             ORDER BY article_a, article_b",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredStoryDecision {
                    a: ArticleId(r.try_get("article_a")?),
                    b: ArticleId(r.try_get("article_b")?),
                    kind: if r.try_get::<String, _>("decision")? == "together" {
                        StoryDecisionKind::Together
                    } else {
                        StoryDecisionKind::Apart
                    },
                    decided_by: r.try_get("decided_by")?,
                    decided_at: crate::rows::time(r.try_get("decided_at")?)?,
                })
            })
            .collect()
    }
}
