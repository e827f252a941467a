//! Search and related articles: the derived indexes that help readers find more.
//!
//! Both are fed only from the store's public read path, so nothing unpublished can reach
//! them, and both follow the change sequence with a `ChangeCursor` (`dateline_store::changes`): a local write wakes
//! the indexer at once, other nodes' writes arrive with the next poll. The search index
//! persists in the data dir with its checkpoint (the store's identity and the cursor
//! position) in its commit, so a restarted node catches up instead of rebuilding; the
//! related-articles engine lives in memory, is saved periodically and at shutdown and
//! loaded at start (`snapshot`), and is rebuilt from the store when no usable snapshot is
//! there. Derived data of another database is never used.
//!
//! Rooms: `search` (reader search), `related` (related lists, pins, stories), `stories`
//! (the story page and search folded by story), `indexer` (building and following the
//! change sequence), `snapshot` (the engine on disk).

mod indexer;
mod related;
mod search;
mod snapshot;
mod stories;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};

use dateline_core::{Article, ArticleId};
use dateline_related::{Doc, Engine};
use dateline_search::{SearchDoc, SearchIndex};

pub use indexer::run;
pub use stories::{Story, StoryChange, StoryHit, StorySearch};

use crate::App;

/// This node's discovery state, kept in [`App`].
pub(crate) struct Discovery {
    /// The search index, once [`App::start_discovery`] opened it.
    search: OnceLock<SearchIndex>,
    /// Whether the index was just created and must be filled from the store.
    search_fresh: AtomicBool,
    /// Related articles and story clusters of every public article.
    related: RwLock<Engine>,
    /// Ranked related lists computed since `related` last changed.
    related_memo: Mutex<RelatedMemo>,
    /// Whether `related` has been built or loaded since start.
    ready: AtomicBool,
    /// Whether the indexer has applied the change sequence up to its last pass and is not
    /// working through a backlog.
    caught_up: AtomicBool,
    /// Completed passes of the indexer over the change sequence.
    passes: AtomicU64,
    /// Wakes the indexer after a local write.
    wake: tokio::sync::Notify,
    /// The store's identity, read once (it never changes for a store).
    store_identity: tokio::sync::OnceCell<String>,
    /// The editors' story decisions as last read from the store, applied to every engine
    /// this node builds or loads.
    story_decisions: Mutex<Vec<dateline_related::StoryDecision>>,
}

impl Default for Discovery {
    fn default() -> Discovery {
        Discovery {
            search: OnceLock::new(),
            search_fresh: AtomicBool::new(false),
            related: RwLock::new(Engine::new(dateline_related::Config::default())),
            related_memo: Mutex::new(RelatedMemo::default()),
            ready: AtomicBool::new(false),
            caught_up: AtomicBool::new(false),
            passes: AtomicU64::new(0),
            wake: tokio::sync::Notify::new(),
            store_identity: tokio::sync::OnceCell::new(),
            story_decisions: Mutex::new(Vec::new()),
        }
    }
}

/// Ranked lists memoised per engine generation (see `related::ranked_related`).
#[derive(Default)]
struct RelatedMemo {
    generation: u64,
    lists: HashMap<i64, Vec<dateline_related::Related>>,
}

impl RelatedMemo {
    /// The memoised list of `id`, or the generation to hand back to [`RelatedMemo::keep`]
    /// with the list computed now.
    fn lookup(&self, id: i64) -> Result<Vec<dateline_related::Related>, u64> {
        self.lists.get(&id).cloned().ok_or(self.generation)
    }

    /// Keeps `list`, ranked by the engine as it was at `generation` — unless the engine has
    /// changed since (and the memo was cleared), when keeping it would serve the old
    /// ranking until the next change.
    fn keep(&mut self, generation: u64, id: i64, list: Vec<dateline_related::Related>) {
        if self.generation != generation {
            return;
        }
        if self.lists.len() >= RELATED_MEMO_ENTRIES {
            self.lists.clear();
        }
        self.lists.insert(id, list);
    }

    /// Ids whose list names one of `ids`.
    fn naming(&self, ids: &std::collections::HashSet<i64>) -> Vec<i64> {
        self.lists
            .iter()
            .filter(|(_, list)| list.iter().any(|r| ids.contains(&r.id)))
            .map(|(&id, _)| id)
            .collect()
    }

    /// After an engine change: a new generation (so a ranking of the old engine in flight
    /// is not kept), without the lists of and naming `changed`, with `fresh` lists.
    fn refresh(
        &mut self,
        changed: &std::collections::HashSet<i64>,
        fresh: Vec<(i64, Vec<dateline_related::Related>)>,
    ) {
        self.generation += 1;
        self.lists.retain(|id, list| {
            !changed.contains(id) && !list.iter().any(|r| changed.contains(&r.id))
        });
        if self.lists.len() + fresh.len() > RELATED_MEMO_ENTRIES {
            self.lists.clear();
        }
        self.lists.extend(fresh);
    }

