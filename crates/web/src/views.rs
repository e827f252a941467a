//! Templates and the view models that feed them (one type per page, borrowing nothing
//! from HTTP).

use chrono::{DateTime, Utc};
use dateline_core::{Article, Term};
use minijinja::Environment;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::json;

use crate::WebError;

/// The newsroom's pages (see `newsroom`).
const NEWSROOM_TEMPLATES: [(&str, &str); 14] = [
    (
        "newsroom/base.html",
        include_str!("../templates/newsroom/base.html"),
    ),
    (
        "newsroom/message.html",
        include_str!("../templates/newsroom/message.html"),
    ),
    (
        "newsroom/signin.html",
        include_str!("../templates/newsroom/signin.html"),
    ),
    (
        "newsroom/setup.html",
        include_str!("../templates/newsroom/setup.html"),
    ),
    (
        "newsroom/reset.html",
        include_str!("../templates/newsroom/reset.html"),
    ),
    (
        "newsroom/account.html",
        include_str!("../templates/newsroom/account.html"),
    ),
    (
        "newsroom/list.html",
        include_str!("../templates/newsroom/list.html"),
    ),
    (
        "newsroom/editor.html",
        include_str!("../templates/newsroom/editor.html"),
    ),
    (
        "newsroom/diff_macros.html",
        include_str!("../templates/newsroom/diff_macros.html"),
    ),
    (
        "newsroom/history.html",
        include_str!("../templates/newsroom/history.html"),
    ),
    (
        "newsroom/diff.html",
        include_str!("../templates/newsroom/diff.html"),
    ),
    (
        "newsroom/conflict.html",
        include_str!("../templates/newsroom/conflict.html"),
    ),
    (
        "newsroom/users.html",
        include_str!("../templates/newsroom/users.html"),
    ),
    (
        "newsroom/keys.html",
        include_str!("../templates/newsroom/keys.html"),
    ),
];

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
    asset_version: String,
}

impl Templates {
    /// Compiles the embedded templates; fails only on a template syntax error (a bug).
    pub fn new() -> Result<Templates, WebError> {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("base.html", include_str!("../templates/base.html"))?;
        env.add_template("article.html", include_str!("../templates/article.html"))?;
        env.add_template("list.html", include_str!("../templates/list.html"))?;
        env.add_template("error.html", include_str!("../templates/error.html"))?;
        env.add_template("search.html", include_str!("../templates/search.html"))?;
        for (name, source) in NEWSROOM_TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Templates {
            env,
            asset_version: crate::assets::asset_version(),
        })
    }

    /// Renders `name` with `page` plus the site-wide context.
    pub fn render<T: Serialize>(
        &self,
        name: &str,
        site: &SiteView,
        nav: &[Term],
        page: T,
    ) -> Result<String, WebError> {
        let template = self.env.get_template(name)?;
        let nav: Vec<TermView<'_>> = nav.iter().map(TermView::from).collect();
        let ctx = minijinja::context! { site => site, nav => nav, asset_version => &self.asset_version, ..minijinja::Value::from_serialize(&page) };
        Ok(template.render(ctx)?)
    }
}

/// minijinja's default HTML escaping also escapes `/`, which turns every URL in the page
/// into `http:&#x2f;&#x2f;…`; valid, but unreadable and bigger. Escape what HTML needs.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if let (Some(s), false, minijinja::AutoEscape::Html) =
        (value.as_str(), value.is_safe(), state.auto_escape())
    {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            out.write_str(&s[last..i])
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))?;
            out.write_str(rep)
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))?;
            last = i + 1;
        }
        return out
            .write_str(&s[last..])
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"));
    }
    minijinja::escape_formatter(out, state, value)
}

/// Site-wide values every page shows.
#[derive(Serialize)]
pub struct SiteView {
    /// Publication name.
    pub name: String,
    /// Base URL without trailing slash.
    pub base_url: String,
}

/// A section, tag or author link.
#[derive(Serialize)]
pub struct TermView<'a> {
    slug: &'a str,
    name: &'a str,
}

impl<'a> From<&'a Term> for TermView<'a> {
    fn from(t: &'a Term) -> Self {
        TermView {
            slug: t.slug.as_str(),
            name: &t.name,
        }
    }
}

