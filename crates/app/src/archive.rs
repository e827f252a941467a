//! The lossless backup format (issue 11, item 6): a directory of JSON Lines files, one per
//! kind of record, and a `manifest.json` that names the format, its version, the dateline
//! version that wrote it, and each file's record count and SHA-256.
//!
//! Export → import into an empty store → export gives the same bytes, on either backend
//! and between them: records come in a stable order (by id), with sorted keys, times as
//! RFC 3339 UTC and no floating values, and the manifest holds no export time. Which
//! tables and columns travel is decided in `dateline_store::archive`; this module owns the
//! files, the manifest and the checks, and the import is one transaction that writes
//! nothing unless every file verifies and every record is accepted.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use dateline_store::archive::{ArchiveCursor, ArchiveKind, ARCHIVE_KINDS};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::import::Progress;
use crate::{App, Error, Result};

/// The `format` a manifest must name.
pub const FORMAT: &str = "dateline-archive";
/// The version of the format this build writes and reads. Bump it when a kind, field or
/// encoding changes; an import refuses other versions rather than guess.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name inside an archive.
pub const MANIFEST: &str = "manifest.json";

/// The archive's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the build that wrote it.
    pub format_version: u32,
    /// The dateline version that wrote it (informative).
    pub dateline_version: String,
    /// Whether password and API key hashes are included (`--include-secrets`).
    pub secrets: bool,
    /// Every file, in import order.
    pub files: Vec<ManifestFile>,
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// File name inside the archive directory.
    pub name: String,
    /// Records (lines) in it.
    pub records: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// Why an archive could not be written or read. Every refusal of an import means nothing
/// was written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The store already holds a newsroom.
    #[error("{0}; nothing was written")]
    NotEmpty(String),
    /// The export target already exists.
    #[error("{0} already exists; choose a new directory for the archive")]
    Exists(PathBuf),
    /// The manifest is missing, unreadable, or not this format/version.
    #[error("{MANIFEST}: {0}; nothing was written")]
    Manifest(String),
    /// A file the manifest needs is missing or unreadable.
    #[error("{file}: {message}; nothing was written")]
    File {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A record was refused.
    #[error("{file} line {line}{}: {message}; nothing was written", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    Record {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The field to blame, when one is.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Writing the archive failed.
    #[error("could not write {path}: {message}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl From<ArchiveError> for Error {
    fn from(e: ArchiveError) -> Self {
        Error::Archive(e)
    }
}

/// What an archive export or import moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveReport {
    /// The manifest written or read.
    pub manifest: Manifest,
}

impl ArchiveReport {
    /// Records of one file (0 if absent).
    pub fn records(&self, file: &str) -> u64 {
        self.manifest
            .files
            .iter()
            .find(|f| f.name == file)
            .map_or(0, |f| f.records)
    }
}

/// A writer that counts the SHA-256 of what passes through.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| {
        ArchiveError::Write {
            path: path.to_owned(),
            message: e.to_string(),
        }
        .into()
    }
}

