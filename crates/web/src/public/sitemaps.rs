//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap.
//!
//! - `/sitemap.xml`: the sitemap index, named in `robots.txt`. It lists `/sitemaps/pages.xml`
//!   (the front page), `/sitemaps/articles-N.xml`, `/sitemaps/sections-N.xml`,
//!   `/sitemaps/tags-N.xml`, `/sitemaps/authors-N.xml` for every block that has public
//!   pages, and `/sitemap-news.xml` when it has articles.
//! - `/sitemaps/{kind}-N.xml`: the public pages whose ids fall in block N (ids
//!   `(N - 1) * size` up to `N * size`, `size` being `sitemap_page_size`, at most 50,000
//!   as sitemaps.org allows). Blocks are id ranges, so a file is one index range seek
//!   (keyset, never OFFSET) and a URL keeps its file as the archive grows; a block with
//!   nothing public answers 404. Articles carry `<lastmod>`: the later of their update and
//!   publish times.
//! - `/sitemap-news.xml`: public articles of the last 48 hours with the publication's name
//!   and language, publication date and title.
//!
//! Every sitemap is cached under the `home` surrogate key, which every change to a public
//! article touches, so a publish, update, unpublish or delete refreshes them on every node.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dateline_app::distribution::{changed_at, SitemapEntry, SitemapKind};

use super::xml::{rfc3339, XmlDoc};
use crate::cache_layer::cacheable;
use crate::{WebError, WebState};

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const CONTENT_TYPE: &str = "application/xml; charset=utf-8";

/// The file-name stem of each kind's sitemaps, and the path prefix of its pages.
const KINDS: [(SitemapKind, &str, &str); 4] = [
    (SitemapKind::Articles, "articles", "/articles/"),
    (SitemapKind::Sections, "sections", "/section/"),
    (SitemapKind::Tags, "tags", "/tag/"),
    (SitemapKind::Authors, "authors", "/author/"),
];

fn not_found() -> WebError {
    WebError::App(dateline_app::Error::NotFound)
}

async fn answer(state: &WebState, result: Result<Response, WebError>) -> Response {
    match result {
        Ok(r) => r,
        Err(e) => state.html_error(e).await.into_response(),
    }
}

fn page(body: String, last_modified: Option<DateTime<Utc>>) -> Response {
    cacheable(
        body,
        CONTENT_TYPE,
        vec!["home".to_owned()],
        last_modified.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
    )
}

/// `GET /sitemap.xml`: the sitemap index.
pub async fn index(State(state): State<WebState>) -> Response {
    let result = async {
        let data = state.app.sitemap_index().await?;
        let base = &state.app.config().base_url;
        let mut x = XmlDoc::new()?;
        x.open("sitemapindex", &[("xmlns", SITEMAP_NS)])?;
        let entry = |x: &mut XmlDoc, path: &str, lastmod: Option<DateTime<Utc>>| {
            x.open("sitemap", &[])?;
            x.text("loc", &format!("{base}{path}"))?;
            if let Some(t) = lastmod {
                x.text("lastmod", &rfc3339(t))?;
            }
            x.close("sitemap")
        };
        entry(&mut x, "/sitemaps/pages.xml", data.newest)?;
        for (kind, stem, _) in KINDS {
            let blocks = match kind {
                SitemapKind::Articles => &data.articles,
                SitemapKind::Sections => &data.sections,
                SitemapKind::Tags => &data.tags,
                SitemapKind::Authors => &data.authors,
            };
            for block in blocks {
                entry(&mut x, &format!("/sitemaps/{stem}-{}.xml", block + 1), None)?;
            }
        }
        if data.news {
            entry(&mut x, "/sitemap-news.xml", None)?;
        }
        x.close("sitemapindex")?;
        Ok(page(x.finish()?, data.newest))
    }
    .await;
    answer(&state, result).await
}

/// `GET /sitemaps/{file}`: `pages.xml`, or one block of a kind (`articles-3.xml`).
pub async fn file(State(state): State<WebState>, Path(file): Path<String>) -> Response {
    let result = async {
        if file == "pages.xml" {
            return pages(&state).await;
        }
        let (kind, block, prefix) = parse_file(&file).ok_or_else(not_found)?;
        let entries = state.app.sitemap_block(kind, block).await?;
        if entries.is_empty() {
            return Err(not_found());
        }
        let base = &state.app.config().base_url;
        Ok(page(
            urlset(base, prefix, &entries)?,
            entries.iter().filter_map(|e| e.lastmod).max(),
        ))
    }
    .await;
    answer(&state, result).await
}

