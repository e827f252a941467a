//! How related two articles are, and which articles are worth scoring at all.
//!
//! A related article's score is the cosine of the two articles' TF-IDF vectors over their
//! top terms, times a section-and-tag factor and a recency factor. IDF is never stored: it
//! is computed at query time from document frequencies, so every score reflects the
//! collection as it is now. Candidates come from the inverted index, and only the most
//! promising are scored exactly.

use std::collections::{HashMap, HashSet};

use super::slots::{for_shared_terms, Slot, MAX_TERMS, NO_SECTION, WEIGHT_SCALE};
use super::Engine;
use crate::Related;

/// Candidates scored exactly per related query (before per-story collapsing).
const RERANK_POOL: usize = 200;
/// Upper bound on exact scoring when stories have many versions and the pool did not
/// bring enough distinct stories.
const RERANK_CAP: usize = 8192;
/// Nearest neighbours whose vectors feed back into the query (see `with_feedback`): ten,
/// as in the classic pseudo-relevance feedback setups; with ten, one off-topic neighbour
/// cannot pull the list away.
const FEEDBACK_DOCS: usize = 10;
/// Distinct stories considered per list item asked for.
const POOL_PER_ITEM: usize = 2;

/// An article's term weights with IDF applied, and their norm.
pub(super) struct Weighted {
    pub(super) w: [f32; MAX_TERMS],
    pub(super) norm: f32,
}

