//! `backup` while the site takes writes, and `restore` of that backup: the copy holds
//! exactly the articles committed before it was taken — all of them, each whole — and a
//! restored store serves them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dateline_app::import::NoProgress;
use dateline_app::{App, Backend, Config};
use dateline_core::Role;
use dateline_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

/// Titles and ids of every article in a store, read from the store itself.
async fn articles_in(app: &App) -> BTreeMap<i64, String> {
    app.store()
        .articles_after(None, 100_000)
        .await
        .expect("articles")
        .into_iter()
        .map(|a| (a.id.0, a.title))
        .collect()
}

#[tokio::test]
async fn a_backup_taken_during_writes_holds_every_write_acknowledged_before_it_and_restores() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let work = tempfile::tempdir().expect("tmp");
    let file = work.path().join("backup.db");

    // A second client publishes without pause through the admin API; each acknowledged
    // write is recorded with whether the backup had started when the answer came.
    let backup_started = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (client, url, key) = (
            t.client.clone(),
            t.url("/api/v1/admin/articles"),
            key.clone(),
        );
        let (backup_started, stop) = (backup_started.clone(), stop.clone());
        tokio::spawn(async move {
            let mut acknowledged: Vec<(i64, String, bool)> = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Acquire) {
                n += 1;
                let title = format!("Written during the backup {n}");
                let response = client
                    .request(Method::POST, &url)
                    .bearer_auth(&key)
                    .json(&json!({"title": title, "body": format!("Body {n}."), "status": "published"}))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status().as_u16(), 201);
                let body: serde_json::Value = response.json().await.expect("json");
                let id = body["id"].as_i64().expect("id");
                let after_start = backup_started.load(Ordering::Acquire);
                acknowledged.push((id, title, after_start));
            }
            acknowledged
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let before_backup = articles_in(&t.app).await;
    backup_started.store(true, Ordering::Release);
    let report = t.app.backup(&file).await.expect("backup");
    let after_backup = articles_in(&t.app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Release);
    let acknowledged = writer.await.expect("writer");
    assert!(
        acknowledged.iter().filter(|a| !a.2).count() >= 5,
        "the writer was running before the backup"
    );
    let live = articles_in(&t.app).await;
    assert!(
        live.len() > after_backup.len(),
        "writes went on after the backup"
    );

    // The running site's own store is never replaced under it, even with --force.
    let in_use = dateline_app::backup::restore(t.app.config().clone(), &file, true, &NoProgress)
        .await
        .expect_err("refused while serving");
    assert!(in_use.to_string().contains("in use"), "{in_use}");
    assert_eq!(
        articles_in(&t.app).await,
        live,
        "the live store is untouched"
    );

    // Restore into a new data dir; read the restored store directly.
    let restored_dir = work.path().join("restored");
    let config = Config::new("127.0.0.1:0".parse().expect("addr"), restored_dir.clone());
    let restored = dateline_app::backup::restore(config.clone(), &file, false, &NoProgress)
        .await
        .expect("restore");
    let app = App::open(config.clone()).await.expect("open restored");
    let copy = articles_in(&app).await;
    assert_eq!(copy.len() as i64, report.facts.articles);
    assert_eq!(restored.facts.articles, report.facts.articles);

    // Every write committed before the backup started is in it, with its title; every
    // article in it is one the live store has, unchanged; and it is a moment of the live
    // store: no write is missing between the first and the last it holds.
    for (id, title) in &before_backup {
        assert_eq!(
            copy.get(id),
            Some(title),
            "article {id} acknowledged before the backup"
        );
    }
    for (id, title, _) in &acknowledged {
        if before_backup.contains_key(id) {
            assert_eq!(copy.get(id), Some(title));
        }
    }
    for (id, title) in &copy {
        assert_eq!(live.get(id), Some(title), "article {id} of the backup");
    }
    let newest_in_copy = copy.keys().max().copied().expect("articles");
    let missing: Vec<i64> = live
        .keys()
        .filter(|id| **id <= newest_in_copy && !copy.contains_key(id))
        .copied()
        .collect();
    assert!(
        missing.is_empty(),
        "writes missing from the copy's moment: {missing:?}"
    );
    assert!(copy.len() <= after_backup.len());

    // The restored store is whole: each article has its revision, and search finds them.
    for id in copy.keys().take(20) {
        let revisions = app
            .store()
            .revisions(dateline_core::ArticleId(*id))
            .await
            .expect("revisions");
        assert!(!revisions.is_empty(), "article {id} has its revision");
    }
    assert_eq!(restored.indexed, copy.len());
    app.store().close().await;
    drop(app);

    // A second restore onto a store with data is refused without --force, and with it
    // keeps a copy of what it replaced.
    let refused = dateline_app::backup::restore(config.clone(), &file, false, &NoProgress)
        .await
        .expect_err("refused");
    assert!(refused.to_string().contains("--force"), "{refused}");
    let forced = dateline_app::backup::restore(config, &file, true, &NoProgress)
        .await
        .expect("forced");
    let kept = forced.replaced_copy.expect("a copy of the replaced store");
    assert!(kept.is_file());
    assert_eq!(
        dateline_store::backup::check_sqlite_file(&kept)
            .await
            .expect("the kept copy is a store")
            .articles,
        report.facts.articles
    );
}

