//! Follows the store's change sequence so this node's derived state converges on the
//! store, whichever node made the change (DESIGN.md "Scale-out").
//!
//! Today the page cache is the derived state kept here; the search index and related
//! lists (issue 4) subscribe to the same sequence.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::App;

/// Changes read per query.
const BATCH: i64 = 1000;

/// How many sequence numbers behind the newest each poll re-reads. PostgreSQL hands out
/// identity values before commit, so a change numbered below one we have seen can still
/// become visible later; re-reading a trailing window (and remembering what was applied)
/// catches it.
const TRAILING_WINDOW: i64 = 100;

/// Where a node is in the change sequence.
#[derive(Debug, Default)]
pub struct Follower {
    last_seq: i64,
    applied: BTreeSet<i64>,
}

impl Follower {
    /// A follower that starts at `seq` (changes up to it are assumed applied).
    pub fn starting_at(seq: i64) -> Follower {
        Follower {
            last_seq: seq,
            applied: BTreeSet::new(),
        }
    }

    /// The newest sequence number seen.
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Applies every change not yet applied; returns how many there were.
    pub async fn poll(&mut self, app: &App) -> Result<usize, crate::Error> {
        let floor = self.last_seq.saturating_sub(TRAILING_WINDOW);
        let mut cursor = floor;
        let mut keys: Vec<String> = Vec::new();
        let mut fresh = 0;
        loop {
            let changes = app.store().changes_since(cursor, BATCH).await?;
            let Some(last) = changes.last() else { break };
            cursor = last.seq;
            for change in changes.iter().filter(|c| c.seq > floor) {
                let unseen = if change.seq > self.last_seq {
                    true
                } else {
                    self.applied.insert(change.seq)
                };
                if change.seq > self.last_seq {
                    self.applied.insert(change.seq);
                }
                if unseen {
                    fresh += 1;
                    keys.extend(change.surrogate_keys.iter().cloned());
                }
            }
            self.last_seq = self.last_seq.max(cursor);
            if (changes.len() as i64) < BATCH {
                break;
            }
        }
        let keep_from = self.last_seq.saturating_sub(TRAILING_WINDOW);
        self.applied = self.applied.split_off(&keep_from);
        if !keys.is_empty() {
            keys.sort();
            keys.dedup();
            let dropped = app.cache().invalidate(&keys);
            tracing::debug!(
                changes = fresh,
                to = self.last_seq,
                dropped,
                "applied changes from the sequence"
            );
        }
        Ok(fresh)
    }
}

/// Polls the change sequence every `change_poll_interval_ms` until shutdown.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let start = match app.store().latest_change_seq().await {
        Ok(seq) => seq,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the change sequence; starting from 0");
            0
        }
    };
    let mut follower = Follower::starting_at(start);
    app.set_applied_seq(start);
    let mut tick =
        tokio::time::interval(Duration::from_millis(app.config().change_poll_interval_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match follower.poll(&app).await {
                    Ok(_) => app.set_applied_seq(follower.last_seq()),
                    Err(e) => tracing::warn!(error = %e, "following the change sequence failed; will retry"),
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}
