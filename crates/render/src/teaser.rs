//! Teasers: the opening sentence or two of an article, cut where a reader would cut.

/// Longest teaser, in characters (DESIGN.md "Related articles": one to two sentences).
pub const TEASER_MAX_CHARS: usize = 200;

/// Abbreviations after which a full stop does not end a sentence. Lowercased, without the
/// final dot.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "lt", "col", "capt", "sgt", "maj",
    "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "vs", "etc", "inc", "ltd", "co",
    "corp", "no", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "approx", "est", "dept", "univ", "ave", "blvd", "mt", "ft", "e.g", "i.e",
    "u.s", "u.k", "u.n", "e.u", "a.m", "p.m",
];

/// Makes a teaser from plain text: whole sentences from the start, as many as fit in
/// [`TEASER_MAX_CHARS`] (at most two). When even the first sentence is too long it is cut at
/// a word boundary and ends with an ellipsis, never mid-word.
pub fn teaser(plain: &str) -> String {
    let first_block = plain
        .split("\n\n")
        .map(str::trim)
        .find(|p| p.chars().any(char::is_alphanumeric))
        .unwrap_or("");
    let text: String = first_block.split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence ending past the first TEASER_MAX_CHARS characters never fits, so the search
    // stops there: the checks for each full stop look back over the text before it, which
    // over a whole body of "a. B" would be quadratic.
    let limit = text
        .char_indices()
        .nth(TEASER_MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let ends = sentence_ends(&text, limit);
    let mut best = None;
    for (i, &end) in ends.iter().enumerate().take(2) {
        if text[..end].chars().count() <= TEASER_MAX_CHARS {
            best = Some(end);
        } else if i == 0 {
            break;
        }
    }
    match best {
        Some(end) => text[..end].trim().to_owned(),
        None => cut_at_word(&text),
    }
}

fn cut_at_word(text: &str) -> String {
    if text.chars().count() <= TEASER_MAX_CHARS {
        return text.to_owned();
    }
    let limit = text
        .char_indices()
        .nth(TEASER_MAX_CHARS - 1)
        .map_or(text.len(), |(i, _)| i);
    let cut = text[..limit].rfind(' ').unwrap_or(limit);
    let head = text[..cut].trim_end_matches(|c: char| !c.is_alphanumeric());
    format!("{head}…")
}

/// Byte offsets just after the first two sentence ends in `text` (after closing
/// quotes/brackets) whose full stop lies before byte `limit`.
fn sentence_ends(text: &str, limit: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < limit.min(bytes.len()) && ends.len() < 2 {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            // Swallow runs like "?!" or "..." and closing quotes/brackets.
            while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?') {
                end += 1;
            }
            while end < text.len() {
                let rest = &text[end..];
                let Some(c) = rest.chars().next() else { break };
                if matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»') {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let at_end = end >= text.len();
            let next_starts_sentence = text[end..]
                .strip_prefix(' ')
                .and_then(|r| r.chars().next())
                .is_some_and(|c| {
                    c.is_uppercase()
                        || c.is_ascii_digit()
                        || matches!(c, '"' | '“' | '‘' | '\'' | '(')
                });
            if (at_end || next_starts_sentence)
                && !(b == b'.' && is_abbreviation(&text[..i]))
                && !inside_quote(&text[..i])
            {
                ends.push(end);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    ends
}

/// Whether `before` leaves a double quotation open: a full stop inside a quote ends the
/// quoted sentence, not the reporter's.
fn inside_quote(before: &str) -> bool {
    let straight = before.matches('"').count();
    let open = before.matches('“').count();
    let close = before.matches('”').count();
    straight % 2 == 1 || open > close
}

/// Whether the word just before a full stop at the end of `before` is an abbreviation or
/// an initial ("J. Smith").
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    let single_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    single_initial || ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_two_sentences_that_fit() {
        let t = teaser("Ships queue at Muscat. The port is busy. A third sentence follows here.");
        assert_eq!(t, "Ships queue at Muscat. The port is busy.");
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let t = teaser("Lt. Gen. Smith met Dr. Jones in the U.S. capital on Monday. They talked.");
        assert_eq!(
            t,
            "Lt. Gen. Smith met Dr. Jones in the U.S. capital on Monday. They talked."
        );
        let t = teaser("The U.S. Senate voted. Then it adjourned.");
        assert_eq!(t, "The U.S. Senate voted. Then it adjourned.");
    }

    #[test]
    fn quotes_stay_with_their_sentence() {
        let t = teaser(
            "\"We will not stop. Never.\" said the minister. Others disagreed strongly. More.",
        );
        assert_eq!(
            t,
            "\"We will not stop. Never.\" said the minister. Others disagreed strongly."
        );
        let t = teaser("“Stop. Now,” she said. Then she left. A third.");
        assert_eq!(t, "“Stop. Now,” she said. Then she left.");
    }

    #[test]
    fn an_overlong_first_sentence_is_cut_at_a_word() {
        let long = format!("{} end.", "word ".repeat(80));
        let t = teaser(&long);
        assert!(t.chars().count() <= TEASER_MAX_CHARS);
        assert!(t.ends_with("word…"), "{t}");
    }

    #[test]
    fn skips_empty_blocks_and_collapses_whitespace() {
        assert_eq!(teaser("\n\n  A   short\nline.  "), "A short line.");
        assert_eq!(teaser(""), "");
    }
}
