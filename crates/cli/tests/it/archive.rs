//! `dateline export --format archive` → `dateline import --format archive` → export again,
//! through the binary: the same bytes, and an import into a store that already holds a
//! newsroom is refused with nothing written.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use super::{dateline, run_ok, SAMPLE};

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("archive")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_binary_round_trips_an_archive_byte_for_byte() {
    let work = tempfile::tempdir().expect("tmp");
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    let input = work.path().join("in.jsonl");
    std::fs::write(&input, SAMPLE).expect("write");
    run_ok(
        dateline(&a)
            .args(["import", "--format", "jsonl"])
            .arg(&input),
    );
    let mut user = dateline(&a)
        .args([
            "user",
            "create",
            "--email",
            "ed@news.example",
            "--role",
            "editor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    user.stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery\n")
        .expect("password");
    assert!(user.wait().expect("wait").success());
    run_ok(dateline(&a).args(["key", "create", "--name", "bot", "--role", "editor"]));

    let first = work.path().join("first");
    run_ok(
        dateline(&a)
            .args(["export", "--format", "archive"])
            .arg(&first),
    );
    let out = dateline(&b)
        .args(["import", "--format", "archive"])
        .arg(&first)
        .output()
        .expect("import");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("2 articles"), "{said}");
    assert!(
        said.contains("reset link"),
        "the summary says how users get back in: {said}"
    );
    assert!(
        b.join("search").exists(),
        "the import rebuilt the search index"
    );
    let second = work.path().join("second");
    run_ok(
        dateline(&b)
            .args(["export", "--format", "archive"])
            .arg(&second),
    );
    assert_eq!(files(&first), files(&second));

    // Into the store it came from: refused, nothing written.
    let out = dateline(&a)
        .args(["import", "--format", "archive"])
        .arg(&first)
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the store is not empty"), "{err}");
    let third = work.path().join("third");
    run_ok(
        dateline(&a)
            .args(["export", "--format", "archive"])
            .arg(&third),
    );
    assert_eq!(files(&first), files(&third));
}
