//! From a reader's [`SearchQuery`] to a [`SearchPage`]: the query language (every word
//! required, `"phrases"`, `-exclusions`, parsed leniently), section and date filters,
//! relevance or date order, and the retry with one typo per word when nothing matches.
//! Where a hit's first match stands is read from the index's positions; the passage shown
//! around it is `snippet.rs`.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{Order, TantivyDocument, Term};

use crate::{snippet, Result, SearchIndex};

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Newest first.
    Newest,
}

/// A reader's search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words, `"exact phrases"`, `-excluded` words; empty means "everything" (with filters).
    pub text: String,
    /// Only this section (slug).
    pub section: Option<String>,
    /// Published at or after (Unix seconds).
    pub from: Option<i64>,
    /// Published before (Unix seconds).
    pub to: Option<i64>,
    /// Order.
    pub sort: Sort,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Store id of the article.
    pub id: i64,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
    /// Body excerpt around the matches, HTML-escaped, matches in `<b>`.
    pub snippet_html: String,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// Hits in order.
    pub hits: Vec<SearchHit>,
    /// How many documents matched in all.
    pub total: usize,
    /// Whether nothing matched exactly and these are typo-tolerant matches.
    pub fuzzy: bool,
}

impl SearchIndex {
    fn parser(&self, fuzzy: bool) -> QueryParser {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.standfirst, f.body]);
        // Readers expect every word to count ("budget cuts" should not return every story
        // mentioning "budget").
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.standfirst, 1.5);
        if fuzzy {
            for field in [f.title, f.standfirst, f.body] {
                parser.set_field_fuzzy(field, false, 1, true);
            }
        }
        parser
    }

    fn build_query(&self, q: &SearchQuery, fuzzy: bool) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = q.text.trim();
        if text.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else {
            // Lenient: a reader's stray quote or colon must never be an error page.
            let (parsed, _errors) = self.parser(fuzzy).parse_query_lenient(text);
            clauses.push((Occur::Must, parsed));
        }
        if let Some(section) = &q.section {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.section, section),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if q.from.is_some() || q.to.is_some() {
            let lower = q.from.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(f.published_at, v))
            });
            let upper = q.to.map_or(Bound::Unbounded, |v| {
                Bound::Excluded(Term::from_field_i64(f.published_at, v))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Runs a search; when nothing matches exactly, retries with one typo allowed per word.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage> {
        let page = self.run(q, false)?;
        if page.total == 0 && !q.text.trim().is_empty() {
            let fuzzy = self.run(q, true)?;
            if fuzzy.total > 0 {
                return Ok(fuzzy);
            }
        }
        Ok(page)
    }

    fn run(&self, q: &SearchQuery, fuzzy: bool) -> Result<SearchPage> {
        let searcher = self.reader.searcher();
        let query = self.build_query(q, fuzzy);
        let limit = q.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(q.offset);
        let (addresses, total): (Vec<(f32, tantivy::DocAddress)>, usize) = match q.sort {
            Sort::Relevance => searcher.search(&*query, &(top.order_by_score(), Count))?,
            Sort::Newest => {
                let (hits, total) = searcher.search(
                    &*query,
                    &(
                        top.order_by_fast_field::<i64>("published_at", Order::Desc),
                        Count,
                    ),
                )?;
                (hits.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
            }
        };
        let terms = self.body_terms(&*query);
        let words: HashSet<String> = terms
            .iter()
            .filter_map(|t| t.value().as_str().map(str::to_owned))
            .collect();
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body)?;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let Some(id) = stored.get_first(self.fields.id).and_then(|v| v.as_i64()) else {
                continue;
            };
            let body = stored
                .get_first(self.fields.body)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let segment = searcher.segment_reader(address.segment_ord);
            let first_match = first_position(segment, self.fields.body, address.doc_id, &terms);
            let snippet_html = snippet::passage(body, first_match, &words, |word| {
                let mut analyzed = analyzer.token_stream(word);
                analyzed
                    .advance()
                    .then(|| std::mem::take(&mut analyzed.token_mut().text))
            });
            hits.push(SearchHit {
                id,
                score,
                snippet_html,
            });
        }
        Ok(SearchPage { hits, total, fuzzy })
    }

    /// The indexed (stemmed) words the query looks for in the body.
    fn body_terms(&self, query: &dyn Query) -> Vec<Term> {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == self.fields.body && !terms.contains(term) {
                terms.push(term.clone());
            }
        });
        terms
    }
}

