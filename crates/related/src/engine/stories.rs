//! Which articles are versions of one story, and the story clusters themselves.
//!
//! A story is a circular list through its members' slots (`story_next`), labelled with its
//! smallest article id. A new article is compared with the articles its LSH bands and its
//! nearest content neighbours point to, and merges with the stories of those that are the
//! same story. A removal re-splits what is left of its story into connected components
//! (union-find): the removed article may have been the only link between the others.

use super::scoring::Weighted;
use super::slots::{for_shared_terms, Slot};
use super::Engine;
use crate::minhash::{self, BANDS};

/// Content neighbours checked for being the same story when an article is indexed (on top
/// of LSH band matches): rewrites that share few shingles are found this way.
const DUPLICATE_NEIGHBOURS: usize = 10;
/// Below this estimated Jaccard similarity, containment alone does not make a duplicate:
/// chance shingle matches must not turn into "containment" of a short text.
const MIN_JACCARD_FOR_CONTAINMENT: f32 = 0.1;
/// Shingles the shorter article needs before containment is trusted (a two-line brief is
/// "contained" in many stories).
const MIN_SHINGLES_FOR_CONTAINMENT: u16 = 20;

/// Same-event test (independent reports inside [`Config::event_window_hours`]): the
/// cosine, the overlap of names and figures, and their sum that two reports need. Why
/// these levels: independently written reports of one event keep its actors, places and
/// figures but not its sentences, so their top-term cosine is only moderate (0.3-0.7 on
/// the development pairs) while their names-and-figures overlap stays high; two different
/// stories on one topic published the same day (the closest other story of a section)
/// reach one of the two but rarely both. Each signal alone is too weak, so both must
/// clear a floor and together a sum; the floors sit well below the median of same-event
/// pairs so that a held-out outlet's different style does not drop recall to nothing.
const EVENT_MIN_COSINE: f32 = 0.4;
const EVENT_MIN_ENTITY_OVERLAP: f32 = 0.45;
const EVENT_MIN_SUM: f32 = 1.0;

/// Figures two reports share that make them one event on weaker word evidence (with
/// [`EVENT_FIGURES_MIN_SIGNAL`] of cosine and of names overlap, so they are on one
/// subject). Reports of one event repeat its toll, score, sums and dates; the next event
/// of the kind has its own. One or two shared figures happen by chance (a year, a round
/// number); three specific ones inside the event window rarely do.
const EVENT_SHARED_FIGURES: usize = 3;
const EVENT_FIGURES_MIN_SIGNAL: f32 = 0.25;

/// Articles the engine must have seen before the event test runs. Document frequencies
/// from a handful of articles cannot tell an event's own names and figures from the ones
/// every story of the beat shares (the company, its chief executive, its port): in a
/// young archive two stories of one company on one day look like one event. Until then
/// only shared word runs join stories.
pub(super) const EVENT_MIN_ARCHIVE: u64 = 50;

/// Members of a story that an article joining it on the event test is checked against
/// (bounds the cost on a story with many versions).
const EVENT_CHECKED_MEMBERS: usize = 16;

/// Estimated Jaccard a rewrite needs: three of 64 signature positions agreeing, where
/// unrelated texts agree on 0.25 by chance (b-bit collisions).
const REWRITE_MIN_JACCARD: f32 = 0.04;

/// What the same-story test sees in two indexed articles (see [`Engine::story_evidence`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryEvidence {
    /// Estimated Jaccard similarity of their word 5-shingles.
    pub jaccard: f32,
    /// Cosine of their top-term TF-IDF vectors, every term in the norms.
    pub cosine: f32,
    /// IDF-weighted share of names and figures that the one with fewer has in common.
    pub entity_overlap: f32,
    /// Hours between their publication times.
    pub hours_apart: f32,
    /// How many of their most specific figures they share.
    pub shared_figures: usize,
}

