//! Full-text search over published articles, with tantivy.
//!
//! Owns the index schema, writing documents, and turning a reader's query (words, `"phrases"`,
//! `-exclusions`, section and date filters, relevance or date order) into ranked hits with
//! highlighted snippets; a query that finds nothing is retried with typo tolerance. Only this
//! crate knows tantivy. It never reads the store: callers hand it [`SearchDoc`]s taken from
//! the store's public read path, so nothing unpublished can be indexed. The index is derived
//! data — it can be deleted and rebuilt (`dateline reindex`). Start at [`SearchIndex::open`].
//!
//! Each file answers one question: `error.rs` (what can go wrong), `schema.rs` (which fields an
//! article has in the index, and how a [`SearchDoc`] fills them), `index.rs` (opening the
//! index and changing it: stage, apply, commit with a checkpoint, clear), `query.rs` (from a
//! [`SearchQuery`] to a [`SearchPage`]: the query language, filters, order, the typo retry)
//! and `snippet.rs` (the highlighted passage of a hit, built from plain text, so it is
//! tested without an index).

mod error;
#[cfg(test)]
mod fixtures;
mod index;
mod query;
mod schema;
mod snippet;

pub use error::{Error, Result};
pub use index::SearchIndex;
pub use query::{SearchHit, SearchPage, SearchQuery, Sort};
pub use schema::SearchDoc;
