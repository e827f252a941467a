//! Compressed posting lists: the slots that carry a term, ascending, as varint deltas.
//!
//! Slots are handed out in increasing order, so new postings are almost always appended;
//! gaps between neighbouring slots fit in one or two bytes for common terms. That keeps
//! the inverted index near two bytes a posting instead of four, which matters because
//! postings are a large share of the engine's per-article memory (target: < 600 bytes).

/// Bytes before the data: the used length and the last slot, both `u32` little-endian.
const HEADER: usize = 8;

/// A free place in an inline list (slots are always below `u32::MAX`).
const NONE: u32 = u32::MAX;

/// The slots carrying one term, ascending.
///
/// 16 bytes inline. Most terms of a news archive are carried by one or two articles (the
/// first mentions of a name or a figure), so up to two slots live inline without any
/// allocation; longer lists are one allocation of LEB128-encoded deltas.
#[derive(Clone, Debug)]
pub(crate) enum PostingList {
    /// Up to two slots, ascending, [`NONE`] in the free places.
    Few([u32; 2]),
    /// Three or more: a header (used bytes, last slot) and the deltas.
    Many(Box<[u8]>),
}

impl Default for PostingList {
    fn default() -> Self {
        PostingList::Few([NONE; 2])
    }
}

fn read_u32(buf: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&buf[at..at + 4]);
    u32::from_le_bytes(b)
}

fn write_u32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

impl PostingList {
    /// Heap bytes allocated.
    pub(crate) fn memory_bytes(&self) -> usize {
        match self {
            PostingList::Few(_) => 0,
            PostingList::Many(buf) => buf.len(),
        }
    }

    /// The slots, ascending.
    pub(crate) fn iter(&self) -> Iter<'_> {
        match self {
            PostingList::Few(few) => Iter {
                few: *few,
                next_few: 0,
                data: &[],
                prev: 0,
            },
            PostingList::Many(buf) => Iter {
                few: [NONE; 2],
                next_few: 2,
                data: &buf[HEADER..read_u32(buf, 0) as usize],
                prev: 0,
            },
        }
    }

    /// Adds a slot (not already present).
    pub(crate) fn insert(&mut self, slot: u32) {
        match self {
            PostingList::Few([a, _]) if *a == NONE => *a = slot,
            PostingList::Few([a, b]) if *b == NONE => {
                if slot < *a {
                    *b = *a;
                    *a = slot;
                } else {
                    *b = slot;
                }
            }
            PostingList::Few(few) => {
                let mut all = [few[0], few[1], slot];
                all.sort_unstable();
                *self = PostingList::encode(&all);
            }
            PostingList::Many(buf) if slot > read_u32(buf, 4) => {
                let mut tmp = [0u8; 5];
                let n = encode(slot - read_u32(buf, 4), &mut tmp);
                let used = read_u32(buf, 0) as usize;
                if used + n > buf.len() {
                    let mut bytes = std::mem::take(buf).into_vec();
                    bytes.resize(used + n + (used + n) / 4 + 2, 0);
                    *buf = bytes.into_boxed_slice();
                }
                buf[used..used + n].copy_from_slice(&tmp[..n]);
                write_u32(buf, 0, (used + n) as u32);
                write_u32(buf, 4, slot);
            }
            PostingList::Many(_) => {
                // A reused (smaller) slot: rebuild.
                let mut all: Vec<u32> = self.iter().collect();
                let pos = all.partition_point(|&s| s < slot);
                all.insert(pos, slot);
                *self = PostingList::encode(&all);
            }
        }
    }

    /// Removes a slot if present.
    pub(crate) fn remove(&mut self, slot: u32) {
        let mut all: Vec<u32> = self.iter().collect();
        if let Ok(pos) = all.binary_search(&slot) {
            all.remove(pos);
            *self = PostingList::encode(&all);
        }
    }

    /// The list of these slots (ascending).
    fn encode(slots: &[u32]) -> PostingList {
        if slots.len() <= 2 {
            let mut few = [NONE; 2];
            few[..slots.len()].copy_from_slice(slots);
            return PostingList::Few(few);
        }
        let mut bytes = Vec::with_capacity(HEADER + slots.len() * 2);
        bytes.extend_from_slice(&[0; HEADER]);
        let mut prev = 0;
        let mut tmp = [0u8; 5];
        for &s in slots {
            let n = encode(s - prev, &mut tmp);
            bytes.extend_from_slice(&tmp[..n]);
            prev = s;
        }
        let used = bytes.len();
        // A quarter of headroom for appends.
        bytes.resize(used + used / 4 + 2, 0);
        write_u32(&mut bytes, 0, used as u32);
        write_u32(&mut bytes, 4, prev);
        PostingList::Many(bytes.into_boxed_slice())
    }
}

