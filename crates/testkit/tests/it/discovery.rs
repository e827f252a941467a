//! Search and related articles over HTTP: published content only, stories never repeated,
//! changes propagated.

use chrono::{Duration, Utc};
use dateline_core::{Article, ArticleInput, Role, Status};
use dateline_testkit::{backends, TestApp};
use reqwest::Method;

/// A published article in `section`, `hours_ago` old (shared with `related_panel`).
pub(crate) fn story(title: &str, body: &str, section: &str, hours_ago: i64) -> ArticleInput {
    ArticleInput {
        title: title.into(),
        body: body.into(),
        section: Some(section.into()),
        published_at: Some(Utc::now() - Duration::hours(hours_ago)),
        ..Default::default()
    }
}

pub(crate) const HARBOUR: &str =
    "The harbour at Sur reopened on Monday after Cyclone Shaheen damaged the breakwater. \
Fishermen said repairs by the Ministry of Transport took nine days and cost 4.2 million rials. \
\"We are back at sea,\" said Salim al-Harthy, who leads the fishermen's association.\n\n\
Officials in Muscat said the port would handle 120 boats a day by next month.";

pub(crate) fn rewrite() -> String {
    // The same story as filed by another desk: sentences reordered, figures updated, the
    // attribution changed, the last paragraph dropped.
    "Fishermen returned to sea at Sur on Monday, when the harbour reopened. \"We are back at sea,\" \
said Salim al-Harthy of the fishermen's association. Cyclone Shaheen had damaged the breakwater; the Ministry \
of Transport's repairs took nine days and cost 4.3 million rials, officials said."
        .to_owned()
}

async fn search(t: &TestApp, query: &str) -> serde_json::Value {
    t.get_json(&format!("/api/v1/search?{query}"), 200)
        .await
        .expect("search")
}

fn slugs(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["slug"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn search_finds_published_articles_with_filters_and_follows_every_change() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        t.arrange_article(story("Harbour reopens at Sur", HARBOUR, "World", 5))
            .await
            .expect("a");
        t.arrange_article(story(
            "Budget cuts hit schools",
            "The chancellor announced budget cuts to schools.",
            "Politics",
            3,
        ))
        .await
        .expect("b");
        t.arrange_article(story(
            "Schools budget rises in Wales",
            "Schools in Wales get a bigger budget.",
            "Politics",
            1,
        ))
        .await
        .expect("c");
        let mut draft = story(
            "Secret harbour plan",
            "A draft about the harbour.",
            "World",
            1,
        );
        draft.status = Some(Status::Draft);
        t.arrange_article(draft).await.expect("draft");
        t.settle_index().await.expect("indexed");

        assert_eq!(
            slugs(&search(&t, "q=harbour").await),
            ["harbour-reopens-at-sur"],
            "drafts are not searchable ({backend:?})"
        );
        assert_eq!(
            slugs(&search(&t, "q=budget+schools&sort=date").await),
            ["schools-budget-rises-in-wales", "budget-cuts-hit-schools"]
        );
        assert_eq!(
            slugs(&search(&t, "q=%22budget+cuts%22").await),
            ["budget-cuts-hit-schools"],
            "phrase"
        );
        assert_eq!(
            slugs(&search(&t, "q=budget+-wales").await),
            ["budget-cuts-hit-schools"],
            "exclusion"
        );
        assert_eq!(
            slugs(&search(&t, "q=budget&section=world").await).len(),
            0,
            "section filter"
        );
        let from = (Utc::now() - Duration::hours(2)).to_rfc3339();
        let recent = search(&t, &format!("q=budget&from={}", from.replace('+', "%2B"))).await;
        assert_eq!(
            slugs(&recent),
            ["schools-budget-rises-in-wales"],
            "date filter"
        );
        let typo = search(&t, "q=chancelor").await;
        assert_eq!(
            (slugs(&typo), typo["fuzzy"].as_bool()),
            (vec!["budget-cuts-hit-schools".to_owned()], Some(true))
        );
        let hit = &search(&t, "q=breakwater").await["items"][0];
        assert!(
            hit["snippet"]
                .as_str()
                .is_some_and(|s| s.contains("<b>breakwater</b>")),
            "{hit}"
        );
        t.get_json("/api/v1/search?q=x&sort=sideways", 400)
            .await
            .expect("bad sort");

        // A publish is searchable moments later; an unpublish disappears.
        let (s, created) = t
            .admin(&key, Method::POST, "/api/v1/admin/articles", Some(serde_json::json!({"title": "Lighthouse relit", "body": "The lighthouse at Ras al-Hadd shines again."})))
            .await
            .expect("create");
        assert_eq!(s, 201);
        t.settle_index().await.expect("indexed");
        assert_eq!(
            slugs(&search(&t, "q=lighthouse").await),
            ["lighthouse-relit"]
        );
        let id = created["id"].as_i64().expect("id");
        t.admin(
            &key,
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/unpublish"),
            None,
        )
        .await
        .expect("unpublish");
        t.settle_index().await.expect("indexed");
        assert!(slugs(&search(&t, "q=lighthouse").await).is_empty());

        let page = t
            .get("/search?q=harbour")
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        let doc = scraper::Html::parse_document(&page);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert!(
            page.contains("<b>harbour</b>") || page.contains("<b>Harbour</b>"),
            "highlighted"
        );
        assert!(
            page.contains("1 articles found") || page.contains("1 article"),
            "count shown"
        );
    }
}

