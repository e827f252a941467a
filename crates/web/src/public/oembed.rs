//! oEmbed 1.0 (<https://oembed.com/>): `GET /oembed?url=<article URL>&format=json` answers
//! a `rich` embed of a public article — a card with the headline, teaser and link — that
//! other sites (CMSs, chat apps) paste into their pages. Article pages advertise it with
//! `<link rel="alternate" type="application/json+oembed">`.
//!
//! Only public articles of this site are embedded: anything else, drafts and withdrawn
//! articles included, is 404, the same answer as an address that never existed.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use dateline_core::Article;
use serde::{Deserialize, Serialize};

use crate::cache_layer::cacheable;
use crate::extract::ApiQuery;
use crate::views::{human_time, iso_time, SiteView};
use crate::{WebError, WebState};

/// Width of the embed when the consumer sets no `maxwidth`.
const WIDTH: u32 = 600;
/// Height of the embed when the consumer sets no `maxheight`.
const HEIGHT: u32 = 300;
/// Largest `maxwidth`/`maxheight` taken (the OpenAPI document says the same).
const MAX_DIMENSION: u32 = 10_000;
/// How long a consumer may keep an embed, in seconds (a correction should reach it).
const CACHE_AGE: u32 = 3600;

/// The query of `/oembed`; every value is read as text and checked here, so each wrong one
/// is a 400 naming it.
#[derive(Debug, Deserialize)]
pub struct OembedParams {
    url: Option<String>,
    format: Option<String>,
    maxwidth: Option<String>,
    maxheight: Option<String>,
}

/// The oEmbed response (type `rich`).
#[derive(Debug, Serialize)]
struct OembedJson {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_url: Option<String>,
    provider_name: String,
    provider_url: String,
    cache_age: u32,
    html: String,
    width: u32,
    height: u32,
}

/// `GET /oembed`: 200 with the embed, 400 for a malformed request, 404 for a URL that is
/// not a public article of this site, 501 for `format=xml` (only JSON is served).
pub async fn show(
    State(state): State<WebState>,
    query: Result<ApiQuery<OembedParams>, WebError>,
) -> Result<Response, WebError> {
    let ApiQuery(params) = query?;
    let request = EmbedRequest::parse(params, &state.app.config().base_url)?;
    let article = state
        .app
        .public_article_for_embed(&request.slug)
        .await?
        .ok_or(WebError::App(dateline_app::Error::NotFound))?;
    let site = state.site();
    let body = embed(&article, &site, request.width, request.height);
    let json = serde_json::to_string(&body).map_err(|e| {
        WebError::App(dateline_app::Error::Internal(format!(
            "could not serialise an oEmbed response: {e}"
        )))
    })?;
    Ok(cacheable(
        json,
        "application/json",
        vec![format!("article:{}", article.id)],
        article.updated_at,
    ))
}

/// A checked request: the article's slug and the embed's size.
#[derive(Debug, PartialEq)]
struct EmbedRequest {
    slug: String,
    width: u32,
    height: u32,
}

fn bad(code: &'static str, message: &str) -> WebError {
    WebError::BadRequest {
        code,
        message: message.to_owned(),
    }
}

impl EmbedRequest {
    fn parse(p: OembedParams, base_url: &str) -> Result<EmbedRequest, WebError> {
        match p.format.as_deref() {
            None | Some("json") => {}
            Some("xml") => {
                return Err(WebError::NotImplemented {
                    code: "format_not_supported",
                    message: "Only format=json is served.".into(),
                })
            }
            Some(_) => return Err(bad("invalid_format", "format must be json.")),
        }
        let width = dimension(p.maxwidth.as_deref(), WIDTH, "maxwidth")?;
        let height = dimension(p.maxheight.as_deref(), HEIGHT, "maxheight")?;
        let raw = p
            .url
            .filter(|u| !u.is_empty())
            .ok_or_else(|| bad("missing_url", "url is required."))?;
        let url = url::Url::parse(&raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| bad("invalid_url", "url must be an absolute http(s) URL."))?;
        let not_found = || WebError::App(dateline_app::Error::NotFound);
        let base = url::Url::parse(base_url).map_err(|_| not_found())?;
        let same_site = url.host_str() == base.host_str()
            && (url.port_or_known_default() == base.port_or_known_default()
                || (url.port().is_none() && base.port().is_none()));
        if !same_site {
            return Err(not_found());
        }
        let prefix = format!("{}/articles/", base.path().trim_end_matches('/'));
        let slug = url
            .path()
            .strip_prefix(&prefix)
            .filter(|s| !s.is_empty() && !s.contains('/'))
            .ok_or_else(not_found)?;
        let slug = percent_encoding::percent_decode_str(slug)
            .decode_utf8()
            .map_err(|_| not_found())?
            .into_owned();
        Ok(EmbedRequest {
            slug,
            width,
            height,
        })
    }
}

