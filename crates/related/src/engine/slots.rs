//! Per-article storage: the fixed-size [`Slot`] each article lives in, the slab of slots
//! (reused through a free list, found by article id), sections and tags as small ids, and
//! which of an article's terms its slot keeps.
//!
//! A slot holds no allocation besides its tags: slots are the bulk of the engine's memory,
//! which must stay small per article on a large archive.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use super::Engine;
use crate::minhash::{self, Signature, BANDS, EMPTY_SIGNATURE};
use crate::table::std_hash_map_bytes;
use crate::text::{self, Kind};
use crate::Doc;

/// Terms kept per article: its vector for similarity and its entries in the inverted index.
pub(super) const MAX_TERMS: usize = 40;

/// Term weights are stored as `u8` in steps of 1/16 (weights run from 1 to about 8).
pub(super) const WEIGHT_SCALE: f32 = 16.0;

/// How the document frequency of a term discounts it when an article's top terms are
/// picked: by `1 - exp(-(df - 1) / MIN_DF_SCALE)`. A term no other article has cannot
/// relate this one to anything, and one only a few have rarely does; this is the soft form
/// of the `min_doc_freq = 5` of Lucene's MoreLikeThis.
const MIN_DF_SCALE: f32 = 5.0;

/// Of the [`MAX_TERMS`], how many are reserved for the article's most specific names and
/// figures.
const SPECIFIC_ENTITIES: usize = 4;

/// Figures (numbers) kept per article for the same-event test, as 16-bit hashes: the
/// death toll, the score, the sum of money and the date are what two reports of one event
/// share and the next event of the kind does not. Six fit in the slot's padding.
pub(super) const FIGURES: usize = 6;

/// The section id of an article without a section.
pub(super) const NO_SECTION: u32 = u32::MAX;

/// Everything the engine keeps about one article.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub(super) id: i64,
    pub(super) published_at: i64,
    /// The story (cluster) id: the smallest article id in the cluster.
    pub(super) story: i64,
    /// Hash of the text, so that re-indexing an unchanged article changes nothing.
    pub(super) fingerprint: u64,
    /// Bit `i` set: `terms[i]` is a name or a figure.
    pub(super) entities: u64,
    /// Next member of the same story: the members form a circular list.
    pub(super) story_next: u32,
    pub(super) section: u32,
    /// Distinct shingles behind `sig` (saturating).
    pub(super) shingles: u16,
    pub(super) n_terms: u8,
    /// The article's most specific figures as 16-bit hashes (never 0; 0 is an empty
    /// place), ascending: see [`FIGURES`].
    pub(super) figures: [u16; FIGURES],
    /// Term ids, ascending.
    pub(super) terms: [u32; MAX_TERMS],
    /// IDF-free weights of `terms` (sublinear field-weighted frequency times name boost),
    /// in units of 1/[`WEIGHT_SCALE`].
    pub(super) weights: [u8; MAX_TERMS],
    pub(super) sig: Signature,
    /// Tag ids, ascending.
    pub(super) tags: Box<[u32]>,
}

impl Slot {
    pub(super) fn terms(&self) -> &[u32] {
        &self.terms[..usize::from(self.n_terms)]
    }

    pub(super) fn is_entity(&self, i: usize) -> bool {
        (self.entities >> i) & 1 == 1
    }

    /// How many figures two articles share.
    pub(super) fn shared_figures(&self, other: &Slot) -> usize {
        self.figures
            .iter()
            .filter(|&&f| f != 0 && other.figures.contains(&f))
            .count()
    }
}

/// Names (sections, tags) to small ids. Never shrinks: sections and tags are a small,
/// curated vocabulary.
#[derive(Clone, Debug, Default)]
pub(super) struct Interner {
    pub(super) ids: HashMap<String, u32>,
}

impl Interner {
    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.to_string(), id);
        id
    }

    pub(super) fn memory_bytes(&self) -> usize {
        std_hash_map_bytes(self.ids.capacity(), std::mem::size_of::<(String, u32)>())
            + self.ids.keys().map(String::capacity).sum::<usize>()
    }
}

impl Engine {
    /// The slot of an indexed article.
    pub(super) fn slot_of(&self, id: i64) -> Option<u32> {
        self.by_id.get(id as u64)
    }

    /// The article's tags as ids, ascending and without repeats.
    pub(super) fn intern_tags(&mut self, tags: &[String]) -> Box<[u32]> {
        let mut ids: Vec<u32> = tags.iter().map(|t| self.tags.intern(t)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_boxed_slice()
    }

    /// Builds the slot of an article that is not indexed, stores it, and enters its top
    /// terms in the inverted index and its signature bands in the LSH table. Its story is
    /// its own until [`Engine::link_duplicates`] runs.
    pub(super) fn add_slot(
        &mut self,
        doc: &Doc,
        fingerprint: u64,
        section: u32,
        tags: Box<[u32]>,
    ) -> u32 {
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
            figures: [0; FIGURES],
            terms: [0; MAX_TERMS],
            weights: [0; MAX_TERMS],
            sig,
            tags,
        };
        self.pick_terms(&features.terms, &mut slot);
        slot.figures = self.pick_figures(&features.terms);

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
        s
    }

    /// Takes a slot out of the inverted index and the LSH table, empties it and puts it on
    /// the free list. Its story links are reset: the caller re-splits what was its story.
    pub(super) fn free_slot(&mut self, s: u32) {
        let slot = &self.slots[s as usize];
        for &t in slot.terms() {
            self.vocab.unpost(t, s);
        }
        if slot.shingles > 0 {
            for b in 0..BANDS {
                self.lsh.remove(minhash::band_key(&slot.sig, b), s);
            }
        }
        let slot = &mut self.slots[s as usize];
        slot.story_next = s;
        slot.tags = Box::new([]);
        slot.n_terms = 0;
        slot.figures = [0; FIGURES];
        slot.shingles = 0;
        slot.sig = EMPTY_SIGNATURE;
        self.free.push(s);
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

    /// The article's [`FIGURES`] most specific figures (frequency in the article times
    /// √IDF; ties to the smaller hash), as 16-bit hashes, ascending. Figures every article
    /// has (this year, small counts) rank low through their IDF.
    fn pick_figures(&self, terms: &[text::Term]) -> [u16; FIGURES] {
        let mut figures: Vec<(f32, u64)> = terms
            .iter()
            .filter(|t| t.kind == Kind::Number)
            .map(|t| {
                let df = self.vocab.df_of_hash(t.hash);
                (t.tf * self.vocab.sqrt_idf_of_df(df), t.hash)
            })
            .collect();
        figures.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = [0u16; FIGURES];
        for (o, &(_, hash)) in out.iter_mut().zip(figures.iter()) {
            *o = ((hash >> 48) as u16).max(1);
        }
        out.sort_unstable();
        out
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
}

/// Calls `f(i, j)` for every term that `a.terms()[i]` and `b.terms()[j]` share.
pub(super) fn for_shared_terms(a: &Slot, b: &Slot, mut f: impl FnMut(usize, usize)) {
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

/// Hash of the text fields, to recognise a re-index of unchanged text.
pub(super) fn fingerprint(doc: &Doc) -> u64 {
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
}
