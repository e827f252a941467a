//! Changes reach other nodes on PostgreSQL through `LISTEN`/`NOTIFY`, not at the next poll:
//! with polling slowed to a minute, a publish on one node shows on the others' cached pages
//! and in their search within a fraction of a second.

use std::time::{Duration, Instant};

use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::json;

/// Polling so slow that only a pushed change can arrive in time.
const SLOW_POLL_MS: u64 = 60_000;

async fn until(deadline: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < deadline {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

async fn page_shows(node: &TestApp, path: &str, text: &str) -> bool {
    match node.get(path).await {
        Ok(r) if r.status().as_u16() == 200 => r.text().await.is_ok_and(|t| t.contains(text)),
        _ => false,
    }
}

#[tokio::test]
async fn an_update_on_one_node_reaches_the_others_pages_and_search_at_once() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let slow = |c: &mut dateline_app::Config| c.change_poll_interval_ms = SLOW_POLL_MS;
    let a = TestApp::spawn_with(Backend::Postgres, slow)
        .await
        .expect("node a");
    let others = [
        a.another_node_with(slow).await.expect("node b"),
        a.another_node_with(slow).await.expect("node c"),
    ];
    let key = a.key(Role::Editor).await.expect("key");
    let (status, created) = a
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "Pier closed", "body": "The pier is closed.", "status": "published"})),
        )
        .await
        .expect("create");
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    let path = format!("/articles/{}", created["slug"].as_str().expect("slug"));
    // Let every listener connect, then cache the page on the other nodes.
    for node in &others {
        assert!(until(Duration::from_secs(10), async || page_shows(
            node,
            &path,
            "Pier closed"
        )
        .await)
        .await
        .is_some());
    }

    let mut page_times = Vec::new();
    let mut search_times = Vec::new();
    for trial in 1..=10 {
        let title = format!("Pier reopened, trial {trial}");
        let word = format!("trialword{trial}");
        let (_, current) = a
            .admin(
                &key,
                Method::GET,
                &format!("/api/v1/admin/articles/{id}"),
                None,
            )
            .await
            .expect("read");
        let (status, body) = a
            .admin(
                &key,
                Method::PATCH,
                &format!("/api/v1/admin/articles/{id}"),
                Some(json!({"version": current["version"], "title": title,
                            "body": format!("The pier is open again. {word}."),
                            "correction": format!("Reopened, trial {trial}.")})),
            )
            .await
            .expect("update");
        assert_eq!(status, 200, "{body}");
        for node in &others {
            let seen = until(Duration::from_secs(5), async || {
                page_shows(node, &path, &title).await
            })
            .await
            .unwrap_or_else(|| panic!("trial {trial}: the cached page kept the old title"));
            page_times.push(seen);
            let search = format!("/api/v1/search?q={word}");
            let found = until(Duration::from_secs(5), async || {
                node.get_json(&search, 200)
                    .await
                    .is_ok_and(|v| v["items"][0]["title"] == title.as_str())
            })
            .await
            .unwrap_or_else(|| panic!("trial {trial}: search did not find the new text"));
            search_times.push(found);
        }
    }
    page_times.sort();
    search_times.sort();
    let p = |v: &[Duration], q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "pushed changes, 2 other nodes × 10 updates: page median {:?} max {:?}; search median {:?} max {:?}",
        p(&page_times, 0.5),
        p(&page_times, 1.0),
        p(&search_times, 0.5),
        p(&search_times, 1.0)
    );
    // Generous bounds for a loaded test machine; the poll interval is a minute.
    assert!(
        p(&page_times, 1.0) < Duration::from_secs(3),
        "{page_times:?}"
    );
    assert!(
        p(&search_times, 1.0) < Duration::from_secs(5),
        "{search_times:?}"
    );
}
