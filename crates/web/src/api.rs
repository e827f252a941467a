//! The JSON APIs: public read-only (`/api/v1/articles…`) and admin (`/api/v1/admin/…`).

pub mod admin;
pub mod articles;
pub mod search;
pub mod stories;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleContent};
use serde::Serialize;

use crate::views::iso_time;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../openapi.json"),
    )
        .into_response()
}

fn iso(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(iso_time)
}

/// Lead image as the APIs show it.
#[derive(Serialize)]
pub struct LeadImageJson<'a> {
    url: &'a str,
    alt: Option<&'a str>,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
}

/// Correction notice as the APIs show it.
#[derive(Serialize)]
pub struct CorrectionJson<'a> {
    note: &'a str,
    at: String,
}

/// A published article in the public API (DESIGN.md "Public JSON API").
#[derive(Serialize)]
pub struct ArticleJson<'a> {
    slug: &'a str,
    external_id: Option<&'a str>,
    title: &'a str,
    standfirst: Option<&'a str>,
    summary: Option<&'a str>,
    teaser: &'a str,
    section: Option<&'a str>,
    section_name: Option<&'a str>,
    tags: Vec<&'a str>,
    authors: Vec<&'a str>,
    dateline: Option<&'a str>,
    source: Option<&'a str>,
    url: String,
    published_at: Option<String>,
    updated_at: String,
    body_html: &'a str,
    story_id: String,
    lead_image: Option<LeadImageJson<'a>>,
    correction: Option<CorrectionJson<'a>>,
    /// Every correction notice, oldest first (the last is `correction`).
    corrections: Vec<CorrectionJson<'a>>,
    word_count: i64,
}

impl<'a> ArticleJson<'a> {
    /// The public view of `a`, with absolute URL under `base_url`.
    pub fn new(a: &'a Article, base_url: &str) -> Self {
        ArticleJson {
            slug: a.slug.as_str(),
            external_id: a.external_id.as_deref(),
            title: &a.title,
            standfirst: a.standfirst.as_deref(),
            summary: a.summary.as_deref(),
            teaser: &a.teaser,
            section: a.section.as_ref().map(|s| s.slug.as_str()),
            section_name: a.section.as_ref().map(|s| s.name.as_str()),
            tags: a.tags.iter().map(|t| t.name.as_str()).collect(),
            authors: a.authors.iter().map(|t| t.name.as_str()).collect(),
            dateline: a.dateline.as_deref(),
            source: a.source.as_deref(),
            url: format!("{base_url}{}", a.path()),
            published_at: iso(a.published_at),
            updated_at: iso_time(a.updated_at),
            body_html: &a.body_html,
            story_id: a.story_id.to_string(),
            lead_image: a.lead_image.as_ref().map(|i| LeadImageJson {
                url: &i.url,
                alt: i.alt.as_deref(),
                caption: i.caption.as_deref(),
                credit: i.credit.as_deref(),
            }),
            correction: a.correction.as_ref().map(|c| CorrectionJson {
                note: &c.note,
                at: iso_time(c.at),
            }),
            corrections: a
                .corrections()
                .map(|c| CorrectionJson {
                    note: &c.note,
                    at: iso_time(c.at),
                })
                .collect(),
            word_count: a.word_count,
        }
    }
}

/// An article in any status, for the newsroom (admin API).
#[derive(Serialize)]
pub struct AdminArticleJson<'a> {
    id: i64,
    version: i64,
    status: &'static str,
    slug: &'a str,
    external_id: Option<&'a str>,
    #[serde(flatten)]
    content: ArticleContent,
    body_html: &'a str,
    teaser: &'a str,
    correction: Option<CorrectionJson<'a>>,
    created_at: String,
    published_at: Option<String>,
    updated_at: String,
    story_id: String,
    path: String,
    word_count: i64,
}

impl<'a> From<&'a Article> for AdminArticleJson<'a> {
    fn from(a: &'a Article) -> Self {
        AdminArticleJson {
            id: a.id.0,
            version: a.version.0,
            status: a.status.as_str(),
            slug: a.slug.as_str(),
            external_id: a.external_id.as_deref(),
            content: a.content(),
            body_html: &a.body_html,
            teaser: &a.teaser,
            correction: a.correction.as_ref().map(|c| CorrectionJson {
                note: &c.note,
                at: iso_time(c.at),
            }),
            created_at: iso_time(a.created_at),
            published_at: iso(a.published_at),
            updated_at: iso_time(a.updated_at),
            story_id: a.story_id.to_string(),
            path: a.path(),
            word_count: a.word_count,
        }
    }
}
