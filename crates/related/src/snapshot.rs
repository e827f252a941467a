//! An engine as bytes and back, so that a restarted node can load its engine instead of
//! rebuilding it from the store (42 s at 100,000 articles).
//!
//! The format belongs to this version of the crate: a header (magic, [`FORMAT`], a hash of
//! the [`Config`] the engine was built with), the engine's structures in little-endian
//! order, and an xxh3 checksum of everything before it. Anything that does not match —
//! another format or config, a truncated or damaged file — is refused whole with a
//! [`SnapshotError`], and the caller rebuilds. Nothing here does I/O: bytes go to a sink
//! and come from a slice.

use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

use crate::Config;

const MAGIC: &[u8; 16] = b"dateline-related";
/// Bump when any saved structure changes.
/// 2: slots carry their figures (issue 10).
const FORMAT: u32 = 2;
/// Bytes handed to the sink at a time.
const CHUNK: usize = 64 * 1024;

/// Why a snapshot could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError(pub String);

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "related-articles snapshot not usable: {}", self.0)
    }
}

impl std::error::Error for SnapshotError {}

pub(crate) type Result<T> = std::result::Result<T, SnapshotError>;

fn config_hash(config: &Config) -> u64 {
    xxh3_64(format!("{config:?}").as_bytes())
}

/// Streams little-endian values to a sink in chunks, keeping a running checksum.
pub(crate) struct Writer<'a> {
    sink: &'a mut dyn FnMut(&[u8]),
    buf: Vec<u8>,
    checksum: Xxh3Default,
}

impl<'a> Writer<'a> {
    pub(crate) fn start(sink: &'a mut dyn FnMut(&[u8]), config: &Config) -> Writer<'a> {
        let mut w = Writer {
            sink,
            buf: Vec::with_capacity(CHUNK),
            checksum: Xxh3Default::new(),
        };
        w.raw(MAGIC);
        w.u32(FORMAT);
        w.u64(config_hash(config));
        w
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.checksum.update(&self.buf);
        (self.sink)(&self.buf);
        self.buf.clear();
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.raw(&[v]);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.raw(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.raw(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.raw(&v.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.raw(&v.to_le_bytes());
    }
    pub(crate) fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// A length-prefixed byte string.
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.raw(v);
    }
    /// A length-prefixed list of `u32`.
    pub(crate) fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for &x in v {
            self.u32(x);
        }
    }
    pub(crate) fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        for &x in v {
            self.u64(x);
        }
    }

    /// Writes the checksum and hands over the last bytes.
    pub(crate) fn finish(mut self) {
        self.flush();
        let sum = self.checksum.digest().to_le_bytes();
        (self.sink)(&sum);
    }
}

/// Reads what [`Writer`] wrote; every read is bounds-checked.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Checks the checksum, magic, format and config, and positions after the header.
    pub(crate) fn start(bytes: &'a [u8], config: &Config) -> Result<Reader<'a>> {
        let Some(body_len) = bytes.len().checked_sub(8) else {
            return Err(SnapshotError("too short".into()));
        };
        let (body, sum) = bytes.split_at(body_len);
        let mut expected = [0u8; 8];
        expected.copy_from_slice(sum);
        if xxh3_64(body) != u64::from_le_bytes(expected) {
            return Err(SnapshotError(
                "checksum mismatch (damaged or cut short)".into(),
            ));
        }
        let mut r = Reader { data: body, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(SnapshotError("not a related-articles snapshot".into()));
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(SnapshotError(format!(
                "format {format}, this version reads {FORMAT}"
            )));
        }
        if r.u64()? != config_hash(config) {
            return Err(SnapshotError("built with another configuration".into()));
        }
        Ok(r)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| SnapshotError("ends early".into()))?;
        let out = &self.data[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(crate) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    /// A length that must fit in what is left, at `item` bytes per element.
    pub(crate) fn len(&mut self, item: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| SnapshotError("bad length".into()))?;
        if n.saturating_mul(item.max(1)) > self.data.len() - self.at {
            return Err(SnapshotError("a length runs past the end".into()));
        }
        Ok(n)
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    pub(crate) fn u32s(&mut self) -> Result<Vec<u32>> {
        let n = self.len(4)?;
        (0..n).map(|_| self.u32()).collect()
    }
    pub(crate) fn u64s(&mut self) -> Result<Vec<u64>> {
        let n = self.len(8)?;
        (0..n).map(|_| self.u64()).collect()
    }

    /// Fails unless everything was read.
    pub(crate) fn end(self) -> Result<()> {
        if self.at == self.data.len() {
            Ok(())
        } else {
            Err(SnapshotError("trailing bytes".into()))
        }
    }
}

/// A structure that can be saved in a snapshot.
pub(crate) trait Saved: Sized {
    fn save(&self, w: &mut Writer<'_>);
    fn load(r: &mut Reader<'_>) -> Result<Self>;
}
