//! The engine: per-article state, candidate generation, ranking and story clusters.
//!
//! Each article lives in a fixed-size [`Slot`] (336 bytes) holding its top
//! [`MAX_TERMS`] terms, their IDF-free weights and its MinHash signature. The inverted
//! index ([`Vocab`]) maps each term to the slots that carry it among their top terms; the
//! LSH table maps signature bands to slots.
//!
//! IDF is never stored: it is computed at query time from document frequencies, so every
//! score reflects the collection as it is now.

use std::collections::{HashMap, HashSet};

use xxhash_rust::xxh3::xxh3_64;

use crate::minhash::{self, LshTable, Signature, BANDS, EMPTY_SIGNATURE, SIG_LEN};
use crate::snapshot::{Reader, Saved, SnapshotError, Writer};
use crate::table::{std_hash_map_bytes, U64Map};
use crate::text::{self, Kind};
use crate::vocab::Vocab;
use crate::{Config, Doc, Related};

/// Terms kept per article: its vector for similarity and its entries in the inverted index.
pub(crate) const MAX_TERMS: usize = 40;

/// Term weights are stored as `u8` in steps of 1/16 (weights run from 1 to about 8).
const WEIGHT_SCALE: f32 = 16.0;

/// How the document frequency of a term discounts it when an article's top terms are
/// picked: by `1 - exp(-(df - 1) / MIN_DF_SCALE)`. A term no other article has cannot
/// relate this one to anything, and one only a few have rarely does; this is the soft form
/// of the `min_doc_freq = 5` of Lucene's MoreLikeThis.
const MIN_DF_SCALE: f32 = 5.0;

/// Of the [`MAX_TERMS`], how many are reserved for the article's most specific names and
/// figures.
const SPECIFIC_ENTITIES: usize = 4;

/// Candidates scored exactly per related query (before per-story collapsing).
const RERANK_POOL: usize = 200;
/// Upper bound on exact scoring when stories have many versions and the pool did not
/// bring enough distinct stories.
const RERANK_CAP: usize = 8192;
/// Content neighbours checked for being the same story when an article is indexed (on top
/// of LSH band matches): rewrites that share few shingles are found this way.
const DUPLICATE_NEIGHBOURS: usize = 10;
/// Below this estimated Jaccard similarity, containment alone does not make a duplicate:
/// chance shingle matches must not turn into "containment" of a short text.
const MIN_JACCARD_FOR_CONTAINMENT: f32 = 0.1;
/// Shingles the shorter article needs before containment is trusted (a two-line brief is
/// "contained" in many stories).
const MIN_SHINGLES_FOR_CONTAINMENT: u16 = 20;

/// Estimated Jaccard a rewrite needs: three of 64 signature positions agreeing, where
/// unrelated texts agree on 0.25 by chance (b-bit collisions).
const REWRITE_MIN_JACCARD: f32 = 0.04;

const NO_SECTION: u32 = u32::MAX;

/// Everything the engine keeps about one article.
#[derive(Clone, Debug)]
struct Slot {
    id: i64,
    published_at: i64,
    /// The story (cluster) id: the smallest article id in the cluster.
    story: i64,
    /// Hash of the text, so that re-indexing an unchanged article changes nothing.
    fingerprint: u64,
    /// Bit `i` set: `terms[i]` is a name or a figure.
    entities: u64,
    /// Next member of the same story: the members form a circular list.
    story_next: u32,
    section: u32,
    /// Distinct shingles behind `sig` (saturating).
    shingles: u16,
    n_terms: u8,
    /// Term ids, ascending.
    terms: [u32; MAX_TERMS],
    /// IDF-free weights of `terms` (sublinear field-weighted frequency times name boost),
    /// in units of 1/[`WEIGHT_SCALE`].
    weights: [u8; MAX_TERMS],
    sig: Signature,
    /// Tag ids, ascending.
    tags: Box<[u32]>,
}

impl Slot {
    fn terms(&self) -> &[u32] {
        &self.terms[..usize::from(self.n_terms)]
    }

    fn is_entity(&self, i: usize) -> bool {
        (self.entities >> i) & 1 == 1
    }
}

/// Names (sections, tags) to small ids. Never shrinks: sections and tags are a small,
/// curated vocabulary.
#[derive(Clone, Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.to_string(), id);
        id
    }

    fn memory_bytes(&self) -> usize {
        std_hash_map_bytes(self.ids.capacity(), std::mem::size_of::<(String, u32)>())
            + self.ids.keys().map(String::capacity).sum::<usize>()
    }
}

