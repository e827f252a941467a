//! What a WXR or Ghost reader yields: one post of the old site, in the old site's terms but
//! with times in UTC and links as paths (issue 11, "Mapping, said out loud").

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One post of an export, ready for the app to map to its article input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedPost {
    /// The source's own id (WXR `wp:post_id`, Ghost `posts.id`): the key a re-import
    /// updates by.
    pub source_id: String,
    /// 1-based position of the item among all items of the file (posts, pages,
    /// attachments…), so a message can point at it.
    pub position: usize,
    /// Published, draft or scheduled; skipped items never become an `ImportedPost`.
    pub status: PostStatus,
    /// The headline as plain text (entities decoded, markup kept as the source wrote it).
    pub title: String,
    /// The source's slug, when it had one.
    pub slug: Option<String>,
    /// WXR `excerpt:encoded`, Ghost `custom_excerpt`.
    pub summary: Option<String>,
    /// The body as HTML, before dateline's sanitiser (which the app runs, as for every body).
    pub body_html: String,
    /// The feature image.
    pub lead_image: Option<LeadImage>,
    /// Byline display names in order; never logins, emails or passwords.
    pub authors: Vec<String>,
    /// Display name of the primary category (WXR) or primary public tag (Ghost).
    pub section: Option<String>,
    /// Display names of the other tags, in source order, without duplicates.
    pub tags: Vec<String>,
    /// When it was (or will be) published, in UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last modified, in UTC.
    pub modified_at: Option<DateTime<Utc>>,
    /// Who could read it on the old site when not everyone could (Ghost `members`/`paid`,
    /// WordPress private or password-protected), as a sentence for the editors.
    pub visibility_note: Option<String>,
    /// Paths the post answered on the old site (`/2010/10/05/post-format-standard/`,
    /// `/?p=1164`), without scheme and host; each distinct, in the order found.
    pub old_urls: Vec<String>,
}

/// The state a post arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PostStatus {
    /// Public now (WXR `publish`, Ghost `published`).
    Published,
    /// Not public (WXR `draft`, `pending`, `private`; Ghost `draft`).
    Draft,
    /// To be published at the given time (WXR `future`, Ghost `scheduled`).
    Scheduled {
        /// When it goes public, UTC.
        at: DateTime<Utc>,
    },
}

impl PostStatus {
    /// The status's name, as the report counts it.
    pub fn name(&self) -> &'static str {
        match self {
            PostStatus::Published => "published",
            PostStatus::Draft => "draft",
            PostStatus::Scheduled { .. } => "scheduled",
        }
    }
}

/// A post's feature image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadImage {
    /// Absolute URL when the source gave one (or a site URL resolved it), else a path.
    pub url: String,
    /// Alternative text, when the source had it.
    pub alt: Option<String>,
    /// Caption as HTML (Ghost captions carry links), when the source had one.
    pub caption: Option<String>,
}
