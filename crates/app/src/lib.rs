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
mod error;
pub mod follower;
pub mod import;
pub mod scheduler;

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

    /// Starts the background tasks (scheduled publishing, change follower); they stop when
    /// `shutdown` resolves.
    pub fn spawn_background(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            tokio::spawn(scheduler::run(self.clone(), shutdown.clone())),
            tokio::spawn(follower::run(self.clone(), shutdown)),
        ]
    }
}
