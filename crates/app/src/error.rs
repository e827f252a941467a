use dateline_core::{Article, FieldErrors, Status};

/// What a use-case can refuse or fail with, named by outcome. The web layer maps each
/// variant to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation; per-field messages.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// No such article (or not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The change was based on an old version.
    #[error("version conflict: the article is now at version {}", current.version.0)]
    Conflict {
        /// The article as it is now.
        current: Box<Article>,
    },
    /// A status change that the workflow does not allow.
    #[error("an article that is {from} cannot become {to}")]
    Transition {
        /// Current status.
        from: Status,
        /// Requested status.
        to: Status,
    },
    /// A unique value is taken (email, slug, external id).
    #[error("{field} is already taken")]
    Duplicate {
        /// The field.
        field: String,
    },
    /// Credentials missing or wrong.
    #[error("authentication required")]
    Unauthenticated,
    /// Too many failed attempts; try again later.
    #[error("too many failed sign-in attempts; try again in {} minutes", retry_after_secs / 60)]
    Throttled {
        /// Seconds until the window has passed.
        retry_after_secs: u64,
    },
    /// A request the workflow refuses as such (not a field error), with a stable code.
    #[error("{message}")]
    Refused {
        /// snake_case code for programs.
        code: &'static str,
        /// What to do instead, for people.
        message: String,
    },
    /// Authenticated but not allowed.
    #[error("not allowed for this role")]
    Forbidden,
    /// An import file was refused; nothing was written. The record error is part of the
    /// message and deliberately not a `source`: error reports that print the chain (the
    /// CLI's `{:#}`) would otherwise say it twice.
    #[error("import refused, nothing was written: {0}")]
    Import(dateline_import::RecordError),
    /// An export file (WXR, Ghost) the reader refused: malformed, truncated, of another
    /// version; the error names the record and byte. Nothing was written.
    #[error("import refused, nothing was written: {0}")]
    Unreadable(dateline_import::ImportError),
    /// An archive could not be written, or was refused (then nothing was written).
    #[error("{0}")]
    Archive(crate::archive::ArchiveError),
    /// Rendering a body did not finish within `Config::render_timeout_ms` (the server is
    /// busy; rendering itself is linear in the body's length).
    #[error(
        "rendering the body took longer than {limit_ms} ms; the server may be busy, try again"
    )]
    RenderTimeout {
        /// The budget that was exceeded.
        limit_ms: u64,
    },
    /// The database is unreachable.
    #[error("the database is unavailable")]
    Unavailable(String),
    /// Setting up failed (data dir, config file).
    #[error("{0}")]
    Startup(String),
    /// Anything else; logged, shown to users as a generic failure.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with the app's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<dateline_store::Error> for Error {
    fn from(e: dateline_store::Error) -> Self {
        use dateline_store::Error as S;
        match e {
            S::NotFound => Error::NotFound,
            S::VersionConflict { current, .. } => Error::Conflict { current },
            S::Duplicate { field } => Error::Duplicate { field },
            S::Invalid { field, reason } => {
                let mut errors = FieldErrors::default();
                errors.add(&field, reason);
                Error::Invalid(errors)
            }
            S::Unavailable(m) => Error::Unavailable(m),
            S::Corrupt(m) | S::Database(m) => Error::Internal(m),
        }
    }
}

impl From<dateline_import::RecordError> for Error {
    fn from(e: dateline_import::RecordError) -> Self {
        Error::Import(e)
    }
}

impl From<FieldErrors> for Error {
    fn from(e: FieldErrors) -> Self {
        Error::Invalid(e)
    }
}
