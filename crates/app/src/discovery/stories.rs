//! Stories: the reports of one event, read together.
//!
//! The related engine groups reports of one event into a story (its id is the smallest
//! article id among them). Readers meet stories in three places: the story page, which
//! lists every public report in time order ("full coverage"); the article page, which links
//! to it ("3 other reports of this story"); and search, which shows one result per story
//! with the other reports folded under it.

use std::collections::HashMap;

use chrono::Utc;
use dateline_core::{Article, ArticleId};
use dateline_related::StoryDecision;
use dateline_search::SearchQuery;
use dateline_store::editorial::StoryDecisionKind;

use crate::{App, Error, Result};

/// Every public report of one story, oldest first.
#[derive(Debug, Clone)]
pub struct Story {
    /// The story's id (the smallest article id among its reports).
    pub id: i64,
    /// The reports, by publication time (then id).
    pub reports: Vec<Article>,
}

/// One search result standing for a story.
#[derive(Debug, Clone)]
pub struct StoryHit {
    /// The best-matching report of the story.
    pub article: Article,
    /// Its highlighted snippet.
    pub snippet_html: String,
    /// Its relevance score (0 in date order).
    pub score: f32,
    /// Other reports of the same story that also matched, in result order.
    pub other_reports: Vec<Article>,
}

/// A page of search results, one per story.
#[derive(Debug, Clone)]
pub struct StorySearch {
    /// Results in order.
    pub hits: Vec<StoryHit>,
    /// How many articles matched in all (reports, not stories).
    pub total: usize,
    /// Whether these are typo-tolerant matches.
    pub fuzzy: bool,
    /// Where the next page starts (an offset into the article hits), if there is one.
    pub next_offset: Option<usize>,
}

/// Most reports a story page lists.
const MAX_REPORTS: usize = 200;

/// How many article hits a page of stories looks at: enough that a page of `limit`
/// stories is usually full even when several reports of one story match.
fn window(limit: usize) -> usize {
    (limit * 3).max(limit + 10)
}

impl App {
    /// The public reports of story `id`, oldest first. `NotFound` unless the story has more
    /// than one public report (a single report is its own article page).
    pub async fn story(&self, id: i64) -> Result<Story> {
        let members: Vec<ArticleId> = {
            let engine = self
                .inner
                .discovery
                .related
                .read()
                .unwrap_or_else(|p| p.into_inner());
            match engine.story_id(id) {
                // Only the story's own id names it: another member's id is an article.
                Some(story) if story == id => engine
                    .story_members(id)
                    .into_iter()
                    .take(MAX_REPORTS)
                    .map(ArticleId)
                    .collect(),
                _ => Vec::new(),
            }
        };
        if members.len() < 2 {
            return Err(Error::NotFound);
        }
        // Whole articles (the API shows each report in full), one read each: a story is a
        // handful of reports, and a runaway cluster is cut at MAX_REPORTS.
        let now = Utc::now();
        let mut reports = Vec::with_capacity(members.len());
        for member in members {
            if let Some(a) = self.store().public_article_by_id(member, now).await? {
                reports.push(a);
            }
        }
        if reports.len() < 2 {
            return Err(Error::NotFound);
        }
        reports.sort_by_key(|a| (a.published_at, a.id.0));
        for a in &mut reports {
            a.story_id = id;
        }
        Ok(Story { id, reports })
    }

    /// How many other public reports `article`'s story has, by the engine (the story page
    /// reads them back through the public path).
    pub fn other_report_count(&self, article: &Article) -> usize {
        self.other_versions(article.id).len()
    }

