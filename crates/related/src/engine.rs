//! The engine's public face: [`Engine`], what it is asked and what it answers. Behind it,
//! each file answers one question:
//!
//! - `slots.rs`: what is kept of each article, and where. Each article lives in a
//!   fixed-size [`Slot`] holding its top [`MAX_TERMS`](slots::MAX_TERMS) terms, their
//!   IDF-free weights and its MinHash signature, in a slab found by article id.
//! - `scoring.rs`: how related two articles are, and which are worth scoring: candidates
//!   come from the inverted index ([`Vocab`]), which maps each term to the slots that
//!   carry it among their top terms.
//! - `stories.rs`: which articles are the same story, and the story clusters; the LSH
//!   table maps signature bands to slots.
//! - `persistence.rs`: the engine as a snapshot and back ([`Engine::write_snapshot`],
//!   [`Engine::from_snapshot`]).
//!
//! IDF is never stored: it is computed at query time from document frequencies, so every
//! score reflects the collection as it is now.

mod decisions;
mod lists;
mod persistence;
mod scoring;
mod slots;
mod stories;

pub use decisions::StoryDecision;
pub use stories::StoryEvidence;

use crate::minhash::LshTable;
use crate::table::U64Map;
use crate::vocab::Vocab;
use crate::{Config, Doc, Related};
use slots::{fingerprint, Interner, Slot, NO_SECTION};

/// The related-articles and story-clustering engine. See the crate docs.
///
/// ```
/// use dateline_related::{Config, Doc, Engine};
///
/// let mut engine = Engine::new(Config::default());
/// let doc = |id: i64, title: &str, body: &str| Doc {
///     id,
///     title: title.into(),
///     body: body.into(),
///     ..Doc::default()
/// };
/// engine.upsert(&doc(1, "Rates rise", "The Bank of England raised interest rates again."));
/// engine.upsert(&doc(2, "Rates held", "The Bank of England held interest rates steady."));
/// engine.upsert(&doc(3, "Cup final", "Arsenal beat Chelsea in the FA Cup final."));
/// let related = engine.related(1, 5);
/// assert_eq!(related[0].id, 2);
/// assert!(related.iter().all(|r| r.id != 3));
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    config: Config,
    slots: Vec<Slot>,
    /// Free slots, reused last-in first-out.
    free: Vec<u32>,
    /// Article id (as `u64`) → slot.
    by_id: U64Map,
    vocab: Vocab,
    sections: Interner,
    tags: Interner,
    lsh: LshTable,
    /// Editors' "together" and "apart" decisions (`engine/decisions.rs`).
    decisions: decisions::Decisions,
}

impl Engine {
    /// An empty engine.
    pub fn new(config: Config) -> Engine {
        Engine {
            config,
            slots: Vec::new(),
            free: Vec::new(),
            by_id: U64Map::default(),
            vocab: Vocab::default(),
            sections: Interner::default(),
            tags: Interner::default(),
            lsh: LshTable::default(),
            decisions: decisions::Decisions::default(),
        }
    }

    /// Adds an article, or replaces the one with the same id, and (re)assigns its story.
    ///
    /// Re-indexing an article whose text did not change only updates its section, tags
    /// and date, so a retried index job costs little and changes nothing else.
    pub fn upsert(&mut self, doc: &Doc) {
        let fingerprint = fingerprint(doc);
        let section = match &doc.section {
            Some(s) => self.sections.intern(s),
            None => NO_SECTION,
        };
        let tags = self.intern_tags(&doc.tags);
        if let Some(s) = self.slot_of(doc.id) {
            let slot = &mut self.slots[s as usize];
            if slot.fingerprint == fingerprint {
                slot.section = section;
                slot.tags = tags;
                slot.published_at = doc.published_at;
                return;
            }
            self.remove(doc.id);
        }
        let s = self.add_slot(doc, fingerprint, section, tags);
        self.link_duplicates(s);
    }

    /// Withdraws an article: from now on it is in no related list and no story, and the
    /// story it belonged to is split again where it was the only link between members.
    pub fn remove(&mut self, id: i64) {
        let Some(s) = self.by_id.remove(id as u64) else {
            return;
        };
        let others: Vec<u32> = self
            .story_cycle(s)
            .into_iter()
            .filter(|&m| m != s)
            .collect();
        self.free_slot(s);
        if !others.is_empty() {
            self.resplit(others);
        }
    }

    /// True when an article with this id is indexed.
    pub fn contains(&self, id: i64) -> bool {
        self.slot_of(id).is_some()
    }

