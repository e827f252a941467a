//! Why a WXR or Ghost file could not be read, and where.

use std::fmt;

/// Where in a file something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based item (WXR `<item>`, Ghost `posts` row) being read, when inside one.
    pub record: Option<usize>,
    /// Byte offset in the (decompressed) file.
    pub byte: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.record {
            Some(r) => write!(f, "record {r} (byte {})", self.byte),
            None => write!(f, "byte {}", self.byte),
        }
    }
}

/// A file the WXR or Ghost reader refuses. Every variant says where and why; the app
/// rejects the whole file on any of them (all-or-nothing, as the JSONL import).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read (I/O, or a broken gzip stream).
    #[error("could not read the file at {at}: {message}")]
    Read {
        /// Where reading stopped.
        at: Position,
        /// The operating system's or decoder's words.
        message: String,
    },
    /// The bytes are not well-formed XML/JSON, not UTF-8, or end too early.
    #[error("malformed export at {at}: {reason}")]
    Malformed {
        /// Where the parser stopped.
        at: Position,
        /// What was wrong.
        reason: String,
    },
    /// Well-formed, but an item lacks something every post must have or has a value that
    /// makes no sense (a post without a title element, a date that is not a date).
    #[error("invalid item at {at}{}: field `{field}`: {reason}", source_id.as_ref().map(|s| format!(" (id {s})")).unwrap_or_default())]
    Invalid {
        /// The item.
        at: Position,
        /// The item's source id, when it was read before the problem.
        source_id: Option<String>,
        /// The field to blame.
        field: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A Ghost export of a version this reader does not know.
    #[error("Ghost export version {version} is not supported: only Ghost 4, 5 and 6 exports are (db[0].meta.version)")]
    UnsupportedVersion {
        /// The version the file names.
        version: String,
    },
    /// The file is not this format at all (not an RSS/WXR document, not a Ghost export).
    #[error("not a {expected} file: {reason}")]
    WrongFormat {
        /// `WXR` or `Ghost JSON export`.
        expected: &'static str,
        /// What was found instead.
        reason: String,
    },
}

/// The reader's result type.
pub type Result<T, E = ImportError> = std::result::Result<T, E>;
