//! Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1 for the whole site and for each
//! section, tag and author (DESIGN.md "Feeds and discovery").
//!
//! URLs follow the list pages: `/atom.xml`, `/rss.xml`, `/feed.json` for the site and
//! `/section/{slug}/atom.xml` (and `rss.xml`, `feed.json`; likewise under `/tag/` and
//! `/author/`) for a list. `/feed`, `/feed/` and `/{list}/feed` answer 301 to the RSS feed
//! (WordPress's addresses, which subscribers of an imported site still use), `/feed.xml`
//! to the Atom feed.
//!
//! Feeds are served through the page cache under the same surrogate keys as the list page
//! they mirror (`home`, `section:{slug}`, …), so a publish, update, unpublish or delete
//! drops them on every node exactly as it drops the page, and the cache layer answers
//! conditional requests (ETag, `Last-Modified` → 304).
//!
//! An entry's id never changes when its headline or slug does: a `tag:` URI (RFC 4151)
//! made of the site's host, the day the article was first saved and its store id.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dateline_app::distribution::{changed_at, FeedData, FeedScope};
use dateline_app::reading::TermKind;
use dateline_core::Article;
use serde::Serialize;
use serde_json::{json, Value};

use super::xml::{rfc3339, XmlDoc};
use crate::cache_layer::cacheable;
use crate::views::SiteView;
use crate::{WebError, WebState};

/// The three feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// Atom 1.0.
    Atom,
    /// RSS 2.0.
    Rss,
    /// JSON Feed 1.1.
    Json,
}

impl FeedFormat {
    /// Every format, in the order pages advertise them.
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json];

    /// The file name under a list's path.
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    /// The media type, as served and as advertised by `<link rel="alternate">`.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn label(self) -> &'static str {
        match self {
            FeedFormat::Atom => "Atom",
            FeedFormat::Rss => "RSS",
            FeedFormat::Json => "JSON Feed",
        }
    }

    fn from_file(file: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.file() == file)
    }
}

/// One `<link rel="alternate">` a page advertises its feeds with.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLinkView {
    /// Media type.
    #[serde(rename = "type")]
    pub media_type: &'static str,
    /// What a reader's "subscribe" menu shows.
    pub title: String,
    /// Path of the feed.
    pub href: String,
}

/// The feeds of the list at `list_path` (`""` for the site, `/section/business`, …) whose
/// title is `title`.
pub fn feed_links(list_path: &str, title: &str) -> Vec<FeedLinkView> {
    FeedFormat::ALL
        .into_iter()
        .map(|f| FeedLinkView {
            media_type: f.media_type(),
            title: format!("{title} ({})", f.label()),
            href: format!("{list_path}/{}", f.file()),
        })
        .collect()
}

fn kind_prefix(kind: TermKind) -> &'static str {
    match kind {
        TermKind::Section => "section",
        TermKind::Tag => "tag",
        TermKind::Author => "author",
    }
}

/// A list's feed title: the site's name, or the list's heading and the site's name.
pub fn feed_title(site_name: &str, term: Option<(TermKind, &str)>) -> String {
    match term {
        None => site_name.to_owned(),
        Some((TermKind::Author, name)) => format!("Articles by {name} · {site_name}"),
        Some((_, name)) => format!("{name} · {site_name}"),
    }
}

/// `GET /atom.xml`.
pub async fn site_atom(State(state): State<WebState>) -> Response {
    serve(&state, FeedScope::Site, FeedFormat::Atom).await
}

/// `GET /rss.xml`.
pub async fn site_rss(State(state): State<WebState>) -> Response {
    serve(&state, FeedScope::Site, FeedFormat::Rss).await
}

/// `GET /feed.json`.
pub async fn site_json(State(state): State<WebState>) -> Response {
    serve(&state, FeedScope::Site, FeedFormat::Json).await
}

/// `GET /feed`, `/feed/`: the RSS feed's old WordPress address.
pub async fn legacy_rss() -> Response {
    moved("/rss.xml".to_owned())
}

/// `GET /feed.xml`: a common guess for the Atom feed.
pub async fn legacy_atom() -> Response {
    moved("/atom.xml".to_owned())
}

/// `GET /section/{slug}/{file}`.
pub async fn section(
    State(state): State<WebState>,
    Path((slug, file)): Path<(String, String)>,
) -> Response {
    term(&state, TermKind::Section, slug, &file).await
}