impl Engine {
    /// The evidence the same-story test weighs for two indexed articles; `None` unless both
    /// are indexed. For tools and editors ("why are these one story?"), and for measuring.
    pub fn story_evidence(&self, a: i64, b: i64) -> Option<StoryEvidence> {
        let (x, y) = (self.slot_of(a)?, self.slot_of(b)?);
        let (sx, sy) = (&self.slots[x as usize], &self.slots[y as usize]);
        Some(StoryEvidence {
            jaccard: minhash::jaccard(&sx.sig, &sy.sig),
            cosine: self.full_cosine(x, y),
            entity_overlap: self.entity_overlap(x, y),
            hours_apart: (sx.published_at - sy.published_at).unsigned_abs() as f32 / 3600.0,
            shared_figures: sx.shared_figures(sy),
        })
    }

    /// Cosine of two articles' top-term TF-IDF vectors with every term in the norms. For
    /// the same-story test: a term only one of them has is evidence that they differ, which
    /// the ranking cosine leaves out (on a young site, where most words are new, that
    /// cosine would call two stories about one topic the same story).
    pub(super) fn full_cosine(&self, a: u32, b: u32) -> f32 {
        let (sa, sb) = (&self.slots[a as usize], &self.slots[b as usize]);
        self.cosine_weighted(sa, &self.full_weighted(a), sb, &self.full_weighted(b))
    }

    /// The slot's weights with √IDF applied and every term in the norm (see
    /// [`Engine::full_cosine`]), for callers that compare one article with many.
    pub(super) fn full_weighted(&self, s: u32) -> Weighted {
        let slot = &self.slots[s as usize];
        let mut weighted = self.weighted(slot);
        weighted.norm = weighted.w[..slot.terms().len()]
            .iter()
            .map(|w| w * w)
            .sum::<f32>()
            .sqrt();
        weighted
    }

    /// IDF-weighted share of the names and figures (among the top terms) of the article
    /// with fewer of them that the other article also has.
    pub(super) fn entity_overlap(&self, a: u32, b: u32) -> f32 {
        let (sa, sb) = (&self.slots[a as usize], &self.slots[b as usize]);
        let total = |s: &Slot| -> f32 {
            s.terms()
                .iter()
                .enumerate()
                .filter(|&(i, _)| s.is_entity(i))
                .map(|(_, &t)| self.vocab.sqrt_idf(t).powi(2))
                .sum()
        };
        let mut shared = 0.0;
        for_shared_terms(sa, sb, |i, j| {
            if sa.is_entity(i) || sb.is_entity(j) {
                shared += self.vocab.sqrt_idf(sa.terms[i]).powi(2);
            }
        });
        let smaller = total(sa).min(total(sb));
        if smaller <= 0.0 {
            0.0
        } else {
            (shared / smaller).min(1.0)
        }
    }

    /// True when two articles are versions of the same story (DESIGN.md: related lists
    /// never show "two items about the same story").
    ///
    /// Either they share word runs — estimated shingle Jaccard of at least
    /// [`Config::duplicate_jaccard`](crate::Config::duplicate_jaccard), or most of the shorter one's shingles inside the
    /// longer one (containment: cut-down and extended versions) — or they are rewrites:
    /// a high TF-IDF cosine together with a high overlap of names and figures.
    pub(super) fn same_story(&self, a: u32, b: u32) -> bool {
        self.same_story_given(a, b, || self.full_cosine(a, b))
    }

    /// [`Engine::same_story`] with their full cosine computed by the caller if needed.
    pub(super) fn same_story_given(&self, a: u32, b: u32, cosine: impl Fn() -> f32) -> bool {
        self.same_copy(a, b, &cosine) || self.same_event(a, b, &cosine)
    }

