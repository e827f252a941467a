//! What can go wrong with the index, named by outcome; tantivy's errors stop here.

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the index (e.g. `reindex` while `serve` runs).
    #[error("the search index at {0} is in use by another dateline process")]
    Locked(String),
    /// Anything tantivy reports.
    #[error("search index error: {0}")]
    Index(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index(e.to_string())
    }
}