/// `GET /tag/{slug}/{file}`.
pub async fn tag(
    State(state): State<WebState>,
    Path((slug, file)): Path<(String, String)>,
) -> Response {
    term(&state, TermKind::Tag, slug, &file).await
}

/// `GET /author/{slug}/{file}`.
pub async fn author(
    State(state): State<WebState>,
    Path((slug, file)): Path<(String, String)>,
) -> Response {
    term(&state, TermKind::Author, slug, &file).await
}

fn moved(location: String) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
        ],
    )
        .into_response()
}

async fn term(state: &WebState, kind: TermKind, slug: String, file: &str) -> Response {
    match (FeedFormat::from_file(file), file) {
        (Some(format), _) => serve(state, FeedScope::Term(kind, slug), format).await,
        (None, "feed") => moved(format!(
            "/{}/{}/{}",
            kind_prefix(kind),
            percent_encoding::utf8_percent_encode(&slug, percent_encoding::NON_ALPHANUMERIC),
            FeedFormat::Rss.file()
        )),
        (None, _) => {
            let error = WebError::App(dateline_app::Error::NotFound);
            state.html_error(error).await.into_response()
        }
    }
}

async fn serve(state: &WebState, scope: FeedScope, format: FeedFormat) -> Response {
    match render(state, &scope, format).await {
        Ok(r) => r,
        Err(e) => state.html_error(e).await.into_response(),
    }
}

async fn render(
    state: &WebState,
    scope: &FeedScope,
    format: FeedFormat,
) -> Result<Response, WebError> {
    let Some(data) = state.app.feed(scope).await? else {
        return Err(WebError::App(dateline_app::Error::NotFound));
    };
    let config = state.app.config();
    let site = state.site();
    let mut doc = FeedDoc::new(
        &site,
        &config.language,
        config.feed_full_content,
        &data,
        format,
    );
    doc.hub = state.app.websub_hub();
    let body = match format {
        FeedFormat::Atom => atom(&doc)?,
        FeedFormat::Rss => rss(&doc)?,
        FeedFormat::Json => json_feed(&doc)?,
    };
    let key = match &data.term {
        None => "home".to_owned(),
        Some((kind, t)) => format!("{}:{}", kind_prefix(*kind), t.slug),
    };
    Ok(cacheable(
        body,
        format.content_type(),
        vec![key],
        doc.updated,
    ))
}

/// Everything a feed document says, in the terms the three formats share.
struct FeedDoc<'a> {
    title: String,
    description: String,
    /// Absolute URL of the HTML page the feed mirrors.
    home: String,
    /// Absolute URL of this feed.
    self_url: String,
    base_url: &'a str,
    /// The site's host, the authority of entry ids.
    host: String,
    site_name: &'a str,
    language: &'a str,
    full_content: bool,
    /// The WebSub hub subscribers may register with (`websub_hub`), if any.
    hub: Option<&'a str>,
    updated: DateTime<Utc>,
    items: &'a [Article],
}

