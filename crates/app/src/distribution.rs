//! What feed readers, news aggregators and crawlers read: the articles of a feed (the
//! whole site, a section, a tag or an author) and the contents of the sitemaps. Every read
//! goes through the store's public path (`dateline_store::public`), which filters status
//! and publish time in SQL: no draft, scheduled, unpublished or deleted article can reach
//! a feed or a sitemap (DESIGN.md "Feeds and discovery").

use chrono::{DateTime, Duration, Utc};
use dateline_core::{Article, Term};

pub use dateline_store::public::{SitemapEntry, SitemapKind};

use crate::reading::{ListFilter, TermKind};
use crate::{App, Result};

/// Items in a feed: the newest this many public articles.
pub const FEED_ITEMS: u32 = 50;

/// How far back the Google News sitemap reaches (Google: articles of the last two days).
pub const NEWS_WINDOW_HOURS: i64 = 48;

/// Most URLs in a news sitemap (Google: at most 1,000 per news sitemap).
pub const NEWS_MAX_URLS: u32 = 1000;

/// Whose articles a feed carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    /// Every public article.
    Site,
    /// The articles of one section, tag or author, by slug.
    Term(TermKind, String),
}

/// The contents of one feed.
#[derive(Debug)]
pub struct FeedData {
    /// The section, tag or author the feed is about; `None` for the site feed.
    pub term: Option<(TermKind, Term)>,
    /// The newest public articles, newest first (bodies included).
    pub items: Vec<Article>,
}

impl FeedData {
    /// The newest change among the items (the later of update and publish time), or
    /// `None` for an empty feed.
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.items.iter().map(changed_at).max()
    }
}

/// When an article last changed as a reader sees it: its update time, or its publish time
/// if that is later (a scheduled article goes public after its last edit).
pub fn changed_at(article: &Article) -> DateTime<Utc> {
    article
        .published_at
        .map_or(article.updated_at, |p| p.max(article.updated_at))
}

/// What the sitemap index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapIndexData {
    /// Blocks of article ids that hold public articles (see [`App::sitemap_block`]).
    pub articles: Vec<u64>,
    /// Blocks of section ids with public sections.
    pub sections: Vec<u64>,
    /// Blocks of tag ids with public tags.
    pub tags: Vec<u64>,
    /// Blocks of author ids with public authors.
    pub authors: Vec<u64>,
    /// Whether the news sitemap has any article (an empty one is not listed).
    pub news: bool,
    /// The newest change among public articles, if any.
    pub newest: Option<DateTime<Utc>>,
}

impl App {
    /// The feed of `scope`; `None` when the scope names a section, tag or author that does
    /// not exist or has no public article (which must not reveal that it exists: tags
    /// often name embargoed stories), as its list page does.
    pub async fn feed(&self, scope: &FeedScope) -> Result<Option<FeedData>> {
        let mut filter = ListFilter::default();
        let term = match scope {
            FeedScope::Site => None,
            FeedScope::Term(kind, slug) => {
                let Some(term) = self.public_term(*kind, slug).await? else {
                    return Ok(None);
                };
                match kind {
                    TermKind::Section => filter.section = Some(slug.clone()),
                    TermKind::Tag => filter.tag = Some(slug.clone()),
                    TermKind::Author => filter.author = Some(slug.clone()),
                }
                Some((*kind, term))
            }
        };
        let page = self
            .store()
            .public_list(&filter, None, FEED_ITEMS, Utc::now())
            .await?;
        if term.is_some() && page.items.is_empty() {
            return Ok(None);
        }
        Ok(Some(FeedData {
            term,
            items: page.items,
        }))
    }

    /// Everything the sitemap index lists: one keyset seek per block that has public
    /// rows, whatever the size of the archive.
    pub async fn sitemap_index(&self) -> Result<SitemapIndexData> {
        let now = Utc::now();
        let size = self.config().sitemap_page_size;
        let store = self.store();
        let newest = self.newest_public_change().await?;
        Ok(SitemapIndexData {
            articles: store
                .public_sitemap_blocks(SitemapKind::Articles, size, now)
                .await?,
            sections: store
                .public_sitemap_blocks(SitemapKind::Sections, size, now)
                .await?,
            tags: store
                .public_sitemap_blocks(SitemapKind::Tags, size, now)
                .await?,
            authors: store
                .public_sitemap_blocks(SitemapKind::Authors, size, now)
                .await?,
            news: !store
                .public_published_since(now - Duration::hours(NEWS_WINDOW_HOURS), 1, now)
                .await?
                .is_empty(),
            newest,
        })
    }

    /// When the newest public article last changed (what the front page shows first),
    /// if there is one.
    pub async fn newest_public_change(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .store()
            .public_list(&ListFilter::default(), None, 1, Utc::now())
            .await?
            .items
            .first()
            .map(changed_at))
    }

    /// The public pages of `kind` in sitemap block `block` (ids `block * size` up to
    /// `(block + 1) * size`, `size` being `sitemap_page_size`), in id order; empty when
    /// the block has none.
    pub async fn sitemap_block(&self, kind: SitemapKind, block: u64) -> Result<Vec<SitemapEntry>> {
        Ok(self
            .store()
            .public_sitemap_block(kind, block, self.config().sitemap_page_size, Utc::now())
            .await?)
    }

    /// The articles of the Google News sitemap: public articles published in the last 48
    /// hours, newest first, at most 1,000.
    pub async fn news_sitemap(&self) -> Result<Vec<Article>> {
        let now = Utc::now();
        Ok(self
            .store()
            .public_published_since(now - Duration::hours(NEWS_WINDOW_HOURS), NEWS_MAX_URLS, now)
            .await?)
    }
}