    /// True when two articles share word runs enough to be versions of one text (copies,
    /// cut-down or extended versions, rewrites): see [`Engine::same_story`].
    fn same_copy(&self, a: u32, b: u32, cosine: &dyn Fn() -> f32) -> bool {
        let (sa, sb) = (&self.slots[a as usize], &self.slots[b as usize]);
        if sa.shingles > 0 && sb.shingles > 0 {
            let j = minhash::jaccard(&sa.sig, &sb.sig);
            if j >= self.config.duplicate_jaccard {
                return true;
            }
            let small = sa.shingles.min(sb.shingles);
            if j >= MIN_JACCARD_FOR_CONTAINMENT && small >= MIN_SHINGLES_FOR_CONTAINMENT {
                // |A ∩ B| = J / (1 + J) · (|A| + |B|)
                let inter = j / (1.0 + j) * (f32::from(sa.shingles) + f32::from(sb.shingles));
                if inter / f32::from(small) >= self.config.duplicate_containment {
                    return true;
                }
            }
        }
        // Rewrites still share a few exact runs (quotes, names with titles) beyond chance.
        if sa.shingles > 0
            && sb.shingles > 0
            && minhash::jaccard(&sa.sig, &sb.sig) >= REWRITE_MIN_JACCARD
            && cosine() >= self.config.rewrite_cosine
            && self.entity_overlap(a, b) >= self.config.rewrite_entity_overlap
        {
            return true;
        }
        false
    }

    /// True when slot `s` may join the story of `c`.
    ///
    /// Versions of one text join on one link: a copy of a copy is a copy. Reports of one
    /// event in other words do not chain that way: A like B and B like C is how a topic
    /// connects its stories, not how an event does. So two stories that would join on the
    /// event test alone join only when every member of the one is the same story (any
    /// test) as every member of the other (the first [`EVENT_CHECKED_MEMBERS`] of each).
    fn may_join(&self, s: u32, c: u32) -> bool {
        let cosine = || self.full_cosine(s, c);
        if self.same_copy(s, c, &cosine) {
            return true;
        }
        if !self.same_event(s, c, &cosine) {
            return false;
        }
        let ours: Vec<u32> = self
            .story_cycle(s)
            .into_iter()
            .take(EVENT_CHECKED_MEMBERS)
            .collect();
        let theirs: Vec<u32> = self
            .story_cycle(c)
            .into_iter()
            .take(EVENT_CHECKED_MEMBERS)
            .collect();
        ours.iter().all(|&x| {
            theirs
                .iter()
                .all(|&y| (x == s && y == c) || self.same_story(x, y))
        })
    }

    /// True when two articles published inside the event window report one event in
    /// their own words (see [`EVENT_MIN_COSINE`]). Time alone never decides: two stories
    /// of one day must still share the event's vocabulary, names and figures.
    fn same_event(&self, a: u32, b: u32, cosine: &dyn Fn() -> f32) -> bool {
        if self.vocab.docs() < EVENT_MIN_ARCHIVE || !self.within_event_window(a, b) {
            return false;
        }
        let cosine = cosine();
        if cosine < EVENT_FIGURES_MIN_SIGNAL {
            return false;
        }
        let entities = self.entity_overlap(a, b);
        let figures = self.slots[a as usize].shared_figures(&self.slots[b as usize]);
        if figures >= EVENT_SHARED_FIGURES && entities >= EVENT_FIGURES_MIN_SIGNAL {
            return true;
        }
        cosine >= EVENT_MIN_COSINE
            && entities >= EVENT_MIN_ENTITY_OVERLAP
            && cosine + entities >= EVENT_MIN_SUM
    }

    /// True when the two publication times are at most [`Config::event_window_hours`]
    /// apart.
    pub(super) fn within_event_window(&self, a: u32, b: u32) -> bool {
        let window = self.config.event_window_hours * 3600.0;
        if !window.is_finite() || window <= 0.0 {
            return false;
        }
        let (sa, sb) = (&self.slots[a as usize], &self.slots[b as usize]);
        ((sa.published_at as f64) - (sb.published_at as f64)).abs() <= window
    }

