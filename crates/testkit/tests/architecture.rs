//! The architecture, checked: which crate may depend on which (ARCHITECTURE.md "Code map"),
//! that the pure crates do no I/O, that `anyhow` stays in the binary, and that the web
//! layer reaches data only through `app`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Each crate directory with its package name and normal (non-dev) dependencies.
fn crates() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(workspace().join("crates")).expect("crates dir") {
        let dir = entry.expect("entry").path();
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml::Table = text.parse().expect("valid Cargo.toml");
        let name = doc["package"]["name"]
            .as_str()
            .expect("package name")
            .to_owned();
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        let dir_name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        out.insert(dir_name, (name, deps));
    }
    out
}

fn rust_sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                out.push((path, text));
            }
        }
    }
    out
}

#[test]
fn crates_depend_only_downwards() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("dateline-core", &[][..]),
        ("dateline-render", &["dateline-core"][..]),
        ("dateline-store", &["dateline-core"][..]),
        ("dateline-import", &["dateline-core"][..]),
        ("dateline-search", &[][..]),
        ("dateline-related", &[][..]),
        (
            "dateline-app",
            &[
                "dateline-core",
                "dateline-render",
                "dateline-store",
                "dateline-import",
                "dateline-search",
                "dateline-related",
            ][..],
        ),
        (
            "dateline-web",
            &["dateline-app", "dateline-core", "dateline-render"][..],
        ),
        (
            "dateline",
            &["dateline-app", "dateline-web", "dateline-core"][..],
        ),
        (
            "dateline-testkit",
            &[
                "dateline-app",
                "dateline-web",
                "dateline-core",
                "dateline-store",
            ][..],
        ),
    ]);
    let found = crates();
    assert!(found.len() >= allowed.len(), "crates found: {found:?}");
    for (dir, (name, deps)) in &found {
        let Some(may) = allowed.get(name.as_str()) else {
            panic!("crates/{dir} ({name}) is not in the allowed crate graph: add it here and to ARCHITECTURE.md");
        };
        for dep in deps.iter().filter(|d| d.starts_with("dateline")) {
            assert!(
                may.contains(&dep.as_str()),
                "{name} must not depend on {dep} (allowed: {may:?})"
            );
        }
        if name != "dateline" && name != "dateline-testkit" {
            assert!(
                !deps.contains("anyhow"),
                "{name}: anyhow lives only in the binary; library crates have typed errors"
            );
        }
    }
}

#[test]
fn core_render_and_related_do_no_io() {
    let io_crates = ["tokio", "sqlx", "reqwest", "hyper", "axum", "tantivy"];
    let io_apis = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "File::",
        "tokio::",
        "SystemTime::now",
        "Utc::now",
    ];
    let found = crates();
    for dir in ["core", "render", "related"] {
        let (name, deps) = &found[dir];
        for dep in io_crates {
            assert!(!deps.contains(dep), "{name} is pure but depends on {dep}");
        }
        for (path, text) in rust_sources(&workspace().join("crates").join(dir).join("src")) {
            for api in io_apis {
                assert!(
                    !text.contains(api),
                    "{} uses {api}: {name} does no I/O and reads no clock (time comes in as an argument)",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn the_web_layer_reaches_data_only_through_app() {
    for (path, text) in rust_sources(&workspace().join("crates/web/src")) {
        for forbidden in [".store()", "dateline_store", "dateline_search", "sqlx"] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: web calls app use-cases, never the store or the index",
                path.display()
            );
        }
    }
}
