//! dateline's services: everything the binary and the web layer ask for, without HTTP.
//!
//! Owns the [`Config`], the [`App`] handle (store, page cache, config), the use-cases
//! (`articles`: create, update, publish, …; `import`; `accounts`; `sessions`), the password
//! policy, hashing, secrets and digests in one place (`credentials`), the background tasks
//! (scheduled publishing, following the change sequence) and the page cache with its
//! invalidation. Handlers call one function here; rules live in `core`, SQL in `store`.
//! Start at [`App::open`].

pub mod accounts;
pub mod archive;
pub mod articles;
pub mod backup;
pub mod cache;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod discovery;
pub mod distribution;
pub mod editing;
mod error;
pub mod follower;
pub mod import;
pub mod newsroom;
pub mod operations;
pub mod reading;
pub mod render;
pub mod revisions;
pub mod scheduler;
pub mod sessions;
pub mod throttle;
pub mod websub;

use std::sync::Arc;

pub use cache::{CachedPage, PageCache};
pub use config::Config;
pub use dateline_store::{Backend, Store};

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
    /// Passes of the change follower over the whole sequence since start (see
    /// [`follower`]).
    cache_follow_passes: std::sync::atomic::AtomicU64,
    /// Where this node's followers stand in the change sequence (for `/metrics`).
    positions: operations::Positions,
    /// Wakes the page-cache follower when another node commits (see [`follower::listen`]).
    follower_wake: tokio::sync::Notify,
    /// Search, related articles and the indexer that keeps them current.
    discovery: discovery::Discovery,
    /// Topics waiting to be pinged to the WebSub hub (see [`websub`]).
    websub: websub::HubQueue,
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
                cache_follow_passes: std::sync::atomic::AtomicU64::new(0),
                positions: operations::Positions::default(),
                follower_wake: tokio::sync::Notify::new(),
                discovery: discovery::Discovery::default(),
                websub: websub::HubQueue::default(),
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

    /// How many times the change follower has read the whole change sequence and applied
    /// it to this node's cache. Waiting until it has grown by two means every change
    /// committed before the wait began has been applied.
    pub fn cache_follow_passes(&self) -> u64 {
        self.inner
            .cache_follow_passes
            .load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn mark_cache_followed(&self) {
        self.inner
            .cache_follow_passes
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Starts the background tasks (scheduled publishing, change follower, the WebSub pinger
    /// when a hub is set, and the indexer when [`App::start_discovery`] was called); they stop
    /// when `shutdown` resolves.
    pub fn spawn_background(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = vec![
            tokio::spawn(scheduler::run(self.clone(), shutdown.clone())),
            tokio::spawn(follower::run(self.clone(), shutdown.clone())),
            tokio::spawn(follower::listen(self.clone(), shutdown.clone())),
        ];
        if self.websub_hub().is_some() {
            tasks.push(tokio::spawn(websub::run(self.clone(), shutdown.clone())));
        }
        if self.discovery_started() {
            tasks.push(tokio::spawn(discovery::run(self.clone(), shutdown)));
        }
        tasks
    }
}
