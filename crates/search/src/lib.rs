//! Full-text search over published articles, with tantivy.
//!
//! Owns the index schema, writing documents, and turning a reader's query (words, `"phrases"`,
//! `-exclusions`, section and date filters, relevance or date order) into ranked hits with
//! highlighted snippets; a query that finds nothing is retried with typo tolerance. Only this
//! crate knows tantivy. It never reads the store: callers hand it [`SearchDoc`]s taken from
//! the store's public read path, so nothing unpublished can be indexed. The index is derived
//! data — it can be deleted and rebuilt (`dateline reindex`). Start at [`SearchIndex::open`].

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever the schema changes; an index with another version is rebuilt.
const SCHEMA_VERSION: &str = "dateline-search-1";

/// Memory the index writer may use before flushing a segment. One indexing thread: it
/// keeps the writer's arena small in a server that must stay under 200 MB, and the related
/// engine, built at the same time on another thread, uses the second core.
const WRITER_HEAP_BYTES: usize = 30_000_000;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the index (e.g. `reindex` while `serve` runs).
    #[error("the search index at {0} is in use by another dateline process")]
    Locked(String),
    /// Anything tantivy reports.
    #[error("search index error: {0}")]
    Index(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index(e.to_string())
    }
}

/// One published article as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// Store id.
    pub id: i64,
    /// Headline.
    pub title: String,
    /// Dek.
    pub standfirst: Option<String>,
    /// Plain-text body.
    pub body: String,
    /// Section slug.
    pub section: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Publication time, Unix seconds.
    pub published_at: i64,
}

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

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    standfirst: Field,
    body: Field,
    section: Field,
    tags: Field,
    published_at: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(true)),
        standfirst: b.add_text_field("standfirst", text(false)),
        body: b.add_text_field("body", text(true)),
        section: b.add_text_field("section", STRING),
        tags: b.add_text_field("tags", STRING),
        published_at: b.add_i64_field("published_at", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// The search index of one node.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or recreating it, if it was made by another
    /// schema version) as needed. Returns whether it starts empty and must be rebuilt.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, fields) = schema();
        let marker = dir.join("SCHEMA_VERSION");
        let current = std::fs::read_to_string(&marker).unwrap_or_default();
        let mut fresh = false;
        if current.trim() != SCHEMA_VERSION {
            if dir.exists() {
                std::fs::remove_dir_all(dir)
                    .map_err(|e| Error::Index(format!("could not clear {}: {e}", dir.display())))?;
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Index(format!("could not create {}: {e}", dir.display())))?;
            std::fs::write(&marker, SCHEMA_VERSION).map_err(|e| Error::Index(e.to_string()))?;
            fresh = true;
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::Index(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        let this = Self::with_index(index, fields, &dir.display().to_string())?;
        let empty = fresh || this.is_empty();
        Ok((this, empty))
    }

    /// An index held in memory (tests).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, "memory")
    }

    fn with_index(index: Index, fields: Fields, location: &str) -> Result<SearchIndex> {
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(location.to_owned()),
                other => other.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Number of indexed articles.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The checkpoint stored with the last commit, if any: an opaque text the caller uses
    /// to tell where in its source of truth the index stands (where a restarted node
    /// resumes, and whether the index came from the same source at all).
    pub fn checkpoint(&self) -> Option<String> {
        self.index.load_metas().ok().and_then(|m| m.payload)
    }

    /// Adds or replaces `upserts`, removes `removals`, and commits with `checkpoint`.
    /// Searches see the result when this returns.
    pub fn apply(&self, upserts: &[SearchDoc], removals: &[i64], checkpoint: &str) -> Result<()> {
        self.stage(upserts, removals)?;
        self.commit(checkpoint)
    }

    /// Adds or replaces `upserts` and removes `removals` without committing: searches do
    /// not see them until [`SearchIndex::commit`]. For bulk rebuilds, where one commit at
    /// the end is far cheaper than one per batch.
    pub fn stage(&self, upserts: &[SearchDoc], removals: &[i64]) -> Result<()> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for id in removals.iter().chain(upserts.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_i64(self.fields.id, *id));
        }
        for d in upserts {
            let f = &self.fields;
            let mut document = doc!(
                f.id => d.id,
                f.title => d.title.as_str(),
                f.body => d.body.as_str(),
                f.published_at => d.published_at,
            );
            if let Some(s) = &d.standfirst {
                document.add_text(f.standfirst, s);
            }
            if let Some(s) = &d.section {
                document.add_text(f.section, s);
            }
            for t in &d.tags {
                document.add_text(f.tags, t);
            }
            writer.add_document(document)?;
        }
        Ok(())
    }

    /// Commits everything staged with `checkpoint` (see [`SearchIndex::checkpoint`]), and
    /// makes it visible to searches.
    pub fn commit(&self, checkpoint: &str) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(checkpoint);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

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
        let words: std::collections::HashSet<String> = terms
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
            let first_match = first_position(segment, self.fields.body, address.doc_id, &terms)
                .and_then(|position| token_offset(body, position));
            let snippet_html = passage(&mut analyzer, body, first_match, &words);
            hits.push(SearchHit {
                id,
                score,
                snippet_html,
            });
        }
        Ok(SearchPage { hits, total, fuzzy })
    }
}