#[tokio::test]
async fn related_lists_never_show_the_same_story_twice_and_drop_unpublished_articles() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let original = t
            .arrange_article(story(
                "Harbour reopens at Sur after cyclone",
                HARBOUR,
                "World",
                10,
            ))
            .await
            .expect("a");
        let copy = t
            .arrange_article(story(
                "Sur fishermen back at sea as harbour reopens",
                &rewrite(),
                "World",
                9,
            ))
            .await
            .expect("b");
        let other = t
            .arrange_article(story(
                "Cyclone damage closes Duqm port",
                "Cyclone Shaheen damaged the breakwater at Duqm port. The Ministry of Transport said repairs to the port would take weeks, \
                 and fishermen were told to stay in harbour.",
                "World",
                8,
            ))
            .await
            .expect("c");
        let unrelated = t
            .arrange_article(story(
                "Cup final goes to penalties",
                "The football club won the cup after a penalty shoot-out in Manchester.",
                "Sport",
                7,
            ))
            .await
            .expect("d");
        t.settle_index().await.expect("indexed");

        let a = t
            .get_json(&format!("/api/v1/articles/{}", original.slug), 200)
            .await
            .expect("a");
        let b = t
            .get_json(&format!("/api/v1/articles/{}", copy.slug), 200)
            .await
            .expect("b");
        assert_eq!(
            a["story_id"], b["story_id"],
            "the rewrite is the same story ({backend:?})"
        );
        let c = t
            .get_json(&format!("/api/v1/articles/{}", other.slug), 200)
            .await
            .expect("c");
        assert_ne!(
            a["story_id"], c["story_id"],
            "a different story in the same section stays apart"
        );

        let rel = t
            .get_json(
                &format!("/api/v1/articles/{}/related?limit=10", original.slug),
                200,
            )
            .await
            .expect("related");
        let rel_slugs = slugs(&rel);
        assert!(
            !rel_slugs.contains(&copy.slug.to_string()),
            "own story excluded: {rel_slugs:?}"
        );
        assert_eq!(
            rel_slugs.first().map(String::as_str),
            Some(other.slug.as_str()),
            "{rel_slugs:?}"
        );
        for item in rel["items"].as_array().expect("items") {
            for field in [
                "slug",
                "external_id",
                "title",
                "teaser",
                "section",
                "story_id",
                "url",
                "published_at",
                "score",
            ] {
                assert!(item.get(field).is_some(), "missing {field}");
            }
        }
        let rel_c = t
            .get_json(
                &format!("/api/v1/articles/{}/related?limit=10", other.slug),
                200,
            )
            .await
            .expect("related");
        let stories: Vec<_> = rel_c["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["story_id"].clone())
            .collect();
        let mut unique = stories.clone();
        unique.dedup();
        assert_eq!(stories.len(), unique.len(), "no story twice: {rel_c}");
        assert!(
            stories.contains(&a["story_id"]),
            "the harbour story appears once"
        );

        let (s, admin) = t
            .admin(
                &key,
                Method::GET,
                &format!("/api/v1/admin/articles/{}", original.id),
                None,
            )
            .await
            .expect("admin");
        assert_eq!(s, 200);
        assert_eq!(admin["other_versions"], serde_json::json!([copy.id.0]));

        let page = t
            .get(&original.path())
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        let doc = scraper::Html::parse_document(&page);
        let sel = scraper::Selector::parse(".related-items li a").expect("selector");
        let shown: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
        assert!(shown.contains(&other.title), "{shown:?}");
        assert!(!shown.contains(&copy.title));
        assert!(shown.len() <= 4);

        // Unpublishing leaves every list at once, cached page included.
        let (s, _) = t
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{}/unpublish", other.id),
                None,
            )
            .await
            .expect("unpublish");
        assert_eq!(s, 200);
        let rel = t
            .get_json(
                &format!("/api/v1/articles/{}/related?limit=10", original.slug),
                200,
            )
            .await
            .expect("related");
        assert!(!slugs(&rel).contains(&other.slug.to_string()));
        let page = t
            .get(&original.path())
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(
            !page.contains(&other.title),
            "the cached page dropped the unpublished article"
        );
        let _ = unrelated;
    }
}

