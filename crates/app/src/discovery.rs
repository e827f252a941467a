//! Search and related articles: the derived indexes that help readers find more.
//!
//! Both are fed only from the store's public read path, so nothing unpublished can reach
//! them, and both follow the change sequence: a local write wakes the indexer at once, other
//! nodes' writes arrive with the next poll. The search index persists in the data dir with
//! the last applied sequence number in its commit, so a restarted node catches up instead of
//! rebuilding; the related-articles engine lives in memory, is saved at shutdown and loaded
//! at start (`snapshot`), and is rebuilt from the store when no usable snapshot is there.

mod snapshot;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use dateline_core::{Article, ArticleId};
use dateline_related::{Doc, Engine};
use dateline_search::{SearchDoc, SearchIndex, SearchPage, SearchQuery};

use crate::import::Progress;
use crate::{App, Error, Result};

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

impl App {
    /// Opens this node's search index (in `data_dir/search`) so that searches and the
    /// indexer can run. Fails with a clear error if another process holds it.
    pub fn start_discovery(&self) -> Result<()> {
        if self.inner.search.get().is_some() {
            return Ok(());
        }
        let dir = self.config().data_dir.join("search");
        let (index, fresh) = SearchIndex::open(&dir).map_err(|e| match e {
            dateline_search::Error::Locked(at) => Error::Startup(format!(
                "the search index at {at} is in use by another dateline process (stop `dateline serve` first)"
            )),
            other => Error::Internal(other.to_string()),
        })?;
        self.inner.search_fresh.store(fresh, Ordering::Release);
        let _ = self.inner.search.set(index);
        Ok(())
    }

    fn search_index(&self) -> Result<&SearchIndex> {
        self.inner
            .search
            .get()
            .ok_or_else(|| Error::Unavailable("search is not running on this node".into()))
    }

    /// Runs a reader's search; hits are public articles with highlighted snippets.
    pub async fn search(
        &self,
        query: &SearchQuery,
    ) -> Result<(Vec<(Article, String, f32)>, SearchPage)> {
        let index = self.search_index()?;
        let page = index
            .search(query)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let ids: Vec<ArticleId> = page.hits.iter().map(|h| ArticleId(h.id)).collect();
        // Read back through the public path: an article unpublished a moment ago and not
        // yet removed from the index is dropped here.
        let articles = self
            .store()
            .public_summaries_by_ids(&ids, Utc::now())
            .await?;
        let mut out = Vec::with_capacity(articles.len());
        for mut a in articles {
            if let Some(hit) = page.hits.iter().find(|h| h.id == a.id.0) {
                self.set_story(&mut a);
                out.push((a, hit.snippet_html.clone(), hit.score));
            }
        }
        Ok((out, page))
    }

    /// Up to `limit` related public articles with their scores, best first; never the
    /// article itself, its own story, or two versions of one story. Editors' pins come
    /// first (score 1.0) and their exclusions never appear.
    pub async fn related_articles(
        &self,
        article: &Article,
        limit: usize,
    ) -> Result<Vec<(Article, f32)>> {
        let (pins, excludes) = self.store().related_overrides(article.id).await?;
        self.related_with_overrides(article, limit, &pins, &excludes)
            .await
    }

