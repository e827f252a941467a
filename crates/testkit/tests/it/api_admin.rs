//! The admin API: bearer keys, create/update/publish/schedule/unpublish/delete, conflicts,
//! revisions and the error format.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn writing_without_a_valid_key_is_refused() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let body = json!({"title": "t", "body": "b"});
    let r = t
        .send(t.client.post(t.url("/api/v1/admin/articles")).json(&body))
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let err: serde_json::Value = r.json().await.expect("json");
    assert_eq!(err["error"]["code"], "unauthenticated");
    let (s, _) = t
        .admin(
            "dl_not-a-real-key",
            Method::POST,
            "/api/v1/admin/articles",
            Some(body.clone()),
        )
        .await
        .expect("send");
    assert_eq!(s, 401);
    let author = t.key(Role::Author).await.expect("key");
    let (s, e) = t
        .admin(
            &author,
            Method::POST,
            "/api/v1/admin/articles",
            Some(body.clone()),
        )
        .await
        .expect("send");
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")));
    let (key, secret) = t
        .app
        .create_api_key("revoked", Role::Editor)
        .await
        .expect("key");
    t.app
        .store()
        .revoke_api_key(key.id, Utc::now())
        .await
        .expect("revoke");
    let (s, _) = t
        .admin(&secret, Method::GET, "/api/v1/admin/articles/1", None)
        .await
        .expect("send");
    assert_eq!(s, 401);
}

#[tokio::test]
async fn the_article_lifecycle_through_the_admin_api() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let (s, created) = t
            .admin(&key, Method::POST, "/api/v1/admin/articles", Some(json!({
                "title": "Budget talks stall", "body": "Ministers met.", "status": "draft",
                "section": "Politics", "tags": ["Budget"], "authors": ["Ann"], "dateline": "london"
            })))
            .await
            .expect("create");
        assert_eq!(s, 201, "{created}");
        assert_eq!(created["version"], 1);
        assert_eq!(created["status"], "draft");
        assert_eq!(created["dateline"], "LONDON");
        let id = created["id"].as_i64().expect("id");
        let path = format!("/api/v1/admin/articles/{id}");
        assert_eq!(
            t.get("/articles/budget-talks-stall")
                .await
                .expect("get")
                .status(),
            404,
            "drafts are private"
        );

        let (s, updated) = t.admin(&key, Method::PATCH, &path, Some(json!({"version": 1, "title": "Budget talks resume", "summary": "They are back."}))).await.expect("patch");
        assert_eq!(s, 200, "{updated}");
        assert_eq!(updated["version"], 2);
        assert_eq!(updated["teaser"], "They are back.");

        let (s, conflict) = t
            .admin(
                &key,
                Method::PATCH,
                &path,
                Some(json!({"version": 1, "title": "Stale edit"})),
            )
            .await
            .expect("patch");
        assert_eq!(s, 409);
        assert_eq!(conflict["error"]["code"], "version_conflict");
        assert_eq!(conflict["error"]["current"]["title"], "Budget talks resume");
        assert_eq!(conflict["error"]["current"]["version"], 2);

        let (s, published) = t
            .admin(&key, Method::POST, &format!("{path}/publish"), None)
            .await
            .expect("publish");
        assert_eq!(s, 200);
        assert_eq!(published["status"], "published");
        let page = t.get("/articles/budget-talks-stall").await.expect("get");
        assert_eq!(page.status(), 200);

        let (s, corrected) = t.admin(&key, Method::PATCH, &path, Some(json!({"version": 3, "correction": "An earlier version misnamed the minister."}))).await.expect("correct");
        assert_eq!(s, 200);
        assert!(corrected["correction"]["at"].is_string());
        let html = t
            .get("/articles/budget-talks-stall")
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(html.contains("An earlier version misnamed the minister."));

        let (s, _) = t
            .admin(
                &key,
                Method::POST,
                &format!("{path}/unpublish"),
                Some(json!({"version": 4})),
            )
            .await
            .expect("unpublish");
        assert_eq!(s, 200);
        assert_eq!(
            t.get("/articles/budget-talks-stall")
                .await
                .expect("get")
                .status(),
            410
        );

        let (s, e) = t
            .admin(&key, Method::POST, &format!("{path}/unpublish"), None)
            .await
            .expect("again");
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("invalid_transition"))
        );

        let (s, revs) = t
            .admin(&key, Method::GET, &format!("{path}/revisions"), None)
            .await
            .expect("revisions");
        assert_eq!(s, 200);
        let versions: Vec<_> = revs["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["version"].as_i64().unwrap_or(0))
            .collect();
        assert_eq!(versions, [5, 4, 3, 2, 1]);
        assert_eq!(revs["items"][4]["article"]["title"], "Budget talks stall");

        let (s, deleted) = t
            .admin(&key, Method::DELETE, &path, None)
            .await
            .expect("delete");
        assert_eq!((s, deleted["status"].as_str()), (200, Some("deleted")));
        let (s, _) = t.admin(&key, Method::GET, &path, None).await.expect("get");
        assert_eq!(s, 404);
        assert_eq!(
            t.get("/articles/budget-talks-stall")
                .await
                .expect("get")
                .status(),
            404
        );
    }
}

