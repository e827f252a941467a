//! dateline's services: everything the binary and the web layer ask for, without HTTP.
//!
//! Owns the [`Config`], the [`App`] handle (store, page cache, config), the use-cases
//! (`articles`: create, update, publish, …; `import`; `accounts`), the background tasks
//! (scheduled publishing, following the change sequence) and the page cache with its
//! invalidation. Handlers call one function here; rules live in `core`, SQL in `store`.
//! Start at [`App::open`].

pub mod accounts;
pub mod articles;
pub mod cache;
pub mod config;
pub mod demo;
pub mod discovery;
mod error;
pub mod follower;
pub mod import;
pub mod newsroom;
pub mod render;
pub mod revisions;
pub mod scheduler;
pub mod sessions;

use std::sync::Arc;

pub use cache::{CachedPage, PageCache};
pub use config::Config;
pub use dateline_store::{Backend, Store};

/// The store's public read types, re-exported so the web layer never names the store crate.
pub mod reading {
    pub use dateline_store::public::{Cursor, ListFilter, Page, SlugLookup};
    pub use dateline_store::terms::TermKind;
}
pub use error::{Error, Result};

/// The services handle: cheap to clone, shared by every request and task.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Store,
    cache: PageCache,
    /// Newest change-sequence number this node has applied to its derived state.
    applied_seq: std::sync::atomic::AtomicI64,
    /// This node's search index, once [`App::start_discovery`] opened it.
    search: std::sync::OnceLock<dateline_search::SearchIndex>,
    /// Whether the index was just created and must be filled from the store.
    search_fresh: std::sync::atomic::AtomicBool,
    /// Related articles and story clusters of every public article.
    related: std::sync::RwLock<dateline_related::Engine>,
    /// Ranked related lists computed since `related` last changed (see
    /// `discovery::ranked_related`).
    related_memo: std::sync::Mutex<std::collections::HashMap<i64, Vec<dateline_related::Related>>>,
    /// Whether `related` has been built since start.
    discovery_ready: std::sync::atomic::AtomicBool,
    /// Newest change applied to the search index and related engine.
    indexed_seq: std::sync::atomic::AtomicI64,
    /// Wakes the indexer after a local write.
    index_wake: tokio::sync::Notify,
}

impl App {
    /// Opens the store named by `config` (creating the data dir and SQLite file if needed)
    /// and runs pending migrations.
    pub async fn open(config: Config) -> Result<App> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            Error::Startup(format!(
                "could not create data dir {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let url = config.database_url();
        let store = Store::connect(&url).await?;
        tracing::info!(backend = ?store.backend(), data_dir = %config.data_dir.display(), "store opened");
        Ok(App::with_store(config, store))
    }

    /// Wraps an already connected store (tests arrange data through the same handle).
    pub fn with_store(config: Config, store: Store) -> App {
        let cache = PageCache::new(config.page_cache_bytes);
        App {
            inner: Arc::new(Inner {
                config,
                store,
                cache,
                applied_seq: std::sync::atomic::AtomicI64::new(0),
                search: std::sync::OnceLock::new(),
                search_fresh: std::sync::atomic::AtomicBool::new(false),
                related: std::sync::RwLock::new(dateline_related::Engine::new(
                    dateline_related::Config::default(),
                )),
                related_memo: std::sync::Mutex::new(std::collections::HashMap::new()),
                discovery_ready: std::sync::atomic::AtomicBool::new(false),
                indexed_seq: std::sync::atomic::AtomicI64::new(0),
                index_wake: tokio::sync::Notify::new(),
            }),
        }
    }

    /// The configuration this app runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The rendered-page cache.
    pub fn cache(&self) -> &PageCache {
        &self.inner.cache
    }

    /// Newest change this node has applied to its cache (see [`follower`]).
    pub fn applied_seq(&self) -> i64 {
        self.inner
            .applied_seq
            .load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn set_applied_seq(&self, seq: i64) {
        self.inner
            .applied_seq
            .store(seq, std::sync::atomic::Ordering::Release);
    }

    /// Newest change applied to the search index and related engine.
    pub fn indexed_seq(&self) -> i64 {
        self.inner
            .indexed_seq
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Starts the background tasks (scheduled publishing, change follower, and the indexer
    /// when [`App::start_discovery`] was called); they stop when `shutdown` resolves.
    pub fn spawn_background(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = vec![
            tokio::spawn(scheduler::run(self.clone(), shutdown.clone())),
            tokio::spawn(follower::run(self.clone(), shutdown.clone())),
        ];
        if self.inner.search.get().is_some() {
            tasks.push(tokio::spawn(discovery::run(self.clone(), shutdown)));
        }
        tasks
    }
}
