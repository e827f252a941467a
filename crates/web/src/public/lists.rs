//! Home, section, tag and author lists: newest first, cursor pagination.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use dateline_app::reading::TermKind;
use dateline_app::reading::{Cursor, ListFilter};
use serde::Deserialize;

use crate::cache_layer::cacheable;
use crate::extract::ApiQuery;
use crate::structured_data::{script_json, BreadcrumbLd, ShareCard};
use crate::views::{ListItemView, ListPage};
use crate::{WebError, WebState};

/// `?cursor=` of a list page.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    cursor: Option<String>,
}

/// `GET /`. A parameter the front page does not know may be an old address of an imported
/// article (WordPress's `/?p=123`), which answers `301` to it.
pub async fn home(
    State(state): State<WebState>,
    uri: axum::http::Uri,
    query: Result<ApiQuery<ListParams>, WebError>,
) -> Result<Response, WebError> {
    let only_own_parameters = uri.query().is_none_or(|q| {
        q.split('&')
            .all(|p| p.is_empty() || p.starts_with("cursor="))
    });
    if !only_own_parameters {
        if let Some(moved) = super::old_address(&state, &uri).await? {
            return Ok(moved);
        }
    }
    respond(&state, None, query).await
}

/// `GET /section/{slug}`.
pub async fn section(
    State(state): State<WebState>,
    Path(slug): Path<String>,
    query: Result<ApiQuery<ListParams>, WebError>,
) -> Result<Response, WebError> {
    respond(&state, Some((TermKind::Section, slug)), query).await
}

/// `GET /tag/{slug}`.
pub async fn tag(
    State(state): State<WebState>,
    Path(slug): Path<String>,
    query: Result<ApiQuery<ListParams>, WebError>,
) -> Result<Response, WebError> {
    respond(&state, Some((TermKind::Tag, slug)), query).await
}

/// `GET /author/{slug}`.
pub async fn author(
    State(state): State<WebState>,
    Path(slug): Path<String>,
    query: Result<ApiQuery<ListParams>, WebError>,
) -> Result<Response, WebError> {
    respond(&state, Some((TermKind::Author, slug)), query).await
}

async fn respond(
    state: &WebState,
    term: Option<(TermKind, String)>,
    query: Result<ApiQuery<ListParams>, WebError>,
) -> Result<Response, WebError> {
    let result = async {
        let ApiQuery(params) = query?;
        render(state, term, params).await
    }
    .await;
    match result {
        Ok(r) => Ok(r),
        Err(e) => Err(state.html_error(e).await),
    }
}

async fn render(
    state: &WebState,
    term: Option<(TermKind, String)>,
    params: ListParams,
) -> Result<Response, WebError> {
    let cursor = params
        .cursor
        .as_deref()
        .map(Cursor::decode)
        .transpose()
        .map_err(|_| WebError::BadRequest {
            code: "invalid_cursor",
            message: "That page link is not valid.".into(),
        })?;
    let mut filter = ListFilter::default();
    let (heading, base_path, key, crumb) = match &term {
        None => (None, "/".to_owned(), "home".to_owned(), None),
        Some((kind, slug)) => {
            let found = state.app.public_term(*kind, slug).await?;
            let Some(found) = found else {
                return Err(WebError::App(dateline_app::Error::NotFound));
            };
            let (prefix, label) = match kind {
                TermKind::Section => {
                    filter.section = Some(slug.clone());
                    ("section", found.name.clone())
                }
                TermKind::Tag => {
                    filter.tag = Some(slug.clone());
                    ("tag", found.name.clone())
                }
                TermKind::Author => {
                    filter.author = Some(slug.clone());
                    ("author", format!("Articles by {}", found.name))
                }
            };
            (
                Some((label, found.name.clone(), *kind)),
                format!("/{prefix}/{slug}"),
                format!("{prefix}:{slug}"),
                Some(found.name),
            )
        }
    };
    let page = state
        .app
        .public_list(&filter, cursor, state.app.config().list_page_size)
        .await?;
    // A term whose articles are all unpublished or drafts must not reveal that it exists
    // (tags often name embargoed stories).
    if term.is_some() && cursor.is_none() && page.items.is_empty() {
        return Err(WebError::App(dateline_app::Error::NotFound));
    }
    let site = state.site();
    let last_modified = page
        .items
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let feeds = match &heading {
        Some((_, name, kind)) => crate::public::feeds::feed_links(
            &base_path,
            &crate::public::feeds::feed_title(&site.name, Some((*kind, name))),
        ),
        None => Vec::new(),
    };
    let heading = heading.map(|(label, _, _)| label);
    let description = match &heading {
        Some(h) => format!("{h}: the latest articles from {}", site.name),
        None => format!("The latest articles from {}", site.name),
    };
    let canonical = format!("{}{}", site.base_url, base_path);
    let card = ShareCard::website(
        &site,
        heading.clone().unwrap_or_else(|| site.name.clone()),
        description.clone(),
        canonical.clone(),
    );
    // Home → this section (tag, author): search engines show the trail instead of the URL.
    let breadcrumb_json_ld =
        crumb.map(|name| script_json(&BreadcrumbLd::new(&site, vec![(name, canonical.clone())])));
    let list = ListPage {
        feeds,
        description,
        heading,
        card,
        breadcrumb_json_ld,
        canonical,
        items: page.items.iter().map(ListItemView::from).collect(),
        next_href: page
            .next
            .map(|c| format!("{base_path}?cursor={}", c.encode())),
    };
    let nav = state.nav().await;
    let html = state.templates.render("list.html", &site, &nav, list)?;
    Ok(cacheable(
        html,
        "text/html; charset=utf-8",
        vec![key, "nav".to_owned()],
        last_modified,
    ))
}