impl<'a> FeedDoc<'a> {
    fn new(
        site: &'a SiteView,
        language: &'a str,
        full_content: bool,
        data: &'a FeedData,
        format: FeedFormat,
    ) -> FeedDoc<'a> {
        let list_path = match &data.term {
            None => String::new(),
            Some((kind, t)) => format!("/{}/{}", kind_prefix(*kind), t.slug),
        };
        let title = feed_title(
            &site.name,
            data.term.as_ref().map(|(k, t)| (*k, t.name.as_str())),
        );
        FeedDoc {
            description: format!("The latest articles: {title}"),
            title,
            home: if list_path.is_empty() {
                format!("{}/", site.base_url)
            } else {
                format!("{}{list_path}", site.base_url)
            },
            self_url: format!("{}{list_path}/{}", site.base_url, format.file()),
            base_url: &site.base_url,
            host: host_of(&site.base_url),
            site_name: &site.name,
            language,
            full_content,
            hub: None,
            updated: data.updated().unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            items: &data.items,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The entry id: a `tag:` URI that neither a new headline nor a new slug changes.
    fn entry_id(&self, a: &Article) -> String {
        format!(
            "tag:{},{}:article:{}",
            self.host,
            a.created_at.format("%Y-%m-%d"),
            a.id
        )
    }

    /// The lead image as an absolute URL, with its media type when the file name tells it.
    fn image(&self, a: &Article) -> Option<(String, Option<&'static str>)> {
        let image = a.lead_image.as_ref()?;
        let url = if image.url.starts_with('/') {
            self.url(&image.url)
        } else {
            image.url.clone()
        };
        let media_type = image_type(&url);
        Some((url, media_type))
    }

    fn categories(&self, a: &'a Article) -> Vec<(&'static str, &'a dateline_core::Term)> {
        a.section
            .iter()
            .map(|s| ("section", s))
            .chain(a.tags.iter().map(|t| ("tag", t)))
            .collect()
    }
}

/// The host of `base_url` (`https://news.example:8443/x` → `news.example`).
fn host_of(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if authority.starts_with('[') {
        authority
            .split(']')
            .next()
            .unwrap_or(authority)
            .trim_start_matches('[')
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

/// The media type of an image URL, from its file extension.
fn image_type(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// RFC 822 dates for RSS, in GMT.
fn rfc822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

fn atom(doc: &FeedDoc<'_>) -> Result<String, WebError> {
    let mut x = XmlDoc::new()?;
    let base = format!("{}/", doc.base_url);
    x.open(
        "feed",
        &[
            ("xmlns", ATOM_NS),
            ("xml:lang", doc.language),
            ("xml:base", &base),
        ],
    )?;
    x.text("id", &doc.self_url)?;
    x.text_with("title", &[("type", "text")], &doc.title)?;
    x.text_with("subtitle", &[("type", "text")], &doc.description)?;
    x.text("updated", &rfc3339(doc.updated))?;
    x.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", FeedFormat::Atom.media_type()),
            ("href", &doc.self_url),
        ],
    )?;
    if let Some(hub) = doc.hub {
        x.empty("link", &[("rel", "hub"), ("href", hub)])?;
    }
    x.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &doc.home),
        ],
    )?;
    // The feed's author stands for every entry without a byline (RFC 4287 §4.1.1).
    x.open("author", &[])?;
    x.text("name", doc.site_name)?;
    x.text("uri", &base)?;
    x.close("author")?;
    x.text("generator", "dateline")?;
    for a in doc.items {
        let url = doc.url(&a.path());
        x.open("entry", &[])?;
        x.text("id", &doc.entry_id(a))?;
        x.text_with("title", &[("type", "text")], &a.title)?;
        x.empty(
            "link",
            &[("rel", "alternate"), ("type", "text/html"), ("href", &url)],
        )?;
        if let Some(p) = a.published_at {
            x.text("published", &rfc3339(p))?;
        }
        x.text("updated", &rfc3339(changed_at(a)))?;
        for author in &a.authors {
            x.open("author", &[])?;
            x.text("name", &author.name)?;
            x.text("uri", &doc.url(&format!("/author/{}", author.slug)))?;
            x.close("author")?;
        }
        for (kind, term) in doc.categories(a) {
            let scheme = doc.url(&format!("/{kind}/"));
            x.empty(
                "category",
                &[
                    ("term", term.slug.as_str()),
                    ("scheme", &scheme),
                    ("label", &term.name),
                ],
            )?;
        }
        if let Some((image, media_type)) = doc.image(a) {
            let mut attrs = vec![("rel", "enclosure"), ("href", image.as_str())];
            if let Some(t) = media_type {
                attrs.push(("type", t));
            }
            x.empty("link", &attrs)?;
        }
        x.text_with("summary", &[("type", "text")], &a.teaser)?;
        if doc.full_content {
            x.text_with("content", &[("type", "html")], &a.body_html)?;
        }
        x.close("entry")?;
    }
    x.close("feed")?;
    x.finish()
}