/// `maxwidth` / `maxheight`: a whole number of pixels from 1 to [`MAX_DIMENSION`]; the
/// embed takes the default or the limit, whichever is smaller.
fn dimension(value: Option<&str>, default: u32, name: &'static str) -> Result<u32, WebError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_DIMENSION).contains(n))
            .map(|n| n.min(default))
            .ok_or_else(|| {
                bad(
                    "invalid_dimension",
                    &format!("{name} must be a whole number from 1 to {MAX_DIMENSION}."),
                )
            }),
    }
}

/// Escapes text for HTML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The embed of `a`: a quotation card linking to the article (the consumer's styles apply;
/// it carries no script, style or frame, so it is safe in any page).
fn embed(a: &Article, site: &SiteView, width: u32, height: u32) -> OembedJson {
    let url = format!("{}{}", site.base_url, a.path());
    let published: DateTime<Utc> = a.published_at.unwrap_or(a.created_at);
    let teaser = a.standfirst.as_deref().unwrap_or(&a.teaser);
    let authors = a
        .authors
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut html = format!(
        "<blockquote class=\"dateline-embed\" cite=\"{u}\"><p><a href=\"{u}\">{t}</a></p>",
        u = escape(&url),
        t = escape(&a.title),
    );
    if !teaser.is_empty() {
        html.push_str(&format!("<p>{}</p>", escape(teaser)));
    }
    html.push_str(&format!(
        "<footer>{by}<a href=\"{home}\">{site}</a>, <time datetime=\"{iso}\">{human}</time></footer></blockquote>",
        by = if authors.is_empty() {
            String::new()
        } else {
            format!("{} · ", escape(&authors))
        },
        home = escape(&format!("{}/", site.base_url)),
        site = escape(&site.name),
        iso = iso_time(published),
        human = escape(&human_time(published)),
    ));
    OembedJson {
        version: "1.0",
        kind: "rich",
        title: a.title.clone(),
        author_name: (!authors.is_empty()).then(|| authors.clone()),
        // One page per author; a shared byline has no single page to name.
        author_url: match a.authors.as_slice() {
            [only] => Some(format!("{}/author/{}", site.base_url, only.slug)),
            _ => None,
        },
        provider_name: site.name.clone(),
        provider_url: format!("{}/", site.base_url),
        cache_age: CACHE_AGE,
        html,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(url: &str) -> OembedParams {
        OembedParams {
            url: Some(url.to_owned()),
            format: None,
            maxwidth: None,
            maxheight: None,
        }
    }

    fn status(r: Result<EmbedRequest, WebError>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(e) => e.status().as_u16(),
        }
    }

    #[test]
    fn only_this_site_s_article_addresses_are_embeddable() {
        let base = "http://news.example:8080";
        let ok = EmbedRequest::parse(
            params("http://NEWS.example:8080/articles/port-grows?x=1#t"),
            base,
        )
        .expect("an article URL");
        assert_eq!(ok.slug, "port-grows");
        assert_eq!((ok.width, ok.height), (WIDTH, HEIGHT));
        for (url, expected) in [
            ("http://news.example:8080/articles/", 404),
            ("http://news.example:8080/articles/a/b", 404),
            ("http://news.example:8080/section/world", 404),
            ("http://news.example/articles/port-grows", 404),
            ("http://evil.example:8080/articles/port-grows", 404),
            ("not a url", 400),
            ("ftp://news.example:8080/articles/port-grows", 400),
            ("/articles/port-grows", 400),
            ("", 400),
        ] {
            assert_eq!(
                status(EmbedRequest::parse(params(url), base)),
                expected,
                "{url}"
            );
        }
    }

    #[test]
    fn format_and_size_are_checked() {
        let base = "https://news.example";
        let url = "https://news.example/articles/a";
        let with = |format: Option<&str>, w: Option<&str>| OembedParams {
            url: Some(url.to_owned()),
            format: format.map(str::to_owned),
            maxwidth: w.map(str::to_owned),
            maxheight: None,
        };
        assert_eq!(
            status(EmbedRequest::parse(with(Some("xml"), None), base)),
            501
        );
        assert_eq!(
            status(EmbedRequest::parse(with(Some("yaml"), None), base)),
            400
        );
        for w in ["0", "-1", "abc", "10001", "1.5"] {
            assert_eq!(
                status(EmbedRequest::parse(with(None, Some(w)), base)),
                400,
                "{w}"
            );
        }
        let r = EmbedRequest::parse(with(Some("json"), Some("320")), base).expect("valid");
        assert_eq!(r.width, 320);
        let r = EmbedRequest::parse(with(None, Some("5000")), base).expect("valid");
        assert_eq!(r.width, WIDTH);
    }
}
