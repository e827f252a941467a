//! What readers can see: the public read use-cases the web layer calls. Everything here
//! reads through the store's public path (`dateline_store::public`), which filters status
//! and publish time in SQL, so no draft, scheduled, unpublished or deleted article can
//! leave through these functions; the web layer has no other way to the store.

use chrono::Utc;
use dateline_core::{Article, Slug, Term};

pub use crate::discovery::{Story, StoryHit, StorySearch};
pub use dateline_search::{SearchPage, SearchQuery, Sort};
pub use dateline_store::public::{Cursor, ListFilter, Page, SlugLookup};
pub use dateline_store::terms::TermKind;

use crate::{App, Result};

/// What lives at an article's address.
#[derive(Debug)]
pub enum ArticleAt {
    /// A public article.
    Live(Box<Article>),
    /// The article moved to a new slug (answer with a redirect).
    Moved(Slug),
    /// The article was withdrawn (answer 410).
    Gone,
    /// Nothing was ever public here.
    NotFound,
}

/// An article page's content.
#[derive(Debug)]
pub struct ArticlePageData {
    /// The article, with its story set.
    pub article: Article,
    /// Related public articles, best first, with scores.
    pub related: Vec<(Article, f32)>,
    /// False when related articles could not be loaded: the page is served without them
    /// but must not be cached that way.
    pub complete: bool,
    /// How many other public reports the article's story has (its story page lists them).
    pub other_reports: usize,
}

impl App {
    /// The public article at `slug` (or what became of it), with its story set.
    pub async fn public_article_at(&self, slug: &str) -> Result<ArticleAt> {
        Ok(match self.store().public_lookup(slug, Utc::now()).await? {
            SlugLookup::Live(mut a) => {
                self.set_story(&mut a);
                ArticleAt::Live(a)
            }
            SlugLookup::Moved(s) => ArticleAt::Moved(s),
            SlugLookup::Gone => ArticleAt::Gone,
            SlugLookup::NotFound => ArticleAt::NotFound,
        })
    }

    /// The public article an embed of the page at `slug` shows (oEmbed): the live article,
    /// or the one an old slug of it moved to; `None` for anything readers cannot see.
    pub async fn public_article_for_embed(&self, slug: &str) -> Result<Option<Article>> {
        Ok(match self.public_article_at(slug).await? {
            ArticleAt::Live(a) => Some(*a),
            ArticleAt::Moved(current) => match self.public_article_at(current.as_str()).await? {
                ArticleAt::Live(a) => Some(*a),
                _ => None,
            },
            ArticleAt::Gone | ArticleAt::NotFound => None,
        })
    }

    /// Where an old address of an imported article lives now: the current path of the
    /// public article that had `path_and_query` on the old site, if any. Keyed by the
    /// article, so the address follows it through later slug changes.
    pub async fn old_address(&self, path_and_query: &str) -> Result<Option<String>> {
        let Some(key) = dateline_core::legacy_path(path_and_query) else {
            return Ok(None);
        };
        Ok(self
            .store()
            .public_legacy_redirect(&key, Utc::now())
            .await?
            .map(|slug| dateline_core::article_path(&slug)))
    }

    /// Everything an article page shows: the article and its related articles. Related
    /// articles are an extra: when they fail the story is still served, marked incomplete.
    pub async fn article_page(&self, slug: &str) -> Result<Result<ArticlePageData, ArticleAt>> {
        let article = match self.public_article_at(slug).await? {
            ArticleAt::Live(a) => *a,
            other => return Ok(Err(other)),
        };
        let (related, complete) = match self
            .related_articles(&article, self.config().related_count)
            .await
        {
            Ok(related) => (related, true),
            Err(e) => {
                tracing::warn!(error = %e, article.id = %article.id, "could not load related articles");
                (Vec::new(), false)
            }
        };
        let other_reports = self.other_report_count(&article);
        Ok(Ok(ArticlePageData {
            article,
            related,
            complete,
            other_reports,
        }))
    }

    /// One page of public articles matching `filter`, newest first, with stories set.
    pub async fn public_list(
        &self,
        filter: &ListFilter,
        cursor: Option<Cursor>,
        limit: u32,
    ) -> Result<Page> {
        let mut page = self
            .store()
            .public_list(filter, cursor, limit, Utc::now())
            .await?;
        for a in &mut page.items {
            self.set_story(a);
        }
        Ok(page)
    }

    /// The section, tag or author named by `slug`, if it exists. Callers reveal it only
    /// when it has public articles (tags often name embargoed stories).
    pub async fn public_term(&self, kind: TermKind, slug: &str) -> Result<Option<Term>> {
        Ok(self.store().term(kind, slug).await?)
    }

    /// Sections that have public articles, for navigation.
    pub async fn public_sections(&self) -> Result<Vec<Term>> {
        Ok(self.store().public_sections(Utc::now()).await?)
    }

    /// Whether the store answers (liveness).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store().ping().await?)
    }

    /// Closes the store's connections (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.store().close().await;
    }
}
