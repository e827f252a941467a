//! The change sequence: what every node reads to keep its caches and indexes current, and
//! the [`ChangeCursor`] that reads it without ever skipping a committed change.
//!
//! Why a cursor and not "changes after the newest `seq` seen": PostgreSQL hands out `seq`
//! values when a row is inserted, not when its transaction commits, so change 41 can become
//! visible after change 42 has been read (an import running beside editors, two editors
//! saving at once). A reader that moved past 42 would skip 41 for good.
//!
//! The rule the cursor follows on PostgreSQL: every change row records the transaction that
//! wrote it (`txid`). Before each pass the cursor takes the horizon `H =
//! pg_snapshot_xmin(pg_current_snapshot())`: every transaction older than `H` has finished
//! (committed or rolled back), and any transaction that starts later gets an id of at least
//! `H`. A pass reads every visible change with `txid >= position` (the previous pass's
//! horizon), ordered by `(txid, seq)`, and afterwards the position becomes `H`. Every change
//! with `txid < H` committed before the pass began, so the pass saw it; nothing written
//! later can fall below `H`. Changes with `txid >= H` are read again by the next pass and
//! recognised by `(txid, seq)`, so each is handed out once.
//!
//! On SQLite one writer holds the database (across processes too) from its first write to
//! its commit, and `seq` is handed out inside that window, so `seq` order is commit order
//! and the position is simply the newest `seq` read.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dateline_core::ArticleId;
use sqlx::any::{Any, AnyRow};
use sqlx::Row;

use crate::rows::time;
use crate::{Backend, Result, Store};

/// One saved change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Position in the sequence; unique, increasing in insertion order (on PostgreSQL not
    /// necessarily in commit order; see the module docs).
    pub seq: i64,
    /// The transaction that wrote it (PostgreSQL); equal to `seq` on SQLite.
    pub txid: i64,
    /// The article that changed.
    pub article_id: ArticleId,
    /// `create`, `update`, or the new status (`published`, `unpublished`, `deleted`, …).
    pub kind: String,
    /// Surrogate keys of the public pages the change touches (before and after).
    pub surrogate_keys: Vec<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A reader's place in the change sequence. Hand it to [`Store::read_changes`] until a
/// batch says `done`; persist [`ChangeCursor::position`] (it is always safe to resume from:
/// everything before it has been handed out) and resume with [`ChangeCursor::resume`].
#[derive(Debug, Clone, Default)]
pub struct ChangeCursor {
    /// PostgreSQL: every committed change with `txid` below it has been handed out.
    /// SQLite: every change with `seq` up to it has been handed out.
    position: i64,
    /// The pass in progress, if any.
    pass: Option<Pass>,
    /// PostgreSQL: changes at or above `position` already handed out, as `(txid, seq)`.
    handed_out: BTreeSet<(i64, i64)>,
}

#[derive(Debug, Clone, Copy)]
struct Pass {
    /// Where `position` moves when the pass is done.
    horizon: i64,
    /// The last `(txid, seq)` read in this pass.
    after: (i64, i64),
}

/// What one call of [`Store::read_changes`] found.
#[derive(Debug, Clone, Default)]
pub struct ChangeBatch {
    /// Changes not handed out before, in the order read.
    pub changes: Vec<Change>,
    /// Whether the pass reached the end of the sequence (the cursor's position has moved).
    pub done: bool,
}

impl ChangeCursor {
    /// A cursor that starts at a position saved earlier from [`ChangeCursor::position`].
    pub fn resume(position: i64) -> ChangeCursor {
        ChangeCursor {
            position,
            pass: None,
            handed_out: BTreeSet::new(),
        }
    }

    /// The position to persist: resuming from it re-reads nothing that matters twice and
    /// skips nothing (changes may be handed out again after a resume; applying one twice
    /// must change nothing).
    pub fn position(&self) -> i64 {
        self.position
    }
}

const COLUMNS_POSTGRES: &str =
    "seq, txid::text::bigint AS txid, article_id, kind, surrogate_keys, at";
const COLUMNS_SQLITE: &str = "seq, seq AS txid, article_id, kind, surrogate_keys, at";

fn change_from_row(r: &AnyRow) -> Result<Change> {
    Ok(Change {
        seq: r.try_get("seq")?,
        txid: r.try_get("txid")?,
        article_id: ArticleId(r.try_get("article_id")?),
        kind: r.try_get("kind")?,
        surrogate_keys: r
            .try_get::<String, _>("surrogate_keys")?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        at: time(r.try_get("at")?)?,
    })
}

