//! The passage shown under a hit: about [`SNIPPET_CHARS`] of the body around the first
//! match, cut at words, HTML-escaped, the searched words in `<b>`.
//!
//! Built from plain inputs (the body, the token position of the first match, the searched
//! stems and a stemmer), so it never reads the index and its tests need none.

use std::collections::HashSet;

use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};

/// Longest snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 220;

/// The passage of `body` around the token at `first_match` (a position, counted as the
/// index counts them), about [`SNIPPET_CHARS`] long and cut at words, HTML-escaped with
/// the words whose stem (by `stem`) is one of the searched `stems` in `<b>`; the opening
/// when the body holds no searched word (a title-only or typo-tolerant match).
///
/// Why not tantivy's `SnippetGenerator`: it stems every word of the body to pick the best
/// passage, and under load that was half of the CPU a search used. The first match comes
/// from the index's positions, so only the few dozen words shown are analysed.
pub(crate) fn passage(
    body: &str,
    first_match: Option<u32>,
    stems: &HashSet<String>,
    mut stem: impl FnMut(&str) -> Option<String>,
) -> String {
    let first_match = first_match.and_then(|position| token_offset(body, position));
    let start = match first_match {
        // A match near the top: show the opening.
        Some(at) if at <= 60 => 0,
        // Otherwise start a little before the match, at a word boundary.
        Some(at) => body[..at]
            .char_indices()
            .rev()
            .take_while(|(i, _)| at - i <= 60)
            .filter(|(_, c)| c.is_whitespace())
            .last()
            .map_or(at, |(i, c)| i + c.len_utf8()),
        None => 0,
    };
    let end = char_boundary(body, start + SNIPPET_CHARS);
    // End at a word boundary, like the start.
    let end = if end < body.len() {
        body[start..end]
            .rfind(char::is_whitespace)
            .map_or(end, |i| start + i)
    } else {
        end
    };
    let shown = &body[start..end];
    let mut html = String::with_capacity(shown.len() + 32);
    if start > 0 {
        html.push('…');
    }
    // Stemming is the costly step, and the English stemmer keeps a word's first letter, so
    // only words starting like a searched stem go through the analyzer.
    let initials: Vec<char> = stems.iter().filter_map(|w| w.chars().next()).collect();
    let mut splitter = SimpleTokenizer::default();
    let mut words_shown = splitter.token_stream(shown);
    let mut at = 0;
    while words_shown.advance() {
        let word = words_shown.token();
        let initial = word
            .text
            .chars()
            .next()
            .and_then(|c| c.to_lowercase().next());
        if !initial.is_some_and(|c| initials.contains(&c)) {
            continue;
        }
        if stem(&word.text).is_some_and(|s| stems.contains(&s)) {
            html.push_str(&escape(&shown[at..word.offset_from]));
            html.push_str("<b>");
            html.push_str(&escape(&shown[word.offset_from..word.offset_to]));
            html.push_str("</b>");
            at = word.offset_to;
        }
    }
    html.push_str(&escape(&shown[at..]));
    if end < body.len() {
        html.push('…');
    }
    html
}

/// The byte offset in `text` of the token at `position`, counted the way the index counts
/// them (the `en_stem` analyzer numbers tokens as its word splitter finds them; its filters
/// drop tokens without renumbering).
fn token_offset(text: &str, position: u32) -> Option<usize> {
    let mut splitter = SimpleTokenizer::default();
    let mut stream = splitter.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        if token.position == position as usize {
            return Some(token.offset_from);
        }
    }
    None
}

