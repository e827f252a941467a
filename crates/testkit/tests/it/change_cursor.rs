//! The change cursor never skips a committed change, whatever order transactions commit
//! in: out-of-order commits on PostgreSQL, an import running beside API publishes on two
//! nodes, a resume from a saved position, and derived data tied to its own database.

use std::io::{BufRead, Read};
use std::sync::mpsc;

use chrono::{Duration, Utc};
use dateline_app::import::Progress;
use dateline_core::ArticleContent;
use dateline_core::{slugify, Role, Status};
use dateline_store::changes::ChangeCursor;
use dateline_store::ArticleRecord;
use dateline_testkit::{backends, missing_prerequisite, TestApp, TestDb};
use reqwest::Method;
use serde_json::json;

use crate::store::each_backend;

fn published(title: &str) -> ArticleRecord {
    let now = Utc::now();
    ArticleRecord {
        slug: slugify(title, "article"),
        external_id: None,
        content: ArticleContent {
            title: title.into(),
            standfirst: None,
            body: "Body.".into(),
            summary: None,
            dateline: None,
            section: None,
            tags: vec![],
            authors: vec![],
            lead_image: None,
            source: None,
        },
        body_html: "<p>Body.</p>".into(),
        teaser: "Body.".into(),
        correction: None,
        status: Status::Published,
        published_at: Some(now - Duration::minutes(1)),
        word_count: 1,
        owner_id: None,
    }
}

/// Drains the cursor: every change it hands out until a pass is done.
async fn drain(store: &dateline_app::Store, cursor: &mut ChangeCursor) -> Vec<i64> {
    let mut seen = Vec::new();
    loop {
        let batch = store.read_changes(cursor, 2).await.expect("read changes");
        seen.extend(batch.changes.iter().map(|c| c.article_id.0));
        if batch.done {
            return seen;
        }
    }
}

fn postgres_available() -> bool {
    if std::env::var("DATELINE_TEST_DATABASE_URL").is_err() {
        missing_prerequisite(
            "DATELINE_TEST_DATABASE_URL is not set; out-of-order commits need PostgreSQL",
        );
        return false;
    }
    true
}

#[tokio::test]
async fn a_change_that_commits_after_a_later_numbered_one_is_still_handed_out() {
    if !postgres_available() {
        return;
    }
    let db = TestDb::create(dateline_app::Backend::Postgres)
        .await
        .expect("db");
    let store = db.store().await.expect("store");
    let other = dateline_app::Store::connect(&db.url)
        .await
        .expect("second pool");
    let now = Utc::now();

    let mut cursor = store.change_cursor_at_end().await.expect("cursor");
    // The slow transaction takes its sequence numbers first ...
    let mut slow = store.begin().await.expect("begin slow");
    let late = slow
        .create(&published("Written first, committed last"), "t", now)
        .await
        .expect("create");
    slow.flush_pending().await.expect("flush");
    // ... a quick one takes later numbers and commits first.
    let mut quick = other.begin().await.expect("begin quick");
    let early = quick
        .create(&published("Written second, committed first"), "t", now)
        .await
        .expect("create");
    quick.commit().await.expect("commit quick");

    let first = drain(&store, &mut cursor).await;
    assert_eq!(
        first,
        vec![early.id.0],
        "only the committed change is visible"
    );
    let saved = cursor.position();

    slow.commit().await.expect("commit slow");
    let second = drain(&store, &mut cursor).await;
    assert_eq!(
        second,
        vec![late.id.0],
        "the late commit is handed out, once"
    );
    assert!(
        drain(&store, &mut cursor).await.is_empty(),
        "nothing is handed out twice"
    );

    // A node that saved its position before the late commit and restarts finds it too.
    let mut resumed = ChangeCursor::resume(saved);
    let again = drain(&store, &mut resumed).await;
    assert!(
        again.contains(&late.id.0),
        "resuming from {saved} lost the late change: {again:?}"
    );

    // The naive rule ("after the highest seq seen") is what lost such changes.
    let highest = store.latest_change_seq().await.expect("latest");
    let late_seq = store
        .changes_since(0, 100)
        .await
        .expect("all")
        .into_iter()
        .find(|c| c.article_id == late.id)
        .expect("late change")
        .seq;
    assert!(
        late_seq < highest,
        "the test must commit out of sequence order"
    );
}