#[tokio::test]
async fn a_damaged_or_foreign_file_is_not_restored_and_nothing_changes() {
    let work = tempfile::tempdir().expect("tmp");
    let dir = work.path().join("data");
    let config = Config::new("127.0.0.1:0".parse().expect("addr"), dir.clone());
    let not_sqlite = work.path().join("notes.db");
    std::fs::write(&not_sqlite, "this is not a database").expect("write");
    let empty_sqlite = work.path().join("other.db");
    let other =
        dateline_store::Store::connect(&format!("sqlite://{}?mode=rwc", empty_sqlite.display()))
            .await
            .expect("a store");
    other.close().await;
    // A store file cut short is damaged.
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    t.arrange_article(dateline_testkit::article("Kept", "Body."))
        .await
        .expect("article");
    let full = work.path().join("full.db");
    t.app.backup(&full).await.expect("backup");
    let bytes = std::fs::read(&full).expect("read");
    let cut = work.path().join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");

    for (file, expected) in [
        (&not_sqlite, "not a dateline SQLite store"),
        (&cut, "not a dateline SQLite store"),
        (&work.path().join("missing.db"), "no such file"),
    ] {
        let e = dateline_app::backup::restore(config.clone(), file, true, &NoProgress)
            .await
            .expect_err("refused");
        assert!(e.to_string().contains(expected), "{}: {e}", file.display());
        assert!(!dir.join("dateline.db").exists(), "nothing written");
    }
    // An empty dateline store is a store: it restores (and holds nothing).
    let r = dateline_app::backup::restore(config, &empty_sqlite, false, &NoProgress)
        .await
        .expect("restore");
    assert_eq!((r.facts.articles, r.indexed), (0, 0));
}

#[tokio::test]
async fn a_postgres_store_is_backed_up_with_its_own_tools() {
    if !dateline_testkit::backends().contains(&Backend::Postgres) {
        return;
    }
    let t = TestApp::spawn(Backend::Postgres).await.expect("app");
    let work = tempfile::tempdir().expect("tmp");
    let e = t
        .app
        .backup(&work.path().join("pg.db"))
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("pg_dump"), "{e}");
}

/// The PostgreSQL procedure docs/OPERATIONS.md gives — `pg_dump --format=custom`, then
/// `pg_restore` into an empty database — brings back a database that serves the same site.
#[tokio::test]
async fn a_postgres_store_restored_with_pg_restore_serves_the_same_site() {
    if !dateline_testkit::backends().contains(&Backend::Postgres) {
        return;
    }
    let tool = |name: &str| {
        let found = std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            dateline_testkit::missing_prerequisite(&format!("{name} (postgresql-client)"));
        }
        found
    };
    if !tool("pg_dump") || !tool("pg_restore") {
        return;
    }
    let t = TestApp::spawn(Backend::Postgres).await.expect("app");
    for title in [
        "Harbour reopens",
        "Council votes on the budget",
        "Ferry timetable",
    ] {
        t.arrange_article(dateline_testkit::article(title, "A report from the port."))
            .await
            .expect("article");
    }
    let work = tempfile::tempdir().expect("tmp");
    let dump = work.path().join("site.dump");
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&t.db.url));
    let empty = dateline_testkit::TestDb::create(Backend::Postgres)
        .await
        .expect("empty database");
    run(std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(&empty.url)
        .arg(&dump));
    let restored = TestApp::resume(empty)
        .await
        .expect("a node on the restored database");
    restored.settle_index().await.expect("index");
    let list = |node: &TestApp| {
        let url = node.url("/api/v1/articles?limit=50");
        async move {
            let v: serde_json::Value = reqwest::get(url)
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| {
                    (
                        i["slug"].clone(),
                        i["title"].clone(),
                        i["published_at"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let (before, after) = (list(&t).await, list(&restored).await);
    assert_eq!(before.len(), 3);
    assert_eq!(before, after);
    let found = restored
        .get_json("/api/v1/search?q=harbour", 200)
        .await
        .expect("search");
    assert_eq!(found["items"][0]["title"], "Harbour reopens", "{found}");
}
