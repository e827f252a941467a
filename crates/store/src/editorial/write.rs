//! The write transaction: buffered multi-row writes, bulk mode, commit, and the change
//! rows every write appends.

use dateline_core::Article;
use sqlx::any::Any;
use sqlx::{Row, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::binds::{Bind, Sql};
use crate::terms::TermCache;
use crate::Result;

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx<'a> {
    pub(super) tx: Transaction<'a, Any>,
    pub(super) sqlite: bool,
    pub(super) terms: TermCache,
    /// Rows written in multi-row statements at [`WriteTx::flush`]: on SQLite every statement
    /// is a round trip to the database thread, and a bulk import would otherwise spend most
    /// of its time on those hand-offs.
    pub(super) pending: Pending,
    /// Surrogate keys of every change written, for the writer's own cache invalidation.
    pub(super) written_keys: Vec<String>,
    /// Change rows were written: other nodes are told at commit (PostgreSQL).
    pub(super) wrote_changes: bool,
    pub(super) bulk: Option<BulkIndex>,
    pub(super) _guard: Option<OwnedMutexGuard<()>>,
}

/// Rows waiting for the next flush.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) revisions: Vec<(i64, i64, String, String, i64)>,
    pub(super) changes: Vec<(i64, String, String, i64)>,
    pub(super) tag_links: Vec<(i64, i64, i64)>,
    pub(super) author_links: Vec<(i64, i64, i64)>,
    /// Old addresses: (path, article id, time).
    pub(super) legacy: Vec<(String, i64, i64)>,
}

impl Pending {
    pub(super) fn len(&self) -> usize {
        self.revisions.len()
            + self.changes.len()
            + self.tag_links.len()
            + self.author_links.len()
            + self.legacy.len()
    }
}

/// Flush once this many rows are pending (well under both backends' parameter limits).
pub(super) const FLUSH_AT: usize = 256;

/// Taken slugs and external ids, loaded once for a bulk import so that each record needs
/// no lookup query.
pub(super) struct BulkIndex {
    pub(super) slugs: std::collections::HashSet<String>,
    pub(super) external_ids: std::collections::HashMap<String, i64>,
}

impl<'a> WriteTx<'a> {
    pub(crate) fn new(
        tx: Transaction<'a, Any>,
        sqlite: bool,
        guard: Option<OwnedMutexGuard<()>>,
    ) -> Self {
        WriteTx {
            tx,
            sqlite,
            terms: TermCache::default(),
            pending: Pending::default(),
            written_keys: Vec::new(),
            wrote_changes: false,
            bulk: None,
            _guard: guard,
        }
    }

    /// Gives this transaction's connection a large page cache (SQLite), so a bulk import
    /// spills fewer pages to the WAL before commit. A no-op on PostgreSQL.
    ///
    /// Also loads every taken slug and external id, so that creating an article needs no
    /// lookup queries for the rest of the transaction.
    pub async fn bulk_mode(&mut self) -> Result<()> {
        if self.sqlite {
            sqlx::query::<Any>("PRAGMA cache_size = -32768")
                .execute(&mut *self.tx)
                .await?;
        }
        let mut slugs = std::collections::HashSet::new();
        for row in sqlx::query::<Any>(
            "SELECT slug FROM articles UNION ALL SELECT old_slug FROM slug_redirects",
        )
        .fetch_all(&mut *self.tx)
        .await?
        {
            slugs.insert(row.try_get::<String, _>(0)?);
        }
        let mut external_ids = std::collections::HashMap::new();
        for row in
            sqlx::query::<Any>("SELECT external_id, id FROM articles WHERE external_id IS NOT NULL")
                .fetch_all(&mut *self.tx)
                .await?
        {
            external_ids.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
        }
        self.bulk = Some(BulkIndex {
            slugs,
            external_ids,
        });
        Ok(())
    }

    /// Makes everything written visible at once; returns the surrogate keys of the pages
    /// the transaction's changes touched (the same keys its change rows carry to other
    /// nodes), deduplicated.
    pub async fn commit(mut self) -> Result<Vec<String>> {
        self.flush().await?;
        if self.wrote_changes && !self.sqlite {
            // Delivered by PostgreSQL when (and only if) the transaction commits, so a
            // listener that wakes finds the change rows committed.
            sqlx::query::<Any>("SELECT pg_notify($1, '')")
                .bind(crate::changes::CHANGES_CHANNEL)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        let mut keys = std::mem::take(&mut self.written_keys);
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// Writes the buffered revision, change and link rows now rather than at commit (they
    /// stay invisible to others until then). Tests use it to take sequence numbers early.
    pub async fn flush_pending(&mut self) -> Result<()> {
        self.flush().await
    }

    /// Writes pending revision, change and link rows.
    pub(super) async fn flush(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        for chunk in pending.revisions.chunks(FLUSH_AT) {
            let mut sql = Sql::new(
                "INSERT INTO revisions (article_id, version, actor, snapshot, created_at) VALUES ",
            );
            for (i, (article, version, actor, snapshot, at)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Bind::Int(*article))
                    .push(", ")
                    .bind(Bind::Int(*version))
                    .push(", ")
                    .bind(Bind::Text(actor.clone()))
                    .push(", ")
                    .bind(Bind::Text(snapshot.clone()))
                    .push(", ")
                    .bind(Bind::Int(*at))
                    .push(")");
            }
            sql.query().execute(&mut *self.tx).await?;
        }
        self.wrote_changes |= !pending.changes.is_empty();
        for chunk in pending.changes.chunks(FLUSH_AT) {
            let mut sql =
                Sql::new("INSERT INTO changes (article_id, kind, surrogate_keys, at) VALUES ");
            for (i, (article, kind, keys, at)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Bind::Int(*article))
                    .push(", ")
                    .bind(Bind::Text(kind.clone()))
                    .push(", ")
                    .bind(Bind::Text(keys.clone()))
                    .push(", ")
                    .bind(Bind::Int(*at))
                    .push(")");
            }
            sql.query().execute(&mut *self.tx).await?;
        }
        for (table, column, rows) in [
            ("article_tags", "tag_id", &pending.tag_links),
            ("article_authors", "author_id", &pending.author_links),
        ] {
            for chunk in rows.chunks(FLUSH_AT) {
                let mut sql = Sql::new(&format!(
                    "INSERT INTO {table} (article_id, {column}, position) VALUES "
                ));
                for (i, (article, term, position)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind(Bind::Int(*article))
                        .push(", ")
                        .bind(Bind::Int(*term))
                        .push(", ")
                        .bind(Bind::Int(*position))
                        .push(")");
                }
                sql.query().execute(&mut *self.tx).await?;
            }
        }
        self.flush_legacy(pending.legacy).await
    }

    pub(super) async fn flush_if_full(&mut self) -> Result<()> {
        if self.pending.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    pub(super) async fn write_change(
        &mut self,
        article: &Article,
        kind: &str,
        keys: &[String],
    ) -> Result<()> {
        self.written_keys.extend(keys.iter().cloned());
        self.pending.changes.push((
            article.id.0,
            kind.to_owned(),
            keys.join(" "),
            article.updated_at.timestamp(),
        ));
        self.flush_if_full().await
    }
}
