//! The engine as a snapshot and back: which of its structures are saved, in which order,
//! and the checks that a loaded engine is whole. The byte format (header, checksum,
//! little-endian values) is in `snapshot.rs`; the structures with a file of their own (id
//! map, vocabulary, LSH table) save themselves there, the slots and name tables here.

use std::collections::HashMap;

use super::slots::{Interner, Slot, FIGURES, MAX_TERMS};
use super::Engine;
use crate::minhash::{LshTable, EMPTY_SIGNATURE, SIG_LEN};
use crate::snapshot::{Reader, Saved, SnapshotError, Writer};
use crate::table::U64Map;
use crate::vocab::Vocab;
use crate::Config;

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
            // Editors' decisions live in the store; the app hands them in after loading.
            decisions: Default::default(),
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
const SLOT_MIN_BYTES: usize = 8 * 5 + 4 * 2 + 2 + 1 + 2 * FIGURES + SIG_LEN + 8;

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
        for &f in &self.figures {
            w.u16(f);
        }
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
        let mut figures = [0u16; FIGURES];
        for f in figures.iter_mut() {
            *f = r.u16()?;
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
            figures,
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

#[cfg(test)]
mod tests {
    use crate::fixtures::{engine_with, newsroom};
    use crate::{Config, Engine, Related};

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
}
