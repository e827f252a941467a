use dateline_core::Article;

/// What went wrong in the store, named by outcome rather than by driver.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// An update was based on an older version; carries the current article.
    #[error("the article changed since version {expected}; current version is {}", current.version.0)]
    VersionConflict {
        /// The version the writer based its change on.
        expected: i64,
        /// The article as it is now.
        current: Box<Article>,
    },
    /// A unique value is already taken.
    #[error("{field} is already taken")]
    Duplicate {
        /// Which field clashed.
        field: String,
    },
    /// A value the store cannot accept.
    #[error("{field}: {reason}")]
    Invalid {
        /// The offending field.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The database cannot be reached right now (pool timeout, connection lost).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back (a bug or a hand-edited database).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
}

/// Result with the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Error::Unavailable(e.to_string())
            }
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::ColumnNotFound(_) => Error::Corrupt(e.to_string()),
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    let msg = db.message().to_owned();
                    let field = ["slug", "external_id", "email", "key_hash", "old_slug"]
                        .into_iter()
                        .find(|f| msg.contains(f) || db.constraint().is_some_and(|c| c.contains(f)))
                        .unwrap_or("value");
                    Error::Duplicate {
                        field: field.to_owned(),
                    }
                } else {
                    Error::Database(db.to_string())
                }
            }
            other => Error::Database(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}
