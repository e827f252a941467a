//! Ghost JSON exports (`{"db":[{"meta":{…,"version":"5.130.6"},"data":{…}}]}`) of Ghost 4,
//! 5 and 6; any other version is refused with [`ImportError::UnsupportedVersion`](crate::ImportError).
//!
//! [`GhostReader::open`] makes a first pass that checks the version and the JSON outline
//! and keeps the relation tables (users, tags, posts_tags, posts_authors, posts_meta);
//! iterating makes the second pass over `posts`, one row at a time. Rooms: `scan` (the
//! structural JSON scanner that keeps memory bounded by one post), `reader` (the passes
//! and the mapping), `lexical` and `mobiledoc` (bodies without `html`), `html` (escaping).

mod html;
mod lexical;
mod mobiledoc;
mod reader;
mod scan;

pub use reader::{GhostOptions, GhostReader};