impl App {
    /// Writes the whole newsroom into a new directory `out` (it must not exist). Secrets
    /// (password and API key hashes) only when `secrets`. The directory appears complete
    /// or not at all: it is written beside as `OUT.partial` and renamed at the end.
    pub async fn export_archive(
        &self,
        out: &Path,
        secrets: bool,
        progress: &dyn Progress,
    ) -> Result<ArchiveReport> {
        if out.exists() {
            return Err(ArchiveError::Exists(out.to_owned()).into());
        }
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        if partial.exists() {
            // Left by an export that failed; nothing else writes there.
            std::fs::remove_dir_all(&partial).map_err(write_error(&partial))?;
        }
        std::fs::create_dir_all(&partial).map_err(write_error(&partial))?;
        let mut reader = self.store().archive_reader().await?;
        let mut files = Vec::with_capacity(ARCHIVE_KINDS.len());
        let mut done = 0usize;
        for kind in ARCHIVE_KINDS {
            let path = partial.join(kind.file);
            let file = File::create(&path).map_err(write_error(&path))?;
            let mut w = Hashing {
                inner: BufWriter::with_capacity(1 << 20, file),
                hash: Sha256::new(),
            };
            let mut cursor = ArchiveCursor::default();
            let mut records = 0u64;
            loop {
                let rows = reader.next_rows(kind, &mut cursor, secrets).await?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    serde_json::to_writer(&mut w, row)
                        .map_err(|e| write_error(&path)(std::io::Error::other(e)))?;
                    w.write_all(b"\n").map_err(write_error(&path))?;
                }
                records += rows.len() as u64;
                done += rows.len();
                progress.advance(done, 0);
            }
            w.flush().map_err(write_error(&path))?;
            files.push(ManifestFile {
                name: kind.file.to_owned(),
                records,
                sha256: hex::encode(w.hash.finalize()),
            });
        }
        reader.finish().await?;
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            dateline_version: env!("CARGO_PKG_VERSION").to_owned(),
            secrets,
            files,
        };
        let path = partial.join(MANIFEST);
        let mut text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| write_error(&path)(std::io::Error::other(e)))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(write_error(&path))?;
        std::fs::rename(&partial, out).map_err(write_error(out))?;
        Ok(ArchiveReport { manifest })
    }

    /// Restores a whole newsroom from the archive directory `dir` into this store, which
    /// must be empty, in one transaction, keeping every id. The manifest and every file's
    /// count and checksum are verified before anything is written; a bad record names its
    /// file and line and rolls everything back.
    ///
    /// Derived data is not touched here: the caller rebuilds search and related articles
    /// ([`App::rebuild_discovery`]), as `dateline import --format archive` does.
    pub async fn import_archive(
        &self,
        dir: &Path,
        progress: &dyn Progress,
    ) -> Result<ArchiveReport> {
        let manifest = read_manifest(dir)?;
        // Pass one: every file is there, whole and unchanged, before a transaction opens.
        for entry in &manifest.files {
            verify_file(dir, entry)?;
        }
        let mut writer = self.store().archive_writer().await.map_err(|e| match e {
            dateline_store::Error::Invalid { field, reason } if field == "store" => {
                Error::Archive(ArchiveError::NotEmpty(reason))
            }
            other => other.into(),
        })?;
        let mut done = 0usize;
        let mut bytes = 0u64;
        for entry in &manifest.files {
            let kind = ArchiveKind::by_file(&entry.name)
                .ok_or_else(|| ArchiveError::Manifest(format!("unknown file {}", entry.name)))?;
            let path = dir.join(kind.file);
            let file_error = |message: String| ArchiveError::File {
                file: kind.file.to_owned(),
                message,
            };
            let file = File::open(&path).map_err(|e| file_error(e.to_string()))?;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let mut line = String::new();
            let mut number = 0u64;
            loop {
                line.clear();
                let n = reader
                    .read_line(&mut line)
                    .map_err(|e| file_error(e.to_string()))?;
                if n == 0 {
                    break;
                }
                number += 1;
                bytes += n as u64;
                let record_error = |field: Option<String>, message: String| ArchiveError::Record {
                    file: kind.file.to_owned(),
                    line: number,
                    field,
                    message,
                };
                let value: serde_json::Value = serde_json::from_str(&line)
                    .map_err(|e| record_error(None, format!("not JSON: {e}")))?;
                let serde_json::Value::Object(record) = value else {
                    return Err(record_error(None, "not a JSON object".into()).into());
                };
                writer
                    .insert(kind, record, manifest.secrets)
                    .await
                    .map_err(|e| match e {
                        dateline_store::Error::Invalid { field, reason } => record_error(
                            (field != dateline_store::archive::RECORD_FIELD).then_some(field),
                            reason,
                        )
                        .into(),
                        dateline_store::Error::Duplicate { field } => {
                            record_error(Some(field), "the archive holds this value twice".into())
                                .into()
                        }
                        other => Error::from(other),
                    })?;
                done += 1;
                if done.is_multiple_of(1000) {
                    progress.advance(done, bytes);
                }
            }
        }
        writer.commit().await?;
        progress.advance(done, bytes);
        self.cache().clear();
        Ok(ArchiveReport { manifest })
    }
}

/// Reads and checks the manifest: this format and version, exactly the kinds this build
/// knows, in import order.
fn read_manifest(dir: &Path) -> Result<Manifest, ArchiveError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ArchiveError::Manifest(format!("cannot read {}: {e}", path.display())))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| ArchiveError::Manifest(format!("not a dateline archive manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(ArchiveError::Manifest(format!(
            "format is {:?}, expected {FORMAT:?}",
            manifest.format
        )));
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(ArchiveError::Manifest(format!(
            "format version {} is not supported: this dateline ({}) reads version {FORMAT_VERSION}",
            manifest.format_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    let known: Vec<&str> = ARCHIVE_KINDS.iter().map(|k| k.file).collect();
    if listed != known {
        return Err(ArchiveError::Manifest(format!(
            "lists files {listed:?}; format version {FORMAT_VERSION} has exactly {known:?}"
        )));
    }
    Ok(manifest)
}

/// Checks one file's SHA-256 and line count against the manifest.
fn verify_file(dir: &Path, entry: &ManifestFile) -> Result<(), ArchiveError> {
    let error = |message: String| ArchiveError::File {
        file: entry.name.clone(),
        message,
    };
    let mut file = File::open(dir.join(&entry.name)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => error("missing from the archive".into()),
        _ => error(e.to_string()),
    })?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| error(e.to_string()))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let sum = hex::encode(hash.finalize());
    if sum != entry.sha256 {
        return Err(error(format!(
            "checksum mismatch (SHA-256 {sum}, the manifest says {}): the file changed after export",
            entry.sha256
        )));
    }
    if lines != entry.records {
        return Err(error(format!(
            "{lines} records, the manifest says {}",
            entry.records
        )));
    }
    Ok(())
}