    /// Number of indexed articles.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no article is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_id.len() == 0
    }

    /// The story id of an article: the smallest article id among its near-duplicates
    /// (its own id when it has none). `None` when the article is not indexed.
    pub fn story_id(&self, id: i64) -> Option<i64> {
        self.slot_of(id).map(|s| self.slots[s as usize].story)
    }

    /// Every article of `id`'s story, itself included, ascending; empty when `id` is not
    /// indexed.
    pub fn story_members(&self, id: i64) -> Vec<i64> {
        let Some(s) = self.slot_of(id) else {
            return Vec::new();
        };
        let mut ids: Vec<i64> = self
            .story_cycle(s)
            .into_iter()
            .map(|m| self.slots[m as usize].id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Up to `limit` (at most [`Config::max_related`]) articles related to `id`, best first.
    ///
    /// Never returns `id` itself, an article of its own story, or two articles of one
    /// story (the best-scoring one stands for its story). The score, in (0, 1], is the
    /// cosine of the two articles' TF-IDF vectors (over each one's top terms, see
    /// `engine/scoring.rs`), times a section and tag overlap factor,
    /// times a recency factor that halves every [`Config::recency_half_life_days`] between
    /// the two publication times. Equal scores go to the smaller id. Empty when `id` is not
    /// indexed.
    pub fn related(&self, id: i64, limit: usize) -> Vec<Related> {
        let limit = limit.min(self.config.max_related);
        let Some(q) = self.slot_of(id) else {
            return Vec::new();
        };
        if limit == 0 {
            return Vec::new();
        }
        self.rank(q, limit)
    }

    /// Approximate bytes held by the engine, from its own structures' sizes and
    /// capacities (what `memory_bytes() / len()` reports is the cost of an article).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Engine>()
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.slots.iter().map(|s| s.tags.len() * 4).sum::<usize>()
            + self.free.capacity() * 4
            + self.by_id.memory_bytes()
            + self.vocab.memory_bytes()
            + self.sections.memory_bytes()
            + self.tags.memory_bytes()
            + self.lsh.memory_bytes()
            + self.decisions.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::fixtures::{
        self, engine_with, newsroom, plain, CHAIRMAN, CHAIRMAN_ID, RESULTS, RESULTS_ID,
    };

    fn assert_list_obeys_the_rules(engine: &Engine, id: i64, list: &[Related]) {
        let own = engine.story_id(id);
        let mut stories = HashSet::new();
        for (k, r) in list.iter().enumerate() {
            assert_ne!(r.id, id, "{id}'s list holds itself");
            assert!(engine.contains(r.id), "{id}'s list holds removed {}", r.id);
            assert_ne!(
                engine.story_id(r.id),
                own,
                "{id}'s list holds its own story"
            );
            assert!(
                stories.insert(engine.story_id(r.id)),
                "{id}'s list repeats a story"
            );
            assert!(
                r.score > 0.0 && r.score <= 1.0,
                "score {} out of (0, 1]",
                r.score
            );
            if k > 0 {
                assert!(list[k - 1].score >= r.score, "{id}'s list is not sorted");
            }
        }
    }

    #[test]
    fn related_never_lists_the_article_itself_its_own_story_or_a_story_twice() {
        // Arrange
        let docs = newsroom();
        let engine = engine_with(&docs);

        // Act
        let lists: Vec<(i64, Vec<Related>)> = docs
            .iter()
            .map(|d| (d.id, engine.related(d.id, 10)))
            .collect();

        // Assert
        for (id, list) in &lists {
            assert_list_obeys_the_rules(&engine, *id, list);
        }
        let results = &lists[4].1;
        let chairman: Vec<i64> = results
            .iter()
            .map(|r| r.id)
            .filter(|id| [CHAIRMAN_ID, 21].contains(id))
            .collect();
        assert_eq!(chairman.len(), 1, "the chairman story, once: {results:?}");
    }

    #[test]
    fn removed_articles_disappear_from_every_answer_at_once() {
        // Arrange
        let mut engine = engine_with(&newsroom());
        assert_eq!(engine.story_members(21), vec![CHAIRMAN_ID, 21]);

        // Act
        engine.remove(CHAIRMAN_ID);

        // Assert
        assert!(!engine.contains(CHAIRMAN_ID));
        assert_eq!(engine.story_id(CHAIRMAN_ID), None);
        assert!(engine.story_members(CHAIRMAN_ID).is_empty());
        assert!(engine.related(CHAIRMAN_ID, 10).is_empty());
        // The copy that is left is a story of its own, under its own id.
        assert_eq!(engine.story_members(21), vec![21]);
        assert_eq!(engine.story_id(21), Some(21));
        for id in [RESULTS_ID, 21, 100, 103] {
            let list = engine.related(id, 10);
            assert!(list.iter().all(|r| r.id != CHAIRMAN_ID));
            assert_list_obeys_the_rules(&engine, id, &list);
        }
        assert!(engine.related(RESULTS_ID, 10).iter().any(|r| r.id == 21));
        engine.remove(CHAIRMAN_ID); // twice is harmless
        engine.remove(21);
        assert!(engine.related(RESULTS_ID, 10).iter().all(|r| r.id != 21));
    }

    #[test]
    fn reindexing_unchanged_text_changes_nothing_and_new_text_leaves_the_story() {
        // Arrange
        let docs = newsroom();
        let mut engine = engine_with(&docs);
        let before = engine.related(RESULTS_ID, 10);
        let memory = engine.memory_bytes();

        // Act
        for d in &docs {
            engine.upsert(d);
        }

        // Assert
        assert_eq!(engine.related(RESULTS_ID, 10), before);
        assert_eq!(engine.memory_bytes(), memory);
        assert_eq!(engine.len(), docs.len());

        // A new text for article 3 (a rewrite of the results) makes it another story.
        let mut changed = docs.iter().find(|d| d.id == 3).cloned().unwrap_or_default();
        changed.title = OTHERS_TITLE.to_string();
        changed.body = crate::fixtures::OTHERS[1].2.join("\n\n");
        engine.upsert(&changed);
        assert_eq!(engine.len(), docs.len());
        assert_eq!(engine.story_id(3), Some(3).min(engine.story_id(101)));
        assert!(!engine.story_members(RESULTS_ID).contains(&3));
    }

    const OTHERS_TITLE: &str = "Council approves new cycle lanes";

    #[test]
    fn same_inputs_in_the_same_order_give_the_same_results() {
        // Arrange
        let docs = newsroom();

        // Act
        // Per article: its story, the related ids and the scores' exact bits.
        type Answers = Vec<(Option<i64>, Vec<i64>, Vec<u32>)>;
        let runs: Vec<Answers> = (0..2)
            .map(|_| {
                let mut engine = engine_with(&docs);
                engine.remove(3);
                docs.iter()
                    .map(|d| {
                        let list = engine.related(d.id, 10);
                        (
                            engine.story_id(d.id),
                            list.iter().map(|r| r.id).collect(),
                            list.iter().map(|r| r.score.to_bits()).collect(),
                        )
                    })
                    .collect()
            })
            .collect();

        // Assert
        assert_eq!(runs[0], runs[1]);
    }

    #[test]
    fn unknown_ids_and_zero_limits_give_empty_answers_and_limits_are_capped() {
        // Arrange
        let mut engine = engine_with(&newsroom());
        assert!(!engine.is_empty());

        // Act, Assert
        assert!(engine.related(999, 10).is_empty());
        assert!(engine.related(RESULTS_ID, 0).is_empty());
        assert!(engine.related(RESULTS_ID, 1_000).len() <= Config::default().max_related);
        assert_eq!(engine.story_id(999), None);
        assert!(engine.story_members(999).is_empty());
        assert!(!engine.contains(999));
        engine.remove(999);
        let empty = Engine::new(Config::default());
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
    }

    #[test]
    fn an_article_without_text_is_indexed_but_related_to_nothing() {
        // Arrange
        let mut engine = engine_with(&newsroom());

        // Act
        engine.upsert(&plain(50, "", String::new()));
        engine.upsert(&plain(51, "", String::new()));

        // Assert
        assert!(engine.contains(50));
        assert_eq!(engine.story_id(50), Some(50));
        assert!(engine.related(50, 10).is_empty());
        assert!(engine
            .related(RESULTS_ID, 10)
            .iter()
            .all(|r| r.id != 50 && r.id != 51));
    }

    #[test]
    fn engine_memory_per_article_stays_small_on_a_large_collection() {
        // Arrange: 5,000 articles mixing the fixtures' paragraphs with numbered names, so
        // that the vocabulary keeps growing as in a real archive.
        let paragraphs: Vec<&str> = RESULTS
            .iter()
            .chain(CHAIRMAN.iter())
            .chain(fixtures::OTHERS.iter().flat_map(|o| o.2.iter()))
            .copied()
            .collect();
        let mut engine = Engine::new(Config::default());

        // Act
        for i in 0..5_000usize {
            let body: Vec<String> = (0..4)
                .map(|k| {
                    let p = paragraphs[(i * 7 + k * 3) % paragraphs.len()];
                    format!(
                        "{p} Officials named Vendel{} and Ostrak{}.",
                        i % 997,
                        (i + k) % 1_499
                    )
                })
                .collect();
            engine.upsert(&Doc {
                id: i as i64,
                title: format!("Story {i}"),
                body: body.join("\n\n"),
                ..Doc::default()
            });
        }

        // Assert
        let per_article = engine.memory_bytes() / engine.len();
        assert!(per_article < 600, "{per_article} bytes per article");
    }

    #[test]
    fn related_items_are_ids_and_scores_only_teasers_are_the_app_layers_job() {
        let engine = engine_with(&newsroom());
        for r in engine.related(RESULTS_ID, 10) {
            // Exhaustive: adding a field (a teaser, a title) to `Related` breaks this test.
            let Related { id, score } = r;
            assert!(id > 0 && score > 0.0);
        }
    }

    #[test]
    fn the_engine_is_plain_data_that_threads_can_share_and_clone() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Engine>();
        let engine = engine_with(&newsroom());
        let copy = engine.clone();
        assert_eq!(copy.related(RESULTS_ID, 10), engine.related(RESULTS_ID, 10));
    }
}