#[tokio::test]
async fn a_scheduled_article_goes_live_by_itself() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let at = (Utc::now() + Duration::seconds(2)).to_rfc3339();
        let (s, a) = t
            .admin(
                &key,
                Method::POST,
                "/api/v1/admin/articles",
                Some(json!({"title": "Morning edition", "body": "Out at six.", "status": "draft"})),
            )
            .await
            .expect("create");
        assert_eq!(s, 201);
        let id = a["id"].as_i64().expect("id");
        let (s, scheduled) = t
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{id}/publish"),
                Some(json!({"at": at})),
            )
            .await
            .expect("schedule");
        assert_eq!((s, scheduled["status"].as_str()), (200, Some("scheduled")));
        assert_eq!(
            t.get("/articles/morning-edition")
                .await
                .expect("get")
                .status(),
            404
        );
        let home = t.get("/").await.expect("home").text().await.expect("body");
        assert!(
            !home.contains("Morning edition"),
            "scheduled stories stay off lists"
        );

        let mut live = false;
        for _ in 0..60 {
            tokio::time::sleep(StdDuration::from_millis(100)).await;
            if t.get("/articles/morning-edition")
                .await
                .expect("get")
                .status()
                == 200
            {
                live = true;
                break;
            }
        }
        assert!(live, "scheduled article was not published on {backend:?}");
        let home = t.get("/").await.expect("home").text().await.expect("body");
        assert!(
            home.contains("Morning edition"),
            "the cached home page was refreshed"
        );
    }
}

#[tokio::test]
async fn a_schedule_survives_a_restart() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let mut input = dateline_testkit::article("Due while down", "Text.");
    input.published_at = Some(Utc::now() + Duration::seconds(1));
    let a = t.arrange_article(input).await.expect("scheduled");
    assert_eq!(a.status, dateline_core::Status::Scheduled);
    // A fresh app on the same database, as after a restart: its scheduler finds the article.
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let app2 =
        dateline_app::App::with_store(t.app.config().clone(), t.db.store().await.expect("store"));
    let published = dateline_app::scheduler::publish_due(&app2)
        .await
        .expect("publish due");
    assert!(published <= 1);
    let now = t.app.store().article(a.id).await.expect("article");
    assert_eq!(now.status, dateline_core::Status::Published);
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let url = t.url("/api/v1/admin/articles");

    let r = t
        .send(
            t.client
                .post(&url)
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "invalid_json");

    let (s, e) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "", "body": "b", "lead_image_url": "javascript:alert(1)"})),
        )
        .await
        .expect("send");
    assert_eq!(s, 422);
    assert_eq!(e["error"]["code"], "invalid_fields");
    assert!(e["error"]["fields"]["title"].is_string());
    assert!(e["error"]["fields"]["lead_image_url"].is_string());

    let (s, e) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "t", "body": "b", "colour": "red"})),
        )
        .await
        .expect("send");
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["fields"].get("colour").is_some(), "{e}");

    let huge = "x".repeat(3 * 1024 * 1024);
    let (s, e) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "t", "body": huge})),
        )
        .await
        .expect("send");
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    let r = t
        .send(
            t.client
                .post(&url)
                .bearer_auth(&key)
                .header("content-type", "text/plain")
                .body("hi"),
        )
        .await
        .expect("send");
    assert_eq!(r.status(), 415);

    let (s, _) = t
        .admin(
            &key,
            Method::GET,
            "/api/v1/admin/articles/not-a-number",
            None,
        )
        .await
        .expect("send");
    assert_eq!(s, 404);
    let (s, e) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "Quote ' and \"; DROP TABLE articles; --", "body": "b"})),
        )
        .await
        .expect("send");
    assert_eq!(s, 201, "{e}");
    assert_eq!(
        e["title"], "Quote ' and \"; DROP TABLE articles; --",
        "SQL metacharacters are stored verbatim"
    );
    assert_eq!(t.app.store().article_count().await.expect("count"), 1);
}

