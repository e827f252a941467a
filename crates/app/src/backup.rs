//! Backups of a SQLite store taken while `serve` runs, and restoring one (issue 14,
//! item 5). A PostgreSQL store is backed up with `pg_dump` (docs/OPERATIONS.md).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dateline_store::backup::{check_sqlite_file, SqliteFileFacts};

use crate::config::Config;
use crate::import::Progress;
use crate::{App, Error, Result};

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// The file written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// What it holds, read back from the file itself.
    pub facts: SqliteFileFacts,
    /// How long the copy and its check took.
    pub took: Duration,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The store file that now holds the backup.
    pub store: PathBuf,
    /// What the restored store holds.
    pub facts: SqliteFileFacts,
    /// A copy of the store that was replaced (`--force` on a store with data).
    pub replaced_copy: Option<PathBuf>,
    /// Public articles indexed for search and related articles afterwards.
    pub indexed: usize,
}

fn refused(message: String) -> Error {
    Error::Refused {
        code: "backup_refused",
        message,
    }
}

fn refusal(e: dateline_store::Error) -> Error {
    match e {
        dateline_store::Error::Invalid { reason, .. } => refused(reason),
        other => other.into(),
    }
}

impl App {
    /// Copies the whole store to `path` (a new file) while the site keeps serving and
    /// writing, then reads the copy back: integrity check, schema, counts.
    pub async fn backup(&self, path: &Path) -> Result<BackupReport> {
        let started = Instant::now();
        self.store().backup_into(path).await.map_err(refusal)?;
        let facts = check_sqlite_file(path).await.map_err(refusal)?;
        let bytes = std::fs::metadata(path)
            .map_err(|e| Error::Internal(format!("reading {}: {e}", path.display())))?
            .len();
        tracing::info!(path = %path.display(), bytes, articles = facts.articles, "backup written");
        Ok(BackupReport {
            path: path.to_owned(),
            bytes,
            facts,
            took: started.elapsed(),
        })
    }
}

/// The SQLite file `config` runs on; PostgreSQL stores are refused with the tool to use.
fn sqlite_file(config: &Config) -> Result<PathBuf> {
    let Some(url) = &config.database_url else {
        return Ok(config.data_dir.join("dateline.db"));
    };
    let url = &url.0;
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(refused(
            "a PostgreSQL store is restored with pg_restore (see docs/OPERATIONS.md)".into(),
        ));
    };
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return Err(refused(format!("{url} is not a database file")));
    }
    Ok(PathBuf::from(path))
}

/// Replaces the store `config` points at with the backup `file`, then rebuilds search and
/// related articles so the next `serve` starts ready. The backup is checked first
/// (integrity, schema not newer than this build). A store that holds articles or users is
/// replaced only with `force`, and then a copy of it is kept beside it; a store in use by a
/// running `serve` is never replaced.
pub async fn restore(
    config: Config,
    file: &Path,
    force: bool,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    let target = sqlite_file(&config)?;
    let facts = check_sqlite_file(file).await.map_err(refusal)?;
    let mut replaced_copy = None;
    if target.exists() {
        let live = App::open(config.clone()).await?;
        // Holds the search index's lock: fails at once if `serve` runs on this data dir.
        live.start_discovery()?;
        let held = live.store().articles_after(None, 1).await?.len() as i64
            + live.store().user_count().await?;
        if held > 0 {
            if !force {
                live.store().close().await;
                return Err(refused(format!(
                    "the store at {} holds articles or users; pass --force to replace it (a copy of it is kept beside it)",
                    target.display()
                )));
            }
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let copy = target.with_file_name(format!(
                "{}.before-restore-{stamp}",
                target
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("dateline.db")
            ));
            live.backup(&copy).await?;
            replaced_copy = Some(copy);
        }
        live.store().close().await;
        drop(live);
    }
    replace_file(file, &target)?;
    let restored = App::open(config).await?;
    restored.start_discovery()?;
    // The index and the related snapshot describe the store that was replaced.
    let indexed = restored.rebuild_discovery(progress).await?;
    restored.store().close().await;
    tracing::info!(store = %target.display(), articles = facts.articles, indexed, "store restored");
    Ok(RestoreReport {
        store: target,
        facts,
        replaced_copy,
        indexed,
    })
}

/// Puts a copy of `from` at `to` in one rename, with the old file's WAL and shared-memory
/// files removed (they belong to the replaced database).
fn replace_file(from: &Path, to: &Path) -> Result<()> {
    let io = |what: &str, e: std::io::Error| Error::Internal(format!("{what}: {e}"));
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("creating the data dir", e))?;
    }
    let staging = to.with_extension("restoring");
    std::fs::copy(from, &staging).map_err(|e| io("copying the backup", e))?;
    std::fs::File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("syncing the copy", e))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = to.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("removing the old write-ahead log", e)),
        }
    }
    std::fs::rename(&staging, to).map_err(|e| io("moving the copy in place", e))?;
    if let Some(dir) = to.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}
