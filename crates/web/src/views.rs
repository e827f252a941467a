//! Templates and the view models that feed them (one type per page, borrowing nothing
//! from HTTP).

use chrono::{DateTime, Utc};
use dateline_core::{Article, Term};
use minijinja::{Environment, UndefinedBehavior};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::structured_data::{script_json, NewsArticleLd, ShareCard};
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
    /// Reader pages. Lenient about undefined names: `base.html` reads `search_q`, which
    /// only the search page's view has.
    env: Environment<'static>,
    /// The newsroom's pages, strict about undefined names: every page is a typed view
    /// (`newsroom::views`) that provides each name its template reads, even as `none`, so
    /// a name missing from the view is a bug, and it fails the render rather than leaving a
    /// blank field, a form without its token or a banner that never shows.
    newsroom: Environment<'static>,
    asset_version: String,
}

impl Templates {
    /// Compiles the embedded templates; fails only on a template syntax error (a bug).
    pub fn new() -> Result<Templates, WebError> {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("base.html", include_str!("../templates/base.html"))?;
        env.add_template("card.html", include_str!("../templates/card.html"))?;
        env.add_template("article.html", include_str!("../templates/article.html"))?;
        env.add_template("list.html", include_str!("../templates/list.html"))?;
        env.add_template("error.html", include_str!("../templates/error.html"))?;
        env.add_template("search.html", include_str!("../templates/search.html"))?;
        env.add_template("story.html", include_str!("../templates/story.html"))?;
        let mut newsroom = Environment::new();
        newsroom.set_formatter(html_formatter);
        newsroom.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in NEWSROOM_TEMPLATES {
            newsroom.add_template(name, source)?;
        }
        Ok(Templates {
            env,
            newsroom,
            asset_version: crate::assets::asset_version(),
        })
    }

    /// Renders the reader page `name` with `page` plus the site-wide context.
    pub fn render<T: Serialize>(
        &self,
        name: &str,
        site: &SiteView,
        nav: &[Term],
        page: T,
    ) -> Result<String, WebError> {
        let template = self.env.get_template(name)?;
        let nav: Vec<TermView<'_>> = nav.iter().map(TermView::from).collect();
        // Every reader page advertises the site's feeds; a list page adds its own (`feeds`).
        let site_feeds = crate::public::feeds::feed_links("", &site.name);
        let ctx = minijinja::context! { site => site, nav => nav, asset_version => &self.asset_version, site_feeds => site_feeds, ..minijinja::Value::from_serialize(&page) };
        Ok(template.render(ctx)?)
    }

    /// Renders the newsroom template `name` with `page` (which brings every name the
    /// template reads) plus the site's name and the asset version.
    pub(crate) fn render_newsroom<T: Serialize>(
        &self,
        name: &str,
        site: &SiteView,
        page: &T,
    ) -> Result<String, WebError> {
        let template = self.newsroom.get_template(name)?;
        let ctx = minijinja::context! { site => site, asset_version => &self.asset_version, ..minijinja::Value::from_serialize(page) };
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
    /// BCP 47 language tag (`lang`, JSON-LD `inLanguage`).
    pub language: String,
    /// `og:locale` (`en_US`).
    pub og_locale: String,
    /// `twitter:site` (`@account`), when configured.
    pub twitter_site: Option<String>,
    /// Absolute URL of the configured site image, if one is set.
    pub site_image_url: Option<String>,
    /// Absolute URL of the publisher's logo.
    pub publisher_logo: String,
    /// The WebSub hub, advertised with `<link rel="hub">` when set.
    pub websub_hub: Option<String>,
}

impl SiteView {
    /// The site's values from its configuration.
    pub fn from_config(c: &dateline_app::Config) -> SiteView {
        let absolute = |v: &str| {
            if v.starts_with('/') {
                format!("{}{v}", c.base_url)
            } else {
                v.to_owned()
            }
        };
        SiteView {
            name: c.site_name.clone(),
            base_url: c.base_url.clone(),
            language: c.language.clone(),
            og_locale: crate::structured_data::og_locale(&c.language),
            twitter_site: c.twitter_site.clone(),
            site_image_url: c.site_image.as_deref().map(absolute),
            publisher_logo: absolute(
                c.publisher_logo
                    .as_deref()
                    .unwrap_or(crate::structured_data::SHIPPED_LOGO),
            ),
            websub_hub: c.websub_hub.clone(),
        }
    }

