//! The related-articles engine saved at shutdown and loaded at start, so that a restart
//! does not leave related lists empty while the engine is rebuilt from the store (42 s at
//! 100,000 articles).
//!
//! The file (`data_dir/related.snapshot`) is a header line — a format tag and the
//! [`Checkpoint`] the engine reflects (the store's identity and the change-cursor
//! position) — then [`Engine::write_snapshot`]'s bytes. After loading it, the indexer
//! applies every change since that position, exactly as after a rebuild, so a snapshot older
//! than the store (a crash after the last periodic save) is only a longer catch-up. It is
//! derived data like the search index: anything doubtful (another format, configuration or
//! database, damage, a position ahead of the store) means a rebuild.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use dateline_related::Engine;

use super::indexer::Checkpoint;
use crate::App;

const FILE: &str = "related.snapshot";

/// First bytes of the header; a file without them is from an older release.
const TAG: &str = "dateline-related-snapshot-2";

impl App {
    fn snapshot_path(&self) -> PathBuf {
        self.config().data_dir.join(FILE)
    }

    /// Forgets the saved engine (after `reindex`, which rebuilds everything).
    pub(super) fn discard_related_snapshot(&self) {
        let _ = std::fs::remove_file(self.snapshot_path());
    }

    /// Saves the engine as of `checkpoint`; done periodically and at shutdown.
    pub(super) async fn save_related_snapshot(&self, checkpoint: &Checkpoint) {
        let started = Instant::now();
        let app = self.clone();
        let header = format!("{TAG} {}\n", checkpoint.encode());
        let seq = checkpoint.position;
        let saved =
            tokio::task::spawn_blocking(move || app.write_snapshot_file(header.as_bytes())).await;
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
    fn write_snapshot_file(&self, header: &[u8]) -> std::io::Result<u64> {
        let path = self.snapshot_path();
        let partial = path.with_extension("snapshot.partial");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        out.write_all(header)?;
        let mut written = header.len() as u64;
        let mut failure = None;
        {
            let engine = self
                .inner
                .discovery
                .related
                .read()
                .unwrap_or_else(|p| p.into_inner());
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
    /// change-cursor position it reflects.
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
        let Some(newline) = bytes.iter().take(256).position(|b| *b == b'\n') else {
            tracing::warn!("the related-articles snapshot has no header; rebuilding");
            return None;
        };
        let header = std::str::from_utf8(&bytes[..newline]).ok()?;
        let checkpoint = header
            .strip_prefix(TAG)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(Checkpoint::decode);
        if checkpoint.is_none() {
            tracing::warn!("the related-articles snapshot is from another release; rebuilding");
        }
        let seq = self
            .usable_position(checkpoint.as_ref(), "the related-articles snapshot")
            .await?;
        let body_at = newline + 1;
        let config = self.related_config();
        let loaded =
            tokio::task::spawn_blocking(move || Engine::from_snapshot(&bytes[body_at..], config))
                .await;
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
    pub(super) fn install_engine(&self, mut engine: Engine) {
        // Editors' story decisions hold in every engine, built or loaded.
        engine.set_story_decisions(
            &self
                .inner
                .discovery
                .story_decisions
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        *self
            .inner
            .discovery
            .related
            .write()
            .unwrap_or_else(|p| p.into_inner()) = engine;
        self.forget_ranked_related();
        self.inner.discovery.ready.store(true, Ordering::Release);
    }
}