#[tokio::test]
async fn a_published_article_s_list_and_the_lists_it_enters_are_ready_before_anyone_asks() {
    for backend in backends() {
        // Arrange: an article on the site, its list asked for once (kept).
        let t = TestApp::spawn(backend).await.expect("app");
        let first = t
            .arrange_article(story(
                "Harbour reopens at Sur after cyclone",
                HARBOUR,
                "World",
                10,
            ))
            .await
            .expect("first");
        t.settle_index().await.expect("indexed");
        t.get_json(&format!("/api/v1/articles/{}/related", first.slug), 200)
            .await
            .expect("first list");

        // Act: a related article is published; nobody reads anything.
        let second = t
            .arrange_article(story(
                "Cyclone damage closes Duqm port",
                "Cyclone Shaheen damaged the breakwater at Duqm port. The Ministry of Transport \
                 said repairs to the port would take weeks, and fishermen were told to stay in \
                 harbour.",
                "World",
                9,
            ))
            .await
            .expect("second");
        t.settle_index().await.expect("indexed");

        // Assert: the indexer ranked the new article's list and the list it entered.
        assert!(
            t.app.related_list_is_ready(second.id),
            "the new article's list is ready at publish ({backend:?})"
        );
        assert!(
            t.app.related_list_is_ready(first.id),
            "the list the new article entered is ranked again, not dropped ({backend:?})"
        );
        let list = t
            .get_json(&format!("/api/v1/articles/{}/related", first.slug), 200)
            .await
            .expect("first list");
        assert!(
            list["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["slug"] == second.slug.as_str())),
            "{list}"
        );
    }
}

#[tokio::test]
async fn editors_pin_and_exclude_related_articles() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let a = t
            .arrange_article(story(
                "Harbour reopens at Sur after cyclone",
                HARBOUR,
                "World",
                10,
            ))
            .await
            .expect("a");
        let near = t
            .arrange_article(story(
                "Cyclone damage closes Duqm port",
                "Cyclone Shaheen damaged the breakwater at Duqm port. The Ministry of Transport said repairs to the port would take weeks, \
                 and fishermen were told to stay in harbour.",
                "World",
                8,
            ))
            .await
            .expect("b");
        let far = t
            .arrange_article(story(
                "Cup final goes to penalties",
                "The football club won the cup after a penalty shoot-out.",
                "Sport",
                7,
            ))
            .await
            .expect("c");
        let mut excluded = vec![near.id.0];
        for (i, topic) in [
            "Chip maker profits rise on phone sales",
            "Film festival opens with comedy",
        ]
        .iter()
        .enumerate()
        {
            let filler = t
                .arrange_article(story(
                    topic,
                    &format!("{topic}, officials said on day {i}."),
                    "Other",
                    20 + i as i64,
                ))
                .await
                .expect("filler");
            excluded.push(filler.id.0);
        }
        t.settle_index().await.expect("indexed");
        let before = t
            .get_json(
                &format!("/api/v1/articles/{}/related?limit=10", a.slug),
                200,
            )
            .await
            .expect("related");
        assert!(!slugs(&before).is_empty());
        t.get(&a.path()).await.expect("warm the cache");

        let path = format!("/api/v1/admin/articles/{}/related", a.id);
        let (s, body) = t
            .admin(
                &key,
                Method::PUT,
                &path,
                Some(serde_json::json!({"pin": [far.id.0], "exclude": excluded})),
            )
            .await
            .expect("put");
        assert_eq!(s, 200, "{body}");
        assert_eq!(
            body,
            serde_json::json!({"pin": [far.id.0], "exclude": excluded})
        );
        let after = t
            .get_json(
                &format!("/api/v1/articles/{}/related?limit=10", a.slug),
                200,
            )
            .await
            .expect("related");
        assert_eq!(slugs(&after), [far.slug.to_string()], "{backend:?}");
        assert_eq!(after["items"][0]["score"], 1.0);
        let page = t
            .get(&a.path())
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(
            page.contains(&far.title) && !page.contains(&near.title),
            "the cached page was refreshed"
        );

        let (s, e) = t
            .admin(
                &key,
                Method::PUT,
                &path,
                Some(serde_json::json!({"pin": [a.id.0]})),
            )
            .await
            .expect("put");
        assert_eq!((s, e["error"]["fields"]["pin"].is_string()), (422, true));
        let (s, _) = t
            .admin(
                &key,
                Method::PUT,
                &path,
                Some(serde_json::json!({"pin": [999_999]})),
            )
            .await
            .expect("put");
        assert_eq!(s, 422);
        let author = t.key(Role::Author).await.expect("key");
        let (s, _) = t
            .admin(
                &author,
                Method::PUT,
                &path,
                Some(serde_json::json!({"pin": []})),
            )
            .await
            .expect("put");
        assert_eq!(s, 403);
        let (s, current) = t.admin(&key, Method::GET, &path, None).await.expect("get");
        assert_eq!(
            (s, current["pin"].clone()),
            (200, serde_json::json!([far.id.0]))
        );
    }
}