    /// Finds the stories a freshly indexed slot belongs to and merges them with its own.
    pub(super) fn link_duplicates(&mut self, s: u32) {
        let mut candidates: Vec<u32> = Vec::new();
        if self.slots[s as usize].shingles > 0 {
            for b in 0..BANDS {
                let key = minhash::band_key(&self.slots[s as usize].sig, b);
                self.lsh.for_each(key, |c| {
                    if c != s {
                        candidates.push(c);
                    }
                });
            }
        }
        candidates.extend(
            self.content_neighbours(s, DUPLICATE_NEIGHBOURS, 0)
                .into_iter()
                .take(DUPLICATE_NEIGHBOURS)
                .map(|(d, _)| d),
        );
        candidates.sort_unstable();
        candidates.dedup();
        self.join_candidates(s, &candidates);
    }

    /// Joins slot `s` to the stories of `candidates` it may join: versions of its text
    /// first, then reports of the same event, so that the event test weighs every version
    /// already known (a rewrite must not bring a look-alike story in through its copy).
    ///
    /// An editor's "together" joins first (`decisions.rs`); an editor's "apart" blocks any
    /// join that would put the two in one story.
    fn join_candidates(&mut self, s: u32, candidates: &[u32]) {
        let apart = |e: &Engine, c: u32| {
            e.slots[s as usize].story == e.slots[c as usize].story || e.kept_apart(s, c)
        };
        // Forced partners join whenever both are indexed, candidates or not.
        for c in self.forced_partners(s) {
            if !apart(self, c) {
                self.merge(s, c);
            }
        }
        for &c in candidates {
            if !apart(self, c) && self.same_copy(s, c, &|| self.full_cosine(s, c)) {
                self.merge(s, c);
            }
        }
        for &c in candidates {
            if !apart(self, c) && self.may_join(s, c) {
                self.merge(s, c);
            }
        }
    }

    /// Members of the slot's story, starting with the slot itself.
    pub(super) fn story_cycle(&self, s: u32) -> Vec<u32> {
        let mut out = vec![s];
        let mut m = self.slots[s as usize].story_next;
        while m != s {
            out.push(m);
            m = self.slots[m as usize].story_next;
        }
        out
    }

    /// Joins the stories of two slots that are in different stories.
    fn merge(&mut self, a: u32, b: u32) {
        let (story_a, story_b) = (self.slots[a as usize].story, self.slots[b as usize].story);
        let story = story_a.min(story_b);
        // Only the side whose id changes is relabelled: a new article joining an old story
        // (the common case) costs O(1), not O(story size).
        let relabel = if story_a == story {
            self.story_cycle(b)
        } else {
            self.story_cycle(a)
        };
        for m in relabel {
            self.slots[m as usize].story = story;
        }
        // Splicing two circular lists at a and b makes one.
        let next_a = self.slots[a as usize].story_next;
        self.slots[a as usize].story_next = self.slots[b as usize].story_next;
        self.slots[b as usize].story_next = next_a;
    }