/// The first position (in tokens) at which any of `terms` occurs in `doc`'s `field`, read
/// from the index's positions rather than by re-analysing the text.
fn first_position(
    segment: &tantivy::SegmentReader,
    field: Field,
    doc: tantivy::DocId,
    terms: &[Term],
) -> Option<u32> {
    use tantivy::postings::Postings;
    use tantivy::DocSet;
    let inverted = segment.inverted_index(field).ok()?;
    let mut positions = Vec::new();
    let mut first: Option<u32> = None;
    for term in terms {
        let Ok(Some(mut postings)) =
            inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)
        else {
            continue;
        };
        // A fresh postings list stands on its first document; `seek` may only go forward.
        if postings.doc() > doc || postings.seek(doc) != doc {
            continue;
        }
        positions.clear();
        postings.positions(&mut positions);
        if let Some(&p) = positions.first() {
            first = Some(first.map_or(p, |f| f.min(p)));
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{doc, ids, index, search};
    use crate::snippet::SNIPPET_CHARS;

    #[test]
    fn every_word_must_match_and_titles_rank_first() {
        let idx = index();
        assert_eq!(ids(&search(&idx, "budget schools")), [1, 3]);
        assert_eq!(search(&idx, "budget").total, 3);
        assert_eq!(idx.checkpoint().as_deref(), Some("store 7"));
    }

    #[test]
    fn phrases_and_exclusions_work() {
        let idx = index();
        assert_eq!(ids(&search(&idx, "\"budget cuts\"")), [1]);
        assert_eq!(ids(&search(&idx, "budget -schools")), [4]);
    }

    #[test]
    fn section_and_date_filters_and_date_order() {
        let idx = index();
        let q = SearchQuery {
            text: "budget".into(),
            section: Some("politics".into()),
            sort: Sort::Newest,
            limit: 10,
            ..Default::default()
        };
        assert_eq!(ids(&idx.search(&q).expect("search")), [3, 1]);
        let q = SearchQuery {
            text: "budget".into(),
            from: Some(150),
            to: Some(350),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(ids(&idx.search(&q).expect("search")), [3]);
        let q = SearchQuery {
            section: Some("sport".into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(ids(&idx.search(&q).expect("search")), [2]);
    }

    #[test]
    fn a_typo_still_finds_the_story() {
        let idx = index();
        let page = search(&idx, "chancelor");
        assert!(page.fuzzy);
        assert_eq!(ids(&page), [1]);
        assert!(!search(&idx, "football").fuzzy);
    }

    #[test]
    fn snippets_highlight_matches_and_escape_html() {
        let idx = SearchIndex::in_memory().expect("index");
        idx.apply(
            &[doc(
                9,
                "Tags",
                "Readers wrote <script>alert(1)</script> about the harbour repairs.",
                "x",
                1,
            )],
            &[],
            "store 1",
        )
        .expect("apply");
        let page = search(&idx, "harbour");
        let html = &page.hits[0].snippet_html;
        assert!(html.contains("<b>harbour</b>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn snippets_start_near_the_first_match_and_cut_at_words() {
        let idx = SearchIndex::in_memory().expect("index");
        let filler = "The council met again on Tuesday to discuss the roads. ".repeat(12);
        let body = format!("{filler}Fishermen said the harbours were busier than ever. {filler}");
        idx.apply(&[doc(4, "Busy season", &body, "x", 1)], &[], "store 1")
            .expect("apply");
        let html = &search(&idx, "harbour").hits[0].snippet_html;
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<b>harbours</b>"), "stemmed match: {html}");
        let text = html.replace("<b>", "").replace("</b>", "");
        assert!(text.chars().count() <= SNIPPET_CHARS + 2, "{html}");
        let inner = text.trim_matches('…');
        assert!(body.contains(inner), "whole words from the body: {inner}");
        // No match (a typo-tolerant hit): the opening.
        let idx2 = SearchIndex::in_memory().expect("index");
        idx2.apply(
            &[doc(5, "Harbour", "Opening words here.", "x", 1)],
            &[],
            "store 1",
        )
        .expect("apply");
        assert_eq!(
            search(&idx2, "harbour").hits[0].snippet_html,
            "Opening words here."
        );
    }

    #[test]
    fn snippet_positions_count_words_as_the_index_does() {
        // Over-long tokens are dropped by the analyzer but still counted, accents and digits
        // are word characters, punctuation is not: the highlight must land on the word.
        let long = "x".repeat(60);
        let body = format!(
            "Caf\u{e9} owners in Z\u{fc}rich, on 12.5.2004 {long} said: \"the harbour\u{2019}s closed\". {}",
            "More words follow here. ".repeat(20)
        );
        let idx = SearchIndex::in_memory().expect("index");
        idx.apply(&[doc(6, "Quay", &body, "x", 1)], &[], "store 1")
            .expect("apply");
        let html = &search(&idx, "harbour").hits[0].snippet_html;
        assert!(html.contains("the <b>harbour</b>\u{2019}s"), "{html}");
        let html = &search(&idx, "z\u{fc}rich owners").hits[0].snippet_html;
        assert!(
            html.starts_with("Caf\u{e9} <b>owners</b> in <b>Z\u{fc}rich</b>,"),
            "{html}"
        );
    }

    #[test]
    fn snippets_of_hits_whose_body_holds_only_some_words() {
        // "harbour" is only in the first article's title: its body postings start after it.
        let idx = SearchIndex::in_memory().expect("index");
        idx.apply(
            &[
                doc(1, "Harbour news", "The fleet returned at dawn.", "x", 1),
                doc(2, "Boats", "The harbour fleet sailed.", "x", 2),
            ],
            &[],
            "store 1",
        )
        .expect("apply");
        let page = search(&idx, "harbour fleet");
        let first = page.hits.iter().find(|h| h.id == 1).expect("hit");
        assert_eq!(first.snippet_html, "The <b>fleet</b> returned at dawn.");
    }

    #[test]
    fn stray_syntax_never_errors() {
        let idx = index();
        for q in ["\"unclosed", "title:", "((", "-", "AND OR", "budget:::"] {
            assert!(
                idx.search(&SearchQuery {
                    text: q.into(),
                    limit: 5,
                    ..Default::default()
                })
                .is_ok(),
                "{q}"
            );
        }
    }
}
