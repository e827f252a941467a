//! Turns what editors write into what readers see, safely.
//!
//! Owns Markdown rendering (pulldown-cmark, CommonMark) followed by sanitising with an
//! allowlist (ammonia), the plain-text view of a body, teasers and word counts. Every body
//! shown anywhere passes through [`render_body`], whatever its source — API, importer or
//! editor preview. Pure: no I/O. Start at [`render_body`].

mod allowlist;
mod guard;
mod html_text;
mod markdown;
mod nesting;
mod teaser;

pub use guard::MAX_ELEMENT_DEPTH;
pub use markdown::{plain_text, render_body, sanitise_html, RenderedBody};
pub use nesting::MAX_CONTAINER_DEPTH;
pub use teaser::{teaser, TEASER_MAX_CHARS};

/// Counts words the way a reader would: runs of letters or digits, with inner apostrophes
/// and hyphens keeping a word together.
pub fn word_count(plain: &str) -> usize {
    plain
        .split(|c: char| c.is_whitespace() || c == '—' || c == '–')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_ignores_punctuation_runs() {
        assert_eq!(word_count("It's a well-known fact — 42 of them . ."), 7);
        assert_eq!(word_count(""), 0);
    }
}
