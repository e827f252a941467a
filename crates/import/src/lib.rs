//! Article exchange formats: readers that yield numbered records, and the JSONL writer.
//!
//! Readers never touch a database: they turn bytes into records and name the place of
//! anything wrong, so the app can reject a whole file before or while writing it in one
//! transaction. Start at [`jsonl::JsonlReader`] (dateline's own format, yielding
//! `ArticleInput`s), [`wxr::WxrReader`] (WordPress) and [`ghost::GhostReader`] (Ghost), the
//! last two yielding [`ImportedPost`]s and a [`ReaderReport`].
//!
//! # Mapping, said out loud
//!
//! The WXR and Ghost readers do not build `dateline_core::ArticleInput` (which is being
//! restructured): they yield [`ImportedPost`], and the app maps it field by field. What
//! each field holds, per source, and where the app is meant to put it:
//!
//! | `ImportedPost` | WordPress (WXR) | Ghost (JSON) | → article |
//! | --- | --- | --- | --- |
//! | `source_id` | `wp:post_id` | `posts.id` | `external_id` (`wp:{id}` / `ghost:{id}`): the key a re-import updates by |
//! | `position` | the `<item>`'s 1-based position | the `posts` row's | error messages only |
//! | `status` | `publish` → published; `draft`, `pending`, `private` → draft; `future` → scheduled at its date; `trash`, `auto-draft`, `inherit` → skipped (reported) | `published`; `draft`; `scheduled` at `published_at` | `status` (+ schedule time) |
//! | `title` | `<title>` (markup kept as written); empty → made from the slug, with a warning; no `<title>` element → error | `title`; absent or empty → error | `title` |
//! | `slug` | `wp:post_name`, percent-decoded | `slug` | `slug` |
//! | `summary` | `excerpt:encoded` | `custom_excerpt` | `summary` |
//! | `body_html` | `content:encoded`, block comments stripped, known shortcodes converted, `wpautop` paragraphs for classic (non-block) posts | `html`, else `lexical` rendered, else `mobiledoc` rendered; `__GHOST_URL__` resolved | `body` (HTML, sanitised by the renderer like every body) |
//! | `lead_image` | `_thumbnail_id` → the attachment's URL, `_wp_attachment_image_alt`, caption = its excerpt (else its description) | `feature_image`, `feature_image_alt`, `feature_image_caption` (from `posts_meta` in Ghost 5+) | `lead_image_url`, `lead_image_caption`; alt kept for the template |
//! | `authors` | Co-Authors Plus `<category domain="author">` (guest authors `cap-…`) in order, else `dc:creator`'s `wp:author_display_name`; emails never | `posts_authors` by `sort_order` → `users.name`; emails and password hashes never read | `authors` (bylines; no user accounts are made) |
//! | `section` | Yoast `_yoast_wpseo_primary_category` when it is one of the post's categories, else the first category | the first `posts_tags` tag by `sort_order` that is public (`#internal` tags skipped) | `section` |
//! | `tags` | `post_tag` terms, then the other categories | the other public tags, in order | `tags` |
//! | `published_at` | `wp:post_date_gmt`; else `wp:post_date` in the site's UTC offset (given, or inferred from the other posts); else the RSS `pubDate`; else `wp:post_date` as UTC with a warning | `published_at` (Ghost stores UTC) | `published_at` |
//! | `modified_at` | `wp:post_modified_gmt` when the export has it | `updated_at` | `updated_at` where the store keeps it |
//! | `visibility_note` | private or password-protected posts (the password is never read) | `visibility` `members`, `paid`, `tiers` (also a warning) | shown to editors, e.g. in a note |
//! | `old_urls` | `<link>`, `guid` when it is on the site, `wp:post_name` under the permalink pattern the published posts' links show — all as paths | `/{slug}/` (Ghost's default route) | redirects (301) to the new article |
//!
//! Pages, attachments, menu items, comments, revisions and custom post types (WXR) and
//! `type: page` posts (Ghost) are not yielded: the [`ReaderReport`] counts them by kind and
//! reason and lists them (the first [`report::MAX_LISTED`]; comments are counted only).
//! `items_by_kind` counts every item of the file, `imported_by_status` the posts yielded;
//! shortcodes are counted in the bodies of yielded posts; warnings name the item's position
//! and source id (position 0: the file as a whole).
//!
//! The `kind` of a yielded post is always "post" (WXR `post`, Ghost `type: post`), so
//! [`ImportedPost`] has no kind field; kinds live in the report.
//!
//! # Errors and limits
//!
//! Every failure is an [`ImportError`] with the record and byte offset; the readers never
//! panic on input (property-tested against truncated and mutated files). Both read the file
//! twice (the index pass first, so a broken file fails before any post is yielded) and hold
//! at most one item's text at a time, plus a small per-file index.

pub mod error;
pub mod ghost;
pub mod jsonl;
pub mod post;
pub mod report;
pub mod source;
pub mod wxr;

pub use error::{ImportError, Position};
pub use post::{ImportedPost, LeadImage, PostStatus};
pub use report::{ReaderReport, SkippedItem, Warning};
pub use source::{BytesSource, FileSource, Source};

/// A record that could not be read, located by its line (JSONL) or record number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location} {number}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct RecordError {
    /// `line` for line-based formats, `record` for the others.
    pub location: &'static str,
    /// 1-based line or record number.
    pub number: usize,
    /// The offending field, when one is to blame.
    pub field: Option<String>,
    /// What is wrong, for a person to read.
    pub message: String,
}

/// A record read from an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line or record number, for error messages.
    pub number: usize,
    /// The article as given.
    pub input: dateline_core::ArticleInput,
    /// Its addresses on the platform it comes from (URLs or paths), which keep answering
    /// with a redirect to its new page.
    pub old_urls: Vec<String>,
}
