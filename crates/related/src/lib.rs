//! dateline's related-articles engine: which published articles are about the same thing,
//! and which are versions of the same story.
//!
//! Owns two derived facts about every published article (DESIGN.md, "Related articles"):
//!
//! - its **story cluster** ([`Engine::story_id`]): articles that are near-duplicates of each
//!   other — a wire copy and its rewrite, an update, a cut-down version — share one story id,
//!   so that no list ever shows the same story twice;
//! - its **related list** ([`Engine::related`]): other stories ranked by content similarity
//!   (title, standfirst, body, with names and figures counting extra), section and tag
//!   overlap, and closeness in time.
//!
//! It must never do I/O: no files, no database, no clock, no threads, no async. The app
//! layer feeds it published articles ([`Engine::upsert`]) and withdraws unpublished or
//! deleted ones ([`Engine::remove`]); everything here is a deterministic function of those
//! calls, so it can be rebuilt from the store at any time.
//!
//! Start reading at [`Engine`] (`engine.rs`, whose rooms are in `engine/`: per-article
//! slots, scoring, story grouping, persistence); text features are in `text.rs`, MinHash
//! and the LSH band index in `minhash.rs`.

mod engine;
#[cfg(test)]
mod fixtures;
mod minhash;
mod postings;
mod snapshot;
mod table;
mod text;
mod vocab;

pub use engine::{Engine, StoryDecision, StoryEvidence};
pub use snapshot::SnapshotError;

/// One published article as the engine sees it: plain text, already extracted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    /// The article's id in the store; the engine's key.
    pub id: i64,
    /// The headline.
    pub title: String,
    /// The standfirst (dek), if any.
    pub standfirst: Option<String>,
    /// The body as plain text, paragraphs separated by a blank line (`"\n\n"`).
    pub body: String,
    /// Section slug, if any.
    pub section: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Publication time, unix seconds.
    pub published_at: i64,
}

/// Tuning of the engine; [`Config::default`] is what dateline ships.
///
/// The defaults follow a convention where there is one (word 5-shingles and Jaccard 0.5
/// for near-duplicates, a BM25F-style headline weight of 2). The boosts are kept modest:
/// on the BBC corpus, stronger headline and name boosts cost section precision. The
/// rewrite thresholds are strict on purpose: no real cross-outlet rewrites were at hand to
/// validate them, and merging two developments of one saga would hide one from the other's
/// related list.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Most items [`Engine::related`] returns, whatever limit is asked for. Default 10.
    pub max_related: usize,
    /// Half-life of the recency factor: an article this many days older or newer than the
    /// query article counts half as much. Non-finite or non-positive turns recency off.
    /// Default 365.
    pub recency_half_life_days: f64,
    /// How much a headline word counts, relative to a body word (BM25F-style field
    /// weight). Default 2.
    pub title_weight: f32,
    /// How much a standfirst word counts, relative to a body word. Default 1.5.
    pub standfirst_weight: f32,
    /// Multiplier on the weight of proper names (capitalised words away from a sentence
    /// start, and two-word names such as "Time Warner"). Default 1.25.
    pub name_boost: f32,
    /// Largest relative boost that section and tag overlap give a related article: same
    /// section and same tags multiply its content score by `1 + metadata_weight` (before
    /// the score is scaled back into (0, 1]). Default 0.4: where editors labelled both
    /// articles, their section is a reliable sign of a shared subject, so it may reorder
    /// items whose content scores are within 40% of each other; content still decides
    /// between items further apart, and between articles without labels.
    pub metadata_weight: f32,
    /// Two articles are the same story when the estimated Jaccard similarity of their word
    /// 5-shingles reaches this. Default 0.5.
    pub duplicate_jaccard: f32,
    /// ... or when at least this share of the shorter article's shingles is found in the
    /// longer one (a cut-down or extended version): by default half. Default 0.5.
    pub duplicate_containment: f32,
    /// ... or, for rewrites that share few exact word runs, when the cosine of their
    /// TF-IDF vectors reaches this *and* [`Config::rewrite_entity_overlap`] holds (and they
    /// share a few word runs beyond chance). Default 0.8.
    pub rewrite_cosine: f32,
    /// Share of the names and figures of the article with fewer of them that the other one
    /// also has (weighted by IDF), for the rewrite signal. Default 0.8.
    pub rewrite_entity_overlap: f32,
    /// Reports of one event published at most this many hours apart may be one story on
    /// their content alone, without shared word runs (see `engine/stories.rs`). Default
    /// 48: outlets report an event within a day or two of each other, while the next
    /// occurrence of the same kind of event (the next match, another crash on the same
    /// coast) comes days or weeks later. Non-finite or non-positive turns the test off.
    pub event_window_hours: f64,
    /// How much closeness to items already chosen costs a candidate of a related list
    /// (maximal marginal relevance: the next item maximises `score - diversity * max
    /// similarity to the items chosen`). 0 turns it off. Default 0.1: enough to pass over
    /// a near-twin of a chosen item for the next candidate of about the same relevance,
    /// not so much that the list drifts off the article's subject (stronger settings cost
    /// section precision on the BBC corpus).
    pub diversity: f32,
    /// Weight of the nearest neighbours' vectors added to the query's before related
    /// candidates are re-scored (pseudo-relevance feedback; `engine/scoring.rs`). 0 turns
    /// it off. Default 0.75, with the query's own weight 1: Rocchio's classic proportions,
    /// which leave the query in charge of its list.
    pub feedback_weight: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_related: 10,
            recency_half_life_days: 365.0,
            title_weight: 2.0,
            standfirst_weight: 1.5,
            name_boost: 1.25,
            metadata_weight: 0.4,
            duplicate_jaccard: 0.5,
            duplicate_containment: 0.5,
            rewrite_cosine: 0.8,
            rewrite_entity_overlap: 0.8,
            event_window_hours: 48.0,
            diversity: 0.1,
            feedback_weight: 0.75,
        }
    }
}

/// One item of a related list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Related {
    /// The related article's id.
    pub id: i64,
    /// How related it is, in (0, 1]; lists are sorted by it, best first.
    pub score: f32,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_crate_never_does_io() {
        // DESIGN.md / STYLE.md: related never does I/O. No file, network, environment,
        // clock, process or printing APIs in its source.
        let sources = [
            include_str!("lib.rs"),
            include_str!("engine.rs"),
            include_str!("engine/slots.rs"),
            include_str!("engine/scoring.rs"),
            include_str!("engine/stories.rs"),
            include_str!("engine/persistence.rs"),
            include_str!("engine/lists.rs"),
            include_str!("engine/decisions.rs"),
            include_str!("minhash.rs"),
            include_str!("postings.rs"),
            include_str!("table.rs"),
            include_str!("text.rs"),
            include_str!("text/stopwords.rs"),
            include_str!("vocab.rs"),
            include_str!("snapshot.rs"),
        ];
        let forbidden = [
            ["std", "::fs"].concat(),
            ["std", "::net"].concat(),
            ["std", "::env"].concat(),
            ["std", "::process"].concat(),
            ["std", "::io"].concat(),
            ["System", "Time"].concat(),
            ["Instant", "::now"].concat(),
            ["print", "ln!"].concat(),
            ["tok", "io"].concat(),
        ];
        for source in sources {
            for f in &forbidden {
                assert!(!source.contains(f.as_str()), "the crate uses {f}");
            }
        }
    }
}
