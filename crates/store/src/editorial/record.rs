//! The article as a writer hands it to the store.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleContent, Correction, Slug, Status};

/// An article ready to be written: rendered, validated, with terms given by name.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRecord {
    /// Desired slug; made unique by the store when creating (`-2`, `-3`, …).
    pub slug: Slug,
    /// Id in the source system.
    pub external_id: Option<String>,
    /// What the article says (body as Markdown, terms by name).
    pub content: ArticleContent,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// Summary or extracted teaser.
    pub teaser: String,
    /// Correction notice.
    pub correction: Option<Correction>,
    /// Status to store.
    pub status: Status,
    /// Publication time (required for published and scheduled).
    pub published_at: Option<DateTime<Utc>>,
    /// Words in the body.
    pub word_count: i64,
    /// The newsroom user creating the article (`None` for imports and API-key writes).
    /// Written by [`WriteTx::create`](super::WriteTx::create) only: [`WriteTx::update`](super::WriteTx::update) never changes an owner.
    pub owner_id: Option<i64>,
}

impl ArticleRecord {
    /// The record that rewrites `article` unchanged; callers then change what they need.
    pub fn from_article(article: &Article) -> ArticleRecord {
        ArticleRecord {
            slug: article.slug.clone(),
            external_id: article.external_id.clone(),
            content: article.content(),
            body_html: article.body_html.clone(),
            teaser: article.teaser.clone(),
            correction: article.correction.clone(),
            status: article.status,
            published_at: article.published_at,
            word_count: article.word_count,
            owner_id: article.owner_id,
        }
    }
}
