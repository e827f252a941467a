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