#[tokio::test]
async fn a_second_correction_keeps_the_first_on_the_page_in_json_ld_and_in_the_api() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let (status, a) = t
            .admin(&key, Method::POST, "/api/v1/admin/articles", Some(json!({
                "title": "Dam inspection completed", "body": "Engineers inspected the dam in 2019."})))
            .await
            .expect("create");
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().expect("id");
        let mut version = a["version"].as_i64().expect("version");
        for (body, note) in [
            (
                "Engineers inspected the dam in 2020.",
                "An earlier version gave the wrong year.",
            ),
            (
                "Engineers inspected the dam in 2020, twice.",
                "An earlier version omitted the second inspection.",
            ),
        ] {
            let (status, patched) = t
                .admin(
                    &key,
                    Method::PATCH,
                    &format!("/api/v1/admin/articles/{id}"),
                    Some(json!({"version": version, "body": body, "correction": note})),
                )
                .await
                .expect("patch");
            assert_eq!(status, 200, "{patched}");
            version = patched["version"].as_i64().expect("version");
        }
        t.settle().await.expect("settle");
        let slug = a["slug"].as_str().expect("slug");
        let html = t
            .get(&format!("/articles/{slug}"))
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        let page = scraper::Html::parse_document(&html);
        let notes: Vec<String> = page
            .select(&scraper::Selector::parse("aside.correction p").expect("selector"))
            .map(|p| p.text().collect::<String>())
            .collect();
        assert_eq!(notes.len(), 2, "{backend:?}: {notes:?}");
        assert!(
            notes[0].contains("wrong year") && notes[1].contains("second inspection"),
            "{notes:?}"
        );
        let ld_text = page
            .select(
                &scraper::Selector::parse("script[type='application/ld+json']").expect("selector"),
            )
            .next()
            .expect("json-ld")
            .text()
            .collect::<String>();
        let ld: serde_json::Value = serde_json::from_str(&ld_text).expect("json-ld parses");
        let ld_notes: Vec<&str> = ld["correction"]
            .as_array()
            .expect("correction list")
            .iter()
            .map(|c| c["text"].as_str().expect("text"))
            .collect();
        assert_eq!(ld_notes.len(), 2, "{ld}");
        assert!(ld["correction"][0]["datePublished"].is_string());
        let api = t
            .get_json(&format!("/api/v1/articles/{slug}"), 200)
            .await
            .expect("api");
        assert_eq!(
            api["corrections"].as_array().map(Vec::len),
            Some(2),
            "{api}"
        );
        assert_eq!(
            api["correction"]["note"],
            "An earlier version omitted the second inspection."
        );
    }
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_json_404() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    // Percent-encoded bytes that are not UTF-8 name no article: a 404 in the API's error
    // format (this was axum's plain-text 400).
    for path in ["/api/v1/articles/%FF", "/api/v1/articles/%FF/related"] {
        let e = t.get_json(path, 404).await.expect(path);
        assert_eq!(e["error"]["code"], "not_found", "{path}");
    }
    for (method, path) in [
        (Method::GET, "/api/v1/admin/articles/%FF"),
        (Method::PATCH, "/api/v1/admin/articles/%C3%28"),
        (Method::POST, "/api/v1/admin/articles/%FF/publish"),
        (Method::GET, "/api/v1/admin/articles/%FF/revisions"),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"version": 1}));
        let (s, e) = t.admin(&key, method, path, body).await.expect(path);
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_oversized_publish_or_unpublish_body_is_a_json_413() {
    let t = TestApp::spawn_with(dateline_app::Backend::Sqlite, |c| {
        c.max_request_bytes = 64 * 1024;
    })
    .await
    .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let a = t
        .arrange_article(dateline_testkit::article("Kept short", "Text."))
        .await
        .expect("article");
    let padding = "x".repeat(100 * 1024);
    for action in ["publish", "unpublish"] {
        let path = format!("/api/v1/admin/articles/{}/{action}", a.id);
        let (s, e) = t
            .admin(
                &key,
                Method::POST,
                &path,
                Some(json!({ "version": 1, "padding": padding })),
            )
            .await
            .expect(action);
        // It was axum's plain-text "Failed to buffer the request body".
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (413, Some("payload_too_large")),
            "{action}: {e}"
        );
    }
}

