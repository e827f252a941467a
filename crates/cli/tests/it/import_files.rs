//! `dateline import` on files as people make them: a byte order mark, a mistake reported
//! once, a duplicate id.

use super::{dateline, run_ok};

#[test]
fn an_import_error_is_printed_once() {
    let work = tempfile::tempdir().expect("tmp");
    let input = work.path().join("bad.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"a\", \"body\": \"b\"}\n{\"title\": \"x\", \"body\": \"y\", \"tags\": \"no\"}\n",
    )
    .expect("write");
    let out = dateline(work.path())
        .args(["import", "--format", "jsonl"])
        .arg(&input)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("line 2, field `tags`").count(),
        1,
        "the cause once: {err}"
    );
    assert_eq!(
        err.matches("must be an array of strings").count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );
}

#[test]
fn a_file_with_a_byte_order_mark_imports() {
    let work = tempfile::tempdir().expect("tmp");
    let input = work.path().join("bom.jsonl");
    std::fs::write(
        &input,
        "\u{FEFF}{\"external_id\": \"b-1\", \"title\": \"Saved by Notepad\", \"body\": \"Text.\"}\n",
    )
    .expect("write");
    let out = dateline(work.path())
        .args(["import", "--format", "jsonl"])
        .arg(&input)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = run_ok(dateline(work.path()).args(["export", "--format", "jsonl", "-"]));
    let lines: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 1, "{exported}");
    assert_eq!(lines[0]["title"], "Saved by Notepad");
    assert_eq!(lines[0]["external_id"], "b-1");
}
