//! The newsroom's article list: every article the user may work on, filtered by status,
//! section, author and title, with full-text matches among published articles.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use dateline_app::newsroom::NewsroomFilter;
use dateline_core::{Article, ArticleId, Status};
use serde::Deserialize;

use super::super::session::Editor;
use super::super::views::{FullTextHit, ListFilters, ListPage, ListRow, TimeView};
use super::super::{error_page, page};
use crate::WebState;

/// Filters of the article list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    q: Option<String>,
    before: Option<String>,
}

const LIST_PAGE: i64 = 50;

fn parse_before(raw: Option<&str>) -> Option<(DateTime<Utc>, ArticleId)> {
    let (t, id) = raw?.split_once('_')?;
    Some((
        DateTime::from_timestamp(t.parse().ok()?, 0)?,
        ArticleId(id.parse().ok()?),
    ))
}

/// `GET /admin`: the newsroom's articles, filterable by status, section, author and title.
pub async fn list(
    State(state): State<WebState>,
    editor: Editor,
    Query(q): Query<ListQuery>,
) -> Response {
    let actor = editor.actor();
    let result = async {
        let non_empty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = non_empty(&q.status).and_then(|s| Status::parse(&s));
        let filter = NewsroomFilter {
            status,
            section: non_empty(&q.section)
                .map(|s| dateline_core::slugify(&s, "section").to_string()),
            author: non_empty(&q.author).map(|s| dateline_core::slugify(&s, "author").to_string()),
            title: non_empty(&q.q).map(|s| s.chars().take(200).collect()),
            owner_id: None,
            before: parse_before(q.before.as_deref()),
            limit: LIST_PAGE + 1,
        };
        let mut items = state.app.newsroom_articles(&actor, filter).await?;
        let more = items.len() as i64 > LIST_PAGE;
        items.truncate(LIST_PAGE as usize);
        let next = more
            .then(|| {
                items
                    .last()
                    .map(|i| format!("{}_{}", i.updated_at.timestamp(), i.id.0))
            })
            .flatten();
        let sections = state.app.section_names(&actor).await?;
        let authors = state.app.author_names(&actor).await?;
        let full_text = full_text_matches(&state, &q, status).await;
        let rows = items
            .iter()
            .map(|i| ListRow {
                id: i.id.0,
                title: &i.title,
                status: i.status.as_str(),
                section: i.section.as_deref(),
                authors: i.authors.join(", "),
                updated: i.updated_at.into(),
                published: i.published_at.map(TimeView::from),
                path: format!("/articles/{}", i.slug),
                words: i.word_count,
            })
            .collect();
        let hits = full_text
            .iter()
            .map(|(a, snippet, _)| FullTextHit {
                id: a.id.0,
                title: &a.title,
                snippet,
                section: a.section.as_ref().map(|s| s.name.as_str()),
                published: a.published_at.map(TimeView::from),
            })
            .collect();
        let mut next_href = None;
        if let Some(cursor) = next {
            let pairs = [
                ("status", q.status.clone().unwrap_or_default()),
                ("section", q.section.clone().unwrap_or_default()),
                ("author", q.author.clone().unwrap_or_default()),
                ("q", q.q.clone().unwrap_or_default()),
                ("before", cursor),
            ];
            next_href = serde_urlencoded::to_string(pairs)
                .ok()
                .map(|s| format!("/admin?{s}"));
        }
        let filters = ListFilters {
            q: q.q.as_deref().unwrap_or_default(),
            status: status.map_or("", Status::as_str),
            section: q.section.as_deref().unwrap_or_default(),
            author: q.author.as_deref().unwrap_or_default(),
        };
        let view = ListPage::new(rows, (&sections, &authors), filters, next_href, hits);
        page(&state, StatusCode::OK, Some(&editor), &view)
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// Published articles whose text (not only the title) matches the list's search, from the
/// search index, when the list is not filtered to unpublished work. A search failure only
/// leaves this part out.
async fn full_text_matches(
    state: &WebState,
    q: &ListQuery,
    status: Option<Status>,
) -> Vec<(Article, String, f32)> {
    let text = q.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() || status.is_some_and(|s| s != Status::Published) {
        return Vec::new();
    }
    let query = dateline_app::reading::SearchQuery {
        text: text.chars().take(200).collect(),
        section: q
            .section
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| dateline_core::slugify(s, "section").to_string()),
        limit: 20,
        ..dateline_app::reading::SearchQuery::default()
    };
    match state.app.search(&query).await {
        Ok((hits, _)) => hits,
        Err(e) => {
            tracing::warn!(error = %e, "newsroom full-text search failed");
            Vec::new()
        }
    }
}