#[tokio::test]
async fn a_patch_with_null_for_a_field_that_cannot_be_empty_is_refused_and_null_clears_a_list() {
    // Found by schemathesis: `{"title": null}` or `{"body": null}` was accepted as "unchanged"
    // (200), though the document says these are strings and docs/API.md says null clears.
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let (s, a) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "Nulls", "body": "Text.", "tags": ["Rain"], "authors": ["Ann"]})),
        )
        .await
        .expect("create");
    assert_eq!(s, 201, "{a}");
    let path = format!("/api/v1/admin/articles/{}", a["id"]);
    for field in ["title", "body", "slug"] {
        let (s, e) = t
            .admin(
                &key,
                Method::PATCH,
                &path,
                Some(json!({"version": 1, field: null})),
            )
            .await
            .expect("patch");
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("invalid_fields")),
            "{field}: {e}"
        );
        assert!(
            e["error"]["fields"].get(field).is_some(),
            "the refused field is named: {e}"
        );
    }
    let (s, b) = t
        .admin(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"version": 1, "tags": null, "authors": null})),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["tags"].clone(), b["authors"].clone()),
        (json!([]), json!([]))
    );
    assert_eq!(b["title"], "Nulls");
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_refused() {
    // Found by schemathesis: serde reads a struct from a JSON array by position, so
    // `PUT …/related` with `[]` answered 200 and cleared the article's pins and exclusions,
    // and `["Title", "Body"]` created an article.
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let a = t
        .arrange_article(dateline_testkit::article("Has pins", "Text."))
        .await
        .expect("a");
    let b = t
        .arrange_article(dateline_testkit::article("Pinned", "Other text."))
        .await
        .expect("b");
    let related = format!("/api/v1/admin/articles/{}/related", a.id);
    let (s, e) = t
        .admin(&key, Method::PUT, &related, Some(json!({"pin": [b.id.0]})))
        .await
        .expect("pin");
    assert_eq!(s, 200, "{e}");
    let cases = [
        (Method::PUT, related.clone(), json!([])),
        (
            Method::POST,
            "/api/v1/admin/articles".to_owned(),
            json!(["By position", "Body."]),
        ),
        (
            Method::PATCH,
            format!("/api/v1/admin/articles/{}", a.id),
            json!([1, "Renamed by position"]),
        ),
        (
            Method::POST,
            format!("/api/v1/admin/articles/{}/publish", a.id),
            json!([]),
        ),
        (
            Method::POST,
            "/api/v1/admin/preview".to_owned(),
            json!(["x"]),
        ),
        (
            Method::POST,
            "/api/v1/admin/articles".to_owned(),
            json!("text"),
        ),
    ];
    for (method, path, body) in cases {
        let (s, e) = t
            .admin(&key, method.clone(), &path, Some(body.clone()))
            .await
            .expect("send");
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("invalid_fields")),
            "{method} {path} {body}: {e}"
        );
    }
    let (_, now) = t
        .admin(&key, Method::GET, &related, None)
        .await
        .expect("get");
    assert_eq!(now["pin"], json!([b.id.0]), "the pins are untouched");
    let (_, article) = t
        .admin(
            &key,
            Method::GET,
            &format!("/api/v1/admin/articles/{}", a.id),
            None,
        )
        .await
        .expect("get");
    assert_eq!(article["title"], "Has pins");
    assert_eq!(article["version"], 1);
}