    /// A reader's search with one result per story: later matches of a story already
    /// shown fold under its first result. Pages are cut at story boundaries, so the next
    /// page starts at the first article hit that would open a story beyond this page.
    pub async fn search_stories(&self, query: &SearchQuery) -> Result<StorySearch> {
        let index = self.search_index()?;
        let wide = SearchQuery {
            limit: window(query.limit),
            ..query.clone()
        };
        let page = index
            .search(&wide)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let ids: Vec<ArticleId> = page.hits.iter().map(|h| ArticleId(h.id)).collect();
        let mut articles: HashMap<i64, Article> = self
            .store()
            .public_summaries_by_ids(&ids, Utc::now())
            .await?
            .into_iter()
            .map(|a| (a.id.0, a))
            .collect();
        let mut hits: Vec<StoryHit> = Vec::with_capacity(query.limit);
        let mut by_story: HashMap<i64, usize> = HashMap::new();
        let mut next_offset = None;
        for (position, hit) in page.hits.iter().enumerate() {
            // Unpublished since it was indexed: skipped, as `search` does.
            let Some(mut article) = articles.remove(&hit.id) else {
                continue;
            };
            self.set_story(&mut article);
            if let Some(&at) = by_story.get(&article.story_id) {
                hits[at].other_reports.push(article);
                continue;
            }
            if hits.len() == query.limit {
                next_offset = Some(query.offset + position);
                break;
            }
            by_story.insert(article.story_id, hits.len());
            hits.push(StoryHit {
                article,
                snippet_html: hit.snippet_html.clone(),
                score: hit.score,
                other_reports: Vec::new(),
            });
        }
        if next_offset.is_none() {
            let seen = query.offset + page.hits.len();
            next_offset = (seen < page.total && !page.hits.is_empty()).then_some(seen);
        }
        Ok(StorySearch {
            hits,
            total: page.total,
            fuzzy: page.fuzzy,
            next_offset,
        })
    }
}

/// An editor's change to the stories of an article and another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryChange {
    /// The two are one story, whatever the same-story test says.
    Merge(ArticleId),
    /// The two are never one story.
    Split(ArticleId),
    /// Withdraw the decision about the two: the same-story test decides again.
    Forget(ArticleId),
}

impl App {
    /// Records an editor's decision about the stories of `id` and another article. Editors
    /// only; both articles must exist (any status but deleted). Every node regroups its
    /// stories when it reads the change, and the decision survives rebuilds and reindexing
    /// (it lives in the store).
    pub async fn change_story(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
        change: StoryChange,
    ) -> Result<()> {
        actor.require(actor.role.is_editorial())?;
        let (other, kind) = match change {
            StoryChange::Merge(o) => (o, Some(StoryDecisionKind::Together)),
            StoryChange::Split(o) => (o, Some(StoryDecisionKind::Apart)),
            StoryChange::Forget(o) => (o, None),
        };
        if other == id {
            let mut errors = dateline_core::FieldErrors::default();
            errors.add("article", "an article is always its own story");
            return Err(Error::Invalid(errors));
        }
        let mut tx = self.store().begin().await?;
        tx.set_story_decision(id, other, kind, &actor.label, Utc::now())
            .await?;
        let touched = tx.commit().await?;
        self.after_change(&touched);
        tracing::info!(article.id = %id, other = %other, ?change, actor = %actor.label, "story decision");
        Ok(())
    }

    /// The editors' decisions that involve `id`: (the other article, together?).
    pub async fn story_decisions_of(&self, id: ArticleId) -> Result<Vec<(ArticleId, bool)>> {
        Ok(self
            .store()
            .story_decisions()
            .await?
            .into_iter()
            .filter_map(|d| {
                let other = if d.a == id {
                    d.b
                } else if d.b == id {
                    d.a
                } else {
                    return None;
                };
                Some((other, d.kind == StoryDecisionKind::Together))
            })
            .collect())
    }

    /// Reads the editors' story decisions from the store into this node's engine (and keeps
    /// them for an engine built or loaded later). Returns the article ids whose story may
    /// have changed.
    pub(crate) async fn refresh_story_decisions(&self) -> Result<Vec<i64>> {
        let decisions: Vec<StoryDecision> = self
            .store()
            .story_decisions()
            .await?
            .into_iter()
            .map(|d| match d.kind {
                StoryDecisionKind::Together => StoryDecision::Together(d.a.0, d.b.0),
                StoryDecisionKind::Apart => StoryDecision::Apart(d.a.0, d.b.0),
            })
            .collect();
        let mut engine = self
            .inner
            .discovery
            .related
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let mut touched: Vec<i64> = Vec::new();
        for d in engine.story_decisions().iter().chain(&decisions) {
            let (StoryDecision::Together(a, b) | StoryDecision::Apart(a, b)) = *d;
            for id in [a, b] {
                touched.extend(engine.story_members(id));
                touched.push(id);
            }
        }
        engine.set_story_decisions(&decisions);
        for id in touched.clone() {
            touched.extend(engine.story_members(id));
        }
        touched.sort_unstable();
        touched.dedup();
        *self
            .inner
            .discovery
            .story_decisions
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = decisions;
        Ok(touched)
    }
}
