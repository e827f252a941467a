//! Editors' decisions about stories: two articles forced into one story, or kept apart,
//! whatever the same-story test says.
//!
//! The decisions are the app's (it keeps them in the store); the engine keeps a copy by
//! article id, so that they hold for articles indexed later — after a rebuild, the app
//! hands them in again with [`Engine::set_story_decisions`] and they hold as before.
//! "Apart" wins over everything: no join, automatic or forced, ever puts two articles an
//! editor kept apart into one story (precision first: a wrong join hides an article).

use std::collections::HashMap;

use super::Engine;

/// One editor's decision about the stories of two articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoryDecision {
    /// The two articles are one story (an editor merged them).
    Together(i64, i64),
    /// The two articles are never one story (an editor split them).
    Apart(i64, i64),
}

/// The decisions in force, both directions of every pair.
#[derive(Clone, Debug, Default)]
pub(super) struct Decisions {
    together: HashMap<i64, Vec<i64>>,
    apart: HashMap<i64, Vec<i64>>,
}

impl Decisions {
    fn insert(map: &mut HashMap<i64, Vec<i64>>, a: i64, b: i64) {
        for (x, y) in [(a, b), (b, a)] {
            let list = map.entry(x).or_default();
            if !list.contains(&y) {
                list.push(y);
            }
        }
    }

    pub(super) fn together_with(&self, id: i64) -> &[i64] {
        self.together.get(&id).map_or(&[], Vec::as_slice)
    }

    fn apart_from(&self, id: i64) -> &[i64] {
        self.apart.get(&id).map_or(&[], Vec::as_slice)
    }

    fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.together.keys().chain(self.apart.keys()).copied()
    }

    pub(super) fn memory_bytes(&self) -> usize {
        [&self.together, &self.apart]
            .iter()
            .map(|m| {
                crate::table::std_hash_map_bytes(m.capacity(), 32)
                    + m.values().map(|v| v.capacity() * 8).sum::<usize>()
            })
            .sum()
    }
}

impl Engine {
    /// Replaces the editors' story decisions with `decisions` and regroups every story
    /// they touch (old or new). Ids need not be indexed yet: a decision holds from the
    /// moment both articles are. A pair both together and apart is kept apart.
    pub fn set_story_decisions(&mut self, decisions: &[StoryDecision]) {
        let mut next = Decisions::default();
        for &d in decisions {
            match d {
                StoryDecision::Together(a, b) if a != b => {
                    Decisions::insert(&mut next.together, a, b)
                }
                StoryDecision::Apart(a, b) if a != b => Decisions::insert(&mut next.apart, a, b),
                _ => {}
            }
        }
        let mut touched: Vec<i64> = self.decisions.ids().chain(next.ids()).collect();
        touched.sort_unstable();
        touched.dedup();
        self.decisions = next;
        self.regroup(&touched);
    }

    /// The decisions in force, each pair once (smaller id first), sorted.
    pub fn story_decisions(&self) -> Vec<StoryDecision> {
        let mut out = Vec::new();
        for (map, make) in [
            (
                &self.decisions.together,
                StoryDecision::Together as fn(i64, i64) -> StoryDecision,
            ),
            (&self.decisions.apart, StoryDecision::Apart),
        ] {
            for (&a, others) in map {
                out.extend(others.iter().filter(|&&b| a < b).map(|&b| make(a, b)));
            }
        }
        out.sort_unstable_by_key(|d| match *d {
            StoryDecision::Together(a, b) => (0, a, b),
            StoryDecision::Apart(a, b) => (1, a, b),
        });
        out
    }

    /// Regroups the stories of the indexed articles among `ids`: their members become
    /// stories of their own and are joined again (`stories.rs`, `resplit`).
    fn regroup(&mut self, ids: &[i64]) {
        let mut members: Vec<u32> = Vec::new();
        for &id in ids {
            if let Some(s) = self.slot_of(id) {
                if !members.contains(&s) {
                    members.extend(self.story_cycle(s));
                }
            }
        }
        members.sort_unstable();
        members.dedup();
        if !members.is_empty() {
            self.resplit(members);
        }
    }