/// Two stories on one topic ("Harbour reopens at Sur" and a short "Cyclone damage closes
/// Duqm port", each other's best related article) and two unrelated ones, written on `node`.
async fn harbour_and_duqm(node: &TestApp) -> (Article, Article) {
    let harbour = node
        .arrange_article(story("Harbour reopens at Sur", HARBOUR, "World", 10))
        .await
        .expect("harbour");
    let duqm = node
        .arrange_article(story(
            "Cyclone damage closes Duqm port",
            "Cyclone Shaheen damaged the breakwater at Duqm port. The Ministry of Transport said repairs to the port would take weeks.",
            "World",
            8,
        ))
        .await
        .expect("duqm");
    for (title, body, section) in [
        (
            "Cup final goes to penalties",
            "The football club won the cup after a penalty shoot-out.",
            "Sport",
        ),
        (
            "Chip maker profits rise",
            "Profits at the chip maker rose as phone sales grew.",
            "Business",
        ),
    ] {
        node.arrange_article(story(title, body, section, 12))
            .await
            .expect("filler");
    }
    (harbour, duqm)
}

/// Polls `check` on node B every 50 ms for up to 5 s; true once it holds.
async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn a_second_node_s_search_and_related_lists_follow_the_other_node_s_writes() {
    for backend in backends() {
        let a_node = TestApp::spawn(backend).await.expect("app");
        let b_node = a_node.another_node().await.expect("second node");
        let key = a_node.key(Role::Editor).await.expect("key");
        b_node.settle_index().await.expect("B starts");

        // Written on A, after B has started: B learns of them from the store's changes.
        let (harbour, duqm) = harbour_and_duqm(&a_node).await;
        let found_on_b = |q: &'static str| {
            let b = &b_node;
            async move { slugs(&search(b, q).await) }
        };
        assert!(
            eventually(|| async { found_on_b("q=breakwater").await.len() == 2 }).await,
            "{backend:?}: B's index never caught up"
        );
        let related_on_b = |slug: String| {
            let b = &b_node;
            async move {
                slugs(
                    &b.get_json(&format!("/api/v1/articles/{slug}/related?limit=10"), 200)
                        .await
                        .expect("related"),
                )
            }
        };
        a_node.settle_index().await.expect("A indexed");
        let related_on_a = slugs(
            &a_node
                .get_json(
                    &format!("/api/v1/articles/{}/related?limit=10", harbour.slug),
                    200,
                )
                .await
                .expect("related on A"),
        );
        assert_eq!(related_on_a.first(), Some(&duqm.slug.to_string()));
        assert!(
            eventually(|| async { related_on_b(harbour.slug.to_string()).await == related_on_a })
                .await,
            "{backend:?}: B's related list differs from A's"
        );

        // An edit on A: B finds the new word, not the old one.
        let (s, body) = a_node
            .admin(
                &key,
                Method::PATCH,
                &format!("/api/v1/admin/articles/{}", duqm.id),
                Some(serde_json::json!({
                    "title": "Cyclone damage shuts Duqm quay",
                    "version": duqm.version.0,
                    "correction": "The headline now names the quay.",
                })),
            )
            .await
            .expect("edit");
        assert_eq!(s, 200, "{body}");
        assert!(
            eventually(|| async { found_on_b("q=quay").await == [duqm.slug.to_string()] }).await,
            "{backend:?}: B never saw the edit"
        );

        // Unpublished on A: gone from B's search and from B's related lists.
        let (s, _) = a_node
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{}/unpublish", duqm.id),
                None,
            )
            .await
            .expect("unpublish");
        assert_eq!(s, 200);
        assert!(
            eventually(|| async {
                found_on_b("q=breakwater").await == [harbour.slug.to_string()]
                    && !related_on_b(harbour.slug.to_string())
                        .await
                        .contains(&duqm.slug.to_string())
            })
            .await,
            "{backend:?}: B kept an unpublished article in search or related lists"
        );
    }
}

