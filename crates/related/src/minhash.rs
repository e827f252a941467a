//! MinHash signatures of shingle sets and the LSH band index that finds candidate
//! near-duplicates without comparing every pair.
//!
//! A signature keeps, for each of [`SIG_LEN`] hash functions, the low 8 bits of the
//! smallest hash over the document's shingles ("b-bit MinHash", Li & König 2010). Two
//! documents agree on a position with probability J + (1 - J)·2⁻⁸, where J is the Jaccard
//! similarity of their shingle sets, so the share of agreeing positions, corrected for
//! chance, estimates J. Eight bits keep a signature at 64 bytes.
//! Banding ([`BANDS`] bands of [`ROWS`] positions, over the first `BANDS * ROWS`
//! positions) puts two documents in the same bucket of at least one band with probability
//! 1 - (1 - J^ROWS)^BANDS: about 0.40 at J = 0.5, 0.89 at J = 0.7 and 0.99 at J = 0.8.
//! The engine also checks each new article's closest TF-IDF neighbours, which catches the
//! cut-down and rewritten versions that banding misses, so eight bands (eight table
//! entries an article) are enough; verification always uses all [`SIG_LEN`] positions.

/// Hash functions per signature.
pub(crate) const SIG_LEN: usize = 64;
/// LSH bands; `BANDS * ROWS <= SIG_LEN`.
pub(crate) const BANDS: usize = 8;
/// Signature positions per band.
pub(crate) const ROWS: usize = 4;

/// A MinHash signature: a fixed array, 64 bytes.
pub(crate) type Signature = [u8; SIG_LEN];

/// The signature of a document without shingles: it never matches anything.
pub(crate) const EMPTY_SIGNATURE: Signature = [0; SIG_LEN];

/// SplitMix64's finaliser: a bijection on u64 that mixes every input bit into every output bit.
const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One seed per hash function, fixed so that signatures are the same on every run.
const SEEDS: [u64; SIG_LEN] = {
    let mut seeds = [0u64; SIG_LEN];
    let mut i = 0;
    let mut state = 0x6461_7465_6c69_6e65u64; // "dateline"
    while i < SIG_LEN {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        seeds[i] = mix(state);
        i += 1;
    }
    seeds
};

/// The MinHash signature of a set of shingle hashes.
pub(crate) fn signature(shingles: &[u64]) -> Signature {
    if shingles.is_empty() {
        return EMPTY_SIGNATURE;
    }
    let mut mins = [u64::MAX; SIG_LEN];
    for &s in shingles {
        for (m, seed) in mins.iter_mut().zip(SEEDS.iter()) {
            let v = mix(s ^ seed);
            if v < *m {
                *m = v;
            }
        }
    }
    // Keep low bits: the high bits of a minimum are biased towards zero.
    mins.map(|m| m as u8)
}

/// Estimated Jaccard similarity of the shingle sets behind two signatures.
pub(crate) fn jaccard(a: &Signature, b: &Signature) -> f32 {
    let same = a.iter().zip(b.iter()).filter(|(x, y)| x == y).count();
    let p = same as f32 / SIG_LEN as f32;
    // Remove the chance agreements of 8-bit values.
    const CHANCE: f32 = 1.0 / 256.0;
    ((p - CHANCE) / (1.0 - CHANCE)).clamp(0.0, 1.0)
}

/// The bucket key of one band of a signature (never 0, which marks an empty table cell).
pub(crate) fn band_key(sig: &Signature, band: usize) -> u32 {
    let packed = sig[band * ROWS..(band + 1) * ROWS]
        .iter()
        .fold(0u64, |acc, &v| (acc << 8) | u64::from(v));
    let k = (mix(packed ^ SEEDS[band]) >> 32) as u32;
    k.max(1)
}

/// A hash multimap from band keys to document slots: open addressing with linear probing,
/// eight bytes a cell, no per-bucket allocation.
///
/// Collisions of unrelated keys are harmless (every candidate is verified), so keys are
/// 32 bits. The table grows by a quarter when 85 % full (linear probing stays short at
/// that load for the eight lookups an upsert makes), and deletion shifts later cells back,
/// so there are no tombstones.
#[derive(Clone, Debug, Default)]
pub(crate) struct LshTable {
    keys: Vec<u32>,
    slots: Vec<u32>,
    len: usize,
}

impl LshTable {
    /// Where a key's probe sequence starts ("fastrange": any table size works).
    fn home(&self, key: u32) -> usize {
        ((u64::from(key) * self.keys.len() as u64) >> 32) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.keys.len() {
            0
        } else {
            i + 1
        }
    }

    /// Adds `slot` under `key` (duplicates are the caller's business).
    pub(crate) fn insert(&mut self, key: u32, slot: u32) {
        if (self.len + 1) * 20 > self.keys.len() * 17 {
            self.grow();
        }
        let mut i = self.home(key);
        while self.keys[i] != 0 {
            i = self.next(i);
        }
        self.keys[i] = key;
        self.slots[i] = slot;
        self.len += 1;
    }

