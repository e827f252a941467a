//! From an article's text to the features the engine compares: weighted terms (words,
//! names, numbers) and word shingles.
//!
//! Everything here is a pure function of the [`Doc`](crate::Doc) and the [`Config`]; the
//! engine decides what to keep. Terms are identified by a 64-bit hash of their normalised
//! form so that no string is ever stored per document.

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

use crate::{Config, Doc};

mod stopwords;

pub(crate) use stopwords::is_stopword;

/// Words per shingle for near-duplicate detection.
///
/// Five words is the classic choice for news (and what `make_neardup.py` reports as
/// `jaccard5`): long enough that two different stories rarely share a run by chance, short
/// enough that a changed figure or attribution only breaks a handful of shingles.
pub(crate) const SHINGLE_WORDS: usize = 5;

/// What a term is. Names and numbers are the "entity" signals that identify a story.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// An ordinary word (lower-cased, lightly stemmed).
    Word,
    /// A figure such as `464,000`, `1.13bn` or `2005`.
    Number,
    /// A proper name: a word capitalised away from the start of a sentence, or two
    /// capitalised words in a row (`time warner`).
    Name,
}

/// One distinct term of a document with its field-weighted frequency.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Term {
    /// Hash of the normalised form (see [`term_hash`]).
    pub(crate) hash: u64,
    /// Occurrences, each counted with its field's weight (title, standfirst, body).
    pub(crate) tf: f32,
    /// Word, number or name.
    pub(crate) kind: Kind,
}

/// Everything the engine needs from one document's text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    /// Distinct terms, sorted by hash (so iteration order never depends on a hash map).
    pub(crate) terms: Vec<Term>,
    /// Distinct hashes of the word shingles of standfirst and body, sorted.
    pub(crate) shingles: Vec<u64>,
}

/// One word of running text, with what the surrounding punctuation says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The word as written.
    pub(crate) raw: &'a str,
    /// First word of a sentence (or of a quotation, line or paragraph), where a capital
    /// letter says nothing about being a name.
    pub(crate) sentence_start: bool,
    /// First word after a line break: shingles do not run across paragraphs.
    pub(crate) paragraph_start: bool,
    /// Separated from the previous word by spaces only (no punctuation), so the two can
    /// form a multi-word name.
    pub(crate) joined: bool,
}

/// Splits text into words (Unicode word boundaries, UAX #29) and marks sentence starts.
pub(crate) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut prev_end = 0usize;
    let mut first = true;
    let mut in_quote = false;
    for (start, raw) in text.unicode_word_indices() {
        let gap = text.get(prev_end..start).unwrap_or("");
        let mut paragraph_start = first;
        // A capital after any of these is expected anyway (new sentence, quotation, list
        // item, dateline dash), so it says nothing about a name.
        let mut sentence_start = first || gap.contains(" - ");
        for c in gap.chars() {
            match c {
                '\n' => {
                    paragraph_start = true;
                    sentence_start = true;
                    in_quote = false;
                }
                '.' | '!' | '?' | ':' | ';' | '“' | '«' | '—' | '–' | '•' => {
                    sentence_start = true
                }
                '"' => {
                    in_quote = !in_quote;
                    sentence_start |= in_quote;
                }
                _ => {}
            }
        }
        let joined = !first && gap.chars().all(|c| c == ' ' || c == '\u{a0}');
        out.push(Token {
            raw,
            sentence_start,
            paragraph_start,
            joined,
        });
        prev_end = start + raw.len();
        first = false;
    }
    out
}

/// Lower-cases a word, folds typographic apostrophes and drops a possessive `'s`.
pub(crate) fn normalize(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '’' | '‘' | 'ʼ' => s.push('\''),
            _ => s.extend(c.to_lowercase()),
        }
    }
    if s.ends_with("'s") {
        s.truncate(s.len() - 2);
    }
    while s.ends_with('\'') {
        s.pop();
    }
    while s.starts_with('\'') {
        s.remove(0);
    }
    s
}