fn rss(doc: &FeedDoc<'_>) -> Result<String, WebError> {
    let mut x = XmlDoc::new()?;
    x.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", ATOM_NS),
            ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns:media", "http://search.yahoo.com/mrss/"),
        ],
    )?;
    x.open("channel", &[])?;
    x.text("title", &doc.title)?;
    x.text("link", &doc.home)?;
    x.text("description", &doc.description)?;
    x.empty(
        "atom:link",
        &[
            ("href", &doc.self_url),
            ("rel", "self"),
            ("type", FeedFormat::Rss.media_type()),
        ],
    )?;
    if let Some(hub) = doc.hub {
        x.empty("atom:link", &[("href", hub), ("rel", "hub")])?;
    }
    x.text("language", &doc.language.to_ascii_lowercase())?;
    x.text("lastBuildDate", &rfc822(doc.updated))?;
    x.text("generator", "dateline")?;
    x.text("docs", "https://www.rssboard.org/rss-specification")?;
    for a in doc.items {
        let url = doc.url(&a.path());
        x.open("item", &[])?;
        x.text("title", &a.title)?;
        x.text("link", &url)?;
        x.text_with("guid", &[("isPermaLink", "false")], &doc.entry_id(a))?;
        if let Some(p) = a.published_at {
            x.text("pubDate", &rfc822(p))?;
        }
        x.text("atom:updated", &rfc3339(changed_at(a)))?;
        // RSS's own <author> must be an e-mail address; a byline is a name.
        for author in &a.authors {
            x.text("dc:creator", &author.name)?;
        }
        for (kind, term) in doc.categories(a) {
            let domain = doc.url(&format!("/{kind}/"));
            x.text_with("category", &[("domain", &domain)], &term.name)?;
        }
        x.text("description", &a.teaser)?;
        if doc.full_content {
            x.text("content:encoded", &a.body_html)?;
        }
        if let Some((image, media_type)) = doc.image(a) {
            // RSS requires an enclosure's type and length; the length is unknown here, and
            // the RSS Board's profile says to give 0 then.
            if let Some(t) = media_type {
                x.empty(
                    "enclosure",
                    &[("url", image.as_str()), ("length", "0"), ("type", t)],
                )?;
            }
            let mut attrs = vec![("url", image.as_str()), ("medium", "image")];
            if let Some(t) = media_type {
                attrs.push(("type", t));
            }
            x.empty("media:content", &attrs)?;
        }
        x.close("item")?;
    }
    x.close("channel")?;
    x.close("rss")?;
    x.finish()
}

fn json_feed(doc: &FeedDoc<'_>) -> Result<String, WebError> {
    let items: Vec<Value> = doc
        .items
        .iter()
        .map(|a| {
            let mut item = json!({
                "id": doc.entry_id(a),
                "url": doc.url(&a.path()),
                "title": a.title,
                "summary": a.teaser,
                "date_modified": rfc3339(changed_at(a)),
            });
            // JSON Feed 1.1: `authors` and `tags`, when present, list at least one.
            if !a.authors.is_empty() {
                item["authors"] = a
                    .authors
                    .iter()
                    .map(
                        |p| json!({"name": p.name, "url": doc.url(&format!("/author/{}", p.slug))}),
                    )
                    .collect();
            }
            let tags: Vec<&str> = doc
                .categories(a)
                .iter()
                .map(|(_, t)| t.name.as_str())
                .collect();
            if !tags.is_empty() {
                item["tags"] = json!(tags);
            }
            if doc.full_content {
                item["content_html"] = json!(a.body_html);
            } else {
                item["content_text"] = json!(a.teaser);
            }
            if let Some(p) = a.published_at {
                item["date_published"] = json!(rfc3339(p));
            }
            if let Some((image, _)) = doc.image(a) {
                item["image"] = json!(image);
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": doc.title,
        "home_page_url": doc.home,
        "feed_url": doc.self_url,
        "description": doc.description,
        "language": doc.language,
        "authors": [{"name": doc.site_name, "url": format!("{}/", doc.base_url)}],
        "items": items,
    });
    if let Some(hub) = doc.hub {
        feed["hubs"] = json!([{"type": "WebSub", "url": hub}]);
    }
    serde_json::to_string_pretty(&feed).map_err(|e| {
        WebError::App(dateline_app::Error::Internal(format!(
            "writing JSON Feed: {e}"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_image_types_are_read_from_urls() {
        assert_eq!(host_of("https://News.Example:8443/x"), "news.example");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:80"), "::1");
        assert_eq!(image_type("https://x/a.JPG?w=1"), Some("image/jpeg"));
        assert_eq!(image_type("https://x/a.webp#f"), Some("image/webp"));
        assert_eq!(image_type("https://x/image"), None);
    }

    #[test]
    fn pages_advertise_three_feeds_under_their_own_path() {
        let links = feed_links("/section/business", "Business · The Gazette");
        let hrefs: Vec<&str> = links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "/section/business/atom.xml",
                "/section/business/rss.xml",
                "/section/business/feed.json"
            ]
        );
        assert_eq!(feed_links("", "G")[1].href, "/rss.xml");
        assert_eq!(links[2].title, "Business · The Gazette (JSON Feed)");
    }
}