    /// Forgets every list; called after a bulk engine change.
    fn forget(&mut self) {
        self.generation += 1;
        self.lists.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(score: f32) -> Vec<dateline_related::Related> {
        vec![dateline_related::Related { id: 2, score }]
    }

    #[test]
    fn a_refresh_keeps_fresh_lists_and_unaffected_ones_and_drops_stale_ones() {
        let mut memo = RelatedMemo::default();
        let Err(generation) = memo.lookup(1) else {
            panic!("empty memo")
        };
        memo.keep(generation, 1, list(0.9)); // names article 2
        memo.keep(
            generation,
            3,
            vec![dateline_related::Related { id: 4, score: 0.5 }],
        );
        memo.keep(generation, 5, list(0.4));
        // Article 2 changed; the indexer ranked 2 and 5 again.
        let changed = std::collections::HashSet::from([2]);
        assert_eq!(
            {
                let mut n = memo.naming(&changed);
                n.sort_unstable();
                n
            },
            vec![1, 5]
        );
        memo.refresh(&changed, vec![(2, list(0.7)), (5, list(0.3))]);
        assert!(memo.lookup(1).is_err(), "stale: named article 2");
        assert_eq!(memo.lookup(2).ok(), Some(list(0.7)));
        assert!(memo.lookup(3).is_ok(), "unaffected lists stay");
        assert_eq!(memo.lookup(5).ok(), Some(list(0.3)));
        // A ranking begun before the refresh is not kept.
        memo.keep(generation, 1, list(0.9));
        assert!(memo.lookup(1).is_err());
    }

    #[test]
    fn a_ranking_computed_before_an_engine_change_is_not_kept_after_it() {
        let mut memo = RelatedMemo::default();
        let Err(generation) = memo.lookup(1) else {
            panic!("empty memo")
        };
        // The engine changes while the old ranking is being computed ...
        memo.forget();
        memo.keep(generation, 1, list(0.9));
        // ... so the next request ranks again instead of getting the stale list.
        assert!(memo.lookup(1).is_err());
        let Err(generation) = memo.lookup(1) else {
            panic!("still empty")
        };
        memo.keep(generation, 1, list(0.5));
        assert_eq!(memo.lookup(1).ok(), Some(list(0.5)));
    }
}

/// Whether this node may take traffic (see [`App::readiness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The search index is open and filled.
    pub search: bool,
    /// The related-articles engine is built or loaded.
    pub related: bool,
    /// The indexer has caught up with the change sequence.
    pub caught_up: bool,
}

impl Readiness {
    /// Everything is in place.
    pub fn is_ready(&self) -> bool {
        self.search && self.related && self.caught_up
    }
}

impl App {
    /// Whether search and related articles are loaded and current on this node.
    pub fn readiness(&self) -> Readiness {
        let d = &self.inner.discovery;
        let related = d.ready.load(Ordering::Acquire);
        Readiness {
            search: d.search.get().is_some() && related,
            related,
            caught_up: d.caught_up.load(Ordering::Acquire),
        }
    }

    /// Whether [`App::start_discovery`] opened the search index on this node.
    pub(crate) fn discovery_started(&self) -> bool {
        self.inner.discovery.search.get().is_some()
    }

    /// Whether the related-articles engine has been built or loaded since start.
    pub fn discovery_ready(&self) -> bool {
        self.inner.discovery.ready.load(Ordering::Acquire)
    }

    /// Completed passes of the indexer over the change sequence. Waiting until it has grown
    /// by two means every change committed before the wait began is searchable.
    pub fn index_passes(&self) -> u64 {
        self.inner.discovery.passes.load(Ordering::Acquire)
    }

    /// Wakes the indexer after a local write, so the index follows within moments.
    pub(crate) fn wake_indexer(&self) {
        self.inner.discovery.wake.notify_one();
    }
}

/// Changed articles per batch up to which the indexer works out exactly which cached pages
/// show them as related; above it (bulk imports) it drops the whole page cache.
const PRECISE_REFRESH_LIMIT: usize = 50;

/// Most articles whose ranked related list is kept between engine changes (about 200 bytes
/// each).
const RELATED_MEMO_ENTRIES: usize = 50_000;

/// Articles read per store query while rebuilding.
const REBUILD_PAGE: i64 = 1000;

fn plain_body(a: &Article) -> String {
    dateline_render::plain_text(&a.body_markdown)
}

fn search_doc(a: &Article, body: &str) -> SearchDoc {
    SearchDoc {
        id: a.id.0,
        title: a.title.clone(),
        standfirst: a.standfirst.clone(),
        body: body.to_owned(),
        section: a.section.as_ref().map(|s| s.slug.to_string()),
        tags: a.tags.iter().map(|t| t.slug.to_string()).collect(),
        published_at: a.published_at.map_or(0, |t| t.timestamp()),
    }
}

fn related_doc(a: &Article, body: String) -> Doc {
    Doc {
        id: a.id.0,
        title: a.title.clone(),
        standfirst: a.standfirst.clone(),
        body,
        section: a.section.as_ref().map(|s| s.slug.to_string()),
        tags: a.tags.iter().map(|t| t.slug.to_string()).collect(),
        published_at: a.published_at.map_or(0, |t| t.timestamp()),
    }
}

/// One editor's change to an article's related list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelatedChange {
    /// Put this article first (after earlier pins), whatever the engine thinks.
    Pin(ArticleId),
    /// Let the engine decide about this article again.
    Unpin(ArticleId),
    /// Never show this article in the list.
    Exclude(ArticleId),
    /// Lift an exclusion.
    Include(ArticleId),
}

/// An article's related list as the editor sees it (see [`App::related_overview`]).
#[derive(Debug, Clone)]
pub struct RelatedOverview {
    /// What readers get, in order, with scores (1.0 for pins).
    pub shown: Vec<(Article, f32)>,
    /// Pinned articles in pin order, including any that readers cannot see (not published;
    /// `None`: deleted since).
    pub pinned: Vec<(ArticleId, Option<Article>)>,
    /// Excluded articles (`None`: deleted since).
    pub excluded: Vec<(ArticleId, Option<Article>)>,
}