    fn grow(&mut self) {
        let cap = (self.keys.len() + self.keys.len() / 4).max(64);
        let keys = std::mem::replace(&mut self.keys, vec![0; cap]);
        let slots = std::mem::replace(&mut self.slots, vec![0; cap]);
        self.len = 0;
        for (k, s) in keys.into_iter().zip(slots) {
            if k != 0 {
                self.insert(k, s);
            }
        }
    }

    /// Removes one `(key, slot)` entry if present.
    pub(crate) fn remove(&mut self, key: u32, slot: u32) {
        if self.keys.is_empty() {
            return;
        }
        let cap = self.keys.len();
        let mut i = self.home(key);
        loop {
            match self.keys[i] {
                0 => return,
                k if k == key && self.slots[i] == slot => break,
                _ => i = self.next(i),
            }
        }
        // Backward-shift deletion: move back every later entry of the run whose home is
        // not cyclically in (i, j].
        let mut j = i;
        loop {
            j = self.next(j);
            let k = self.keys[j];
            if k == 0 {
                break;
            }
            let home = self.home(k);
            if (j + cap - home) % cap >= (j + cap - i) % cap {
                self.keys[i] = k;
                self.slots[i] = self.slots[j];
                i = j;
            }
        }
        self.keys[i] = 0;
        self.len -= 1;
    }

    /// Calls `f` with every slot stored under `key`.
    pub(crate) fn for_each(&self, key: u32, mut f: impl FnMut(u32)) {
        if self.keys.is_empty() {
            return;
        }
        let mut i = self.home(key);
        while self.keys[i] != 0 {
            if self.keys[i] == key {
                f(self.slots[i]);
            }
            i = self.next(i);
        }
    }

    /// Bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.keys.capacity() * 4 + self.slots.capacity() * 4
    }
}

impl crate::snapshot::Saved for LshTable {
    fn save(&self, w: &mut crate::snapshot::Writer<'_>) {
        w.len(self.len);
        w.u32s(&self.keys);
        w.u32s(&self.slots);
    }

    fn load(r: &mut crate::snapshot::Reader<'_>) -> crate::snapshot::Result<Self> {
        let len = r.len(0)?;
        let keys = r.u32s()?;
        let slots = r.u32s()?;
        if keys.len() != slots.len() || len > keys.len() {
            return Err(crate::snapshot::SnapshotError(
                "band table sizes disagree".into(),
            ));
        }
        Ok(LshTable { keys, slots, len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(|i| mix(i.wrapping_mul(7919))).collect()
    }

    #[test]
    fn jaccard_estimate_is_close_to_the_true_jaccard() {
        // |A ∩ B| = 600, |A ∪ B| = 1400: J = 0.4286.
        let a = signature(&set(0..1000));
        let b = signature(&set(400..1400));
        let j = jaccard(&a, &b);
        assert!((j - 0.4286).abs() < 0.15, "estimate {j}");
        assert_eq!(jaccard(&a, &a), 1.0);
        let c = signature(&set(5000..6000));
        assert!(jaccard(&a, &c) < 0.08);
    }

    #[test]
    fn jaccard_estimates_average_out_to_the_truth_over_many_sets() {
        let mut total = 0.0;
        for k in 0..50u64 {
            let base = k * 100_000;
            let a = signature(&set(base..base + 300));
            let b = signature(&set(base + 150..base + 450));
            total += jaccard(&a, &b);
        }
        // J = 150 / 450.
        let mean = total / 50.0;
        assert!((mean - 1.0 / 3.0).abs() < 0.03, "mean estimate {mean}");
    }

    #[test]
    fn empty_shingle_sets_have_the_empty_signature() {
        assert_eq!(signature(&[]), EMPTY_SIGNATURE);
    }

    #[test]
    fn band_keys_are_never_zero_and_differ_between_bands() {
        let s = signature(&set(0..50));
        let keys: Vec<u32> = (0..BANDS).map(|b| band_key(&s, b)).collect();
        const { assert!(BANDS * ROWS <= SIG_LEN) };
        assert!(keys.iter().all(|&k| k != 0));
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), BANDS);
    }

    #[test]
    fn lsh_table_finds_inserted_entries_and_forgets_removed_ones() {
        let mut t = LshTable::default();
        for slot in 0..1000u32 {
            t.insert(slot % 97 + 1, slot);
        }
        let mut found = vec![];
        t.for_each(5, |s| found.push(s));
        found.sort_unstable();
        let expected: Vec<u32> = (0..1000).filter(|s| s % 97 + 1 == 5).collect();
        assert_eq!(found, expected);
        for slot in (0..1000u32).step_by(2) {
            t.remove(slot % 97 + 1, slot);
        }
        let mut left = vec![];
        for key in 1..=97 {
            t.for_each(key, |s| left.push(s));
        }
        left.sort_unstable();
        assert_eq!(left, (1..1000).step_by(2).collect::<Vec<u32>>());
        // Removing something absent is a no-op.
        t.remove(5, 123_456);
        assert_eq!(t.len, 500);
    }
}
