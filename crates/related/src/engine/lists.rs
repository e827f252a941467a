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

use super::Engine;
use crate::Related;

impl Engine {
    /// Picks up to `limit` of `pool` (slot and item, best first, one per story) for the
    /// list of slot `q`; the result is sorted by score, best first.
    pub(super) fn diversify(
        &self,
        q: u32,
        pool: Vec<(u32, Related)>,
        limit: usize,
    ) -> Vec<Related> {
        let mut chosen: Vec<(u32, Related)> = Vec::with_capacity(limit);
        let mut left: Vec<(u32, Related, f32)> = pool
            .into_iter()
            .filter(|&(d, _)| !self.looks_like_one_story(q, d))
            .map(|(d, r)| (d, r, 0.0))
            .collect();
        let diversity = self.config.diversity.max(0.0);
        while chosen.len() < limit && !left.is_empty() {
            let mut pick = 0;
            let mut pick_value = f32::NEG_INFINITY;
            for (k, &(_, r, closest)) in left.iter().enumerate() {
                let value = r.score - diversity * closest;
                if value > pick_value {
                    pick = k;
                    pick_value = value;
                }
            }
            let (d, r, _) = left.remove(pick);
            chosen.push((d, r));
            left.retain(|&(c, _, _)| !self.looks_like_one_story(d, c));
            for (c, _, closest) in left.iter_mut() {
                *closest = closest.max(self.full_cosine(d, *c));
            }
        }
        let mut out: Vec<Related> = chosen.into_iter().map(|(_, r)| r).collect();
        out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out
    }

    /// True when two articles look like one story to a reader: one story already, or the
    /// same story by the pairwise test even though the stories were kept apart (an event
    /// report that does not fit every member of the other story, see `stories.rs`). A
    /// looser test was tried and dropped: it also passed over different stories about the
    /// same company on the same day, which readers want to see.
    fn looks_like_one_story(&self, a: u32, b: u32) -> bool {
        self.slots[a as usize].story == self.slots[b as usize].story || self.same_story(a, b)
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
