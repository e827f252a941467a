//! What machines read off a page: schema.org JSON-LD (`NewsArticle`, `BreadcrumbList`)
//! and the share card (Open Graph and Twitter tags) that chat apps and social sites unfurl.
//!
//! JSON-LD is built from typed structs and serialised by serde_json — never from string
//! templates — and made safe for a `<script>` element by [`script_json`]. Only properties
//! that schema.org defines on the type are used; `scripts/validate_metadata.sh` checks every
//! type and property of the served pages against the vocabulary.

use chrono::{DateTime, Utc};
use dateline_core::Article;
use serde::Serialize;

use crate::views::{iso_time, SiteView};

/// Where the shipped site image lives, and its size (`og:image:width`/`height`).
pub const SHIPPED_SITE_IMAGE: (&str, u32, u32) = ("/static/site-image.png", 1200, 630);
/// Where the shipped publisher logo lives.
pub const SHIPPED_LOGO: &str = "/static/logo.png";

/// `value` as JSON that can sit inside `<script type="application/ld+json">`: `<`, `>`
/// and `&` — which only ever occur inside JSON strings — become `\u003c`, `\u003e` and
/// `\u0026`, so no field can close the element (`</script>`) or open a comment (`<!--`);
/// JSON parsers read the escapes back as the same characters. U+2028/2029 are escaped too,
/// for any reader that takes the block for JavaScript.
pub fn script_json<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|e| {
        // Serialising these structs cannot fail (string keys, no maps of other keys).
        tracing::error!(error = %e, "could not serialise JSON-LD");
        "{}".to_owned()
    });
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The `og:locale` of a BCP 47 language tag: its region when it names one (`en-GB` →
/// `en_GB`), else the language's most common one (`en` → `en_US`, `ar` → `ar_AR`, as
/// Facebook's locale list has it), else the language doubled (`nl` → `nl_NL`).
pub fn og_locale(language: &str) -> String {
    let mut parts = language.split(['-', '_']);
    let primary = parts.next().unwrap_or("en").to_ascii_lowercase();
    let region = parts.find(|p| {
        (p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            || (p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
    });
    if let Some(region) = region {
        return format!("{primary}_{}", region.to_ascii_uppercase());
    }
    let region = match primary.as_str() {
        "en" => "US",
        "ar" => "AR",
        "ja" => "JP",
        "zh" => "CN",
        "ko" => "KR",
        "hi" => "IN",
        "sv" => "SE",
        "da" => "DK",
        "nb" | "nn" => "NO",
        "fa" => "IR",
        "he" => "IL",
        "ur" => "PK",
        "sw" => "KE",
        "el" => "GR",
        "cs" => "CZ",
        "uk" => "UA",
        "pt" => "BR",
        _ => return format!("{primary}_{}", primary.to_ascii_uppercase()),
    };
    format!("{primary}_{region}")
}

/// A person or organisation.
#[derive(Serialize)]
pub struct AgentLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// schema.org `ImageObject`.
#[derive(Serialize)]
pub struct ImageLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<&'a str>,
}

/// The publication: schema.org `NewsMediaOrganization` with its logo.
#[derive(Serialize)]
pub struct PublisherLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
    logo: ImageLd<'a>,
}

impl<'a> PublisherLd<'a> {
    fn of(site: &'a SiteView) -> PublisherLd<'a> {
        PublisherLd {
            kind: "NewsMediaOrganization",
            name: &site.name,
            url: format!("{}/", site.base_url),
            logo: ImageLd {
                kind: "ImageObject",
                url: &site.publisher_logo,
                caption: None,
            },
        }
    }
}

/// The page an article is the main thing of.
#[derive(Serialize)]
pub struct WebPageLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
}

/// schema.org `Place`.
#[derive(Serialize)]
pub struct PlaceLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// One correction notice: schema.org `CorrectionComment`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
    date_published: String,
}

/// An article page's schema.org `NewsArticle`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsArticleLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    headline: &'a str,
    description: &'a str,
    url: &'a str,
    main_entity_of_page: WebPageLd<'a>,
    date_published: String,
    date_modified: String,
    /// The bylines; an article without one is credited to the publication, never `[]`.
    author: Vec<AgentLd<'a>>,
    publisher: PublisherLd<'a>,
    in_language: &'a str,
    /// Always true: dateline has no paywall, and posts imported as members-only are held
    /// back as drafts, so they are never public.
    is_accessible_for_free: bool,
    word_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    article_section: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<ImageLd<'a>>,
    /// The place line, as printed (`MUSCAT, OMAN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dateline: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_created: Option<PlaceLd<'a>>,
    /// Where the story came from (a wire service, a partner).
    #[serde(skip_serializing_if = "Option::is_none")]
    source_organization: Option<AgentLd<'a>>,
    /// Every correction notice, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correction: Vec<CorrectionLd<'a>>,
}

