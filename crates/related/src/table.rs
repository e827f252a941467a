//! A compact hash map from `u64` keys to `u32` values, for the two maps that grow with the
//! collection (article ids, term hashes).
//!
//! `std`'s `HashMap<u64, u32>` spends 17 bytes a bucket (entries pad to 16 bytes) at a
//! load between 44 % and 87 %; this one spends 12 bytes a cell (keys and values in separate
//! vectors) and grows by half at 85 % full, so it averages about 17 bytes an entry instead
//! of about 26. Open addressing with linear probing; deletion shifts later cells back.

/// Marks an empty cell (so `u32::MAX` can never be stored).
const EMPTY: u32 = u32::MAX;

/// A hash map from `u64` to `u32` values below `u32::MAX`.
#[derive(Clone, Debug, Default)]
pub(crate) struct U64Map {
    keys: Vec<u64>,
    values: Vec<u32>,
    len: usize,
}

/// SplitMix64's finaliser, so sequential keys (article ids) spread over the table.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl U64Map {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn home(&self, key: u64) -> usize {
        (((mix(key) >> 32) * self.keys.len() as u64) >> 32) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.keys.len() {
            0
        } else {
            i + 1
        }
    }

    /// The cell holding `key`, if any.
    fn find(&self, key: u64) -> Option<usize> {
        if self.keys.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        while self.values[i] != EMPTY {
            if self.keys[i] == key {
                return Some(i);
            }
            i = self.next(i);
        }
        None
    }

    /// The value stored under `key`.
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        self.find(key).map(|i| self.values[i])
    }

    /// A mutable reference to the value under `key`, inserting `default` first if absent.
    pub(crate) fn entry(&mut self, key: u64, default: u32) -> &mut u32 {
        debug_assert!(default != EMPTY);
        if let Some(i) = self.find(key) {
            return &mut self.values[i];
        }
        if (self.len + 1) * 20 > self.keys.len() * 17 {
            self.grow();
        }
        let mut i = self.home(key);
        while self.values[i] != EMPTY {
            i = self.next(i);
        }
        self.keys[i] = key;
        self.values[i] = default;
        self.len += 1;
        &mut self.values[i]
    }

    /// Sets the value under `key`.
    pub(crate) fn insert(&mut self, key: u64, value: u32) {
        *self.entry(key, value) = value;
    }

    fn grow(&mut self) {
        let cap = (self.keys.len() + self.keys.len() / 2).max(32);
        let keys = std::mem::replace(&mut self.keys, vec![0; cap]);
        let values = std::mem::replace(&mut self.values, vec![EMPTY; cap]);
        self.len = 0;
        for (k, v) in keys.into_iter().zip(values) {
            if v != EMPTY {
                self.insert(k, v);
            }
        }
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove(&mut self, key: u64) -> Option<u32> {
        let mut i = self.find(key)?;
        let value = self.values[i];
        let cap = self.keys.len();
        // Backward-shift deletion: move back every later entry of the run whose home is
        // not cyclically in (i, j].
        let mut j = i;
        loop {
            j = self.next(j);
            if self.values[j] == EMPTY {
                break;
            }
            let home = self.home(self.keys[j]);
            if (j + cap - home) % cap >= (j + cap - i) % cap {
                self.keys[i] = self.keys[j];
                self.values[i] = self.values[j];
                i = j;
            }
        }
        self.values[i] = EMPTY;
        self.len -= 1;
        Some(value)
    }

    /// Bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.keys.capacity() * 8 + self.values.capacity() * 4
    }
}

/// Bytes of a `std` hash map with this capacity and entry size (SwissTable: a power-of-two
/// number of buckets at most 7/8 full, one control byte each).
pub(crate) fn std_hash_map_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (entry + 1)
}

impl crate::snapshot::Saved for U64Map {
    fn save(&self, w: &mut crate::snapshot::Writer<'_>) {
        w.len(self.len);
        w.u64s(&self.keys);
        w.u32s(&self.values);
    }

    fn load(r: &mut crate::snapshot::Reader<'_>) -> crate::snapshot::Result<Self> {
        let len = r.len(0)?;
        let keys = r.u64s()?;
        let values = r.u32s()?;
        if keys.len() != values.len() || len > keys.len() {
            return Err(crate::snapshot::SnapshotError("map sizes disagree".into()));
        }
        Ok(U64Map { keys, values, len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_stores_updates_and_removes_like_a_hash_map() {
        let mut m = U64Map::default();
        let mut reference = std::collections::HashMap::new();
        for i in 0..5_000u64 {
            let key = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (i % 7);
            m.insert(key, i as u32);
            reference.insert(key, i as u32);
        }
        *m.entry(0, 7) += 1;
        *reference.entry(0).or_insert(7) += 1;
        let mut keys: Vec<u64> = reference.keys().copied().collect();
        keys.sort_unstable();
        for key in keys.iter().step_by(3) {
            assert_eq!(m.remove(*key), reference.remove(key));
        }
        assert_eq!(m.len(), reference.len());
        for (k, v) in &reference {
            assert_eq!(m.get(*k), Some(*v));
        }
        assert_eq!(m.remove(u64::MAX - 3), None);
    }
}