async fn related_slugs(t: &TestApp, slug: &str) -> Vec<String> {
    slugs(
        &t.get_json(&format!("/api/v1/articles/{slug}/related?limit=10"), 200)
            .await
            .expect("related"),
    )
}

#[tokio::test]
async fn a_restarted_node_loads_its_saved_related_articles_and_catches_up() {
    for backend in backends() {
        let a_node = TestApp::spawn(backend).await.expect("app");
        let key = a_node.key(Role::Editor).await.expect("key");
        let (harbour, duqm) = harbour_and_duqm(&a_node).await;
        a_node.settle_index().await.expect("indexed");
        let before = related_slugs(&a_node, harbour.slug.as_str()).await;
        assert_eq!(before.first(), Some(&duqm.slug.to_string()));

        // A clean stop saves the engine; a restart answers the same.
        let db = a_node.stop().await.expect("stop");
        let snapshot = db.dir.path().join("related.snapshot");
        assert!(snapshot.exists(), "{backend:?}: saved at shutdown");
        let a_node = TestApp::resume(db).await.expect("restart");
        a_node.settle_index().await.expect("loaded");
        assert_eq!(related_slugs(&a_node, harbour.slug.as_str()).await, before);

        // Written by another node while this one is down: caught up after the start.
        let b_node = a_node.another_node().await.expect("second node");
        let db = a_node.stop().await.expect("stop again");
        let (s, _) = b_node
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{}/unpublish", duqm.id),
                None,
            )
            .await
            .expect("unpublish on B");
        assert_eq!(s, 200);
        let sur = b_node
            .arrange_article(story(
                "Sur fishermen count the cost of Cyclone Shaheen",
                "Fishermen at Sur said Cyclone Shaheen damaged the breakwater and their boats; the Ministry of Transport paid for repairs.",
                "World",
                6,
            ))
            .await
            .expect("new on B");
        let a_node = TestApp::resume(db).await.expect("restart");
        a_node.settle_index().await.expect("caught up");
        let after = related_slugs(&a_node, harbour.slug.as_str()).await;
        assert!(!after.contains(&duqm.slug.to_string()), "{after:?}");
        assert!(after.contains(&sur.slug.to_string()), "{after:?}");

        // A damaged snapshot is not used: the engine is rebuilt, with the same answers.
        drop(b_node);
        let db = a_node.stop().await.expect("stop a third time");
        let mut bytes = std::fs::read(&snapshot).expect("snapshot");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&snapshot, bytes).expect("damage it");
        let a_node = TestApp::resume(db).await.expect("restart");
        a_node.settle_index().await.expect("rebuilt");
        assert_eq!(related_slugs(&a_node, harbour.slug.as_str()).await, after);
    }
}