    /// A site with `name` at `base_url` and every other setting at its default (tests).
    #[cfg(test)]
    pub(crate) fn named(name: &str, base_url: &str) -> SiteView {
        let mut config = dateline_app::Config::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 80)),
            std::path::PathBuf::from("unused"),
        );
        config.site_name = name.to_owned();
        config.base_url = base_url.to_owned();
        SiteView::from_config(&config)
    }

    /// The image pages without their own share: the configured one, else the shipped one
    /// (whose size is known).
    pub fn site_image(&self) -> (String, Option<u32>, Option<u32>) {
        match &self.site_image_url {
            Some(url) => (url.clone(), None, None),
            None => {
                let (path, w, h) = crate::structured_data::SHIPPED_SITE_IMAGE;
                (format!("{}{path}", self.base_url), Some(w), Some(h))
            }
        }
    }
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
    /// The oEmbed discovery link (`/oembed?url=…&format=json`).
    oembed_href: String,
}

/// The article page model.
#[derive(Serialize)]
pub struct ArticlePage<'a> {
    a: ArticleView<'a>,
    card: ShareCard,
    related: Vec<ListItemView<'a>>,
    story: Option<StoryLinkView>,
}

/// The link from an article to the other reports of its story.
#[derive(Serialize)]
pub struct StoryLinkView {
    href: String,
    text: String,
}

impl StoryLinkView {
    /// "3 other reports of this story", or nothing when the article is the only one.
    pub fn new(story_id: i64, others: usize) -> Option<StoryLinkView> {
        (others > 0).then(|| StoryLinkView {
            href: format!("/story/{story_id}"),
            text: match others {
                1 => "1 other report of this story".to_owned(),
                n => format!("{n} other reports of this story"),
            },
        })
    }
}

/// Updates within this long after publication are not shown as "Updated".
const UPDATE_NOTICE_AFTER_SECS: i64 = 60;

impl<'a> ArticlePage<'a> {
    /// Builds the page model for a public article.
    pub fn new(
        article: &'a Article,
        related: &'a [(Article, f32)],
        other_reports: usize,
        site: &SiteView,
    ) -> ArticlePage<'a> {
        let url = format!("{}{}", site.base_url, article.path());
        let published = article.published_at.unwrap_or(article.created_at);
        let updated = article.updated_at.max(published);
        let description = article.standfirst.as_deref().unwrap_or(&article.teaser);
        let json_ld = script_json(&NewsArticleLd::new(
            article,
            &url,
            published,
            updated,
            description,
            site,
        ));
        let oembed_href = format!("{}/oembed?url={}&format=json", site.base_url, enc(&url));
        ArticlePage {
            card: ShareCard::article(site, article, description, &url),
            story: StoryLinkView::new(article.story_id, other_reports),
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
                oembed_href,
            },
        }
    }
}

/// One item of an article list.
#[derive(Serialize)]
pub struct ListItemView<'a> {
    path: String,
    title: &'a str,
    source: Option<&'a str>,
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
            source: a.source.as_deref(),
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

/// The story page model: every public report of one story, oldest first.
#[derive(Serialize)]
pub struct StoryPage<'a> {
    card: ShareCard,
    heading: &'a str,
    canonical: String,
    description: String,
    reports: Vec<ListItemView<'a>>,
}

impl<'a> StoryPage<'a> {
    /// The page of `story`, headed by its first report's headline.
    pub fn new(story: &'a dateline_app::reading::Story, site: &SiteView) -> StoryPage<'a> {
        let heading = story.reports.first().map_or("", |a| a.title.as_str());
        let canonical = format!("{}/story/{}", site.base_url, story.id);
        let description = format!(
            "{} reports of one story, in the order they were published.",
            story.reports.len()
        );
        StoryPage {
            card: ShareCard::website(
                site,
                heading.to_owned(),
                description.clone(),
                canonical.clone(),
            ),
            heading,
            canonical,
            description,
            reports: story.reports.iter().map(ListItemView::related).collect(),
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
    /// Open Graph and Twitter tags.
    pub card: ShareCard,
    /// `BreadcrumbList` JSON-LD, script-safe (section, tag and author pages).
    pub breadcrumb_json_ld: Option<String>,
    /// The list's own feeds (a section, tag or author page); the site's are on every page.
    pub feeds: Vec<crate::public::feeds::FeedLinkView>,
}

/// The error page model.
#[derive(Serialize)]
pub struct ErrorPage {
    /// Heading.
    pub title: &'static str,
    /// Explanation.
    pub message: String,
}

/// Another report of a search result's story.
#[derive(Serialize)]
pub struct OtherReportView<'a> {
    /// Article path.
    pub path: String,
    /// Headline.
    pub title: &'a str,
    /// Who reported it.
    pub source: Option<&'a str>,
}

/// One search result (one story) on the search page.
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
    /// Other matching reports of the same story, folded under this one.
    pub others: Vec<OtherReportView<'a>>,
    /// The story page, when there are other reports.
    pub story_href: Option<String>,
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
