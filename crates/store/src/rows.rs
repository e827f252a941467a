//! Turning stored rows into domain types. Private: callers only ever see `core` types.

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, Correction, LeadImage, Slug, Status, Term, Version};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Error, Result};

/// The columns every article query selects, in the order [`article_from_row`] reads them.
pub(crate) const ARTICLE_SELECT: &str = "SELECT a.id, a.slug, a.external_id, a.title, \
    a.standfirst, a.body_markdown, a.body_html, a.summary, a.teaser, a.dateline, \
    s.slug AS section_slug, s.name AS section_name, a.tags_json, a.authors_json, \
    a.lead_image_url, a.lead_image_alt, a.lead_image_caption, a.lead_image_credit, a.source, \
    a.correction_note, a.corrected_at, a.earlier_corrections, a.status, a.created_at, a.published_at, a.updated_at, \
    a.version, COALESCE(a.story_id, a.id) AS story_id, a.word_count, a.owner_id \
    FROM articles a LEFT JOIN sections s ON s.id = a.section_id";

/// The select list shared by [`ARTICLE_SUMMARY_SELECT`] and [`ARTICLE_SUMMARY_COLUMNS`].
macro_rules! summary_columns {
    () => {
        "SELECT a.id, a.slug, a.external_id, a.title, \
        a.standfirst, '' AS body_markdown, '' AS body_html, a.summary, a.teaser, a.dateline, \
        s.slug AS section_slug, s.name AS section_name, a.tags_json, a.authors_json, \
        a.lead_image_url, a.lead_image_alt, a.lead_image_caption, a.lead_image_credit, a.source, \
        a.correction_note, a.corrected_at, a.earlier_corrections, a.status, a.created_at, a.published_at, a.updated_at, \
        a.version, COALESCE(a.story_id, a.id) AS story_id, a.word_count, a.owner_id "
    };
}

/// Like [`ARTICLE_SELECT`] without the two bodies (returned empty): for lists of links and
/// teasers, where reading and decoding two copies of every body is most of the cost.
pub(crate) const ARTICLE_SUMMARY_SELECT: &str = concat!(
    summary_columns!(),
    "FROM articles a LEFT JOIN sections s ON s.id = a.section_id"
);

/// The select list of [`ARTICLE_SUMMARY_SELECT`], for queries that need another `FROM`
/// (which must name the articles `a` and their sections `s`).
pub(crate) const ARTICLE_SUMMARY_COLUMNS: &str = summary_columns!();

pub(crate) fn time(secs: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| Error::Corrupt(format!("time {secs} out of range")))
}

pub(crate) fn opt_time(secs: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    secs.map(time).transpose()
}

pub(crate) fn slug(s: String) -> Result<Slug> {
    Slug::parse(&s).map_err(|e| Error::Corrupt(format!("slug {s:?}: {e}")))
}

pub(crate) fn article_from_row(row: &AnyRow) -> Result<Article> {
    let section = match (
        row.try_get::<Option<String>, _>("section_slug")?,
        row.try_get::<Option<String>, _>("section_name")?,
    ) {
        (Some(s), Some(name)) => Some(Term {
            slug: slug(s)?,
            name,
        }),
        _ => None,
    };
    let lead_image = row
        .try_get::<Option<String>, _>("lead_image_url")?
        .map(|url| LeadImage {
            url,
            alt: row.try_get("lead_image_alt").ok().flatten(),
            caption: row.try_get("lead_image_caption").ok().flatten(),
            credit: row.try_get("lead_image_credit").ok().flatten(),
        });
    let correction = match (
        row.try_get::<Option<String>, _>("correction_note")?,
        row.try_get::<Option<i64>, _>("corrected_at")?,
    ) {
        (Some(note), Some(at)) => Some(Correction {
            note,
            at: time(at)?,
        }),
        _ => None,
    };
    let status_text: String = row.try_get("status")?;
    let status = Status::parse(&status_text)
        .ok_or_else(|| Error::Corrupt(format!("status {status_text:?}")))?;
    let tags: Vec<Term> = serde_json::from_str(&row.try_get::<String, _>("tags_json")?)?;
    let authors: Vec<Term> = serde_json::from_str(&row.try_get::<String, _>("authors_json")?)?;
    Ok(Article {
        id: ArticleId(row.try_get("id")?),
        slug: slug(row.try_get("slug")?)?,
        external_id: row.try_get("external_id")?,
        title: row.try_get("title")?,
        standfirst: row.try_get("standfirst")?,
        body_markdown: row.try_get("body_markdown")?,
        body_html: row.try_get("body_html")?,
        summary: row.try_get("summary")?,
        teaser: row.try_get("teaser")?,
        dateline: row.try_get("dateline")?,
        section,
        tags,
        authors,
        lead_image,
        source: row.try_get("source")?,
        correction,
        status,
        created_at: time(row.try_get("created_at")?)?,
        published_at: opt_time(row.try_get("published_at")?)?,
        updated_at: time(row.try_get("updated_at")?)?,
        version: Version(row.try_get("version")?),
        story_id: row.try_get("story_id")?,
        word_count: row.try_get("word_count")?,
        owner_id: row.try_get("owner_id")?,
        earlier_corrections: serde_json::from_str(
            &row.try_get::<String, _>("earlier_corrections")?,
        )?,
    })
}