/// An article's term weights with IDF applied, and their norm.
struct Weighted {
    w: [f32; MAX_TERMS],
    norm: f32,
}

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

        let features = text::extract(doc, &self.config);
        let sig = minhash::signature(&features.shingles);
        let mut slot = Slot {
            id: doc.id,
            published_at: doc.published_at,
            story: doc.id,
            fingerprint,
            entities: 0,
            story_next: 0,
            section,
            shingles: features.shingles.len().min(usize::from(u16::MAX)) as u16,
            n_terms: 0,
            terms: [0; MAX_TERMS],
            weights: [0; MAX_TERMS],
            sig,
            tags,
        };
        self.pick_terms(&features.terms, &mut slot);

        let s = self.store(slot);
        for i in 0..usize::from(self.slots[s as usize].n_terms) {
            self.vocab.post(self.slots[s as usize].terms[i], s);
        }
        if self.slots[s as usize].shingles > 0 {
            for b in 0..BANDS {
                self.lsh
                    .insert(minhash::band_key(&self.slots[s as usize].sig, b), s);
            }
        }
        self.by_id.insert(doc.id as u64, s);
        self.link_duplicates(s);
    }

    /// Withdraws an article: from now on it is in no related list and no story, and the
    /// story it belonged to is split again where it was the only link between members.
    pub fn remove(&mut self, id: i64) {
        let Some(s) = self.by_id.remove(id as u64) else {
            return;
        };
        let slot = &self.slots[s as usize];
        for &t in slot.terms() {
            self.vocab.unpost(t, s);
        }
        if slot.shingles > 0 {
            for b in 0..BANDS {
                self.lsh.remove(minhash::band_key(&slot.sig, b), s);
            }
        }
        let others: Vec<u32> = self
            .story_cycle(s)
            .into_iter()
            .filter(|&m| m != s)
            .collect();
        let slot = &mut self.slots[s as usize];
        slot.story_next = s;
        slot.tags = Box::new([]);
        slot.n_terms = 0;
        slot.shingles = 0;
        slot.sig = EMPTY_SIGNATURE;
        self.free.push(s);
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
    /// `engine.rs`), times a section and tag overlap factor,
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
        let qs = &self.slots[q as usize];
        // Twice the limit in distinct stories leaves room for the section and recency
        // factors to reorder what content similarity found.
        let neighbours = self.content_neighbours(q, RERANK_POOL, limit * 2);
        let mut best: HashMap<i64, Related> = HashMap::new();
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
                    if ranks_before(&item, r) {
                        *r = item;
                    }
                })
                .or_insert(item);
        }
        let mut out: Vec<Related> = best.into_values().collect();
        out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out.truncate(limit);
        out
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
    }

    fn slot_of(&self, id: i64) -> Option<u32> {
        self.by_id.get(id as u64)
    }

    fn intern_tags(&mut self, tags: &[String]) -> Box<[u32]> {
        let mut ids: Vec<u32> = tags.iter().map(|t| self.tags.intern(t)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_boxed_slice()
    }

    /// Counts the article's terms into the document frequencies and keeps its top
    /// [`MAX_TERMS`].
    ///
    /// Most are picked for relating articles: by weight (sublinear field-weighted
    /// frequency, names boosted) times √IDF, discounted for terms few other articles have
    /// (see [`MIN_DF_SCALE`]). The last [`SPECIFIC_ENTITIES`] go to the most specific names
    /// and figures not yet picked that the article repeats or puts in its headline,
    /// undiscounted: they identify a story (and let the first article to name someone be
    /// found by the next one).
    fn pick_terms(&mut self, terms: &[text::Term], slot: &mut Slot) {
        self.vocab.add_doc();
        // (relating score, specificity, term hash, weight, salient name or figure)
        let mut all: Vec<(f32, f32, u64, f32, bool)> = Vec::with_capacity(terms.len());
        for t in terms {
            let df = self.vocab.count(t.hash);
            let boost = if t.kind == Kind::Name {
                self.config.name_boost
            } else {
                1.0
            };
            // Sublinear frequency: 1 + ln(tf) from one occurrence up (tf itself below, for
            // fields weighted under 1), so repeating a word has diminishing returns.
            let tf = if t.tf < 1.0 { t.tf } else { 1.0 + t.tf.ln() };
            let weight = tf * boost.max(0.0);
            let specificity = weight * self.vocab.sqrt_idf_of_df(df);
            let others = df.saturating_sub(1) as f32;
            let relating = specificity * (1.0 - (-others / MIN_DF_SCALE).exp());
            // A name or figure the article repeats (or puts in its headline) is what it is
            // about; one mentioned in passing is not worth a reserved place.
            let salient = t.kind != Kind::Word && t.tf >= 2.0;
            all.push((relating, specificity, t.hash, weight, salient));
        }
        // Ties (common among terms nobody else has yet) go to the more specific term, then
        // to the smaller hash (an arbitrary but fixed order).
        all.sort_unstable_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.total_cmp(&a.1))
                .then(a.2.cmp(&b.2))
        });
        let general = MAX_TERMS - SPECIFIC_ENTITIES;
        let (picked, rest) = all.split_at(general.min(all.len()));
        let mut picked = picked.to_vec();
        let mut rest = rest.to_vec();
        // Salient names and figures by specificity first; then, if there are not enough of
        // them, the next terms in relating order.
        rest.sort_by(|a, b| match (a.4, b.4) {
            (true, true) => b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => std::cmp::Ordering::Equal,
        });
        picked.extend(rest.into_iter().take(SPECIFIC_ENTITIES));
        let kind_of = |hash: u64| {
            terms
                .binary_search_by_key(&hash, |t| t.hash)
                .map_or(Kind::Word, |i| terms[i].kind)
        };
        let mut picked: Vec<(u32, f32, Kind)> = picked
            .into_iter()
            .map(|(_, _, hash, weight, _)| (self.vocab.id(hash), weight, kind_of(hash)))
            .collect();
        picked.sort_unstable_by_key(|p| p.0);
        for (i, &(id, weight, kind)) in picked.iter().enumerate() {
            slot.terms[i] = id;
            slot.weights[i] = (weight * WEIGHT_SCALE).round().clamp(1.0, 255.0) as u8;
            if kind != Kind::Word {
                slot.entities |= 1 << i;
            }
        }
        slot.n_terms = picked.len() as u8;
    }

    /// Puts a slot in the slab (reusing a free one) and returns its index.
    fn store(&mut self, slot: Slot) -> u32 {
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = slot;
                s
            }
            None => {
                if self.slots.len() == self.slots.capacity() {
                    // Grow by a sixteenth, not double: slots are the bulk of the memory.
                    self.slots.reserve_exact(self.slots.len() / 16 + 16);
                }
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.slots[s as usize].story_next = s;
        s
    }

    /// The article's weights with √IDF applied, and their norm. The norm leaves out terms
    /// no other article has ever had: they cannot match anything, and would only penalise
    /// articles that happen to be first to mention something.
    fn weighted(&self, s: &Slot) -> Weighted {
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
    fn cosine_weighted(&self, a: &Slot, wa: &Weighted, b: &Slot, wb: &Weighted) -> f32 {
        if wa.norm <= 0.0 || wb.norm <= 0.0 {
            return 0.0;
        }
        let mut dot = 0.0;
        for_shared_terms(a, b, |i, j| dot += wa.w[i] * wb.w[j]);
        (dot / (wa.norm * wb.norm)).min(1.0)
    }

    /// Cosine of two articles' top-term TF-IDF vectors with every term in the norms. For
    /// the same-story test: a term only one of them has is evidence that they differ, which
    /// the ranking cosine leaves out (on a young site, where most words are new, that
    /// cosine would call two stories about one topic the same story).
    fn full_cosine(&self, a: u32, b: u32) -> f32 {
        let (sa, sb) = (&self.slots[a as usize], &self.slots[b as usize]);
        let full = |s: &Slot| {
            let mut weighted = self.weighted(s);
            weighted.norm = weighted.w[..s.terms().len()]
                .iter()
                .map(|w| w * w)
                .sum::<f32>()
                .sqrt();
            weighted
        };
        self.cosine_weighted(sa, &full(sa), sb, &full(sb))
    }

    /// IDF-weighted share of the names and figures (among the top terms) of the article
    /// with fewer of them that the other article also has.
    fn entity_overlap(&self, a: u32, b: u32) -> f32 {
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

    /// The other articles that share top terms with `q`, with their exact cosine, best
    /// first.
    ///
    /// Candidates come from the inverted index, ranked first by a cheap estimate (the
    /// query's weight of each shared term times that term's √IDF, as if the candidate
    /// weighed it like an average article); the best `pool` are then scored exactly, and
    /// more (up to [`RERANK_CAP`]) while fewer than `min_stories` distinct stories other
    /// than `q`'s have been seen.
    fn content_neighbours(&self, q: u32, pool: usize, min_stories: usize) -> Vec<(u32, f32)> {
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
    /// tags) and `w` is [`Config::metadata_weight`]. Metadata only ever boosts: an article
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

    /// True when two articles are versions of the same story (DESIGN.md: related lists
    /// never show "two items about the same story").
    ///
    /// Either they share word runs — estimated shingle Jaccard of at least
    /// [`Config::duplicate_jaccard`], or most of the shorter one's shingles inside the
    /// longer one (containment: cut-down and extended versions) — or they are rewrites:
    /// a high TF-IDF cosine together with a high overlap of names and figures.
    fn same_story(&self, a: u32, b: u32) -> bool {
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
        sa.shingles > 0
            && sb.shingles > 0
            && minhash::jaccard(&sa.sig, &sb.sig) >= REWRITE_MIN_JACCARD
            && self.full_cosine(a, b) >= self.config.rewrite_cosine
            && self.entity_overlap(a, b) >= self.config.rewrite_entity_overlap
    }

    /// Finds the stories a freshly indexed slot belongs to and merges them with its own.
    fn link_duplicates(&mut self, s: u32) {
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
        for c in candidates {
            if self.slots[s as usize].story != self.slots[c as usize].story && self.same_story(s, c)
            {
                self.merge(s, c);
            }
        }
    }

    /// Members of the slot's story, starting with the slot itself.
    fn story_cycle(&self, s: u32) -> Vec<u32> {
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

    /// Recomputes the stories of `members` (what is left of a story after a removal) as
    /// the connected components (union-find) of the same-story relation among them.
    fn resplit(&mut self, mut members: Vec<u32>) {
        members.sort_unstable();
        let n = members.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for i in 0..n {
            for j in i + 1..n {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                if ri != rj && self.same_story(members[i], members[j]) {
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, &m) in members.iter().enumerate() {
            let r = find(&mut parent, i);
            groups[r].push(m);
        }
        for group in groups.into_iter().filter(|g| !g.is_empty()) {
            let story = group
                .iter()
                .map(|&m| self.slots[m as usize].id)
                .min()
                .unwrap_or_default();
            for (k, &m) in group.iter().enumerate() {
                let slot = &mut self.slots[m as usize];
                slot.story = story;
                slot.story_next = group[(k + 1) % group.len()];
            }
        }
    }
}

/// Calls `f(i, j)` for every term that `a.terms()[i]` and `b.terms()[j]` share.
fn for_shared_terms(a: &Slot, b: &Slot, mut f: impl FnMut(usize, usize)) {
    let (ta, tb) = (a.terms(), b.terms());
    let (mut i, mut j) = (0, 0);
    while i < ta.len() && j < tb.len() {
        match ta[i].cmp(&tb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(i, j);
                i += 1;
                j += 1;
            }
        }
    }
}

impl Engine {
    /// Writes the whole engine to `sink`, in pieces of about 64 KiB, as
    /// [`Engine::from_snapshot`] reads it back.
    pub fn write_snapshot(&self, sink: &mut dyn FnMut(&[u8])) {
        let mut w = Writer::start(sink, &self.config);
        w.len(self.slots.len());
        for slot in &self.slots {
            slot.save(&mut w);
        }
        w.u32s(&self.free);
        self.by_id.save(&mut w);
        self.vocab.save(&mut w);
        self.sections.save(&mut w);
        self.tags.save(&mut w);
        self.lsh.save(&mut w);
        w.finish();
    }

    /// An engine from what [`Engine::write_snapshot`] wrote with the same `config`; the
    /// same answers as the engine that was saved. A snapshot from another format or
    /// config, or a damaged one, is an error, never a panic.
    pub fn from_snapshot(bytes: &[u8], config: Config) -> Result<Engine, SnapshotError> {
        let mut r = Reader::start(bytes, &config)?;
        let n = r.len(SLOT_MIN_BYTES)?;
        let slots = (0..n)
            .map(|_| Slot::load(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        let engine = Engine {
            config,
            free: r.u32s()?,
            by_id: U64Map::load(&mut r)?,
            vocab: Vocab::load(&mut r)?,
            sections: Interner::load(&mut r)?,
            tags: Interner::load(&mut r)?,
            lsh: LshTable::load(&mut r)?,
            slots,
        };
        r.end()?;
        let count = engine.slots.len();
        let links_ok = engine.free.iter().all(|&f| (f as usize) < count)
            && engine.slots.iter().all(|s| (s.story_next as usize) < count);
        if !links_ok {
            return Err(SnapshotError("slot links out of range".into()));
        }
        Ok(engine)
    }
}

/// The fixed part of a saved slot, for bounding a slot count by the bytes left.
const SLOT_MIN_BYTES: usize = 8 * 5 + 4 * 2 + 2 + 1 + SIG_LEN + 8;

impl Saved for Slot {
    fn save(&self, w: &mut Writer<'_>) {
        w.i64(self.id);
        w.i64(self.published_at);
        w.i64(self.story);
        w.u64(self.fingerprint);
        w.u64(self.entities);
        w.u32(self.story_next);
        w.u32(self.section);
        w.u16(self.shingles);
        w.u8(self.n_terms);
        for &t in self.terms() {
            w.u32(t);
        }
        for &weight in &self.weights[..usize::from(self.n_terms)] {
            w.u8(weight);
        }
        for &b in &self.sig {
            w.u8(b);
        }
        w.u32s(&self.tags);
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        let id = r.i64()?;
        let published_at = r.i64()?;
        let story = r.i64()?;
        let fingerprint = r.u64()?;
        let entities = r.u64()?;
        let story_next = r.u32()?;
        let section = r.u32()?;
        let shingles = r.u16()?;
        let n_terms = r.u8()?;
        if usize::from(n_terms) > MAX_TERMS {
            return Err(SnapshotError("too many terms in a slot".into()));
        }
        let mut terms = [0u32; MAX_TERMS];
        for t in terms.iter_mut().take(usize::from(n_terms)) {
            *t = r.u32()?;
        }
        let mut weights = [0u8; MAX_TERMS];
        for w in weights.iter_mut().take(usize::from(n_terms)) {
            *w = r.u8()?;
        }
        let mut sig = EMPTY_SIGNATURE;
        for b in sig.iter_mut() {
            *b = r.u8()?;
        }
        Ok(Slot {
            id,
            published_at,
            story,
            fingerprint,
            entities,
            story_next,
            section,
            shingles,
            n_terms,
            terms,
            weights,
            sig,
            tags: r.u32s()?.into_boxed_slice(),
        })
    }
}

impl Saved for Interner {
    fn save(&self, w: &mut Writer<'_>) {
        let mut names: Vec<(&String, &u32)> = self.ids.iter().collect();
        names.sort_unstable_by_key(|&(_, id)| *id);
        w.len(names.len());
        for (name, &id) in names {
            w.bytes(name.as_bytes());
            w.u32(id);
        }
    }

    fn load(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        let n = r.len(12)?;
        let mut ids = HashMap::with_capacity(n);
        for _ in 0..n {
            let name = std::str::from_utf8(r.bytes()?)
                .map_err(|_| SnapshotError("a name is not UTF-8".into()))?;
            ids.insert(name.to_owned(), r.u32()?);
        }
        Ok(Interner { ids })
    }
}

/// Higher score first; on a tie, the smaller id (results never depend on map order).
fn ranks_before(a: &Related, b: &Related) -> bool {
    a.score > b.score || (a.score == b.score && a.id < b.id)
}

/// Hash of the text fields, to recognise a re-index of unchanged text.
fn fingerprint(doc: &Doc) -> u64 {
    let standfirst = doc.standfirst.as_deref().unwrap_or("");
    let mut bytes = Vec::with_capacity(doc.title.len() + standfirst.len() + doc.body.len() + 2);
    bytes.extend_from_slice(doc.title.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(standfirst.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(doc.body.as_bytes());
    xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, article, CHAIRMAN, CHAIRMAN_TITLE, RESULTS, RESULTS_TITLE};

    const RESULTS_ID: i64 = 1;
    const CHAIRMAN_ID: i64 = 20;

    fn engine_with(docs: &[Doc]) -> Engine {
        let mut engine = Engine::new(Config::default());
        for d in docs {
            engine.upsert(d);
        }
        engine
    }

    /// Background, the results story, its rewrites (ids 2..), the chairman story and an
    /// exact copy of it (21), and a copy of a background story (203).
    fn newsroom() -> Vec<Doc> {
        let mut docs = fixtures::background();
        docs.push(article(RESULTS_ID, "business", RESULTS_TITLE, &RESULTS));
        for (i, (_, title, paragraphs)) in fixtures::rewrites().into_iter().enumerate() {
            let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
            docs.push(article(2 + i as i64, "business", &title, &paragraphs));
        }
        docs.push(article(CHAIRMAN_ID, "business", CHAIRMAN_TITLE, &CHAIRMAN));
        docs.push(article(21, "business", CHAIRMAN_TITLE, &CHAIRMAN));
        let mut copy = docs[3].clone();
        copy.id = 203;
        docs.push(copy);
        docs
    }

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

    fn plain(id: i64, title: &str, body: String) -> Doc {
        Doc {
            id,
            title: title.to_string(),
            body,
            ..Doc::default()
        }
    }

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

    fn snapshot_of(engine: &Engine) -> Vec<u8> {
        let mut bytes = Vec::new();
        engine.write_snapshot(&mut |chunk| bytes.extend_from_slice(chunk));
        bytes
    }

    /// Every answer the engine gives about `ids`.
    fn answers(engine: &Engine, ids: &[i64]) -> Vec<(Option<i64>, Vec<Related>, Vec<i64>)> {
        ids.iter()
            .map(|&id| {
                (
                    engine.story_id(id),
                    engine.related(id, 10),
                    engine.story_members(id),
                )
            })
            .collect()
    }

    #[test]
    fn a_loaded_snapshot_answers_and_changes_like_the_saved_engine() {
        let mut docs = newsroom();
        let extra = docs.pop().expect("a document to add later");
        let mut engine = engine_with(&docs);
        engine.remove(docs[3].id);
        let bytes = snapshot_of(&engine);
        let mut loaded = Engine::from_snapshot(&bytes, Config::default()).expect("loads");
        let mut ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
        ids.push(extra.id);
        assert_eq!(loaded.len(), engine.len());
        assert_eq!(answers(&loaded, &ids), answers(&engine, &ids));
        // And it keeps working the same way: a new article, a removal, a re-add.
        for e in [&mut engine, &mut loaded] {
            e.upsert(&extra);
            e.remove(docs[5].id);
            e.upsert(&docs[3]);
        }
        assert_eq!(answers(&loaded, &ids), answers(&engine, &ids));
        assert_eq!(snapshot_of(&loaded), snapshot_of(&engine));
    }

    #[test]
    fn a_damaged_or_foreign_snapshot_is_refused_without_panicking() {
        let engine = engine_with(&newsroom());
        let bytes = snapshot_of(&engine);
        let other = Config {
            title_weight: 3.0,
            ..Config::default()
        };
        assert!(
            Engine::from_snapshot(&bytes, other).is_err(),
            "another config"
        );
        for cut in [0, 7, 8, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(Engine::from_snapshot(&bytes[..cut], Config::default()).is_err());
        }
        for at in [0, 20, bytes.len() / 3, bytes.len() - 9, bytes.len() - 1] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x40;
            assert!(Engine::from_snapshot(&flipped, Config::default()).is_err());
        }
        assert!(Engine::from_snapshot(
            &snapshot_of(&Engine::new(Config::default())),
            Config::default()
        )
        .is_ok_and(|e| e.is_empty()));
    }

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
        let engine = engine_with(&docs);
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
        assert!((lift - 1.25).abs() < 1e-4, "lift {lift}");
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
    fn per_article_state_is_a_compact_fixed_size_slot() {
        // Term ids u32, weights u8, a 64-byte signature, fixed arrays: no per-article
        // allocation besides tags.
        assert!(
            std::mem::size_of::<Slot>() <= 344,
            "{}",
            std::mem::size_of::<Slot>()
        );
        assert_eq!(std::mem::size_of::<Signature>(), 64);
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

    #[test]
    fn the_crate_never_does_io() {
        // DESIGN.md / STYLE.md: related never does I/O. No file, network, environment,
        // clock, process or printing APIs in its source.
        let sources = [
            include_str!("lib.rs"),
            include_str!("engine.rs"),
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
