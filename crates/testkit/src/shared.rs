//! The shared corpus and fixtures (`../shared`, never copied into the repo).

use std::path::PathBuf;

/// The shared folder: `$DATELINE_SHARED_DIR`, else `../shared` beside the repository.
/// `None` (with a skip notice, or a panic under CI) when it is not there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("DATELINE_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if dir.join("corpus").is_dir() {
        Some(dir)
    } else {
        crate::missing_prerequisite(&format!(
            "shared corpus not found at {} (set DATELINE_SHARED_DIR)",
            dir.display()
        ));
        None
    }
}

/// A corpus file, e.g. `bbc.jsonl`.
pub fn corpus(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("corpus").join(name))
}

/// A fixture file, e.g. `wordpress/theme-preview.xml`.
pub fn fixture(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("fixtures").join(name))
}