    /// [`App::related_articles`] with the article's pins and exclusions already read.
    async fn related_with_overrides(
        &self,
        article: &Article,
        limit: usize,
        pins: &[ArticleId],
        excludes: &[ArticleId],
    ) -> Result<Vec<(Article, f32)>> {
        let ranked = self.ranked_related(article.id);
        let mut ids: Vec<ArticleId> = pins
            .iter()
            .copied()
            .filter(|p| !excludes.contains(p))
            .collect();
        for r in &ranked {
            let id = ArticleId(r.id);
            if !excludes.contains(&id) && !ids.contains(&id) {
                ids.push(id);
            }
        }
        let articles = self
            .store()
            .public_summaries_by_ids(&ids, Utc::now())
            .await?;
        let mut stories = std::collections::HashSet::from([self.story_id(article.id)]);
        let mut out = Vec::with_capacity(limit);
        for mut a in articles {
            if a.id == article.id {
                continue;
            }
            self.set_story(&mut a);
            if !stories.insert(a.story_id) {
                continue;
            }
            let score = if pins.contains(&a.id) {
                1.0
            } else {
                ranked
                    .iter()
                    .find(|r| r.id == a.id.0)
                    .map_or(0.0, |r| r.score)
            };
            out.push((a, score));
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// The engine's full ranked list for `id` (up to its `max_related`), computed once per
    /// engine state: the list a page render needs is precomputed, not recomputed per request
    /// (`Engine::related` costs about 1 ms at 100,000 articles). Any engine change clears it.
    fn ranked_related(&self, id: ArticleId) -> Vec<dateline_related::Related> {
        {
            let memo = self
                .inner
                .related_memo
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(hit) = memo.get(&id.0) {
                return hit.clone();
            }
        }
        let ranked = {
            let engine = self.inner.related.read().unwrap_or_else(|p| p.into_inner());
            engine.related(id.0, usize::MAX)
        };
        let mut memo = self
            .inner
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if memo.len() >= RELATED_MEMO_ENTRIES {
            memo.clear();
        }
        memo.insert(id.0, ranked.clone());
        ranked
    }

    fn forget_ranked_related(&self) {
        self.inner
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Sets the editors' pinned (in order) and excluded related articles of `id`.
    pub async fn set_related_overrides(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
        pins: Vec<ArticleId>,
        excludes: Vec<ArticleId>,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let mut errors = dateline_core::FieldErrors::default();
        for (field, list) in [("pin", &pins), ("exclude", &excludes)] {
            if list.len() > 20 {
                errors.add(field, "at most 20 articles");
            } else if list.contains(&id) {
                errors.add(field, "an article cannot be related to itself");
            }
        }
        if pins.iter().any(|p| excludes.contains(p)) {
            errors.add("exclude", "an article cannot be both pinned and excluded");
        }
        errors.into_result()?;
        for (field, list) in [("pin", &pins), ("exclude", &excludes)] {
            for other in list.iter() {
                if self.store().article(*other).await.is_err() {
                    let mut e = dateline_core::FieldErrors::default();
                    e.add(field, format!("no article {other}"));
                    return Err(Error::Invalid(e));
                }
            }
        }
        let mut tx = self.store().begin().await?;
        tx.set_related_overrides(id, &pins, &excludes, Utc::now())
            .await?;
        tx.commit().await?;
        self.after_change(&[format!("article:{id}")]);
        Ok(self.store().related_overrides(id).await?)
    }

    /// Applies one editor's change to the related list of `id` (see [`RelatedChange`]):
    /// pinning an excluded article lifts its exclusion and excluding a pinned one unpins it.
    pub async fn change_related_overrides(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
        change: RelatedChange,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let (mut pins, mut excludes) = self.store().related_overrides(id).await?;
        match change {
            RelatedChange::Pin(other) => {
                excludes.retain(|e| *e != other);
                if !pins.contains(&other) {
                    pins.push(other);
                }
            }
            RelatedChange::Unpin(other) => pins.retain(|p| *p != other),
            RelatedChange::Exclude(other) => {
                pins.retain(|p| *p != other);
                if !excludes.contains(&other) {
                    excludes.push(other);
                }
            }
            RelatedChange::Include(other) => excludes.retain(|e| *e != other),
        }
        self.set_related_overrides(actor, id, pins, excludes).await
    }

    /// What an editor sees of an article's related list: the first `limit` items as readers
    /// get them (pins first), and every pinned and excluded article whatever its status.
    pub async fn related_overview(
        &self,
        actor: &crate::articles::Actor,
        article: &Article,
        limit: usize,
    ) -> Result<RelatedOverview> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let (pins, excludes) = self.store().related_overrides(article.id).await?;
        let shown = self
            .related_with_overrides(article, limit, &pins, &excludes)
            .await?;
        let mut pinned = Vec::with_capacity(pins.len());
        for id in pins {
            pinned.push((id, self.article_unless_deleted(id).await?));
        }
        let mut excluded = Vec::with_capacity(excludes.len());
        for id in excludes {
            excluded.push((id, self.article_unless_deleted(id).await?));
        }
        Ok(RelatedOverview {
            shown,
            pinned,
            excluded,
        })
    }

    async fn article_unless_deleted(&self, id: ArticleId) -> Result<Option<Article>> {
        match self.store().article(id).await {
            Ok(a) => Ok(Some(a)),
            Err(dateline_store::Error::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The story cluster of an article: shared by all its near-duplicate versions.
    pub fn story_id(&self, id: ArticleId) -> i64 {
        let engine = self.inner.related.read().unwrap_or_else(|p| p.into_inner());
        engine.story_id(id.0).unwrap_or(id.0)
    }

    /// Other public versions of the same story.
    pub fn other_versions(&self, id: ArticleId) -> Vec<ArticleId> {
        let engine = self.inner.related.read().unwrap_or_else(|p| p.into_inner());
        engine
            .story_members(id.0)
            .into_iter()
            .filter(|m| *m != id.0)
            .map(ArticleId)
            .collect()
    }

    /// Sets `article.story_id` from the engine.
    pub fn set_story(&self, article: &mut Article) {
        article.story_id = self.story_id(article.id);
    }

    /// Whether the related-articles engine has been built since start.
    pub fn discovery_ready(&self) -> bool {
        self.inner.discovery_ready.load(Ordering::Acquire)
    }

    /// Wakes the indexer after a local write, so the index follows within moments.
    pub(crate) fn wake_indexer(&self) {
        self.inner.index_wake.notify_one();
    }

    /// Rebuilds the search index and the related engine from the store's public articles.
    /// Returns how many were indexed.
    ///
    /// The engine is built on its own thread while tantivy indexes on its writer thread,
    /// and the index is committed once at the end.
    pub async fn rebuild_discovery(&self, progress: &dyn Progress) -> Result<usize> {
        let index = self.search_index()?;
        let started = Instant::now();
        let seq = self.store().latest_change_seq().await?;
        index.clear().map_err(|e| Error::Internal(e.to_string()))?;
        self.discard_related_snapshot();
        let done = self.load_from_store(Some(index), progress).await?;
        index
            .commit(seq)
            .map_err(|e| Error::Internal(e.to_string()))?;
        // The next `serve` loads this engine instead of building it again.
        self.save_related_snapshot(seq).await;
        self.cache().clear();
        tracing::info!(
            articles = done,
            duration_ms = started.elapsed().as_millis() as u64,
            "search index and related articles rebuilt"
        );
        Ok(done)
    }

    /// Builds only the in-memory related engine (the search index is already current).
    async fn build_related(&self) -> Result<usize> {
        let started = Instant::now();
        let done = self
            .load_from_store(None, &crate::import::NoProgress)
            .await?;
        self.cache().clear();
        tracing::info!(
            articles = done,
            duration_ms = started.elapsed().as_millis() as u64,
            "related articles built"
        );
        Ok(done)
    }

    /// Reads every public article once, builds a fresh related engine from them (on its own
    /// thread, so request handling is not starved) and, when given, stages them in the
    /// search index. Installs the engine when done.
    async fn load_from_store(
        &self,
        index: Option<&SearchIndex>,
        progress: &dyn Progress,
    ) -> Result<usize> {
        let now = Utc::now();
        let (tx, builder) = EngineBuilder::spawn(self.related_config());
        let mut after = None;
        let mut done = 0usize;
        let mut failure = None;
        loop {
            let page = match self
                .store()
                .public_articles_after(after, REBUILD_PAGE, now)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    failure = Some(Error::from(e));
                    break;
                }
            };
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let bodies: Vec<String> = page.iter().map(plain_body).collect();
            if let Some(index) = index {
                let docs: Vec<SearchDoc> = page
                    .iter()
                    .zip(&bodies)
                    .map(|(a, b)| search_doc(a, b))
                    .collect();
                if let Err(e) = index.stage(&docs, &[]) {
                    failure = Some(Error::Internal(e.to_string()));
                    break;
                }
            }
            let related: Vec<Doc> = page
                .iter()
                .zip(bodies)
                .map(|(a, body)| related_doc(a, body))
                .collect();
            if tx.send(related).await.is_err() {
                failure = Some(Error::Internal(
                    "the related-articles builder stopped".into(),
                ));
                break;
            }
            done += page.len();
            progress.advance(done, 0);
        }
        drop(tx);
        let engine = builder.finish().await?;
        if let Some(e) = failure {
            return Err(e);
        }
        self.install_engine(engine);
        Ok(done)
    }

    fn related_config(&self) -> dateline_related::Config {
        dateline_related::Config::default()
    }

    /// Applies changes after `since` to the search index and related engine; returns the
    /// newest sequence number applied.
    pub async fn apply_changes_to_discovery(&self, since: i64) -> Result<i64> {
        let index = self.search_index()?;
        let mut seq = since;
        loop {
            let changes = self.store().changes_since(seq, 1000).await?;
            let Some(last) = changes.last() else { break };
            let ids: BTreeSet<i64> = changes.iter().map(|c| c.article_id.0).collect();
            let newest = last.seq;
            let now = Utc::now();
            let mut upserts = Vec::new();
            let mut removals = Vec::new();
            let mut related_docs = Vec::new();
            for id in ids {
                match self
                    .store()
                    .public_article_by_id(ArticleId(id), now)
                    .await?
                {
                    Some(a) => {
                        let body = plain_body(&a);
                        upserts.push(search_doc(&a, &body));
                        related_docs.push(related_doc(&a, body));
                    }
                    None => removals.push(id),
                }
            }
            index
                .apply(&upserts, &removals, newest)
                .map_err(|e| Error::Internal(e.to_string()))?;
            // Pages whose related list a changed article now enters are refreshed. Working
            // that out costs a few related() calls per article under the engine's write
            // lock, so a bulk change (an import) drops the whole cache instead.
            let precise = related_docs.len() <= PRECISE_REFRESH_LIMIT;
            let mut touched: Vec<String> = Vec::new();
            {
                let mut engine = self
                    .inner
                    .related
                    .write()
                    .unwrap_or_else(|p| p.into_inner());
                for id in &removals {
                    engine.remove(*id);
                }
                let shown = self.config().related_count;
                for doc in &related_docs {
                    engine.upsert(doc);
                    if !precise {
                        continue;
                    }
                    for r in engine.related(doc.id, shown * 2) {
                        if engine.related(r.id, shown).iter().any(|x| x.id == doc.id) {
                            touched.push(format!("article:{}", r.id));
                        }
                    }
                    for member in engine.story_members(doc.id) {
                        touched.push(format!("article:{member}"));
                    }
                }
            }
            self.forget_ranked_related();
            if !precise {
                self.cache().clear();
            } else if !touched.is_empty() {
                self.cache().invalidate(&touched);
            }
            seq = newest;
            if changes.len() < 1000 {
                break;
            }
        }
        Ok(seq)
    }
}

/// Builds a related-articles engine on its own thread from batches sent to it, so that
/// the CPU work of a full build neither blocks the async workers nor waits for the store.
struct EngineBuilder(std::thread::JoinHandle<Engine>);

impl EngineBuilder {
    fn spawn(
        config: dateline_related::Config,
    ) -> (tokio::sync::mpsc::Sender<Vec<Doc>>, EngineBuilder) {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Doc>>(4);
        let handle = std::thread::spawn(move || {
            let mut engine = Engine::new(config);
            while let Some(batch) = rx.blocking_recv() {
                for doc in &batch {
                    engine.upsert(doc);
                }
            }
            engine
        });
        (tx, EngineBuilder(handle))
    }

    /// Waits for the engine once every sender is dropped.
    async fn finish(self) -> Result<Engine> {
        let crashed = || Error::Internal("the related-articles builder crashed".into());
        tokio::task::spawn_blocking(move || self.0.join())
            .await
            .map_err(|_| crashed())?
            .map_err(|_| crashed())
    }
}

/// The indexer task: rebuilds what is missing, then follows the change sequence until
/// shutdown, waking at once on local writes.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let Ok(index) = app.search_index() else {
        return;
    };
    let mut seq = index.applied_seq();
    let needs_rebuild = app.inner.search_fresh.load(Ordering::Acquire) || index.is_empty();
    let result = if needs_rebuild {
        app.rebuild_discovery(&crate::import::NoProgress)
            .await
            .map(|_| app.search_index().map_or(seq, |i| i.applied_seq()))
    } else if let Some(saved_at) = app.load_related_snapshot().await {
        // Both the index and the engine catch up from the older of their two positions;
        // applying a change twice changes nothing.
        Ok(seq.min(saved_at))
    } else {
        app.build_related().await.map(|_| seq)
    };
    match result {
        Ok(from) => seq = from,
        Err(e) => {
            tracing::error!(error = %e, "building the search index / related articles failed")
        }
    }
    let mut tick =
        tokio::time::interval(Duration::from_millis(app.config().change_poll_interval_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        match app.apply_changes_to_discovery(seq).await {
            Ok(s) => {
                seq = s;
                app.inner.indexed_seq.store(seq, Ordering::Release);
            }
            Err(e) => tracing::warn!(error = %e, "indexing changes failed; will retry"),
        }
        tokio::select! {
            _ = tick.tick() => {}
            _ = app.inner.index_wake.notified() => {}
            _ = shutdown.changed() => break,
        }
    }
    if app.discovery_ready() {
        app.save_related_snapshot(seq).await;
    }
}
