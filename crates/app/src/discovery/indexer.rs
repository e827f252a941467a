//! Building search and related articles from the store, and keeping them current by
//! following the change sequence with a [`ChangeCursor`].

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use dateline_core::ArticleId;
use dateline_related::{Doc, Engine};
use dateline_search::{SearchDoc, SearchIndex};
use dateline_store::changes::ChangeCursor;

use super::{plain_body, related_doc, search_doc, PRECISE_REFRESH_LIMIT, REBUILD_PAGE};
use crate::import::Progress;
use crate::{App, Error, Result};

/// Changes read per store query while following the sequence.
const CHANGE_PAGE: i64 = 1000;

/// Where derived data stands: the database it came from and the cursor position it
/// reflects. Written into the search index's commits and the engine snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checkpoint {
    pub(super) store: String,
    pub(super) position: i64,
}

impl Checkpoint {
    pub(super) fn encode(&self) -> String {
        format!("{} {}", self.store, self.position)
    }

    pub(super) fn decode(text: &str) -> Option<Checkpoint> {
        let (store, position) = text.split_once(' ')?;
        Some(Checkpoint {
            store: store.to_owned(),
            position: position.parse().ok()?,
        })
    }
}

impl App {
    /// This store's identity, read from the store once per process.
    async fn store_identity(&self) -> Result<String> {
        let identity = self
            .inner
            .discovery
            .store_identity
            .get_or_try_init(|| self.store().identity())
            .await?;
        Ok(identity.clone())
    }

    /// The checkpoint for `position` in this store.
    pub(super) async fn checkpoint(&self, position: i64) -> Result<Checkpoint> {
        Ok(Checkpoint {
            store: self.store_identity().await?,
            position,
        })
    }

    /// The position `saved` reflects, if it belongs to this database as it is now.
    pub(super) async fn usable_position(
        &self,
        saved: Option<&Checkpoint>,
        what: &str,
    ) -> Option<i64> {
        let saved = saved?;
        let identity = self.store_identity().await.ok()?;
        if saved.store != identity {
            tracing::warn!(
                what,
                "{what} was built from another database; rebuilding it from this one"
            );
            return None;
        }
        match self
            .store()
            .change_position_is_reachable(saved.position)
            .await
        {
            Ok(true) => Some(saved.position),
            Ok(false) => {
                tracing::warn!(
                    what,
                    position = saved.position,
                    "{what} is ahead of the store (a restored older backup?); rebuilding it"
                );
                None
            }
            Err(_) => None,
        }
    }

    /// Rebuilds the search index and the related engine from the store's public articles.
    /// Returns how many were indexed.
    ///
    /// The engine is built on its own thread while tantivy indexes on its writer thread,
    /// and the index is committed once at the end.
    pub async fn rebuild_discovery(&self, progress: &dyn Progress) -> Result<usize> {
        let (done, _) = self.rebuild_discovery_at(progress).await?;
        Ok(done)
    }

    /// [`App::rebuild_discovery`], returning the cursor position the result reflects.
    async fn rebuild_discovery_at(&self, progress: &dyn Progress) -> Result<(usize, i64)> {
        self.refresh_story_decisions().await?;
        let index = self.search_index()?;
        let started = Instant::now();
        // Taken before reading: changes committed while the articles are read are applied
        // again afterwards, which changes nothing if they were already seen.
        let checkpoint = self
            .checkpoint(self.store().change_horizon().await?)
            .await?;
        index.clear().map_err(|e| Error::Internal(e.to_string()))?;
        self.discard_related_snapshot();
        let done = self.load_from_store(Some(index), progress).await?;
        index
            .commit(&checkpoint.encode())
            .map_err(|e| Error::Internal(e.to_string()))?;
        // The next `serve` loads this engine instead of building it again.
        self.save_related_snapshot(&checkpoint).await;
        self.cache().clear();
        tracing::info!(
            articles = done,
            duration_ms = started.elapsed().as_millis() as u64,
            "search index and related articles rebuilt"
        );
        Ok((done, checkpoint.position))
    }