/// `articles-3.xml` → (articles, block 2, `/articles/`).
fn parse_file(file: &str) -> Option<(SitemapKind, u64, &'static str)> {
    let (stem, number) = file.strip_suffix(".xml")?.rsplit_once('-')?;
    if number.starts_with('0') || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    let (kind, _, prefix) = KINDS.into_iter().find(|(_, s, _)| *s == stem)?;
    Some((kind, n.checked_sub(1)?, prefix))
}

async fn pages(state: &WebState) -> Result<Response, WebError> {
    // The front page changes with every publish: its lastmod is the newest article's.
    let newest = state.app.newest_public_change().await?;
    let base = &state.app.config().base_url;
    let mut x = XmlDoc::new()?;
    x.open("urlset", &[("xmlns", SITEMAP_NS)])?;
    x.open("url", &[])?;
    x.text("loc", &format!("{base}/"))?;
    if let Some(t) = newest {
        x.text("lastmod", &rfc3339(t))?;
    }
    x.close("url")?;
    x.close("urlset")?;
    Ok(page(x.finish()?, newest))
}

fn urlset(base: &str, prefix: &str, entries: &[SitemapEntry]) -> Result<String, WebError> {
    let mut x = XmlDoc::new()?;
    x.open("urlset", &[("xmlns", SITEMAP_NS)])?;
    for e in entries {
        x.open("url", &[])?;
        x.text("loc", &format!("{base}{prefix}{}", e.slug))?;
        if let Some(t) = e.lastmod {
            x.text("lastmod", &rfc3339(t))?;
        }
        x.close("url")?;
    }
    x.close("urlset")?;
    x.finish()
}

/// The `news:language` Google accepts: an ISO 639 code of two or three letters, or
/// `zh-cn` / `zh-tw`; the config holds a BCP 47 tag.
fn news_language(tag: &str) -> String {
    let tag = tag.to_ascii_lowercase().replace('_', "-");
    if tag == "zh-cn" || tag == "zh-tw" {
        return tag;
    }
    match tag.as_str() {
        "zh-hans" | "zh-hans-cn" | "zh-sg" => "zh-cn".to_owned(),
        "zh-hant" | "zh-hant-tw" | "zh-hk" => "zh-tw".to_owned(),
        _ => tag.split('-').next().unwrap_or("en").to_owned(),
    }
}

/// `GET /sitemap-news.xml`.
pub async fn news(State(state): State<WebState>) -> Response {
    let result = async {
        let articles = state.app.news_sitemap().await?;
        let config = state.app.config();
        let language = news_language(&config.language);
        let mut x = XmlDoc::new()?;
        x.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)])?;
        for a in &articles {
            x.open("url", &[])?;
            x.text("loc", &format!("{}{}", config.base_url, a.path()))?;
            x.open("news:news", &[])?;
            x.open("news:publication", &[])?;
            x.text("news:name", &config.site_name)?;
            x.text("news:language", &language)?;
            x.close("news:publication")?;
            if let Some(p) = a.published_at {
                x.text("news:publication_date", &rfc3339(p))?;
            }
            x.text("news:title", &a.title)?;
            x.close("news:news")?;
            x.close("url")?;
        }
        x.close("urlset")?;
        Ok(page(x.finish()?, articles.iter().map(changed_at).max()))
    }
    .await;
    answer(&state, result).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_file_names_map_to_blocks_and_nothing_else_does() {
        assert!(matches!(
            parse_file("articles-1.xml"),
            Some((SitemapKind::Articles, 0, "/articles/"))
        ));
        assert!(matches!(
            parse_file("tags-12.xml"),
            Some((SitemapKind::Tags, 11, "/tag/"))
        ));
        for bad in [
            "articles-0.xml",
            "articles-01.xml",
            "articles-.xml",
            "articles-1",
            "drafts-1.xml",
            "articles-+1.xml",
            "articles-99999999999999999999999.xml",
        ] {
            assert!(parse_file(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn news_language_is_what_google_accepts() {
        assert_eq!(news_language("en"), "en");
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("zh-TW"), "zh-tw");
        assert_eq!(news_language("zh-Hans"), "zh-cn");
        assert_eq!(news_language("ast"), "ast");
    }
}
