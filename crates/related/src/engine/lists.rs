//! Which of the related candidates make the list: maximal marginal relevance (Carbonell &
//! Goldstein 1998) with a guard against the same story told twice.
//!
//! Ranking alone fills a list with the query's nearest neighbours, and the nearest
//! neighbours of one article are often near each other: four desks' versions of one event
//! that the story test did not join, or four pieces of one saga. A reader takes those for
//! one story told four times. So each next item is the candidate with the best relevance
//! minus [`Config::diversity`](crate::Config::diversity) times its similarity to the
//! closest item already chosen, and a candidate that the pairwise same-story test calls
//! the query's story or a chosen item's is passed over altogether.

use super::scoring::Weighted;
use super::Engine;
use crate::Related;

/// Full cosine at which two articles published inside the event window are twins for a
/// list: the low end of independent reports of one event (most pairs of which reach 0.45
/// to 0.7), above which two different stories of one day rarely go (the closest other
/// story of a section mostly stays below). Passing over a twin costs a list one place;
/// showing it costs the reader a repeated story.
const LIST_TWIN_COSINE: f32 = 0.45;

/// A related candidate while the list is chosen.
struct Candidate {
    slot: u32,
    item: Related,
    /// Its full vector (`Engine::full_weighted`).
    full: Weighted,
    /// Its largest similarity to an item already chosen.
    closest: f32,
}

impl Engine {
    /// Picks up to `limit` of `pool` (slot and item, best first, one per story) for the
    /// list of slot `q`; the result is sorted by score, best first.
    pub(super) fn diversify(
        &self,
        q: u32,
        pool: Vec<(u32, Related)>,
        limit: usize,
    ) -> Vec<Related> {
        // Each article's full vector once: the rule compares every candidate with the query
        // and with each item chosen.
        let qw = self.full_weighted(q);
        let qs = &self.slots[q as usize];
        let mut left: Vec<Candidate> = pool
            .into_iter()
            .map(|(d, item)| Candidate {
                slot: d,
                item,
                full: self.full_weighted(d),
                closest: 0.0,
            })
            .filter(|c| {
                let cos = || self.cosine_weighted(qs, &qw, &self.slots[c.slot as usize], &c.full);
                !self.looks_like_one_story(q, c.slot, cos)
            })
            .collect();
        let mut chosen: Vec<Related> = Vec::with_capacity(limit);
        let diversity = self.config.diversity.max(0.0);
        while chosen.len() < limit && !left.is_empty() {
            let mut pick = 0;
            let mut pick_value = f32::NEG_INFINITY;
            for (k, c) in left.iter().enumerate() {
                let value = c.item.score - diversity * c.closest;
                if value > pick_value {
                    pick = k;
                    pick_value = value;
                }
            }
            let picked = left.remove(pick);
            let ps = &self.slots[picked.slot as usize];
            chosen.push(picked.item);
            left.retain_mut(|c| {
                let cs = &self.slots[c.slot as usize];
                let cos = self.cosine_weighted(ps, &picked.full, cs, &c.full);
                c.closest = c.closest.max(cos);
                !self.looks_like_one_story(picked.slot, c.slot, || cos)
            });
        }
        chosen.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        chosen
    }

    /// True when two articles look like one story to a reader: one story already, or the
    /// same story by the pairwise test even though the stories were kept apart (an event
    /// report that does not fit every member of the other story, see `stories.rs`). A
    /// looser test was tried and dropped: it also passed over different stories about the
    /// same company on the same day, which readers want to see. `cosine` is their full
    /// cosine.
    fn looks_like_one_story(&self, a: u32, b: u32, cosine: impl Fn() -> f32) -> bool {
        if self.slots[a as usize].story == self.slots[b as usize].story {
            return true;
        }
        // Twins: inside the event window, two articles this close read as one story
        // whatever the story test decided (it also wants the names to agree). Not in a
        // young archive, whose flat IDF makes any two articles on one topic this close
        // (the same reason the event test waits for it, `stories.rs`).
        if self.vocab.docs() >= super::stories::EVENT_MIN_ARCHIVE
            && self.within_event_window(a, b)
            && cosine() >= LIST_TWIN_COSINE
        {
            return true;
        }
        self.same_story_given(a, b, cosine)
    }

