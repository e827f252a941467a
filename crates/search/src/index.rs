//! The index on disk (or in memory) and every change to it: opening (rebuilding when the
//! schema version changed), staging and applying documents, committing with the caller's
//! checkpoint, clearing. One writer per index directory: a second process is refused.

use std::path::Path;
use std::sync::Mutex;

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::schema::{document, schema, Fields, SearchDoc, SCHEMA_VERSION};
use crate::{Error, Result};

/// Memory the index writer may use before flushing a segment. One indexing thread: it
/// keeps the writer's arena small in a server that must stay under 200 MB, and the related
/// engine, built at the same time on another thread, uses the second core.
const WRITER_HEAP_BYTES: usize = 30_000_000;

/// The search index of one node.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or recreating it, if it was made by another
    /// schema version) as needed. Returns whether it starts empty and must be rebuilt.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, fields) = schema();
        let marker = dir.join("SCHEMA_VERSION");
        let current = std::fs::read_to_string(&marker).unwrap_or_default();
        let mut fresh = false;
        if current.trim() != SCHEMA_VERSION {
            if dir.exists() {
                std::fs::remove_dir_all(dir)
                    .map_err(|e| Error::Index(format!("could not clear {}: {e}", dir.display())))?;
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Index(format!("could not create {}: {e}", dir.display())))?;
            std::fs::write(&marker, SCHEMA_VERSION).map_err(|e| Error::Index(e.to_string()))?;
            fresh = true;
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::Index(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        let this = Self::with_index(index, fields, &dir.display().to_string())?;
        let empty = fresh || this.is_empty();
        Ok((this, empty))
    }

    /// An index held in memory (tests).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, "memory")
    }

    fn with_index(index: Index, fields: Fields, location: &str) -> Result<SearchIndex> {
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(location.to_owned()),
                other => other.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Number of indexed articles.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The checkpoint stored with the last commit, if any: an opaque text the caller uses
    /// to tell where in its source of truth the index stands (where a restarted node
    /// resumes, and whether the index came from the same source at all).
    pub fn checkpoint(&self) -> Option<String> {
        self.index.load_metas().ok().and_then(|m| m.payload)
    }

    /// Adds or replaces `upserts`, removes `removals`, and commits with `checkpoint`.
    /// Searches see the result when this returns.
    pub fn apply(&self, upserts: &[SearchDoc], removals: &[i64], checkpoint: &str) -> Result<()> {
        self.stage(upserts, removals)?;
        self.commit(checkpoint)
    }

    /// Adds or replaces `upserts` and removes `removals` without committing: searches do
    /// not see them until [`SearchIndex::commit`]. For bulk rebuilds, where one commit at
    /// the end is far cheaper than one per batch.
    pub fn stage(&self, upserts: &[SearchDoc], removals: &[i64]) -> Result<()> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for id in removals.iter().chain(upserts.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_i64(self.fields.id, *id));
        }
        for d in upserts {
            writer.add_document(document(&self.fields, d))?;
        }
        Ok(())
    }

    /// Commits everything staged with `checkpoint` (see [`SearchIndex::checkpoint`]), and
    /// makes it visible to searches.
    pub fn commit(&self, checkpoint: &str) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(checkpoint);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{doc, ids, index, search};

    #[test]
    fn removal_and_replacement_take_effect_at_once() {
        let idx = index();
        idx.apply(
            &[doc(
                2,
                "Football club loses final",
                "They lost.",
                "sport",
                200,
            )],
            &[1],
            "store 8",
        )
        .expect("apply");
        assert_eq!(ids(&search(&idx, "chancellor")), Vec::<i64>::new());
        assert_eq!(ids(&search(&idx, "loses")), [2]);
        assert_eq!(search(&idx, "cup").total, 0, "the old version is gone");
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn an_index_on_disk_survives_reopening_and_locks_out_a_second_writer() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("search");
        {
            let (idx, empty) = SearchIndex::open(&path).expect("open");
            assert!(empty);
            idx.apply(
                &[doc(1, "Persisted story", "Body.", "x", 1)],
                &[],
                "store 42",
            )
            .expect("apply");
            assert!(matches!(SearchIndex::open(&path), Err(Error::Locked(_))));
        }
        let (idx, empty) = SearchIndex::open(&path).expect("reopen");
        assert!(!empty);
        assert_eq!(idx.checkpoint().as_deref(), Some("store 42"));
        assert_eq!(ids(&search(&idx, "persisted")), [1]);
    }
}