/// Writes `v` as LEB128 into `out`, returning the bytes written.
fn encode(mut v: u32, out: &mut [u8; 5]) -> usize {
    let mut n = 0;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out[n] = byte;
            return n + 1;
        }
        out[n] = byte | 0x80;
        n += 1;
    }
}

/// Iterator over the slots of a [`PostingList`].
pub(crate) struct Iter<'a> {
    few: [u32; 2],
    next_few: usize,
    data: &'a [u8],
    prev: u32,
}

impl Iterator for Iter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if let Some(&v) = self.few.get(self.next_few) {
            self.next_few += 1;
            if v != NONE {
                return Some(v);
            }
        }
        if self.data.is_empty() {
            return None;
        }
        let mut v = 0u32;
        let mut shift = 0;
        let mut i = 0;
        while let Some(&b) = self.data.get(i) {
            v |= u32::from(b & 0x7f) << shift;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        self.data = &self.data[i..];
        self.prev += v;
        Some(self.prev)
    }
}

impl crate::snapshot::Saved for PostingList {
    fn save(&self, w: &mut crate::snapshot::Writer<'_>) {
        match self {
            PostingList::Few([a, b]) => {
                w.u8(0);
                w.u32(*a);
                w.u32(*b);
            }
            PostingList::Many(bytes) => {
                w.u8(1);
                w.bytes(bytes);
            }
        }
    }

    fn load(r: &mut crate::snapshot::Reader<'_>) -> crate::snapshot::Result<Self> {
        match r.u8()? {
            0 => Ok(PostingList::Few([r.u32()?, r.u32()?])),
            1 => Ok(PostingList::Many(r.bytes()?.into())),
            _ => Err(crate::snapshot::SnapshotError("bad posting list".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posting_lists_keep_slots_sorted_whatever_the_insertion_order() {
        let mut p = PostingList::default();
        assert_eq!(p.iter().next(), None);
        for s in [5, 9, 300, 70_000, 2, 7, 1_000_000, 0] {
            p.insert(s);
        }
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            vec![0, 2, 5, 7, 9, 300, 70_000, 1_000_000]
        );
        p.remove(300);
        p.remove(12345);
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            vec![0, 2, 5, 7, 9, 70_000, 1_000_000]
        );
        for s in [0, 2, 5, 7, 9, 70_000, 1_000_000] {
            p.remove(s);
        }
        assert_eq!(p.iter().next(), None);
        assert_eq!(p.memory_bytes(), 0);
    }

    #[test]
    fn one_or_two_slots_need_no_allocation() {
        let mut p = PostingList::default();
        p.insert(9);
        p.insert(4);
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![4, 9]);
        assert_eq!(p.memory_bytes(), 0);
        p.insert(6);
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![4, 6, 9]);
        assert!(p.memory_bytes() > 0);
        p.remove(4);
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![6, 9]);
        assert_eq!(p.memory_bytes(), 0);
        assert_eq!(std::mem::size_of::<PostingList>(), 16);
    }

    #[test]
    fn dense_posting_lists_take_about_a_byte_a_posting() {
        let mut p = PostingList::default();
        for s in (0..10_000).map(|i| i * 3) {
            p.insert(s);
        }
        assert_eq!(p.iter().count(), 10_000);
        assert!(p.memory_bytes() < 10_000 * 13 / 10, "{}", p.memory_bytes());
    }
}
