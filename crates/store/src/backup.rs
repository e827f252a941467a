//! Online copies of a SQLite store, and the checks a copy passes before it is restored
//! (issue 14, item 5). PostgreSQL has its own tools (`pg_dump`, `pg_restore`).

use std::path::Path;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::Row;

use crate::{Backend, Error, Result, Store};

/// What a SQLite file holds, read before it replaces a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFileFacts {
    /// Articles in the file, any status.
    pub articles: i64,
    /// Newsroom accounts in the file.
    pub users: i64,
    /// The newest schema migration applied to the file.
    pub schema_version: i64,
}

/// Why a file cannot be restored.
fn not_a_store(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Invalid {
        field: "backup".into(),
        reason: format!("{} is not a dateline SQLite store: {why}", path.display()),
    }
}

impl Store {
    /// Writes a consistent copy of the whole SQLite database to `path`, a file that must
    /// not exist yet, while readers and writers go on: `VACUUM INTO` copies one read
    /// snapshot, so the copy holds every transaction committed before it started and
    /// nothing of those committed after. PostgreSQL is refused with the tool to use.
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(Error::Invalid {
                field: "database_url".into(),
                reason: "a PostgreSQL store is backed up with pg_dump and restored with \
                         pg_restore (see docs/OPERATIONS.md)"
                    .into(),
            });
        }
        if path.exists() {
            return Err(Error::Invalid {
                field: "backup".into(),
                reason: format!(
                    "{} exists; a backup never overwrites a file",
                    path.display()
                ),
            });
        }
        let target = path.to_str().ok_or_else(|| Error::Invalid {
            field: "backup".into(),
            reason: "the backup path must be valid UTF-8".into(),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest schema migration this build knows, for the given backend.
    pub fn schema_version(backend: Backend) -> i64 {
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }
}

/// Opens `path` read-only and checks that it is a whole, undamaged dateline store that
/// this build can run: SQLite's `integrity_check` passes, the schema is dateline's and not
/// newer than this build's. Writes nothing.
pub async fn check_sqlite_file(path: &Path) -> Result<SqliteFileFacts> {
    crate::INSTALL_DRIVERS.call_once(sqlx::any::install_default_drivers);
    if !path.is_file() {
        return Err(not_a_store(path, "no such file"));
    }
    let url = format!("sqlite://{}?mode=ro", path.display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .map_err(|e| not_a_store(path, e))?;
    let facts = read_facts(&pool, path).await;
    pool.close().await;
    facts
}

async fn read_facts(pool: &sqlx::AnyPool, path: &Path) -> Result<SqliteFileFacts> {
    let integrity: Vec<AnyRow> = sqlx::query("PRAGMA integrity_check")
        .fetch_all(pool)
        .await
        .map_err(|e| not_a_store(path, e))?;
    let verdict: Vec<String> = integrity
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .collect();
    if verdict != ["ok"] {
        return Err(not_a_store(
            path,
            format!("integrity check failed: {}", verdict.join("; ")),
        ));
    }
    let count = |sql: &'static str| async move {
        sqlx::query(sql)
            .fetch_one(pool)
            .await
            .and_then(|r| r.try_get::<i64, _>(0))
            .map_err(|e| not_a_store(path, e))
    };
    let schema_version =
        count("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success").await?;
    let articles = count("SELECT COUNT(*) FROM articles").await?;
    let users = count("SELECT COUNT(*) FROM users").await?;
    let known = Store::schema_version(Backend::Sqlite);
    if schema_version > known {
        return Err(not_a_store(
            path,
            format!("its schema ({schema_version}) is newer than this dateline's ({known}); restore it with a newer dateline"),
        ));
    }
    if schema_version == 0 {
        return Err(not_a_store(path, "no dateline schema in it"));
    }
    Ok(SqliteFileFacts {
        articles,
        users,
        schema_version,
    })
}