/// True when the word is a figure (`76`, `464,000`, `1.13bn`).
pub(crate) fn is_number(norm: &str) -> bool {
    norm.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Removes English plural endings (Harman's "S" stemmer, 1991): light enough never to
/// merge unrelated words, strong enough that `election` and `elections` meet.
pub(crate) fn stem(word: &mut String) {
    let n = word.len();
    if n > 4 && word.ends_with("ies") && !word.ends_with("eies") && !word.ends_with("aies") {
        word.truncate(n - 3);
        word.push('y');
    } else if n > 3 && word.ends_with('s') && !word.ends_with("us") && !word.ends_with("ss") {
        word.truncate(n - 1);
    }
}

/// The hash that identifies a term (or a two-word name, joined by one space).
pub(crate) fn term_hash(norm: &str) -> u64 {
    xxh3_64(norm.as_bytes())
}

fn starts_upper(raw: &str) -> bool {
    raw.chars().next().is_some_and(char::is_uppercase)
}

/// Headlines in Title Case or ALL CAPS capitalise every word, so their capitals are no
/// evidence of names; sentence-case headlines (the BBC's, most wires') are.
fn capitals_are_informative(title: &str) -> bool {
    let words: Vec<&str> = title
        .unicode_words()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .filter(|w| !is_stopword(&normalize(w)))
        .collect();
    if words.len() < 3 {
        return true;
    }
    let capitalised = words.iter().filter(|w| starts_upper(w)).count();
    capitalised * 4 < words.len() * 3
}

#[derive(Default)]
struct TermCounts {
    by_hash: HashMap<u64, (f32, Kind)>,
}

impl TermCounts {
    fn add(&mut self, hash: u64, weight: f32, kind: Kind) {
        if weight.is_nan() || weight <= 0.0 {
            // A field weighted zero (or nonsense) does not count at all.
            return;
        }
        let e = self.by_hash.entry(hash).or_insert((0.0, kind));
        e.0 += weight;
        // A word seen capitalised mid-sentence once is a name everywhere in this document.
        if kind > e.1 {
            e.1 = kind;
        }
    }
}

struct Field<'a> {
    text: &'a str,
    weight: f32,
    names: bool,
    shingles: bool,
}

/// Extracts terms and shingles from a document.
pub(crate) fn extract(doc: &Doc, config: &Config) -> Features {
    let standfirst = doc.standfirst.as_deref().unwrap_or("");
    let fields = [
        Field {
            text: &doc.title,
            weight: config.title_weight,
            names: capitals_are_informative(&doc.title),
            // Headlines are restyled between versions of a story: leave them out of shingles.
            shingles: false,
        },
        Field {
            text: standfirst,
            weight: config.standfirst_weight,
            names: true,
            shingles: true,
        },
        Field {
            text: &doc.body,
            weight: 1.0,
            names: true,
            shingles: true,
        },
    ];
    let mut counts = TermCounts::default();
    let mut shingles = Vec::new();
    let mut window: Vec<u64> = Vec::with_capacity(SHINGLE_WORDS);
    for field in &fields {
        let toks = tokens(field.text);
        let mut prev_name: Option<String> = None;
        window.clear();
        let mut paragraph_words = 0usize;
        for tok in &toks {
            let mut norm = normalize(tok.raw);
            if norm.is_empty() {
                prev_name = None;
                continue;
            }
            if field.shingles {
                if tok.paragraph_start {
                    flush_short_paragraph(&window, paragraph_words, &mut shingles);
                    window.clear();
                    paragraph_words = 0;
                }
                if window.len() == SHINGLE_WORDS {
                    window.remove(0);
                }
                window.push(term_hash(&norm));
                paragraph_words += 1;
                if window.len() == SHINGLE_WORDS {
                    shingles.push(shingle_hash(&window));
                }
            }
            if is_number(&norm) {
                prev_name = None;
                // Single digits are mostly list numbers and ages: too common to mean much.
                if norm.len() > 1 {
                    counts.add(term_hash(&norm), field.weight, Kind::Number);
                }
                continue;
            }
            if is_stopword(&norm) || norm.chars().count() < 2 {
                prev_name = None;
                continue;
            }
            stem(&mut norm);
            let upper = starts_upper(tok.raw);
            let kind = if field.names && upper && !tok.sentence_start {
                Kind::Name
            } else {
                Kind::Word
            };
            counts.add(term_hash(&norm), field.weight, kind);
            if field.names && upper {
                if let Some(prev) = prev_name.as_deref().filter(|_| tok.joined) {
                    let pair = format!("{prev} {norm}");
                    counts.add(term_hash(&pair), field.weight, Kind::Name);
                }
                prev_name = Some(norm);
            } else {
                prev_name = None;
            }
        }
        if field.shingles {
            flush_short_paragraph(&window, paragraph_words, &mut shingles);
        }
    }
    let mut terms: Vec<Term> = counts
        .by_hash
        .into_iter()
        .map(|(hash, (tf, kind))| Term { hash, tf, kind })
        .collect();
    terms.sort_unstable_by_key(|t| t.hash);
    shingles.sort_unstable();
    shingles.dedup();
    Features { terms, shingles }
}

/// A paragraph shorter than one shingle still counts, as one shingle of all its words.
fn flush_short_paragraph(window: &[u64], words: usize, shingles: &mut Vec<u64>) {
    if words > 0 && words < SHINGLE_WORDS {
        shingles.push(shingle_hash(window));
    }
}

fn shingle_hash(words: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * SHINGLE_WORDS];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    xxh3_64(&bytes[..8 * words.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, body: &str) -> Doc {
        Doc {
            id: 1,
            title: title.into(),
            standfirst: None,
            body: body.into(),
            section: None,
            tags: vec![],
            published_at: 0,
        }
    }

    fn kind_of(f: &Features, norm: &str) -> Option<Kind> {
        let h = term_hash(norm);
        f.terms.iter().find(|t| t.hash == h).map(|t| t.kind)
    }

    #[test]
    fn tokens_mark_sentence_starts_after_full_stops_quotes_and_new_paragraphs() {
        let toks =
            tokens("Profits rose. Analysts said \"Shares will\" fall.\n\nNew para, then Google.");
        let starts: Vec<&str> = toks
            .iter()
            .filter(|t| t.sentence_start)
            .map(|t| t.raw)
            .collect();
        assert_eq!(starts, vec!["Profits", "Analysts", "Shares", "New"]);
        let paras: Vec<&str> = toks
            .iter()
            .filter(|t| t.paragraph_start)
            .map(|t| t.raw)
            .collect();
        assert_eq!(paras, vec!["Profits", "New"]);
    }

    #[test]
    fn normalize_lowercases_and_drops_possessives() {
        assert_eq!(normalize("Warner's"), "warner");
        assert_eq!(normalize("Warner’s"), "warner");
        assert_eq!(normalize("AOL"), "aol");
        assert_eq!(normalize("464,000"), "464,000");
    }

    #[test]
    fn stem_removes_plurals_but_not_words_ending_in_ss_or_us() {
        let s = |w: &str| {
            let mut w = w.to_string();
            stem(&mut w);
            w
        };
        assert_eq!(s("elections"), "election");
        assert_eq!(s("companies"), "company");
        assert_eq!(s("business"), "business");
        assert_eq!(s("bonus"), "bonus");
        assert_eq!(s("is"), "is");
    }

    #[test]
    fn names_are_capitalised_words_away_from_sentence_starts_and_pairs_of_them() {
        let f = extract(
            &doc(
                "Ad sales boost Time Warner profit",
                "Quarterly profits at TimeWarner jumped 76% to $1.13bn. The firm owns 8% of Google.",
            ),
            &Config::default(),
        );
        assert_eq!(kind_of(&f, "google"), Some(Kind::Name));
        assert_eq!(kind_of(&f, "time warner"), Some(Kind::Name));
        assert_eq!(kind_of(&f, "warner"), Some(Kind::Name));
        // Capitalised only because it opens a sentence: not a name.
        assert_eq!(kind_of(&f, "quarterly"), Some(Kind::Word));
        assert_eq!(kind_of(&f, "profit"), Some(Kind::Word));
        assert_eq!(kind_of(&f, "76"), Some(Kind::Number));
        assert_eq!(kind_of(&f, "1.13bn"), Some(Kind::Number));
        // Stopwords never become terms.
        assert_eq!(kind_of(&f, "the"), None);
    }

    #[test]
    fn title_case_headlines_do_not_produce_names() {
        let f = extract(
            &doc("Ad Sales Boost Time Warner Profit", "Nothing here."),
            &Config::default(),
        );
        assert_eq!(kind_of(&f, "sale"), Some(Kind::Word));
        assert_eq!(kind_of(&f, "time warner"), None);
    }

    #[test]
    fn title_words_weigh_more_than_body_words() {
        let config = Config::default();
        let f = extract(&doc("Budget row", "The budget row grew."), &config);
        let tf = |n: &str| {
            let h = term_hash(n);
            f.terms.iter().find(|t| t.hash == h).map(|t| t.tf)
        };
        assert_eq!(tf("budget"), Some(config.title_weight + 1.0));
        assert_eq!(tf("grew"), Some(1.0));
    }

    #[test]
    fn shingles_ignore_case_and_the_headline_but_not_word_order() {
        let config = Config::default();
        let a = extract(
            &doc("One", "the quick brown fox jumps over the lazy dog"),
            &config,
        );
        let b = extract(
            &doc("Two", "The Quick Brown Fox jumps over the lazy dog"),
            &config,
        );
        let c = extract(
            &doc("One", "dog lazy the over jumps fox brown quick the"),
            &config,
        );
        assert_eq!(a.shingles, b.shingles);
        assert_eq!(a.shingles.len(), 5);
        assert!(a.shingles.iter().all(|s| !c.shingles.contains(s)));
    }

    #[test]
    fn a_paragraph_shorter_than_a_shingle_is_one_shingle() {
        let f = extract(&doc("", "Short one.\n\nAnother short."), &Config::default());
        assert_eq!(f.shingles.len(), 2);
    }
}
