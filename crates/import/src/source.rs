//! Opening an export: gzip detected by its magic bytes (not the file name), and a source
//! that can be opened twice, because both readers make two passes (see their module docs).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

/// Read buffer size: large enough that the parsers see few refills, small enough to stay
/// out of the way of the memory bound.
const BUF_BYTES: usize = 64 * 1024;

/// Something an export can be read from, from its start, as many times as asked.
pub trait Source: Send {
    /// A fresh reader positioned at the start of the raw (maybe gzip-compressed) bytes.
    fn open(&self) -> io::Result<Box<dyn Read + Send>>;
}

/// An export file on disk.
#[derive(Debug, Clone)]
pub struct FileSource(pub PathBuf);

impl FileSource {
    /// The file at `path`.
    pub fn new(path: impl AsRef<Path>) -> Self {
        FileSource(path.as_ref().to_path_buf())
    }
}

impl Source for FileSource {
    fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(File::open(&self.0)?))
    }
}

/// An export held in memory (tests, benchmarks, uploads).
#[derive(Debug, Clone)]
pub struct BytesSource(pub Arc<[u8]>);

impl BytesSource {
    /// These bytes.
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> Self {
        BytesSource(bytes.into())
    }
}

impl Source for BytesSource {
    fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(io::Cursor::new(Arc::clone(&self.0))))
    }
}

/// Opens `source` and, when its first two bytes are gzip's magic `1f 8b`, decompresses
/// it. Multi-member gzip (what `cat a.gz b.gz` makes) is read whole.
pub(crate) fn open_decoded(source: &dyn Source) -> io::Result<Box<dyn BufRead + Send>> {
    let mut raw = BufReader::with_capacity(BUF_BYTES, source.open()?);
    let head = raw.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            BUF_BYTES,
            MultiGzDecoder::new(raw),
        )))
    } else {
        Ok(Box::new(raw))
    }
}
