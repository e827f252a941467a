//! The article as a writer hands it to the store.

use chrono::{DateTime, Utc};
use dateline_core::{Article, Correction, LeadImage, Slug, Status};

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
    /// Written by [`WriteTx::create`](super::WriteTx::create) only: [`WriteTx::update`](super::WriteTx::update) never changes an owner.
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