impl Store {
    /// Reads the next at most `limit` rows of the cursor's current pass (starting a pass if
    /// none is running) and returns the committed changes not handed out before. Call again
    /// until `done`; a pass ends at the newest change visible when it reads its last page.
    pub async fn read_changes(&self, cursor: &mut ChangeCursor, limit: i64) -> Result<ChangeBatch> {
        let limit = limit.max(1);
        let pass = match cursor.pass {
            Some(pass) => pass,
            None => Pass {
                horizon: self.change_horizon().await?,
                after: (cursor.position, i64::MIN),
            },
        };
        let rows = match self.backend {
            Backend::Postgres => {
                sqlx::query::<Any>(&format!(
                    "SELECT {COLUMNS_POSTGRES} FROM changes \
                     WHERE (txid, seq) > ($1::text::xid8, $2) ORDER BY txid, seq LIMIT $3"
                ))
                .bind(pass.after.0.to_string())
                .bind(pass.after.1)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            Backend::Sqlite => {
                sqlx::query::<Any>(&format!(
                    "SELECT {COLUMNS_SQLITE} FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(pass.after.0)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        let read = rows
            .iter()
            .map(change_from_row)
            .collect::<Result<Vec<Change>>>()?;
        let done = (read.len() as i64) < limit;
        let mut batch = ChangeBatch {
            changes: Vec::with_capacity(read.len()),
            done,
        };
        let mut pass = pass;
        if let Some(last) = read.last() {
            pass.after = (last.txid, last.seq);
        }
        match self.backend {
            Backend::Postgres => {
                for change in read {
                    if cursor.handed_out.insert((change.txid, change.seq)) {
                        batch.changes.push(change);
                    }
                }
                if done {
                    cursor.position = cursor.position.max(pass.horizon);
                    let keep = cursor.handed_out.split_off(&(cursor.position, i64::MIN));
                    cursor.handed_out = keep;
                    cursor.pass = None;
                } else {
                    cursor.pass = Some(pass);
                }
            }
            Backend::Sqlite => {
                // Commit order is seq order: what was read is final.
                cursor.position = pass.after.0;
                cursor.pass = (!done).then_some(pass);
                batch.changes = read;
            }
        }
        Ok(batch)
    }

    /// Where a cursor that has every change up to now would start: PostgreSQL the oldest
    /// transaction still running (changes of later transactions are read again once, which
    /// readers tolerate), SQLite the newest `seq`.
    pub async fn change_horizon(&self) -> Result<i64> {
        let sql = match self.backend {
            Backend::Postgres => {
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS position"
            }
            Backend::Sqlite => "SELECT COALESCE(MAX(seq), 0) AS position FROM changes",
        };
        let row = sqlx::query::<Any>(sql).fetch_one(self.pool()).await?;
        Ok(row.try_get("position")?)
    }

    /// A cursor at the end of the sequence: everything committed so far counts as read.
    pub async fn change_cursor_at_end(&self) -> Result<ChangeCursor> {
        let mut cursor = ChangeCursor::resume(self.change_horizon().await?);
        // Drain what the horizon still lets through, so a fresh follower starts quiet.
        loop {
            if self.read_changes(&mut cursor, 1000).await?.done {
                return Ok(cursor);
            }
        }
    }

    /// Whether a saved `position` can belong to this store as it is now (a position from a
    /// restored older backup, or from another database, is ahead of it).
    pub async fn change_position_is_reachable(&self, position: i64) -> Result<bool> {
        let sql = match self.backend {
            Backend::Postgres => {
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS position"
            }
            Backend::Sqlite => "SELECT COALESCE(MAX(seq), 0) AS position FROM changes",
        };
        let row = sqlx::query::<Any>(sql).fetch_one(self.pool()).await?;
        Ok(position <= row.try_get::<i64, _>("position")?)
    }

    /// Changes after `seq` in `seq` order, at most `limit` — for inspection and tests only:
    /// on PostgreSQL `seq` order is not commit order, so followers use [`ChangeCursor`].
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<Change>> {
        let columns = match self.backend {
            Backend::Postgres => COLUMNS_POSTGRES,
            Backend::Sqlite => COLUMNS_SQLITE,
        };
        let rows = sqlx::query::<Any>(&format!(
            "SELECT {columns} FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// The newest sequence number, 0 on an empty store.
    pub async fn latest_change_seq(&self) -> Result<i64> {
        let row = sqlx::query::<Any>("SELECT COALESCE(MAX(seq), 0) AS seq FROM changes")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("seq")?)
    }

    /// This database's random name, written once by the migrations. Derived data saved
    /// beside a node records it, so that it is never used with another database.
    pub async fn identity(&self) -> Result<String> {
        let row = sqlx::query::<Any>("SELECT id FROM store_identity")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("id")?)
    }
}

/// The PostgreSQL channel a commit that wrote change rows notifies.
pub const CHANGES_CHANNEL: &str = "dateline_changes";

/// Wakes a node when another node (or process) commits changes: PostgreSQL's
/// `LISTEN`/`NOTIFY` on its own connection. A wake-up says only "read the sequence now";
/// the [`ChangeCursor`] decides what is new, so a lost or doubled notification costs a
/// poll, never a change.
pub struct ChangeListener(sqlx::postgres::PgListener);

impl ChangeListener {
    /// Waits for the next commit with changes, or for the listening connection to drop
    /// and come back (notifications sent meanwhile are lost, so that too means "read the
    /// sequence now"). An error means it could not reconnect; the caller backs off.
    pub async fn next(&mut self) -> Result<()> {
        self.0.try_recv().await?;
        Ok(())
    }
}

impl Store {
    /// A listener for other nodes' commits; `None` on SQLite, which has no such signal.
    pub async fn listen_for_changes(&self) -> Result<Option<ChangeListener>> {
        let Some(url) = &self.listen_url else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect(&url.0).await?;
        // Reconnects are ours to handle (the caller re-reads the sequence after an error).
        listener.ignore_pool_close_event(true);
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(ChangeListener(listener)))
    }
}