/// The largest char boundary of `s` at or below `i`.
fn char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    /// A stand-in for the English stemmer: lower case, without a plural `s`.
    fn plural_stem(word: &str) -> Option<String> {
        Some(word.to_lowercase().trim_end_matches('s').to_string())
    }

    #[test]
    fn searched_words_are_in_bold_and_everything_else_is_escaped() {
        // Arrange
        let body = "Readers wrote <script>alert(\"x\")</script> & asked about the harbour's \
                    \"repairs\".";

        // Act
        let html = passage(body, Some(9), &stems(&["harbour"]), plural_stem);

        // Assert
        assert_eq!(
            html,
            "Readers wrote &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; asked about \
             the <b>harbour</b>'s &quot;repairs&quot;."
        );
    }

    #[test]
    fn a_short_body_without_a_match_is_shown_whole() {
        // Arrange, Act
        let html = passage(
            "Opening words here.",
            None,
            &stems(&["harbour"]),
            plural_stem,
        );

        // Assert
        assert_eq!(html, "Opening words here.");
    }

    #[test]
    fn a_match_near_the_top_shows_the_opening() {
        // Arrange
        let body = format!(
            "Harbour fees rise. {}",
            "More words follow here. ".repeat(20)
        );

        // Act
        let html = passage(&body, Some(0), &stems(&["harbour"]), plural_stem);

        // Assert
        assert!(html.starts_with("<b>Harbour</b> fees rise."), "{html}");
        assert!(html.ends_with('…'), "{html}");
    }

    #[test]
    fn a_later_match_opens_the_window_shortly_before_it_at_a_word_boundary() {
        // Arrange: 12 sentences of 10 words, so "harbours" is word 123.
        let filler = "The council met again on Tuesday to discuss the roads. ".repeat(12);
        let body = format!("{filler}Fishermen said the harbours were busier than ever. {filler}");

        // Act
        let html = passage(&body, Some(123), &stems(&["harbour"]), plural_stem);

        // Assert
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        let (before, _) = html
            .split_once("<b>harbours</b>")
            .expect("the match in bold");
        assert!(before.trim_start_matches('…').len() <= 60, "{html}");
        let text = html.replace("<b>", "").replace("</b>", "");
        assert!(text.chars().count() <= SNIPPET_CHARS + 2, "{html}");
        let inner = text.trim_matches('…');
        let at = body.find(inner).expect("whole words from the body");
        assert!(body[..at].ends_with(' '), "starts at a word: {inner}");
        assert!(
            body[at + inner.len()..].starts_with(' '),
            "ends at a word: {inner}"
        );
    }

    #[test]
    fn only_words_starting_like_a_searched_stem_are_stemmed() {
        // Arrange
        let body = "Harbour hotels had a busy Monday, said the harbour master.";
        let mut stemmed: Vec<String> = Vec::new();

        // Act
        let html = passage(body, Some(0), &stems(&["harbour"]), |word| {
            stemmed.push(word.to_string());
            plural_stem(word)
        });

        // Assert
        assert_eq!(stemmed, ["Harbour", "hotels", "had", "harbour"]);
        assert_eq!(
            html,
            "<b>Harbour</b> hotels had a busy Monday, said the <b>harbour</b> master."
        );
    }

    #[test]
    fn a_window_ending_inside_a_character_ends_before_it() {
        // Arrange: byte 220 falls inside a two-byte "é".
        let body = format!("x{}", "\u{e9}".repeat(300));

        // Act
        let html = passage(&body, None, &stems(&[]), plural_stem);

        // Assert
        assert_eq!(html, format!("x{}…", "\u{e9}".repeat(109)));
    }

    #[test]
    fn with_the_english_stemmer_inflected_forms_are_in_bold() {
        // Arrange: the analyzer the index uses for the body, without an index.
        let mut analyzer = tantivy::tokenizer::TokenizerManager::default()
            .get("en_stem")
            .expect("tantivy registers en_stem");
        let body = "Fishermen said the harbours were busier than the harbour\u{2019}s owners \
                    expected.";

        // Act
        let html = passage(body, Some(3), &stems(&["harbour"]), |word| {
            let mut analyzed = analyzer.token_stream(word);
            analyzed
                .advance()
                .then(|| std::mem::take(&mut analyzed.token_mut().text))
        });

        // Assert
        assert_eq!(
            html,
            "Fishermen said the <b>harbours</b> were busier than the <b>harbour</b>\u{2019}s \
             owners expected."
        );
    }
}
