//! `dateline backup` and `dateline restore` as an operator runs them.

use super::{dateline, run_ok, SAMPLE};

#[test]
fn backup_then_restore_into_a_new_data_dir_brings_back_the_articles_and_search() {
    let work = tempfile::tempdir().expect("tmp");
    let (data, copy, restored) = (
        work.path().join("data"),
        work.path().join("news.db"),
        work.path().join("restored"),
    );
    let file = work.path().join("in.jsonl");
    std::fs::write(&file, SAMPLE).expect("write");
    run_ok(
        dateline(&data)
            .args(["import", "--format", "jsonl"])
            .arg(&file),
    );
    let out = run_ok(dateline(&data).arg("backup").arg(&copy));
    assert!(out.contains("backed up 2 articles"), "{out}");
    assert!(out.contains("integrity checked"), "{out}");

    // A second backup to the same file is refused and leaves it alone.
    let before = std::fs::read(&copy).expect("backup file");
    let again = dateline(&data)
        .arg("backup")
        .arg(&copy)
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read(&copy).expect("backup file"), before);

    let out = run_ok(dateline(&restored).arg("restore").arg(&copy));
    assert!(out.contains("restored 2 articles"), "{out}");
    assert!(out.contains("rebuilt for 1 published articles"), "{out}");
    let exported = run_ok(dateline(&restored).args(["export", "--format", "jsonl", "-"]));
    assert!(exported.contains("Rates held") && exported.contains("Draft piece"));

    // Onto a store with data: refused, then done with --force, keeping the old store.
    let refused = dateline(&restored)
        .arg("restore")
        .arg(&copy)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let out = run_ok(dateline(&restored).args(["restore", "--force"]).arg(&copy));
    assert!(
        out.contains("the store that was replaced is kept at"),
        "{out}"
    );
}