#[tokio::test]
async fn the_api_needs_a_correction_note_to_change_a_published_article_s_text_like_the_editor() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let (status, a) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({"title": "Bridge reopens", "body": "The bridge reopened on Monday."})),
        )
        .await
        .expect("create");
    assert_eq!(status, 201, "{a}");
    let path = format!("/api/v1/admin/articles/{}", a["id"]);
    let (status, refused) = t
        .admin(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"version": a["version"], "body": "The bridge reopened on Tuesday."})),
        )
        .await
        .expect("patch");
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["fields"]["correction"].is_string(),
        "{refused}"
    );
    let (_, stored) = t.admin(&key, Method::GET, &path, None).await.expect("get");
    assert_eq!(
        stored["body"], "The bridge reopened on Monday.",
        "nothing written"
    );
    // Metadata that readers do not read as the story's text needs no note.
    let (status, tagged) = t
        .admin(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"version": a["version"], "tags": ["Transport"]})),
        )
        .await
        .expect("patch tags");
    assert_eq!(status, 200, "{tagged}");
}

/// Sends `head` (request line and headers, without the blank line) plus `body` over a raw
/// TCP connection and returns the status code, the response head and how long it took.
async fn raw_request(t: &TestApp, head: &str, body: &[u8]) -> (u16, String, StdDuration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.base_url.trim_start_matches("http://").to_owned();
    let started = std::time::Instant::now();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    // A server that refuses early may close before all was written; its answer counts.
    let _ = stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await;
    let _ = stream.write_all(body).await;
    // The rest of the declared body never comes; the answer must not wait for it.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(StdDuration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 10 s to {head:?}");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text, started.elapsed())
}

/// A declared body over the limit is refused at once from its `Content-Length`, without
/// waiting for a body that never comes (it used to wait 30 s for a 503).
#[tokio::test]
async fn an_oversized_content_length_is_refused_at_once_with_413() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let host = t.base_url.trim_start_matches("http://").to_owned();
    for (path, auth, content_type) in [
        (
            "/api/v1/admin/articles",
            format!("\r\nAuthorization: Bearer {key}"),
            "application/json",
        ),
        (
            "/admin/signin",
            String::new(),
            "application/x-www-form-urlencoded",
        ),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n\
             Content-Length: 100000000{auth}"
        );
        let (status, answer, took) = raw_request(&t, &head, b"0123456789").await;
        assert_eq!(status, 413, "{path}: {answer}");
        assert!(took < StdDuration::from_secs(5), "{path}: took {took:?}");
        let lower = answer.to_ascii_lowercase();
        assert!(
            lower.contains("x-content-type-options: nosniff"),
            "{path}: {answer}"
        );
        let expected_type = if path.starts_with("/api/") {
            "content-type: application/json"
        } else {
            "content-type: text/html"
        };
        assert!(lower.contains(expected_type), "{path}: {answer}");
    }
    // A declared length within the limit is still read and answered as before.
    let body = br#"{"title": "Small", "body": "Fits."}"#;
    let head = format!(
        "POST /api/v1/admin/articles HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {key}\r\nContent-Length: {}\r\nConnection: close",
        body.len()
    );
    let (status, answer, _) = raw_request(&t, &head, body).await;
    assert_eq!(status, 201, "{answer}");
}