/// "26 November 2026, 09:55 UTC".
pub fn human_time(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// RFC 3339 with `Z`, seconds precision.
pub fn iso_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

#[derive(Serialize)]
struct ShareLink {
    id: &'static str,
    label: &'static str,
    href: String,
}

fn share_links(title: &str, url: &str) -> Vec<ShareLink> {
    let (t, u) = (enc(title), enc(url));
    vec![
        ShareLink {
            id: "email",
            label: "Email",
            href: format!("mailto:?subject={t}&body={u}"),
        },
        ShareLink {
            id: "x",
            label: "X",
            href: format!("https://x.com/intent/tweet?text={t}&url={u}"),
        },
        ShareLink {
            id: "facebook",
            label: "Facebook",
            href: format!("https://www.facebook.com/sharer/sharer.php?u={u}"),
        },
        ShareLink {
            id: "linkedin",
            label: "LinkedIn",
            href: format!("https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        },
        ShareLink {
            id: "whatsapp",
            label: "WhatsApp",
            href: format!("https://wa.me/?text={t}%20{u}"),
        },
        ShareLink {
            id: "telegram",
            label: "Telegram",
            href: format!("https://t.me/share/url?url={u}&text={t}"),
        },
    ]
}

#[derive(Serialize)]
struct ImageView<'a> {
    url: &'a str,
    alt: Option<&'a str>,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
}

#[derive(Serialize)]
struct CorrectionView<'a> {
    note: &'a str,
    at_iso: String,
    at_human: String,
}

/// Everything the article template shows.
#[derive(Serialize)]
pub struct ArticleView<'a> {
    id: i64,
    title: &'a str,
    standfirst: Option<&'a str>,
    description: &'a str,
    url: String,
    section: Option<TermView<'a>>,
    tags: Vec<TermView<'a>>,
    authors: Vec<TermView<'a>>,
    dateline: Option<&'a str>,
    published_iso: String,
    published_human: String,
    updated_iso: String,
    updated_human: Option<String>,
    image: Option<ImageView<'a>>,
    /// Every correction notice, oldest first.
    corrections: Vec<CorrectionView<'a>>,
    body_html: &'a str,
    source: Option<&'a str>,
    share: Vec<ShareLink>,
    json_ld: String,
}

/// The article page model.
#[derive(Serialize)]
pub struct ArticlePage<'a> {
    a: ArticleView<'a>,
    related: Vec<ListItemView<'a>>,
}

/// Updates within this long after publication are not shown as "Updated".
const UPDATE_NOTICE_AFTER_SECS: i64 = 60;

impl<'a> ArticlePage<'a> {
    /// Builds the page model for a public article.
    pub fn new(
        article: &'a Article,
        related: &'a [(Article, f32)],
        site: &SiteView,
    ) -> ArticlePage<'a> {
        let url = format!("{}{}", site.base_url, article.path());
        let published = article.published_at.unwrap_or(article.created_at);
        let updated = article.updated_at.max(published);
        let description = article.standfirst.as_deref().unwrap_or(&article.teaser);
        let json_ld = json_ld(article, &url, published, updated, description, site);
        ArticlePage {
            related: related
                .iter()
                .map(|(r, _)| ListItemView::related(r))
                .collect(),
            a: ArticleView {
                id: article.id.0,
                title: &article.title,
                standfirst: article.standfirst.as_deref(),
                description,
                section: article.section.as_ref().map(TermView::from),
                tags: article.tags.iter().map(TermView::from).collect(),
                authors: article.authors.iter().map(TermView::from).collect(),
                dateline: article.dateline.as_deref(),
                published_iso: iso_time(published),
                published_human: human_time(published),
                updated_iso: iso_time(updated),
                updated_human: ((updated - published).num_seconds() > UPDATE_NOTICE_AFTER_SECS)
                    .then(|| human_time(updated)),
                image: article.lead_image.as_ref().map(|i| ImageView {
                    url: &i.url,
                    alt: i.alt.as_deref(),
                    caption: i.caption.as_deref(),
                    credit: i.credit.as_deref(),
                }),
                corrections: article
                    .corrections()
                    .map(|c| CorrectionView {
                        note: &c.note,
                        at_iso: iso_time(c.at),
                        at_human: human_time(c.at),
                    })
                    .collect(),
                body_html: &article.body_html,
                source: article.source.as_deref(),
                share: share_links(&article.title, &url),
                url,
                json_ld,
            },
        }
    }
}

