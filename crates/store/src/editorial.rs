//! Writing articles, and the newsroom's reads that see every status, one room each: the
//! record a writer hands in (`record`), the write transaction (`write`), creating and
//! updating articles (`articles`), revisions (`revisions`) and editors' related-article
//! overrides (`overrides`).
//!
//! Nothing here may be reachable from public handlers: these reads return drafts.

mod articles;
mod legacy;
mod overrides;
mod record;
mod revisions;
mod write;

pub use record::ArticleRecord;
pub use revisions::Revision;
pub use write::WriteTx;