impl Engine {
    /// The related list of the article in slot `q`, at most `limit` long (not zero): see
    /// [`Engine::related`].
    pub(super) fn rank(&self, q: u32, limit: usize) -> Vec<Related> {
        let qs = &self.slots[q as usize];
        // More distinct stories than the list holds: room for the section and recency
        // factors to reorder what content similarity found, and for the diversity rule
        // (`engine/lists.rs`) to pass over items too close to the ones chosen.
        let pool = limit * POOL_PER_ITEM;
        let neighbours = self.with_feedback(q, self.content_neighbours(q, RERANK_POOL, pool));
        let mut best: HashMap<i64, (u32, Related)> = HashMap::new();
        for (d, cos) in neighbours {
            let ds = &self.slots[d as usize];
            if ds.story == qs.story {
                continue;
            }
            let score = (cos * self.metadata_factor(qs, ds) * self.recency_factor(qs, ds)).min(1.0);
            if score.is_nan() || score <= 0.0 {
                continue;
            }
            let item = Related { id: ds.id, score };
            best.entry(ds.story)
                .and_modify(|r| {
                    if ranks_before(&item, &r.1) {
                        *r = (d, item);
                    }
                })
                .or_insert((d, item));
        }
        let mut out: Vec<(u32, Related)> = best.into_values().collect();
        out.sort_unstable_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.1.id.cmp(&b.1.id)));
        out.truncate(pool);
        self.diversify(q, out, limit)
    }

    /// Re-scores `neighbours` (slot and cosine, best first) with pseudo-relevance feedback
    /// (Rocchio): the query's vector plus [`Config::feedback_weight`](crate::Config::feedback_weight) times the mean of
    /// its [`FEEDBACK_DOCS`] nearest neighbours' vectors, each normalised. An article's own
    /// top terms are few, and two articles on one subject often share only some of them;
    /// the neighbours bring in the subject's other words, so a candidate that shares those
    /// rises. The candidates stay those the inverted index found; only their order changes.
    /// The result is sorted again, best first.
    fn with_feedback(&self, q: u32, neighbours: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
        let beta = self.config.feedback_weight;
        if beta.is_nan() || beta <= 0.0 || neighbours.is_empty() {
            return neighbours;
        }
        let mut expanded: Vec<(u32, f32)> = Vec::with_capacity(MAX_TERMS * (FEEDBACK_DOCS + 1));
        let add = |s: u32, scale: f32, out: &mut Vec<(u32, f32)>| {
            let slot = &self.slots[s as usize];
            let w = self.weighted(slot);
            if w.norm > 0.0 {
                for (i, &t) in slot.terms().iter().enumerate() {
                    if self.vocab.df(t) >= 2 {
                        out.push((t, scale * w.w[i] / w.norm));
                    }
                }
            }
        };
        add(q, 1.0, &mut expanded);
        let k = neighbours.len().min(FEEDBACK_DOCS);
        for &(d, _) in &neighbours[..k] {
            add(d, beta / k as f32, &mut expanded);
        }
        expanded.sort_unstable_by_key(|e| e.0);
        expanded.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        let norm2 = expanded.iter().map(|e| e.1 * e.1).sum::<f32>();
        if norm2 <= 0.0 {
            return neighbours;
        }
        let feedback: Vec<u32> = neighbours[..k].iter().map(|n| n.0).collect();
        let share = beta / k as f32;
        let mut out: Vec<(u32, f32)> = neighbours
            .into_iter()
            .map(|(d, _)| {
                let slot = &self.slots[d as usize];
                let w = self.weighted(slot);
                if w.norm <= 0.0 {
                    return (d, 0.0);
                }
                let mut dot = 0.0;
                for (i, t) in slot.terms().iter().enumerate() {
                    if self.vocab.df(*t) < 2 {
                        continue;
                    }
                    if let Ok(j) = expanded.binary_search_by_key(t, |e| e.0) {
                        dot += expanded[j].1 * w.w[i];
                    }
                }
                // A feedback article is scored against the query without its own vector
                // (leave one out): otherwise its share of the query, a perfect match to
                // itself, would keep it on top whatever the section and recency factors
                // say afterwards. With d̂ its unit vector and s its share:
                // q'' = q' - s·d̂, so q''·d = q'·d - s·|d| and |q''|² = |q'|² - 2s·q'·d̂ + s².
                let (dot, n2) = if feedback.contains(&d) {
                    (
                        dot - share * w.norm,
                        norm2 - 2.0 * share * dot / w.norm + share * share,
                    )
                } else {
                    (dot, norm2)
                };
                if n2 <= 0.0 {
                    return (d, 0.0);
                }
                (d, (dot / (n2.sqrt() * w.norm)).clamp(0.0, 1.0))
            })
            .filter(|&(_, c)| c > 0.0)
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The article's weights with √IDF applied, and their norm. The norm leaves out terms
    /// no other article has ever had: they cannot match anything, and would only penalise
    /// articles that happen to be first to mention something.
    pub(super) fn weighted(&self, s: &Slot) -> Weighted {
        let mut w = [0.0; MAX_TERMS];
        let mut sum = 0.0;
        for (i, &t) in s.terms().iter().enumerate() {
            w[i] = f32::from(s.weights[i]) / WEIGHT_SCALE * self.vocab.sqrt_idf(t);
            if self.vocab.df(t) >= 2 {
                sum += w[i] * w[i];
            }
        }
        Weighted {
            w,
            norm: sum.sqrt(),
        }
    }

    /// Cosine of two articles' top-term TF-IDF vectors.
    pub(super) fn cosine_weighted(&self, a: &Slot, wa: &Weighted, b: &Slot, wb: &Weighted) -> f32 {
        if wa.norm <= 0.0 || wb.norm <= 0.0 {
            return 0.0;
        }
        let mut dot = 0.0;
        for_shared_terms(a, b, |i, j| dot += wa.w[i] * wb.w[j]);
        (dot / (wa.norm * wb.norm)).min(1.0)
    }

    /// The other articles that share top terms with `q`, with their exact cosine, best
    /// first.
    ///
    /// Candidates come from the inverted index, ranked first by a cheap estimate (the
    /// query's weight of each shared term times that term's √IDF, as if the candidate
    /// weighed it like an average article); the best `pool` are then scored exactly, and
    /// more (up to [`RERANK_CAP`]) while fewer than `min_stories` distinct stories other
    /// than `q`'s have been seen.
    pub(super) fn content_neighbours(
        &self,
        q: u32,
        pool: usize,
        min_stories: usize,
    ) -> Vec<(u32, f32)> {
        let qs = &self.slots[q as usize];
        let qw = self.weighted(qs);
        if qw.norm <= 0.0 {
            return Vec::new();
        }
        let mut acc = vec![0.0f32; self.slots.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (i, &t) in qs.terms().iter().enumerate() {
            if self.vocab.df(t) < 2 {
                continue;
            }
            let contribution = qw.w[i] * self.vocab.sqrt_idf(t);
            for d in self.vocab.postings(t) {
                if d == q {
                    continue;
                }
                let a = &mut acc[d as usize];
                if *a == 0.0 {
                    touched.push(d);
                }
                *a += contribution;
            }
        }
        let mut order: Vec<(f32, u32)> = touched.iter().map(|&d| (acc[d as usize], d)).collect();
        let by_estimate = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let mut out: Vec<(u32, f32)> = Vec::new();
        let mut stories: HashSet<i64> = HashSet::new();
        let mut done = 0;
        let chunk = pool.max(16);
        while done < order.len() && done < RERANK_CAP {
            if done >= pool && stories.len() >= min_stories {
                break;
            }
            let rest = &mut order[done..];
            let take = chunk.min(rest.len());
            if take < rest.len() {
                rest.select_nth_unstable_by(take - 1, by_estimate);
            }
            rest[..take].sort_unstable_by(by_estimate);
            for &(_, d) in &rest[..take] {
                let ds = &self.slots[d as usize];
                let cos = self.cosine_weighted(qs, &qw, ds, &self.weighted(ds));
                if cos > 0.0 {
                    out.push((d, cos));
                    if ds.story != qs.story {
                        stories.insert(ds.story);
                    }
                }
            }
            done += take;
        }
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Section and tag overlap as a factor in (0, 1]: `(1 + w·m) / (1 + w)`, where `m` is
    /// the mean of the signals both articles have (same section: 0 or 1; Jaccard of their
    /// tags) and `w` is [`Config::metadata_weight`](crate::Config::metadata_weight). Metadata only ever boosts: an article
    /// without section or tags is treated like one with no overlap.
    fn metadata_factor(&self, a: &Slot, b: &Slot) -> f32 {
        let w = self.config.metadata_weight.max(0.0);
        let mut sum = 0.0;
        let mut n = 0.0;
        if a.section != NO_SECTION && b.section != NO_SECTION {
            sum += if a.section == b.section { 1.0 } else { 0.0 };
            n += 1.0;
        }
        if !a.tags.is_empty() && !b.tags.is_empty() {
            let shared = a
                .tags
                .iter()
                .filter(|t| b.tags.binary_search(t).is_ok())
                .count();
            let union = a.tags.len() + b.tags.len() - shared;
            sum += shared as f32 / union as f32;
            n += 1.0;
        }
        let m = if n > 0.0 { sum / n } else { 0.0 };
        (1.0 + w * m) / (1.0 + w)
    }

    /// `0.5^(|Δt| / half-life)`; 1 when recency is off.
    fn recency_factor(&self, a: &Slot, b: &Slot) -> f32 {
        let half_life = self.config.recency_half_life_days * 86_400.0;
        if !half_life.is_finite() || half_life <= 0.0 {
            return 1.0;
        }
        let dt = (a.published_at as f64 - b.published_at as f64).abs();
        0.5f64.powf(dt / half_life) as f32
    }
}

/// Higher score first; on a tie, the smaller id (results never depend on map order).
fn ranks_before(a: &Related, b: &Related) -> bool {
    a.score > b.score || (a.score == b.score && a.id < b.id)
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{self, engine_with, plain};
    use crate::{Doc, Related};

    /// Words in a scrambled order, in sentences and paragraphs: shared vocabulary without
    /// shared word runs.
    fn prose(words: &[&str], seed: u64) -> String {
        let mut w: Vec<&str> = words.to_vec();
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for i in (1..w.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let sentences: Vec<String> = w.chunks(8).map(|s| s.join(" ") + ".").collect();
        let paragraphs: Vec<String> = sentences.chunks(3).map(|p| p.join(" ")).collect();
        paragraphs.join("\n\n")
    }

    const TOPIC: [&str; 24] = [
        "wind",
        "turbine",
        "offshore",
        "energy",
        "grid",
        "power",
        "farm",
        "coast",
        "electricity",
        "capacity",
        "megawatt",
        "blade",
        "tower",
        "cable",
        "storage",
        "battery",
        "consumer",
        "price",
        "supply",
        "demand",
        "network",
        "engineer",
        "contract",
        "investment",
    ];

    #[test]
    fn headline_words_count_more_than_the_same_words_in_the_body() {
        // Arrange: 10 and 11 have the same words; 10 has "turbine" in its headline.
        let mut docs: Vec<Doc> = fixtures::background();
        let mut query_words: Vec<&str> = TOPIC.to_vec();
        query_words.extend(["turbine"; 6]);
        docs.push(plain(1, "Turbine turbine", prose(&query_words, 1)));
        let filler = [
            "harbour",
            "ferry",
            "ticket",
            "passenger",
            "timetable",
            "route",
        ];
        let mut with = filler.to_vec();
        with.extend(["update", "energy", "grid"]);
        let mut without = with.clone();
        without.push("turbine");
        with.push("update");
        docs.push(plain(10, "turbine", prose(&with, 2)));
        docs.push(plain(11, "update", prose(&without, 3)));
        let engine = engine_with(&docs);

        // Act
        let list = engine.related(1, 10);

        // Assert
        let score = |id| list.iter().find(|r| r.id == id).map(|r| r.score);
        assert!(score(10) > score(11), "{list:?}");
        assert_ne!(engine.story_id(10), engine.story_id(11));
    }

    #[test]
    fn names_count_more_than_ordinary_words() {
        // Arrange: 10 names Salgado, 11 uses "salgado" as a plain word; otherwise equal.
        let mut docs: Vec<Doc> = fixtures::background();
        let query = "The minister met Salgado on Monday. Officials said Salgado would \
                     return. The talks with Salgado covered energy and the grid.";
        docs.push(plain(1, "Talks", query.to_string()));
        let filler = "The harbour ferry timetable changed. Passengers bought tickets for \
                      the new route.";
        docs.push(plain(
            10,
            "Ferry",
            format!("{filler} The ferry owner is Salgado."),
        ));
        docs.push(plain(
            11,
            "Ferry",
            format!("{filler} The ferry owner salgado agreed."),
        ));
        let engine = engine_with(&docs);

        // Act
        let list = engine.related(1, 10);

        // Assert
        let score = |id| list.iter().find(|r| r.id == id).map(|r| r.score);
        assert!(score(10) > score(11), "{list:?}");
    }

    /// A query and two candidates with exactly the same words (so the same content score).
    /// The event window is off: these tests measure the ranking factors, and inside the
    /// window a list shows only one of two such twins (`lists.rs` tests that).
    fn twins(
        query: impl Fn(&mut Doc),
        first: impl Fn(&mut Doc),
        second: impl Fn(&mut Doc),
    ) -> Vec<Related> {
        let mut docs: Vec<Doc> = fixtures::background();
        let mut q = plain(1, "Wind power", prose(&TOPIC, 1));
        let half: Vec<&str> = TOPIC[..16].iter().copied().chain(["ferry"; 3]).collect();
        let mut a = plain(10, "Wind", prose(&half, 2));
        let mut b = plain(11, "Wind", prose(&half, 3));
        query(&mut q);
        first(&mut a);
        second(&mut b);
        docs.extend([q, a, b]);
        let mut engine = crate::Engine::new(crate::Config {
            event_window_hours: 0.0,
            ..crate::Config::default()
        });
        for d in &docs {
            engine.upsert(d);
        }
        assert_ne!(engine.story_id(10), engine.story_id(11));
        engine.related(1, 10)
    }

    #[test]
    fn the_same_section_lifts_an_article_by_the_metadata_weight() {
        // Arrange, Act
        let list = twins(
            |q| q.section = Some("business".into()),
            |a| a.section = Some("sport".into()),
            |b| b.section = Some("business".into()),
        );

        // Assert
        assert_eq!(list[0].id, 11, "{list:?}");
        assert_eq!(list[1].id, 10, "{list:?}");
        let lift = list[0].score / list[1].score;
        let expected = 1.0 + crate::Config::default().metadata_weight;
        assert!((lift - expected).abs() < 1e-4, "lift {lift}");
    }

    #[test]
    fn shared_tags_lift_an_article() {
        // Arrange, Act
        let list = twins(
            |q| q.tags = vec!["wind".into(), "energy".into()],
            |a| a.tags = vec!["energy".into(), "wind".into()],
            |b| b.tags = vec!["ferries".into()],
        );

        // Assert
        assert_eq!(list[0].id, 10, "{list:?}");
        assert_eq!(list[1].id, 11, "{list:?}");
        assert!(list[0].score > list[1].score);
    }

    #[test]
    fn an_article_one_half_life_away_scores_half() {
        // Arrange, Act
        let day = 86_400;
        let list = twins(
            |q| q.published_at = 1_000 * day,
            |a| a.published_at = 1_000 * day + 365 * day,
            |b| b.published_at = 1_000 * day - day / 24,
        );

        // Assert
        assert_eq!(list[0].id, 11, "{list:?}");
        let ratio = list[1].score / list[0].score;
        assert!((ratio - 0.5).abs() < 1e-3, "ratio {ratio}");
    }

    #[test]
    fn equal_scores_go_to_the_smaller_id() {
        // Arrange, Act
        let list = twins(|_| {}, |_| {}, |_| {});

        // Assert
        assert_eq!(list[0].score, list[1].score);
        assert_eq!((list[0].id, list[1].id), (10, 11));
    }
}