fn json_ld(
    a: &Article,
    url: &str,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    description: &str,
    site: &SiteView,
) -> String {
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": iso_time(published),
        "dateModified": iso_time(updated),
        "author": a.authors.iter().map(|p| json!({"@type": "Person", "name": p.name, "url": format!("{}/author/{}", site.base_url, p.slug)})).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": site.name, "url": site.base_url},
        "wordCount": a.word_count,
    });
    if let Some(section) = &a.section {
        doc["articleSection"] = json!(section.name);
    }
    if let Some(image) = &a.lead_image {
        doc["image"] = json!([image.url]);
    }
    if !a.tags.is_empty() {
        doc["keywords"] = json!(a.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>());
    }
    if let Some(place) = &a.dateline {
        doc["locationCreated"] = json!({"@type": "Place", "name": place});
    }
    let corrections: Vec<_> = a
        .corrections()
        .map(|c| json!({"@type": "CorrectionComment", "text": c.note, "datePublished": iso_time(c.at)}))
        .collect();
    if !corrections.is_empty() {
        doc["correction"] = json!(corrections);
    }
    // Inside <script>, "</script>" or "<!--" in a headline would end the block: escape the
    // characters HTML cares about; JSON parsers read the \u escapes back unchanged.
    doc.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// One item of an article list.
#[derive(Serialize)]
pub struct ListItemView<'a> {
    path: String,
    title: &'a str,
    teaser: &'a str,
    section: Option<TermView<'a>>,
    authors: String,
    published_iso: String,
    published_human: String,
}

impl<'a> ListItemView<'a> {
    /// A related-article item: the summary if the editor wrote one, else the teaser.
    fn related(a: &'a Article) -> Self {
        ListItemView {
            teaser: &a.teaser,
            ..ListItemView::from(a)
        }
    }
}

impl<'a> From<&'a Article> for ListItemView<'a> {
    fn from(a: &'a Article) -> Self {
        let published = a.published_at.unwrap_or(a.created_at);
        ListItemView {
            path: a.path(),
            title: &a.title,
            teaser: a.standfirst.as_deref().unwrap_or(&a.teaser),
            section: a.section.as_ref().map(TermView::from),
            authors: a
                .authors
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            published_iso: iso_time(published),
            published_human: human_time(published),
        }
    }
}

/// The list page model (home, section, tag, author).
#[derive(Serialize)]
pub struct ListPage<'a> {
    /// Heading; `None` on the home page.
    pub heading: Option<String>,
    /// Canonical URL.
    pub canonical: String,
    /// Meta description.
    pub description: String,
    /// Items, newest first.
    pub items: Vec<ListItemView<'a>>,
    /// Link to the next (older) page.
    pub next_href: Option<String>,
}

/// The error page model.
#[derive(Serialize)]
pub struct ErrorPage {
    /// Heading.
    pub title: &'static str,
    /// Explanation.
    pub message: String,
}

/// One search result.
#[derive(Serialize)]
pub struct SearchItemView<'a> {
    /// Article path.
    pub path: String,
    /// Headline.
    pub title: &'a str,
    /// Section name.
    pub section: Option<&'a str>,
    /// Highlighted excerpt (HTML-escaped by the search crate).
    pub snippet: &'a str,
    /// Machine time.
    pub published_iso: String,
    /// Reader time.
    pub published_human: String,
}

/// The search page model.
#[derive(Serialize)]
pub struct SearchPageView<'a> {
    /// The words searched.
    pub q: String,
    /// Value for the search box in the masthead.
    pub search_q: String,
    /// Section filter.
    pub section: String,
    /// `relevance` or `date`.
    pub sort: &'static str,
    /// Results.
    pub items: Vec<SearchItemView<'a>>,
    /// Matches in all.
    pub total: usize,
    /// Typo-tolerant results.
    pub fuzzy: bool,
    /// Next page.
    pub next_href: Option<String>,
}
