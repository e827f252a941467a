//! The article as the rest of dateline sees it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Slug, Status};

/// The store's id of an article. Never shown to readers (they see slugs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(pub i64);

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The optimistic-concurrency version of an article: starts at 1, grows by one with every
/// saved change. An update names the version it was based on (DESIGN.md "no lost edits").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub i64);

/// A section, tag or author: a display name and the slug of its page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// Slug used in the term's URL (`/tag/{slug}`).
    pub slug: Slug,
    /// Name as the newsroom wrote it.
    pub name: String,
}

/// The picture at the top of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadImage {
    /// Absolute http(s) URL of the image.
    pub url: String,
    /// Alternative text: what the picture shows, for readers who cannot see it.
    #[serde(default)]
    pub alt: Option<String>,
    /// Caption shown under the image.
    pub caption: Option<String>,
    /// Photographer or agency credit.
    pub credit: Option<String>,
}

/// A visible note that a published article was corrected or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// What was corrected, in the newsroom's words.
    pub note: String,
    /// When the correction was made.
    pub at: DateTime<Utc>,
}

/// An article in any status, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Store id.
    pub id: ArticleId,
    /// Current slug; older slugs redirect here.
    pub slug: Slug,
    /// The id the article had in the system it was imported from, if any.
    pub external_id: Option<String>,
    /// Headline.
    pub title: String,
    /// The dek under the headline.
    pub standfirst: Option<String>,
    /// Markdown source as the editor wrote it.
    pub body_markdown: String,
    /// Sanitised HTML rendered from `body_markdown`.
    pub body_html: String,
    /// Summary written by the editor, if any.
    pub summary: Option<String>,
    /// The summary, or the opening sentences of the body: what lists show.
    pub teaser: String,
    /// Place line, e.g. `MUSCAT, OMAN`.
    pub dateline: Option<String>,
    /// Section the article belongs to.
    pub section: Option<Term>,
    /// Tags in the editor's order.
    pub tags: Vec<Term>,
    /// Authors in byline order.
    pub authors: Vec<Term>,
    /// Lead image, if any.
    pub lead_image: Option<LeadImage>,
    /// Where the story came from: staff, a wire service, a partner.
    pub source: Option<String>,
    /// Latest correction notice, if the article was corrected after publication.
    pub correction: Option<Correction>,
    /// Notices the latest one replaced, oldest first. Corrections are a history: readers
    /// see every one with its time.
    #[serde(default)]
    pub earlier_corrections: Vec<Correction>,
    /// Publication status.
    pub status: Status,
    /// When the article was first saved.
    pub created_at: DateTime<Utc>,
    /// When it was (or will be, if scheduled) published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: Version,
    /// Story cluster: articles that are versions of the same story share it.
    pub story_id: i64,
    /// Words in the body.
    pub word_count: i64,
    /// The newsroom user who created the article; `None` for imports and API-key writes.
    /// Absent from revision snapshots saved before ownership existed.
    #[serde(default)]
    pub owner_id: Option<i64>,
}

impl Article {
    /// Whether readers may see this article at `now`.
    pub fn is_public_at(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.published_at.is_some_and(|p| p <= now)
    }

    /// Every correction notice, oldest first (the earlier ones, then the latest).
    pub fn corrections(&self) -> impl Iterator<Item = &Correction> {
        self.earlier_corrections
            .iter()
            .chain(self.correction.as_ref())
    }

    /// The article's path on the public site.
    pub fn path(&self) -> String {
        article_path(&self.slug)
    }

    /// Surrogate keys of every public page this article can appear on: its own page and the
    /// home, section, tag and author lists. A change to the article invalidates exactly the
    /// cached pages carrying one of these keys (DESIGN.md "page cache … invalidated by
    /// publish events").
    pub fn surrogate_keys(&self) -> Vec<String> {
        let mut keys = Vec::with_capacity(3 + self.tags.len() + self.authors.len());
        keys.push(format!("article:{}", self.id));
        keys.push("home".to_owned());
        if let Some(section) = &self.section {
            keys.push(format!("section:{}", section.slug));
        }
        keys.extend(self.tags.iter().map(|t| format!("tag:{}", t.slug)));
        keys.extend(self.authors.iter().map(|a| format!("author:{}", a.slug)));
        keys
    }
}

/// Surrogate keys touched by a change from `before` (absent on create) to `after`: the
/// pages of both versions, plus `nav` when `sections_changed` — the set of sections with
/// public articles changed, which every page's navigation lists (the store works that out:
/// only a section's first public article or its last one going away changes it, so an
/// ordinary publish leaves every other cached page alone).
pub fn change_keys(
    before: Option<&Article>,
    after: &Article,
    sections_changed: bool,
) -> Vec<String> {
    let mut keys = before.map(Article::surrogate_keys).unwrap_or_default();
    for k in after.surrogate_keys() {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if sections_changed {
        keys.push("nav".to_owned());
    }
    keys
}

/// The public path of the article with `slug`.
pub fn article_path(slug: &Slug) -> String {
    format!("/articles/{slug}")
}
