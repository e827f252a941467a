//! Article exchange formats: readers that yield numbered records, and the JSONL writer.
//!
//! Readers never touch a database: they turn bytes into `(record number, ArticleInput)` and
//! name the line and field of anything wrong, so the app can reject a whole file before or
//! while writing it in one transaction. Start at [`jsonl::JsonlReader`].

pub mod jsonl;

/// A record that could not be read, located by its line (JSONL) or record number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location} {number}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct RecordError {
    /// `line` for line-based formats, `record` for the others.
    pub location: &'static str,
    /// 1-based line or record number.
    pub number: usize,
    /// The offending field, when one is to blame.
    pub field: Option<String>,
    /// What is wrong, for a person to read.
    pub message: String,
}

/// A record read from an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line or record number, for error messages.
    pub number: usize,
    /// The article as given.
    pub input: dateline_core::ArticleInput,
    /// Its addresses on the platform it comes from (URLs or paths), which keep answering
    /// with a redirect to its new page.
    pub old_urls: Vec<String>,
}
