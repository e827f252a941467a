//! The readers' search page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dateline_app::reading::{SearchQuery, Sort};
use serde::Deserialize;

use crate::extract::ApiQuery;
use crate::views::{human_time, iso_time, OtherReportView, SearchItemView, SearchPageView};
use crate::{WebError, WebState};

/// Results per page.
const PAGE: usize = 10;

/// `?q=&section=&sort=&cursor=` of the search page.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    section: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

/// `GET /search`.
pub async fn show(
    State(state): State<WebState>,
    query: Result<ApiQuery<SearchParams>, WebError>,
) -> Result<Response, WebError> {
    let result = async {
        let ApiQuery(p) = query?;
        render(&state, p).await
    }
    .await;
    match result {
        Ok(r) => Ok(r),
        Err(e) => Err(state.html_error(e).await),
    }
}

async fn render(state: &WebState, p: SearchParams) -> Result<Response, WebError> {
    let q =
        p.q.unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
    let section = p.section.filter(|s| !s.is_empty());
    let date_order = p.sort.as_deref() == Some("date");
    let max_offset = state.app.config().search_max_offset;
    let offset =
        match p.cursor.as_deref() {
            None | Some("") => 0,
            Some(c) => c.parse::<usize>().ok().filter(|o| *o <= max_offset).ok_or(
                WebError::BadRequest {
                    code: "invalid_cursor",
                    message: "That page link is not valid.".into(),
                },
            )?,
        };
    let searching = !q.trim().is_empty() || section.is_some();
    let (results, total, fuzzy, next_offset) = if searching {
        let query = SearchQuery {
            text: q.clone(),
            section: section.clone(),
            sort: if date_order {
                Sort::Newest
            } else {
                Sort::Relevance
            },
            offset,
            limit: PAGE,
            ..SearchQuery::default()
        };
        let page = state.app.search_stories(&query).await?;
        (page.hits, page.total, page.fuzzy, page.next_offset)
    } else {
        (Vec::new(), 0, false, None)
    };
    let items = results
        .iter()
        .map(|hit| {
            let a = &hit.article;
            let published = a.published_at.unwrap_or(a.created_at);
            SearchItemView {
                path: a.path(),
                title: &a.title,
                section: a.section.as_ref().map(|s| s.name.as_str()),
                snippet: &hit.snippet_html,
                published_iso: iso_time(published),
                published_human: human_time(published),
                others: hit
                    .other_reports
                    .iter()
                    .map(|o| OtherReportView {
                        path: o.path(),
                        title: &o.title,
                        source: o.source.as_deref(),
                    })
                    .collect(),
                story_href: (!hit.other_reports.is_empty())
                    .then(|| format!("/story/{}", a.story_id)),
            }
        })
        .collect();
    // Only a link this page accepts: none past the deepest offset it serves.
    let next_href = next_offset.filter(|next| *next <= max_offset).map(|next| {
        let mut url = form_urlencoded_pairs(&[
            ("q", &q),
            ("section", section.as_deref().unwrap_or("")),
            ("sort", if date_order { "date" } else { "relevance" }),
        ]);
        url.push_str(&format!("&cursor={next}"));
        format!("/search?{url}")
    });
    let view = SearchPageView {
        search_q: q.clone(),
        q,
        section: section.unwrap_or_default(),
        sort: if date_order { "date" } else { "relevance" },
        items,
        total,
        fuzzy,
        next_href,
    };
    let site = state.site();
    let nav = state.nav().await;
    let html = state.templates.render("search.html", &site, &nav, view)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