#[tokio::test]
async fn the_cursor_hands_out_every_change_once_and_resumes_from_its_position() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut cursor = store.change_cursor_at_end().await?;
        let mut ids = Vec::new();
        for i in 0..5 {
            let mut tx = store.begin().await?;
            ids.push(
                tx.create(&published(&format!("Story {i}")), "t", now)
                    .await?
                    .id
                    .0,
            );
            tx.commit().await?;
        }
        assert_eq!(drain(&store, &mut cursor).await, ids);
        assert!(drain(&store, &mut cursor).await.is_empty());
        let position = cursor.position();
        let mut tx = store.begin().await?;
        let next = tx.create(&published("Story after"), "t", now).await?.id.0;
        tx.commit().await?;
        let mut resumed = ChangeCursor::resume(position);
        let again = drain(&store, &mut resumed).await;
        // Resuming may hand out again what was already read (on PostgreSQL, whatever
        // committed after the oldest transaction then running anywhere on the server),
        // never less than what is new.
        assert_eq!(again.last(), Some(&next), "{again:?}");
        assert!(
            again.iter().all(|id| *id == next || ids.contains(id)),
            "{again:?}"
        );
        if store.backend() == dateline_app::Backend::Sqlite {
            assert_eq!(again, vec![next]);
        }
        Ok(())
    })
    .await;
}

/// A `BufRead` fed line by line from the test, so an import can be held open mid-file.
struct Pipe {
    lines: mpsc::Receiver<String>,
    buffer: std::io::Cursor<Vec<u8>>,
}

impl Read for Pipe {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.fill_buf()?.read(out)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Pipe {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.buffer.position() as usize >= self.buffer.get_ref().len() {
            match self.lines.recv() {
                Ok(line) => self.buffer = std::io::Cursor::new(line.into_bytes()),
                Err(_) => return Ok(&[]),
            }
        }
        let at = self.buffer.position() as usize;
        Ok(&self.buffer.get_ref()[at..])
    }

    fn consume(&mut self, n: usize) {
        let at = self.buffer.position();
        self.buffer.set_position(at + n as u64);
    }
}

/// Tells the test how far the import has come.
struct Reached(tokio::sync::watch::Sender<usize>);

impl Progress for Reached {
    fn advance(&self, records: usize, _bytes: u64) {
        let _ = self.0.send(records);
    }
}