    /// Mean and largest pairwise similarity (the cosine the story test uses) of the
    /// indexed articles among `ids`: how alike the items of a list are. `(0, 0)` for
    /// fewer than two.
    pub fn pairwise_similarity(&self, ids: &[i64]) -> (f32, f32) {
        let slots: Vec<u32> = ids.iter().filter_map(|&id| self.slot_of(id)).collect();
        let (mut sum, mut max, mut n) = (0.0f32, 0.0f32, 0u32);
        for (i, &a) in slots.iter().enumerate() {
            for &b in &slots[i + 1..] {
                let c = self.full_cosine(a, b);
                sum += c;
                max = max.max(c);
                n += 1;
            }
        }
        if n == 0 {
            (0.0, 0.0)
        } else {
            (sum / n as f32, max)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{self, article, engine_with, newsroom, RESULTS_ID};
    use crate::{Config, Doc, Engine};

    /// Two desks' reports of one council decision, and a third article on the same subject.
    fn desks(hours_apart: i64) -> Vec<Doc> {
        let mut docs = newsroom();
        // An archive past the young stage (see `EVENT_MIN_ARCHIVE`): unrelated briefs.
        for n in 0..60 {
            docs.push(fixtures::plain(
                1_000 + n,
                &format!("Brief {n}"),
                format!("Gardeners in Vale{n} grew marrows{n} and beans for the show{n}."),
            ));
        }
        let mut a = article(
            60,
            "politics",
            "Council approves tram extension to the harbour",
            &[
                "The city council voted 31 to 12 on Tuesday to extend the tram line to the \
               harbour, a project costing 240 million euros that mayor Ines Varga had \
               promised. Work starts in March and the line opens in 2028.",
            ],
        );
        let mut b = article(
            61,
            "politics",
            "Harbour tram line wins council vote",
            &[
                "Councillors backed the harbour tram extension by 31 votes to 12, clearing \
               the way for mayor Ines Varga's 240 million euro plan. Construction begins \
               in March, with passengers riding by 2028.",
            ],
        );
        a.published_at = 1_700_000_000;
        b.published_at = a.published_at + hours_apart * 3600;
        docs.extend([a, b]);
        docs
    }

    #[test]
    fn a_list_shows_one_of_two_twins_published_together_but_both_when_far_apart() {
        // Arrange: whatever the story test says about 60 and 61, the list of an article
        // related to both must not show the pair when they came out together.
        for (hours, both) in [(3, false), (24 * 30, true)] {
            let mut docs = desks(hours);
            // Ten days later, a piece on the city's trams that both reports relate to.
            let mut query = article(
                62,
                "politics",
                "Commuters wait for new tram lines",
                &[
                    "Commuters in the city say the tram network is crowded. The council and \
                   mayor Ines Varga point to the harbour extension, and to new tram lines \
                   planned for the east of the city.",
                ],
            );
            query.published_at = 1_700_000_000 + 10 * 86_400;
            docs.push(query);
            let engine = engine_with(&docs);

            // Act
            let list: Vec<i64> = engine.related(62, 10).iter().map(|r| r.id).collect();

            // Assert
            let shown = list.iter().filter(|id| [60, 61].contains(id)).count();
            let apart = engine.story_id(60) != engine.story_id(61);
            if both && apart {
                assert_eq!(shown, 2, "{hours} h apart: {list:?}");
            } else {
                assert_eq!(shown, 1, "{hours} h apart: {list:?}");
            }
        }
    }

    #[test]
    fn the_diversity_rule_never_makes_lists_more_alike_and_zero_turns_it_off() {
        let docs = newsroom();
        let with = engine_with(&docs);
        let mut without = Engine::new(Config {
            diversity: 0.0,
            ..Config::default()
        });
        for d in &docs {
            without.upsert(d);
        }
        for d in fixtures::background().iter().chain(docs.iter().take(3)) {
            let ids = |e: &Engine| e.related(d.id, 3).iter().map(|r| r.id).collect::<Vec<_>>();
            let (a, b) = (
                with.pairwise_similarity(&ids(&with)),
                with.pairwise_similarity(&ids(&without)),
            );
            assert!(a.0 <= b.0 + 1e-6, "{}: {a:?} vs {b:?}", d.id);
        }
        assert_eq!(with.pairwise_similarity(&[RESULTS_ID]), (0.0, 0.0));
    }
}