impl<'a> NewsArticleLd<'a> {
    /// The `NewsArticle` of public article `a` at `url`.
    pub fn new(
        a: &'a Article,
        url: &'a str,
        published: DateTime<Utc>,
        updated: DateTime<Utc>,
        description: &'a str,
        site: &'a SiteView,
    ) -> NewsArticleLd<'a> {
        let mut author: Vec<AgentLd<'a>> = a
            .authors
            .iter()
            .map(|p| AgentLd {
                kind: "Person",
                name: &p.name,
                url: Some(format!("{}/author/{}", site.base_url, p.slug)),
            })
            .collect();
        if author.is_empty() {
            author.push(AgentLd {
                kind: "Organization",
                name: &site.name,
                url: Some(format!("{}/", site.base_url)),
            });
        }
        NewsArticleLd {
            context: "https://schema.org",
            kind: "NewsArticle",
            headline: &a.title,
            description,
            url,
            main_entity_of_page: WebPageLd {
                kind: "WebPage",
                id: url,
            },
            date_published: iso_time(published),
            date_modified: iso_time(updated),
            author,
            publisher: PublisherLd::of(site),
            in_language: &site.language,
            is_accessible_for_free: true,
            word_count: a.word_count,
            article_section: a.section.as_ref().map(|s| s.name.as_str()),
            keywords: a.tags.iter().map(|t| t.name.as_str()).collect(),
            image: a.lead_image.as_ref().map(|i| ImageLd {
                kind: "ImageObject",
                url: &i.url,
                caption: i.caption.as_deref().or(i.alt.as_deref()),
            }),
            dateline: a.dateline.as_deref(),
            location_created: a.dateline.as_deref().map(|name| PlaceLd {
                kind: "Place",
                name,
            }),
            source_organization: a.source.as_deref().map(|name| AgentLd {
                kind: "Organization",
                name,
                url: None,
            }),
            correction: a
                .corrections()
                .map(|c| CorrectionLd {
                    kind: "CorrectionComment",
                    text: &c.note,
                    date_published: iso_time(c.at),
                })
                .collect(),
        }
    }
}

/// One step of a breadcrumb trail.
#[derive(Serialize)]
pub struct ListItemLd {
    #[serde(rename = "@type")]
    kind: &'static str,
    position: usize,
    name: String,
    item: String,
}

/// schema.org `BreadcrumbList`: Home → this page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreadcrumbLd {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<ListItemLd>,
}

impl BreadcrumbLd {
    /// Home, then each `(name, absolute URL)` in order.
    pub fn new(site: &SiteView, trail: Vec<(String, String)>) -> BreadcrumbLd {
        let home = (site.name.clone(), format!("{}/", site.base_url));
        BreadcrumbLd {
            context: "https://schema.org",
            kind: "BreadcrumbList",
            item_list_element: std::iter::once(home)
                .chain(trail)
                .enumerate()
                .map(|(i, (name, item))| ListItemLd {
                    kind: "ListItem",
                    position: i + 1,
                    name,
                    item,
                })
                .collect(),
        }
    }
}

/// The share card: what Open Graph and Twitter tags say about a page (`card.html`).
#[derive(Serialize)]
pub struct ShareCard {
    /// `article` or `website`.
    og_type: &'static str,
    title: String,
    description: String,
    /// The canonical URL.
    url: String,
    /// Absolute image URL: the page's own, else the site image.
    image: String,
    image_alt: Option<String>,
    /// Known only for the shipped site image.
    image_width: Option<u32>,
    image_height: Option<u32>,
}

impl ShareCard {
    /// The card of a page that is not an article (home, section, tag, author, story).
    pub fn website(site: &SiteView, title: String, description: String, url: String) -> Self {
        let (image, image_width, image_height) = site.site_image();
        ShareCard {
            og_type: "website",
            image_alt: Some(site.name.clone()),
            title,
            description,
            url,
            image,
            image_width,
            image_height,
        }
    }

    /// The card of article `a`: its lead image, else the site image.
    pub fn article(site: &SiteView, a: &Article, description: &str, url: &str) -> Self {
        let mut card = ShareCard::website(
            site,
            a.title.clone(),
            description.to_owned(),
            url.to_owned(),
        );
        card.og_type = "article";
        if let Some(image) = &a.lead_image {
            card.image = image.url.clone();
            card.image_alt = image.alt.clone().or_else(|| image.caption.clone());
            card.image_width = None;
            card.image_height = None;
        }
        card
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let out = script_json(
            &serde_json::json!({"headline": "a </script><script>alert(1)</script> & <!-- b \u{2028}"}),
        );
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('&'),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(
            back["headline"],
            "a </script><script>alert(1)</script> & <!-- b \u{2028}"
        );
    }

    #[test]
    fn og_locale_takes_the_region_or_the_language_s_usual_one() {
        assert_eq!(og_locale("en"), "en_US");
        assert_eq!(og_locale("en-GB"), "en_GB");
        assert_eq!(og_locale("en_gb"), "en_GB");
        assert_eq!(og_locale("ar"), "ar_AR");
        assert_eq!(og_locale("fr"), "fr_FR");
        assert_eq!(og_locale("zh-Hant-TW"), "zh_TW");
        assert_eq!(og_locale("es-419"), "es_419");
    }
}