    /// Recomputes the stories of `members` (what is left of a story after a removal): each
    /// becomes a story of its own, then they are joined again in order of article id (the
    /// order a rebuild indexes them in) by the rule a new article joins by.
    pub(super) fn resplit(&mut self, mut members: Vec<u32>) {
        members.sort_unstable_by_key(|&m| self.slots[m as usize].id);
        for &m in &members {
            let slot = &mut self.slots[m as usize];
            slot.story = slot.id;
            slot.story_next = m;
        }
        for k in 0..members.len() {
            self.join_candidates(members[k], &members[..k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{
        self, article, engine_with, newsroom, CHAIRMAN, CHAIRMAN_ID, CHAIRMAN_TITLE, RESULTS,
        RESULTS_ID, RESULTS_TITLE,
    };

    #[test]
    fn two_stories_on_one_topic_stay_apart_in_a_young_archive() {
        // With two articles, every word either is shared or has never been seen elsewhere;
        // the ranking cosine ignores the latter, so the same-story test must not.
        let sur = article(
            1,
            "world",
            "Harbour reopens at Sur",
            &[
                "The harbour at Sur reopened on Monday after Cyclone Shaheen damaged the breakwater. \
                 Fishermen said repairs by the Ministry of Transport took nine days and cost 4.2 million rials.",
                "Officials in Muscat said the port would handle 120 boats a day by next month.",
            ],
        );
        let duqm = article(
            2,
            "world",
            "Cyclone damage closes Duqm port",
            &["Cyclone Shaheen damaged the breakwater at Duqm port. The Ministry of Transport said \
               repairs to the port would take weeks."],
        );
        let engine = engine_with(&[sur, duqm]);
        assert_ne!(engine.story_id(1), engine.story_id(2));
        assert_eq!(engine.related(1, 5).first().map(|r| r.id), Some(2));
    }

    #[test]
    fn the_same_story_survives_every_kind_of_newsroom_rewrite() {
        for (kind, title, paragraphs) in fixtures::rewrites() {
            // Arrange
            let mut docs = fixtures::background();
            docs.push(article(CHAIRMAN_ID, "business", CHAIRMAN_TITLE, &CHAIRMAN));
            docs.push(article(RESULTS_ID, "business", RESULTS_TITLE, &RESULTS));
            let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
            docs.push(article(2, "business", &title, &paragraphs));

            // Act
            let engine = engine_with(&docs);

            // Assert
            assert_eq!(
                engine.story_id(2),
                Some(RESULTS_ID),
                "{kind}: not the same story"
            );
            assert_eq!(
                engine.story_members(RESULTS_ID),
                vec![RESULTS_ID, 2],
                "{kind}"
            );
            assert_ne!(
                engine.story_id(CHAIRMAN_ID),
                Some(RESULTS_ID),
                "{kind}: merged"
            );
        }
    }

    #[test]
    fn a_different_story_about_the_same_company_is_related_but_not_merged() {
        // Arrange
        let engine = engine_with(&newsroom());

        // Act
        let list = engine.related(RESULTS_ID, 3);

        // Assert
        assert_eq!(engine.story_id(CHAIRMAN_ID), Some(CHAIRMAN_ID));
        assert_eq!(
            engine.story_members(RESULTS_ID),
            (1..=8).collect::<Vec<i64>>()
        );
        assert!(
            [CHAIRMAN_ID, 21].contains(&list[0].id),
            "the chairman story is the most related: {list:?}"
        );
    }

    #[test]
    fn removing_the_article_that_linked_two_versions_splits_the_story() {
        // Arrange: the first and second halves of a story share nothing; only the full
        // version links them.
        let mut docs = fixtures::background();
        docs.push(article(3, "business", RESULTS_TITLE, &RESULTS[..3]));
        docs.push(article(4, "business", "Norvale shares rise", &RESULTS[3..]));
        docs.push(article(5, "business", RESULTS_TITLE, &RESULTS));
        let mut engine = engine_with(&docs);
        assert_eq!(engine.story_members(4), vec![3, 4, 5]);

        // Act
        engine.remove(5);

        // Assert
        assert_eq!(engine.story_members(3), vec![3]);
        assert_eq!(engine.story_members(4), vec![4]);
        assert_eq!(engine.story_id(4), Some(4));
        assert!(engine.related(3, 10).iter().any(|r| r.id == 4));

        // Re-adding the link joins them again, under the smallest id.
        engine.upsert(&docs[6]);
        assert_eq!(engine.story_id(4), Some(3));
        assert_eq!(engine.story_members(5), vec![3, 4, 5]);
    }

    #[test]
    fn removing_one_of_three_copies_keeps_the_other_two_together() {
        // Arrange
        let mut docs = fixtures::background();
        for id in [7, 8, 9] {
            docs.push(article(id, "business", CHAIRMAN_TITLE, &CHAIRMAN));
        }
        let mut engine = engine_with(&docs);
        assert_eq!(engine.story_id(9), Some(7));

        // Act
        engine.remove(7);

        // Assert
        assert_eq!(engine.story_members(9), vec![8, 9]);
        assert_eq!(engine.story_id(9), Some(8));
    }
}