    /// Builds only the in-memory related engine (the search index is already current);
    /// returns the cursor position it reflects.
    async fn build_related(&self) -> Result<i64> {
        let started = Instant::now();
        let position = self.store().change_horizon().await?;
        let done = self
            .load_from_store(None, &crate::import::NoProgress)
            .await?;
        self.cache().clear();
        tracing::info!(
            articles = done,
            duration_ms = started.elapsed().as_millis() as u64,
            "related articles built"
        );
        Ok(position)
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

    pub(super) fn related_config(&self) -> dateline_related::Config {
        dateline_related::Config::default()
    }

    /// Brings this node's search index and related engine up to date with the store and
    /// saves both with their checkpoint, so the next `serve` resumes instead of rebuilding:
    /// what a command that writes many articles (an import) runs before it returns.
    /// Builds what is missing, then applies every change since the saved position.
    pub async fn bring_discovery_up_to_date(&self) -> Result<usize> {
        self.start_discovery()?;
        let (position, _) = prepare(self).await?;
        let mut cursor = ChangeCursor::resume(position);
        let applied = self
            .apply_changes_to_discovery(&mut cursor, &|| false)
            .await?;
        let checkpoint = self.checkpoint(cursor.position()).await?;
        self.save_related_snapshot(&checkpoint).await;
        Ok(applied)
    }

    /// Applies every committed change the cursor has not handed out yet to the search index
    /// and the related engine; returns how many there were. Stops early (the cursor stays
    /// at a safe position) when `stop` says so.
    pub async fn apply_changes_to_discovery(
        &self,
        cursor: &mut ChangeCursor,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<usize> {
        let index = self.search_index()?;
        let identity = self.store_identity().await?;
        let mut applied = 0;
        let mut pages = 0;
        loop {
            let batch = self.store().read_changes(cursor, CHANGE_PAGE).await?;
            self.note_position(crate::operations::Follower::Discovery, cursor.position());
            pages += 1;
            if pages == 2 {
                // A backlog bigger than a page: this node is behind until the pass ends.
                self.inner
                    .discovery
                    .caught_up
                    .store(false, Ordering::Release);
            }
            let checkpoint = Checkpoint {
                store: identity.clone(),
                position: cursor.position(),
            };
            if batch.changes.is_empty() {
                if batch.done {
                    // Record the advanced position even when nothing new arrived, so a
                    // restart does not re-read what this pass already covered.
                    if index.checkpoint().as_deref() != Some(checkpoint.encode().as_str()) {
                        index
                            .commit(&checkpoint.encode())
                            .map_err(|e| Error::Internal(e.to_string()))?;
                    }
                    break;
                }
                continue;
            }
            applied += batch.changes.len();
            let ids: BTreeSet<i64> = batch.changes.iter().map(|c| c.article_id.0).collect();
            self.apply_articles(index, ids, &checkpoint).await?;
            if batch.changes.iter().any(|c| c.kind == "story") {
                // An editor merged or split stories: regroup, and refresh the pages of
                // every article whose story (and so its page's story link) changed.
                let touched = self.refresh_story_decisions().await?;
                self.forget_ranked_related();
                let keys: Vec<String> = touched.iter().map(|id| format!("article:{id}")).collect();
                self.cache().invalidate(&keys);
            }
            if batch.done || stop() {
                break;
            }
        }
        Ok(applied)
    }

    /// Reads `ids` back through the public path and puts what is public into search and
    /// related articles, removing the rest; commits the index with `checkpoint`.
    async fn apply_articles(
        &self,
        index: &SearchIndex,
        ids: BTreeSet<i64>,
        checkpoint: &Checkpoint,
    ) -> Result<()> {
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
            .apply(&upserts, &removals, &checkpoint.encode())
            .map_err(|e| Error::Internal(e.to_string()))?;
        // Lists are ready at publish: the changed articles' own lists, the lists they now
        // enter, and the lists of their stories' members are ranked here, off the request
        // path, and replace those entries of the memo; lists that named a changed or
        // removed article are ranked again too. Pages showing any of them are refreshed.
        // Working that out costs a few related() calls per article, so a bulk change (an
        // import) drops the memo and the whole cache instead, and lists are ranked when
        // first asked for.
        let precise = related_docs.len() <= PRECISE_REFRESH_LIMIT;
        let mut touched: Vec<String> = Vec::new();
        let mut affected: BTreeSet<i64> = BTreeSet::new();
        let mut changed: HashSet<i64> = removals.iter().copied().collect();
        {
            let mut engine = self
                .inner
                .discovery
                .related
                .write()
                .unwrap_or_else(|p| p.into_inner());
            for id in &removals {
                engine.remove(*id);
            }
            let shown = self.config().related_count;
            for doc in &related_docs {
                engine.upsert(doc);
                changed.insert(doc.id);
                if !precise {
                    continue;
                }
                affected.insert(doc.id);
                for r in engine.related(doc.id, shown * 2) {
                    if engine.related(r.id, shown).iter().any(|x| x.id == doc.id) {
                        affected.insert(r.id);
                    }
                }
                affected.extend(engine.story_members(doc.id));
            }
        }
        if precise {
            affected.extend(self.memoised_lists_naming(&changed));
            let fresh: Vec<(i64, Vec<dateline_related::Related>)> = {
                let engine = self
                    .inner
                    .discovery
                    .related
                    .read()
                    .unwrap_or_else(|p| p.into_inner());
                affected
                    .iter()
                    .filter(|id| engine.contains(**id))
                    .map(|&id| (id, engine.related(id, usize::MAX)))
                    .collect()
            };
            touched.extend(affected.iter().map(|id| format!("article:{id}")));
            self.refresh_ranked_related(&changed, fresh);
            if !touched.is_empty() {
                self.cache().invalidate(&touched);
            }
        } else {
            self.forget_ranked_related();
            self.cache().clear();
        }
        Ok(())
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

/// Builds what is missing or foreign (another database's index or snapshot is never
/// used), returning the cursor position to follow from and whether the engine as it is now
/// is saved on disk.
async fn prepare(app: &App) -> Result<(i64, bool)> {
    // Every engine this node builds or loads gets the editors' story decisions.
    app.refresh_story_decisions().await?;
    let index = app.search_index()?;
    let saved_index = index.checkpoint().as_deref().and_then(Checkpoint::decode);
    let index_at = app
        .usable_position(saved_index.as_ref(), "the search index")
        .await;
    let fresh = app.inner.discovery.search_fresh.load(Ordering::Acquire);
    let Some(index_at) = index_at.filter(|_| !fresh) else {
        let (_, position) = app.rebuild_discovery_at(&crate::import::NoProgress).await?;
        return Ok((position, true));
    };
    let saved_engine = app.load_related_snapshot().await;
    match saved_engine {
        // Both catch up from the older of their two positions; applying a change twice
        // changes nothing.
        Some(engine_at) => Ok((index_at.min(engine_at), true)),
        None => {
            let engine_at = app.build_related().await?;
            Ok((index_at.min(engine_at), false))
        }
    }
}

/// The indexer task: rebuilds what is missing, then follows the change sequence until
/// shutdown, waking at once on local writes, and saves the related engine every
/// `snapshot_interval_secs` when it changed and at shutdown.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let poll = Duration::from_millis(app.config().change_poll_interval_ms);
    let (position, saved) = loop {
        match prepare(&app).await {
            Ok(prepared) => break prepared,
            Err(e) => {
                tracing::error!(error = %e, "building the search index / related articles failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(poll.max(Duration::from_secs(1))) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    };
    let mut cursor = ChangeCursor::resume(position);
    let snapshot_every = Duration::from_secs(app.config().snapshot_interval_secs);
    let mut last_saved = Instant::now();
    let mut unsaved = usize::from(!saved);
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = shutdown.clone();
        let stop = move || *stopping.borrow();
        match app.apply_changes_to_discovery(&mut cursor, &stop).await {
            Ok(n) => {
                unsaved += n;
                if !stop() {
                    let d = &app.inner.discovery;
                    d.caught_up.store(true, Ordering::Release);
                    d.passes.fetch_add(1, Ordering::AcqRel);
                }
            }
            Err(e) => tracing::warn!(error = %e, "indexing changes failed; will retry"),
        }
        if unsaved > 0 && last_saved.elapsed() >= snapshot_every {
            if let Ok(checkpoint) = app.checkpoint(cursor.position()).await {
                app.save_related_snapshot(&checkpoint).await;
                last_saved = Instant::now();
                unsaved = 0;
            }
        }
        if *shutdown.borrow() {
            break;
        }
        tokio::select! {
            _ = tick.tick() => {}
            _ = app.inner.discovery.wake.notified() => {}
            _ = shutdown.changed() => break,
        }
    }
    if app.discovery_ready() && unsaved > 0 {
        if let Ok(checkpoint) = app.checkpoint(cursor.position()).await {
            app.save_related_snapshot(&checkpoint).await;
        }
    }
}