impl SearchIndex {
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

/// The byte offset in `text` of the token at `position`, counted the way the index counts
/// them (the `en_stem` analyzer numbers tokens as its word splitter finds them; its filters
/// drop tokens without renumbering).
fn token_offset(text: &str, position: u32) -> Option<usize> {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
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

/// The passage of `body` around `first_match` (a byte offset), about [`SNIPPET_CHARS`]
/// long and cut at words, HTML-escaped with the searched `words` in `<b>`; the opening
/// when the body holds no searched word (a title-only or typo-tolerant match).
///
/// Why not tantivy's `SnippetGenerator`: it stems every word of the body to pick the best
/// passage, and under load that was half of the CPU a search used. The first match comes
/// from the index's positions, so only the few dozen words shown are analysed.
fn passage(
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    body: &str,
    first_match: Option<usize>,
    words: &std::collections::HashSet<String>,
) -> String {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
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
    let initials: Vec<char> = words.iter().filter_map(|w| w.chars().next()).collect();
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
        let mut analyzed = analyzer.token_stream(&word.text);
        if analyzed.advance() && words.contains(&analyzed.token().text) {
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

    fn doc(id: i64, title: &str, body: &str, section: &str, published_at: i64) -> SearchDoc {
        SearchDoc {
            id,
            title: title.into(),
            standfirst: None,
            body: body.into(),
            section: Some(section.into()),
            tags: vec![],
            published_at,
        }
    }

    fn index() -> SearchIndex {
        let idx = SearchIndex::in_memory().expect("index");
        idx.apply(
            &[
                doc(
                    1,
                    "Budget cuts hit schools",
                    "The chancellor announced budget cuts to schools in London.",
                    "politics",
                    100,
                ),
                doc(
                    2,
                    "Football club wins cup",
                    "The club won the cup after a penalty shoot-out in Manchester.",
                    "sport",
                    200,
                ),
                doc(
                    3,
                    "Schools budget rises in Wales",
                    "Schools in Wales get a bigger budget this year.",
                    "politics",
                    300,
                ),
                doc(
                    4,
                    "Chip maker profits",
                    "Profits at the chip maker rose as budget phones sold well.",
                    "business",
                    400,
                ),
            ],
            &[],
            "store 7",
        )
        .expect("apply");
        idx
    }

    fn ids(page: &SearchPage) -> Vec<i64> {
        page.hits.iter().map(|h| h.id).collect()
    }

    fn search(idx: &SearchIndex, text: &str) -> SearchPage {
        idx.search(&SearchQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        })
        .expect("search")
    }

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
    fn removal_and_replacement_take_effect_at_once() {
        let idx = index();
        idx.apply(
            &[doc(
                2,
                "Football club loses final",
                "They lost.",
                "sport",
                200,
            )],
            &[1],
            "store 8",
        )
        .expect("apply");
        assert_eq!(ids(&search(&idx, "chancellor")), Vec::<i64>::new());
        assert_eq!(ids(&search(&idx, "loses")), [2]);
        assert_eq!(search(&idx, "cup").total, 0, "the old version is gone");
        assert_eq!(idx.len(), 3);
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

    #[test]
    fn an_index_on_disk_survives_reopening_and_locks_out_a_second_writer() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("search");
        {
            let (idx, empty) = SearchIndex::open(&path).expect("open");
            assert!(empty);
            idx.apply(
                &[doc(1, "Persisted story", "Body.", "x", 1)],
                &[],
                "store 42",
            )
            .expect("apply");
            assert!(matches!(SearchIndex::open(&path), Err(Error::Locked(_))));
        }
        let (idx, empty) = SearchIndex::open(&path).expect("reopen");
        assert!(!empty);
        assert_eq!(idx.checkpoint().as_deref(), Some("store 42"));
        assert_eq!(ids(&search(&idx, "persisted")), [1]);
    }
}