fn record_line(external_id: &str, title: &str) -> String {
    format!(
        "{}\n",
        json!({"external_id": external_id, "title": title,
               "body": format!("{title}. The quarry report counts lorries on the coast road."),
               "section": "Business"})
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_committing_beside_api_publishes_reaches_search_and_caches_on_both_nodes() {
    if !postgres_available() {
        return;
    }
    let a_node = TestApp::spawn(dateline_app::Backend::Postgres)
        .await
        .expect("node A");
    let b_node = a_node.another_node().await.expect("node B");
    let key = a_node.key(Role::Editor).await.expect("key");

    // Thirty articles the import will retitle; both nodes cache their pages first.
    let mut updated = Vec::new();
    for i in 0..30 {
        let (status, body) = a_node
            .admin(
                &key,
                Method::POST,
                "/api/v1/admin/articles",
                Some(json!({
                "external_id": format!("upd-{i}"), "title": format!("Old title {i}"),
                "body": "Before the import.", "status": "published"})),
            )
            .await
            .expect("create");
        assert_eq!(status, 201, "{body}");
        updated.push(body["slug"].as_str().expect("slug").to_owned());
    }
    a_node.settle().await.expect("A settles");
    b_node.settle().await.expect("B settles");
    for node in [&a_node, &b_node] {
        for slug in &updated {
            let page = node.get(&format!("/articles/{slug}")).await.expect("page");
            assert_eq!(page.status(), 200);
        }
    }

    // The import (run by a third process-like app on node B's store) takes its sequence
    // numbers for the first 600 records, then waits with its transaction open.
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    for i in 0..30 {
        lines_tx
            .send(record_line(&format!("upd-{i}"), &format!("New title {i}")))
            .expect("send");
    }
    for i in 0..570 {
        lines_tx
            .send(record_line(
                &format!("imp-{i}"),
                &format!("Imported quarry story {i}"),
            ))
            .expect("send");
    }
    let (reached_tx, mut reached_rx) = tokio::sync::watch::channel(0usize);
    let importer = b_node.app.clone();
    let import = tokio::spawn(async move {
        let pipe = Pipe {
            lines: lines_rx,
            buffer: std::io::Cursor::new(Vec::new()),
        };
        importer
            .import_jsonl(pipe, false, &Reached(reached_tx))
            .await
    });
    reached_rx
        .wait_for(|n| *n >= 512)
        .await
        .expect("import progresses");

    // Meanwhile node A publishes; these commit first with higher sequence numbers.
    for i in 0..5 {
        let (status, body) = a_node
            .admin(
                &key,
                Method::POST,
                "/api/v1/admin/articles",
                Some(json!({
                "title": format!("Harbour bulletin {i}"), "body": "Published during the import.",
                "status": "published"})),
            )
            .await
            .expect("publish");
        assert_eq!(status, 201, "{body}");
    }
    for node in [&a_node, &b_node] {
        node.settle().await.expect("settle");
        node.settle_index().await.expect("settle index");
    }

    for i in 570..600 {
        lines_tx
            .send(record_line(
                &format!("imp-{i}"),
                &format!("Imported quarry story {i}"),
            ))
            .expect("send");
    }
    drop(lines_tx);
    let report = import.await.expect("join").expect("import");
    assert_eq!((report.created, report.updated), (600, 30));

    for (name, node) in [("A", &a_node), ("B", &b_node)] {
        node.settle().await.expect("settle");
        node.settle_index().await.expect("settle index");
        let found = node
            .get_json("/api/v1/search?q=quarry+imported&limit=1", 200)
            .await
            .expect("search");
        let total = found["total"]
            .as_u64()
            .or_else(|| found["items"].as_array().map(|a| a.len() as u64));
        // Count through the API pages, not the engine's own total.
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/search?q=quarry+imported&limit=50&cursor={c}"),
                None => "/api/v1/search?q=quarry+imported&limit=50".to_owned(),
            };
            let page = node.get_json(&path, 200).await.expect("search page");
            count += page["items"].as_array().map_or(0, Vec::len);
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(
            count, 600,
            "node {name}: search found {count} of 600 imported ({total:?})"
        );
        let bulletins = node
            .get_json("/api/v1/search?q=bulletin+harbour&limit=50", 200)
            .await
            .expect("search");
        assert_eq!(
            bulletins["items"].as_array().map(Vec::len),
            Some(5),
            "node {name}"
        );
        for (i, slug) in updated.iter().enumerate() {
            let page = node
                .get(&format!("/articles/{slug}"))
                .await
                .expect("page")
                .text()
                .await
                .expect("text");
            assert!(
                page.contains(&format!("New title {i}")),
                "node {name} still serves the old title of {slug}"
            );
        }
    }
}

#[tokio::test]
async fn a_data_dir_pointed_at_another_database_rebuilds_instead_of_serving_a_foreign_index() {
    for backend in backends() {
        let first = TestApp::spawn(backend).await.expect("first");
        first
            .arrange_article(dateline_testkit::article(
                "Alpine pass reopens",
                "Snow ploughs cleared the alpine pass.",
            ))
            .await
            .expect("alpha");
        first.settle_index().await.expect("indexed");
        let mut first_db = first.stop().await.expect("stop");

        let second = TestApp::spawn(backend).await.expect("second database");
        second
            .arrange_article(dateline_testkit::article(
                "Baltic ferry delayed",
                "Storms delayed the baltic ferry.",
            ))
            .await
            .expect("beta");
        let mut seeded = second.stop().await.expect("stop second");

        // The second database, served from the first node's data dir (its search index and
        // related snapshot were built from the first database).
        std::mem::swap(&mut seeded.dir, &mut first_db.dir);
        let node = TestApp::resume(seeded).await.expect("node");
        node.settle_index().await.expect("indexed");
        let beta = node
            .get_json("/api/v1/search?q=baltic", 200)
            .await
            .expect("search");
        assert_eq!(
            beta["items"].as_array().map(Vec::len),
            Some(1),
            "{backend:?}: {beta}"
        );
        let alpha = node
            .get_json("/api/v1/search?q=alpine", 200)
            .await
            .expect("search");
        assert_eq!(
            alpha["items"].as_array().map(Vec::len),
            Some(0),
            "{backend:?}: {alpha}"
        );
        drop(first_db);
    }
}

#[tokio::test]
async fn readyz_answers_503_until_search_and_related_articles_are_loaded() {
    let db = TestDb::create(dateline_app::Backend::Sqlite)
        .await
        .expect("db");
    let store = db.store().await.expect("store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut config = dateline_app::Config::new(addr, db.dir.path().to_path_buf());
    config.change_poll_interval_ms = 50;
    let app = dateline_app::App::with_store(config, store);
    let state = dateline_web::WebState::new(app.clone()).expect("state");
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let mut server_stop = stop_rx.clone();
    tokio::spawn(async move {
        let _ = dateline_web::serve(state, listener, async move {
            let _ = server_stop.changed().await;
        })
        .await;
    });
    let client = reqwest::Client::new();
    let readyz = format!("http://{addr}/readyz");
    let healthz = format!("http://{addr}/healthz");
    let r = client.get(&readyz).send().await.expect("readyz");
    assert_eq!(r.status(), 503, "not ready before the search index is open");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["search"], false);
    assert_eq!(
        client.get(&healthz).send().await.expect("healthz").status(),
        200,
        "alive all along"
    );

    app.start_discovery().expect("discovery");
    let tasks = app.spawn_background(stop_rx);
    let mut status = 0;
    for _ in 0..200 {
        status = client
            .get(&readyz)
            .send()
            .await
            .expect("readyz")
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status, 200, "ready once built and caught up");
    let _ = stop.send(true);
    for t in tasks {
        let _ = t.await;
    }
}