#[tokio::test]
async fn the_related_engine_is_saved_while_serving_not_only_at_a_clean_stop() {
    let t = TestApp::spawn_with(dateline_app::Backend::Sqlite, |c| {
        c.snapshot_interval_secs = 1;
    })
    .await
    .expect("app");
    t.settle_index().await.expect("built");
    let snapshot = t.db.dir.path().join("related.snapshot");
    let _ = std::fs::remove_file(&snapshot);
    t.arrange_article(story("Harbour reopens", HARBOUR, "world", 1))
        .await
        .expect("article");
    let mut saved = false;
    for _ in 0..100 {
        if snapshot.exists() {
            saved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        saved,
        "a crash now would replay every change since the last clean stop"
    );
}

/// Search pages stop at the deepest offset they serve: every cursor or "More results" link
/// handed out is one that is then accepted (past 10,000 results the API used to hand out
/// `next_cursor=10020` and refuse it as `invalid_cursor`). The depth is lowered to 10 here.
#[tokio::test]
async fn search_never_hands_out_a_cursor_it_then_refuses() {
    let t = TestApp::spawn_with(dateline_app::Backend::Sqlite, |c| c.search_max_offset = 10)
        .await
        .expect("app");
    for n in 0..25 {
        t.arrange_article(story(
            &format!("Lighthouse keepers, part {n}"),
            // Words of their own, so that each is a story of its own (search shows one
            // result per story).
            &format!(
                "The lighthouse keepers met about k{n}alpha k{n}bravo k{n}charlie k{n}delta \
                 k{n}echo k{n}foxtrot k{n}golf k{n}hotel."
            ),
            "World",
            n + 1,
        ))
        .await
        .expect("article");
    }
    t.settle_index().await.expect("indexed");

    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let query = match &cursor {
            None => "q=lighthouse&limit=4&sort=date".to_owned(),
            Some(c) => format!("q=lighthouse&limit=4&sort=date&cursor={c}"),
        };
        let r = t
            .get(&format!("/api/v1/search?{query}"))
            .await
            .expect("search");
        let status = r.status();
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["total"], 25, "{query}");
        seen.extend(slugs(&body));
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging never ended");
    }
    // Offsets 0, 4 and 8 are served (8 is within the depth of 10); 12 is not offered.
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 12);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "no result twice");

    // The readers' page (10 a page): the first page links to offset 10, which is served
    // and links no further.
    let mut href = Some("/search?q=lighthouse&sort=date".to_owned());
    let mut pages = 0;
    while let Some(h) = href.take() {
        let r = t.get(&h).await.expect("page");
        assert_eq!(r.status(), 200, "{h}");
        let html = r.text().await.expect("html");
        pages += 1;
        href = scraper::Html::parse_document(&html)
            .select(&scraper::Selector::parse("a[rel=next]").expect("selector"))
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_owned);
        assert!(pages < 5, "paging never ended");
    }
    assert_eq!(pages, 2);
}

#[tokio::test]
async fn a_store_failure_while_pinning_is_reported_as_such_not_as_a_missing_article() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let a = t
        .arrange_article(story("Harbour reopens", HARBOUR, "world", 1))
        .await
        .expect("article");
    let b = t
        .arrange_article(story("Quay repaired", "The quay was repaired.", "world", 2))
        .await
        .expect("article");
    let editor = dateline_app::articles::Actor::service("test", Role::Editor);
    // The database goes away between the request and the check of the pinned article.
    t.app.close().await;
    let result = t
        .app
        .set_related_overrides(&editor, a.id, vec![b.id], vec![])
        .await;
    match result {
        Err(dateline_app::Error::Invalid(fields)) => {
            panic!("a database failure was reported as a field error: {fields:?}")
        }
        Err(_) => {}
        Ok(_) => panic!("pinning succeeded on a closed database"),
    }
}
