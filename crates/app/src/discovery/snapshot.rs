//! The related-articles engine saved at shutdown and loaded at start, so that a restart
//! does not leave related lists empty while the engine is rebuilt from the store (42 s at
//! 100,000 articles).
//!
//! The file (`data_dir/related.snapshot`) is the change-sequence number the engine
//! reflects, then [`Engine::write_snapshot`]'s bytes. After loading it, the indexer applies
//! every change since that number, exactly as after a rebuild, so a snapshot older than the
//! store (a crash after an earlier clean stop) is only a longer catch-up. It is derived data
//! like the search index: anything doubtful (another format or configuration, damage, a
//! number ahead of the store) means a rebuild.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use dateline_related::Engine;

use crate::App;

const FILE: &str = "related.snapshot";

impl App {
    fn snapshot_path(&self) -> PathBuf {
        self.config().data_dir.join(FILE)
    }

    /// Forgets the saved engine (after `reindex`, which rebuilds everything).
    pub(super) fn discard_related_snapshot(&self) {
        let _ = std::fs::remove_file(self.snapshot_path());
    }

    /// Saves the engine as of change `seq`; done at shutdown.
    pub(super) async fn save_related_snapshot(&self, seq: i64) {
        let started = Instant::now();
        let app = self.clone();
        let saved = tokio::task::spawn_blocking(move || app.write_snapshot_file(seq)).await;
        match saved {
            Ok(Ok(bytes)) => tracing::info!(
                bytes,
                seq,
                duration_ms = started.elapsed().as_millis() as u64,
                "related articles saved for the next start"
            ),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not save related articles; the next start rebuilds them")
            }
            Err(e) => tracing::warn!(error = %e, "saving related articles failed"),
        }
    }

    /// Writes to a temporary file and renames it into place, so a crash mid-way leaves the
    /// previous snapshot (or none), never half of one. Streams: no second copy in memory.
    fn write_snapshot_file(&self, seq: i64) -> std::io::Result<u64> {
        let path = self.snapshot_path();
        let partial = path.with_extension("snapshot.partial");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        out.write_all(&seq.to_le_bytes())?;
        let mut written = 8u64;
        let mut failure = None;
        {
            let engine = self.inner.related.read().unwrap_or_else(|p| p.into_inner());
            engine.write_snapshot(&mut |chunk| {
                if failure.is_none() {
                    match out.write_all(chunk) {
                        Ok(()) => written += chunk.len() as u64,
                        Err(e) => failure = Some(e),
                    }
                }
            });
        }
        let finished = match failure {
            Some(e) => Err(e),
            None => out
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)
                .and_then(|file| file.sync_all()),
        };
        match finished {
            Ok(()) => {
                std::fs::rename(&partial, &path)?;
                Ok(written)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    /// Installs the engine saved at the last shutdown, if there is a usable one; returns the
    /// change-sequence number it reflects.
    pub(super) async fn load_related_snapshot(&self) -> Option<i64> {
        let started = Instant::now();
        let bytes = match tokio::fs::read(self.snapshot_path()).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the related-articles snapshot; rebuilding");
                return None;
            }
        };
        let seq = i64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let latest = self.store().latest_change_seq().await.ok()?;
        if seq > latest {
            tracing::warn!(
                seq,
                latest,
                "the related-articles snapshot is ahead of the store (another or a restored database); rebuilding"
            );
            return None;
        }
        let config = self.related_config();
        let loaded =
            tokio::task::spawn_blocking(move || Engine::from_snapshot(&bytes[8..], config)).await;
        let engine = match loaded {
            Ok(Ok(engine)) => engine,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "rebuilding related articles from the store");
                return None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "loading the related-articles snapshot failed; rebuilding");
                return None;
            }
        };
        let articles = engine.len();
        self.install_engine(engine);
        self.cache().clear();
        tracing::info!(
            articles,
            seq,
            duration_ms = started.elapsed().as_millis() as u64,
            "related articles loaded from the snapshot"
        );
        Some(seq)
    }

    /// Makes `engine` the one every request uses.
    pub(super) fn install_engine(&self, engine: Engine) {
        *self
            .inner
            .related
            .write()
            .unwrap_or_else(|p| p.into_inner()) = engine;
        self.forget_ranked_related();
        self.inner.discovery_ready.store(true, Ordering::Release);
    }
}
