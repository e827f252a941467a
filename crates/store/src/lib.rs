//! The single source of truth: articles, terms, revisions, the change sequence and accounts,
//! on SQLite (default, a file with WAL) or PostgreSQL.
//!
//! Only this crate contains SQL. One portable SQL text runs on both backends through sqlx's
//! `Any` driver (`$n` placeholders, times as Unix seconds); migrations are kept per backend
//! in `migrations/{sqlite,postgres}/`, paired by name. Public code reads articles only
//! through [`public`], whose every query filters status and publish time in SQL; draft-capable
//! reads live in [`editorial`]. Start at [`Store::connect`].

pub mod accounts;
pub mod archive;
pub mod backup;
mod binds;
pub mod changes;
pub mod editorial;
mod error;
pub mod newsroom;
pub mod public;
mod rows;
pub mod sessions;
pub mod terms;

use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::{Any, AnyPoolOptions};
use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::Transaction;
use tokio::sync::OwnedMutexGuard;

pub use editorial::{ArticleRecord, WriteTx};
pub use error::{Error, Result};
pub use newsroom::{NewsroomFilter, NewsroomItem};
pub use public::{Cursor, ListFilter, Page, SlugLookup};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (embedded default).
    Sqlite,
    /// A PostgreSQL server (scale-out).
    Postgres,
}

/// A handle to the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; serialising our own writers avoids `SQLITE_BUSY` when a
    /// deferred transaction tries to upgrade to a write lock held by a sibling connection.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Where a PostgreSQL store is, for the change listener's own connection (not the
    /// pool's: a listening connection is held for good).
    listen_url: Option<ListenUrl>,
}

/// A database URL that never shows up in logs (it may hold a password).
#[derive(Clone)]
struct ListenUrl(Arc<str>);

impl std::fmt::Debug for ListenUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListenUrl(…)")
    }
}

static INSTALL_DRIVERS: Once = Once::new();

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`) and runs pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, None).await
    }

    /// Like [`Store::connect`] with an explicit pool size.
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Store> {
        INSTALL_DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::Invalid {
                field: "database_url".into(),
                reason: "must start with sqlite: or postgres://".into(),
            });
        };
        let options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(max_connections.unwrap_or(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 10,
            }));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // page_size only takes effect on a new, empty file: 16 KiB pages
                            // keep a news body and its HTML on one page (fewer overflow
                            // pages, fewer write calls on bulk imports).
                            conn.execute(
                                "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA cache_size = -2000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.connect(url).await?,
        };
        let store = Store {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))),
            listen_url: (backend == Backend::Postgres).then(|| ListenUrl(Arc::from(url))),
        };
        store.migrate().await?;
        store.refresh_statistics().await?;
        Ok(store)
    }

    /// Refreshes the query planner's statistics. Without them SQLite answers "these ten ids,
    /// if public" by scanning the status index (16 ms at 100,000 articles) instead of ten
    /// primary-key lookups (0.1 ms). Run at start and after bulk imports; bounded work.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // The limit is per connection, so both statements must share one.
                let mut conn = self.pool.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
            }
            Backend::Postgres => {
                sqlx::query("ANALYZE articles").execute(&self.pool).await?;
            }
        }
        Ok(())
    }

    /// The SQLite URL for the database file inside `data_dir`, created if missing.
    pub fn sqlite_url_for(data_dir: &std::path::Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("dateline.db").display()
        )
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| Error::Database(format!("migration failed: {e}")))
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection; used at shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Connections the pool holds now, and how many of them are idle.
    pub fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Opens a write transaction. Everything written through it lands together or not at all.
    pub async fn begin(&self) -> Result<WriteTx<'_>> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.begin_transaction().await?;
        Ok(WriteTx::new(tx, self.backend == Backend::Sqlite, guard))
    }

    /// Opens a small transaction outside the editorial [`WriteTx`] (accounts, sessions),
    /// holding the SQLite write lock for its whole life exactly like [`Store::begin`].
    pub(crate) async fn begin_small(&self) -> Result<SmallTx<'_>> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.begin_transaction().await?;
        Ok(SmallTx { tx, _guard: guard })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), where SQLite waits out `busy_timeout`; a deferred transaction
    /// that reads first and writes later gets "database is locked" at once instead, e.g.
    /// while the rollback of a dropped transaction (queued, not awaited) still holds the
    /// lock, or when another process committed since the read.
    async fn begin_transaction(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A transaction plus the SQLite write lock. Dropping it rolls back, then releases the lock
/// (fields drop in declaration order).
pub(crate) struct SmallTx<'a> {
    pub(crate) tx: Transaction<'a, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl SmallTx<'_> {
    /// Makes everything written visible, then releases the write lock.
    pub(crate) async fn commit(self) -> Result<()> {
        let SmallTx { tx, _guard: guard } = self;
        tx.commit().await?;
        drop(guard);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn migrations(backend: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn sqlite_and_postgres_migrations_stay_paired() {
        let sqlite = migrations("sqlite");
        let postgres = migrations("postgres");
        assert_eq!(
            sqlite, postgres,
            "every migration needs its twin with the same name in the other backend's folder"
        );
        let mut versions = BTreeSet::new();
        for name in &sqlite {
            let version = name.split('_').next().unwrap_or_default();
            assert!(
                version.len() == 4 && version.bytes().all(|b| b.is_ascii_digit()),
                "{name}: migrations are named NNNN_what.sql"
            );
            assert!(
                versions.insert(version.to_owned()),
                "two migrations numbered {version}"
            );
            assert!(name.ends_with(".sql"), "{name}");
        }
    }
}