/// The answers hyper writes by itself, before any handler sees the request (a request line
/// it cannot parse, a URI too long, headers too large), carry the security headers like
/// every other answer (they had none).
#[tokio::test]
async fn hyper_s_own_400_414_and_431_carry_the_security_headers() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let host = t.base_url.trim_start_matches("http://").to_owned();
    let long_uri = format!("/{}", "a".repeat(70_000));
    let huge_header = "b".repeat(500_000);
    for (expected, head) in [
        (400, "NOT A REQUEST LINE\r\nHost: x".to_owned()),
        (414, format!("GET {long_uri} HTTP/1.1\r\nHost: {host}")),
        (
            431,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {huge_header}"),
        ),
    ] {
        let (status, answer, _) = raw_request(&t, &head, b"").await;
        assert_eq!(status, expected, "{answer}");
        let lower = answer.to_ascii_lowercase();
        for header in [
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: strict-origin-when-cross-origin",
            "content-security-policy: default-src 'self'",
        ] {
            assert!(
                lower.contains(header),
                "{expected}: no {header} in {answer}"
            );
        }
    }
    // The site still answers normally afterwards, on fresh connections.
    let (status, answer, _) = raw_request(
        &t,
        &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close"),
        b"",
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

/// A key that may not touch articles learns nothing from `…/permissions`: the same 403 for
/// a draft that exists and an id that does not (it used to answer 200 and 404).
#[tokio::test]
async fn permissions_do_not_tell_keys_without_article_rights_which_ids_exist() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let mut input = dateline_testkit::article("Secret draft", "Not yet.");
    input.status = Some(dateline_core::Status::Draft);
    let draft = t.arrange_article(input).await.expect("draft").id.0;
    let unknown = draft + 1000;
    for role in [Role::Contributor, Role::Author] {
        let key = t.key(role).await.expect("key");
        for id in [draft, unknown] {
            let path = format!("/api/v1/admin/articles/{id}/permissions");
            let (s, e) = t.admin(&key, Method::GET, &path, None).await.expect("send");
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{role:?} key, {path}: {e}"
            );
        }
    }
    // Keys that may edit still get the answer, and a 404 for what does not exist.
    let key = t.key(Role::Editor).await.expect("key");
    let path = format!("/api/v1/admin/articles/{draft}/permissions");
    let (s, p) = t.admin(&key, Method::GET, &path, None).await.expect("send");
    assert_eq!((s, p["edit"].as_bool()), (200, Some(true)), "{p}");
    let path = format!("/api/v1/admin/articles/{unknown}/permissions");
    let (s, _) = t.admin(&key, Method::GET, &path, None).await.expect("send");
    assert_eq!(s, 404);
}

/// An article id in a path is plain decimal digits: `+1`, `01` or ` 1` do not name
/// article 1 (one article, one address).
#[tokio::test]
async fn article_ids_in_paths_are_plain_digits_only() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let a = t
        .arrange_article(dateline_testkit::article("Number one", "Body."))
        .await
        .expect("article");
    let id = a.id.0;
    let (s, _) = t
        .admin(
            &key,
            Method::GET,
            &format!("/api/v1/admin/articles/{id}"),
            None,
        )
        .await
        .expect("send");
    assert_eq!(s, 200);
    for raw in [
        format!("+{id}"),
        format!("%2B{id}"),
        format!("0{id}"),
        format!("%20{id}"),
        format!("{id}%20"),
        format!("{id}.0"),
        "99999999999999999999".to_owned(),
    ] {
        for path in [
            format!("/api/v1/admin/articles/{raw}"),
            format!("/api/v1/admin/articles/{raw}/permissions"),
            format!("/api/v1/admin/articles/{raw}/revisions"),
        ] {
            let (s, e) = t.admin(&key, Method::GET, &path, None).await.expect("send");
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{path}: {e}"
            );
        }
    }
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let r = ed
        .get(&format!("/admin/articles/+{id}/edit"))
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
}
