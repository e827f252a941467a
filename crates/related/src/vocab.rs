//! The term dictionary: document frequencies, IDF, term ids and the inverted index.

use crate::postings::{self, PostingList};
use crate::table::U64Map;

/// Set in a dictionary value when the term has an id (the rest is the id); otherwise the
/// value is the term's document frequency.
const INDEXED: u32 = 1 << 31;

/// Document frequencies of every term seen, and ids and postings for the terms that are
/// some article's top term.
///
/// Most terms of a news archive are never anyone's top term (one-off figures, names
/// mentioned in passing), so they cost one 12-byte dictionary cell and nothing else.
///
/// Document frequencies count every version of an article ever indexed. The engine keeps
/// only an article's top terms, so a removal cannot un-count the rest; the document count
/// counts the same way, so the ratio that IDF measures stays consistent. Removals
/// (unpublish, delete, edit) are rare next to publications, so the difference from "live"
/// frequencies is small.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vocab {
    /// Term hash → document frequency, or `INDEXED | id`.
    dictionary: U64Map,
    /// Document frequency by term id.
    df: Vec<u32>,
    /// Slots that have the term among their top terms, by term id.
    postings: Vec<PostingList>,
    /// Articles (versions) ever indexed: the N of IDF.
    docs: u64,
}

impl Vocab {
    /// Counts one more indexed article.
    pub(crate) fn add_doc(&mut self) {
        self.docs += 1;
    }

    /// Articles (versions) ever indexed.
    pub(crate) fn docs(&self) -> u64 {
        self.docs
    }

    /// Counts one more document having the term; returns its document frequency.
    pub(crate) fn count(&mut self, hash: u64) -> u32 {
        let value = self.dictionary.entry(hash, 0);
        if *value & INDEXED != 0 {
            let df = &mut self.df[(*value & !INDEXED) as usize];
            *df += 1;
            *df
        } else {
            *value += 1;
            *value
        }
    }

    /// The id of a counted term, assigned on first use.
    pub(crate) fn id(&mut self, hash: u64) -> u32 {
        let value = self.dictionary.get(hash).unwrap_or(0);
        if value & INDEXED != 0 {
            return value & !INDEXED;
        }
        let id = self.df.len() as u32;
        if self.df.len() == self.df.capacity() {
            // Grow by an eighth, not double: the vocabulary only ever grows.
            let more = self.df.len() / 8 + 64;
            self.df.reserve_exact(more);
            self.postings.reserve_exact(more);
        }
        self.df.push(value);
        self.postings.push(PostingList::default());
        self.dictionary.insert(hash, INDEXED | id);
        id
    }

    /// Document frequency of a term by its hash (0 when never seen).
    pub(crate) fn df_of_hash(&self, hash: u64) -> u32 {
        match self.dictionary.get(hash) {
            Some(v) if v & INDEXED != 0 => self.df[(v & !INDEXED) as usize],
            Some(v) => v,
            None => 0,
        }
    }

    /// Document frequency of a term with an id.
    pub(crate) fn df(&self, term: u32) -> u32 {
        self.df[term as usize]
    }

    /// The square root of the inverse document frequency of a term this frequent.
    ///
    /// IDF is the smoothed `ln((1 + N) / (1 + df)) + 1`. A term shared by two articles adds
    /// the product of its two weights to their similarity, so each side carries the square
    /// root: a shared term then counts by its IDF (its information), not by IDF squared,
    /// which would let a single rare word outweigh the vocabulary of a whole topic.
    pub(crate) fn sqrt_idf_of_df(&self, df: u32) -> f32 {
        let n = self.docs as f32;
        (((1.0 + n) / (1.0 + df as f32)).ln() + 1.0).sqrt()
    }

    /// [`Vocab::sqrt_idf_of_df`] of a term with an id.
    pub(crate) fn sqrt_idf(&self, term: u32) -> f32 {
        self.sqrt_idf_of_df(self.df(term))
    }

    /// Slots carrying the term among their top terms, ascending.
    pub(crate) fn postings(&self, term: u32) -> postings::Iter<'_> {
        self.postings[term as usize].iter()
    }

    /// Records that `slot` carries `term` among its top terms.
    pub(crate) fn post(&mut self, term: u32, slot: u32) {
        self.postings[term as usize].insert(slot);
    }

    /// Forgets that `slot` carries `term`.
    pub(crate) fn unpost(&mut self, term: u32, slot: u32) {
        self.postings[term as usize].remove(slot);
    }

    /// Approximate bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.dictionary.memory_bytes()
            + self.df.capacity() * 4
            + self.postings.capacity() * std::mem::size_of::<PostingList>()
            + self
                .postings
                .iter()
                .map(PostingList::memory_bytes)
                .sum::<usize>()
    }
}

impl crate::snapshot::Saved for Vocab {
    fn save(&self, w: &mut crate::snapshot::Writer<'_>) {
        self.dictionary.save(w);
        w.u32s(&self.df);
        w.len(self.postings.len());
        for p in &self.postings {
            p.save(w);
        }
        w.u64(self.docs);
    }

    fn load(r: &mut crate::snapshot::Reader<'_>) -> crate::snapshot::Result<Self> {
        let dictionary = U64Map::load(r)?;
        let df = r.u32s()?;
        let n = r.len(5)?;
        let postings = (0..n)
            .map(|_| PostingList::load(r))
            .collect::<crate::snapshot::Result<Vec<_>>>()?;
        if postings.len() != df.len() {
            return Err(crate::snapshot::SnapshotError(
                "vocabulary sizes disagree".into(),
            ));
        }
        Ok(Vocab {
            dictionary,
            df,
            postings,
            docs: r.u64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_falls_as_a_term_spreads_and_rises_as_documents_arrive() {
        let mut v = Vocab::default();
        for i in 0..10u64 {
            v.add_doc();
            v.count(1);
            if i == 0 {
                v.count(2);
            }
        }
        let (common, rare) = (v.id(1), v.id(2));
        assert_eq!((v.df(common), v.df(rare)), (10, 1));
        assert!(v.sqrt_idf(rare) > v.sqrt_idf(common));
        let before = v.sqrt_idf(rare);
        v.add_doc();
        assert!(
            v.sqrt_idf(rare) > before,
            "IDF must follow the document count"
        );
    }

    #[test]
    fn counting_continues_after_a_term_gets_an_id() {
        let mut v = Vocab::default();
        assert_eq!(v.count(9), 1);
        let id = v.id(9);
        assert_eq!(v.count(9), 2);
        assert_eq!(v.df(id), 2);
        assert_eq!(v.id(9), id);
    }

    #[test]
    fn postings_forget_removed_slots() {
        let mut v = Vocab::default();
        v.count(42);
        let t = v.id(42);
        for s in 0..5 {
            v.post(t, s);
        }
        v.unpost(t, 2);
        assert_eq!(v.postings(t).collect::<Vec<_>>(), vec![0, 1, 3, 4]);
    }
}
