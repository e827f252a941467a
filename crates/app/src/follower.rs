//! Follows the store's change sequence so this node's page cache converges on the store,
//! whichever node made the change (DESIGN.md "Scale-out"). The search index and related
//! lists follow the same sequence with the same [`ChangeCursor`] (see `discovery`).

use std::time::Duration;

use dateline_store::changes::ChangeCursor;

use crate::App;

/// Changes read per query.
const BATCH: i64 = 1000;

/// Where this node's page cache is in the change sequence.
#[derive(Debug, Default)]
pub struct Follower {
    cursor: ChangeCursor,
}

impl Follower {
    /// A follower that resumes from `cursor`.
    pub fn with_cursor(cursor: ChangeCursor) -> Follower {
        Follower { cursor }
    }

    /// Applies every committed change not yet applied; returns how many there were.
    pub async fn poll(&mut self, app: &App) -> Result<usize, crate::Error> {
        let mut keys: Vec<String> = Vec::new();
        let mut fresh = 0;
        loop {
            let batch = app.store().read_changes(&mut self.cursor, BATCH).await?;
            fresh += batch.changes.len();
            for change in batch.changes {
                keys.extend(change.surrogate_keys);
            }
            if batch.done {
                break;
            }
        }
        app.note_position(
            crate::operations::Follower::PageCache,
            self.cursor.position(),
        );
        if !keys.is_empty() {
            keys.sort();
            keys.dedup();
            let dropped = app.cache().invalidate(&keys);
            tracing::debug!(
                changes = fresh,
                position = self.cursor.position(),
                dropped,
                "applied changes from the sequence"
            );
        }
        Ok(fresh)
    }
}

/// Polls the change sequence every `change_poll_interval_ms` until shutdown.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let cursor = loop {
        match app.store().change_cursor_at_end().await {
            Ok(cursor) => break cursor,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the change sequence; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(app.config().change_poll_interval_ms)) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    };
    let mut follower = Follower::with_cursor(cursor);
    app.mark_cache_followed();
    let mut tick =
        tokio::time::interval(Duration::from_millis(app.config().change_poll_interval_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            // Another node committed (PostgreSQL's NOTIFY, see `listen`): read now.
            _ = app.inner.follower_wake.notified() => {}
            _ = shutdown.changed() => break,
        }
        match follower.poll(&app).await {
            Ok(_) => app.mark_cache_followed(),
            Err(e) => {
                tracing::warn!(error = %e, "following the change sequence failed; will retry")
            }
        }
    }
}

/// Listens for other nodes' commits (PostgreSQL `LISTEN`) and wakes this node's page-cache
/// follower and indexer at once, instead of at their next poll. Polling goes on beside it,
/// so a dropped connection only brings back the polling delay until it is listening again.
/// Nothing to do on SQLite.
pub async fn listen(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        let listener = tokio::select! {
            l = app.store().listen_for_changes() => l,
            _ = shutdown.changed() => return,
        };
        let mut listener = match listener {
            Ok(Some(l)) => {
                tracing::info!("listening for changes from other nodes");
                backoff = Duration::from_millis(250);
                l
            }
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, retry_ms = backoff.as_millis() as u64, "could not listen for changes; polling meanwhile");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.changed() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        loop {
            tokio::select! {
                signal = listener.next() => match signal {
                    Ok(()) => {
                        app.inner.follower_wake.notify_one();
                        app.wake_indexer();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the change listener failed; polling until it is back");
                        break;
                    }
                },
                _ = shutdown.changed() => return,
            }
        }
    }
}