    /// True when joining the stories of slots `a` and `b` would put two articles an editor
    /// kept apart into one story.
    pub(super) fn kept_apart(&self, a: u32, b: u32) -> bool {
        if self.decisions.apart.is_empty() {
            return false;
        }
        let other = self.slots[b as usize].story;
        self.story_cycle(a).into_iter().any(|m| {
            self.decisions
                .apart_from(self.slots[m as usize].id)
                .iter()
                .any(|&x| {
                    self.slot_of(x)
                        .is_some_and(|s| self.slots[s as usize].story == other)
                })
        })
    }

    /// Slots of the indexed articles an editor put in one story with slot `s`'s article.
    pub(super) fn forced_partners(&self, s: u32) -> Vec<u32> {
        self.decisions
            .together_with(self.slots[s as usize].id)
            .iter()
            .filter_map(|&id| self.slot_of(id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::StoryDecision::{Apart, Together};
    use crate::fixtures::{engine_with, newsroom, CHAIRMAN_ID, RESULTS_ID};
    use crate::Related;

    #[test]
    fn an_editors_merge_joins_two_stories_and_survives_a_rebuild() {
        // Arrange
        let docs = newsroom();
        let mut engine = engine_with(&docs);
        assert_ne!(engine.story_id(CHAIRMAN_ID), engine.story_id(RESULTS_ID));

        // Act
        engine.set_story_decisions(&[Together(CHAIRMAN_ID, RESULTS_ID)]);

        // Assert
        assert_eq!(engine.story_id(CHAIRMAN_ID), engine.story_id(RESULTS_ID));
        assert!(engine.story_members(RESULTS_ID).contains(&CHAIRMAN_ID));
        assert!(
            engine.story_members(RESULTS_ID).contains(&21),
            "the chairman's copy too"
        );
        let list: Vec<i64> = engine
            .related(RESULTS_ID, 10)
            .iter()
            .map(|r| r.id)
            .collect();
        assert!(
            !list.contains(&CHAIRMAN_ID) && !list.contains(&21),
            "{list:?}"
        );
        // A rebuild: decisions handed in first, then the articles, in any order.
        let mut rebuilt = crate::Engine::new(crate::Config::default());
        rebuilt.set_story_decisions(&engine.story_decisions());
        for d in docs.iter().rev() {
            rebuilt.upsert(d);
        }
        assert_eq!(
            rebuilt.story_members(RESULTS_ID),
            engine.story_members(RESULTS_ID)
        );
        assert_eq!(engine.story_decisions(), vec![Together(1, CHAIRMAN_ID)]);
    }

    #[test]
    fn an_editors_split_keeps_two_versions_apart_until_lifted() {
        // Arrange: article 2 is a rewrite of the results (one story with them).
        let docs = newsroom();
        let mut engine = engine_with(&docs);
        assert_eq!(engine.story_id(2), engine.story_id(RESULTS_ID));

        // Act
        engine.set_story_decisions(&[Apart(RESULTS_ID, 2)]);

        // Assert: never one story again, even through the other versions, and each may
        // now appear in the other's related list.
        assert_ne!(engine.story_id(2), engine.story_id(RESULTS_ID));
        let mut copy = docs.iter().find(|d| d.id == 2).cloned().unwrap_or_default();
        copy.id = 77;
        engine.upsert(&copy);
        assert_ne!(engine.story_id(2), engine.story_id(RESULTS_ID));
        let ids = |l: Vec<Related>| l.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert!(!ids(engine.related(RESULTS_ID, 10)).contains(&RESULTS_ID));

        // Apart wins over together; lifting every decision restores the test's grouping.
        engine.set_story_decisions(&[Apart(RESULTS_ID, 2), Together(RESULTS_ID, 2)]);
        assert_ne!(engine.story_id(2), engine.story_id(RESULTS_ID));
        engine.set_story_decisions(&[]);
        assert_eq!(engine.story_id(2), engine.story_id(RESULTS_ID));
        assert!(engine.story_decisions().is_empty());
    }

    #[test]
    fn decisions_about_unknown_or_identical_ids_are_harmless() {
        let mut engine = engine_with(&newsroom());
        let before = engine.story_members(RESULTS_ID);
        engine.set_story_decisions(&[Together(5_000, 5_001), Apart(3, 3), Together(4, 4)]);
        assert_eq!(engine.story_members(RESULTS_ID), before);
        assert_eq!(engine.story_decisions(), vec![Together(5_000, 5_001)]);
    }
}
