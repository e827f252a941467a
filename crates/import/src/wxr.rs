//! WordPress eXtended RSS (WXR 1.1 and 1.2, as WordPress writes them; gzip too).
//!
//! [`WxrReader::open`] makes a first pass over the file that validates the XML and keeps a
//! small index (attachments for feature images and galleries, the site's permalink pattern
//! and UTC offset read off its posts: see `index.rs`), then iterating makes the second pass,
//! yielding one [`ImportedPost`](crate::ImportedPost) per post. Rooms: `parse` (XML events
//! to raw items, the only quick-xml code), `index` (the first pass), `item` (a raw item to a
//! post, or a reason to skip it), `shortcodes` and `autop` (the body).

mod autop;
mod index;
mod item;
mod parse;
mod reader;
mod shortcodes;

pub use reader::{WxrOptions, WxrReader};
