//! Stories for readers: the story page and API list every public report of one event, each
//! article links to it, and search shows one result per story with the others folded.

use dateline_core::Role;
use dateline_testkit::{backends, TestApp};
use reqwest::Method;

use crate::discovery::{rewrite, story, HARBOUR};

#[tokio::test]
async fn a_story_with_several_reports_has_a_page_an_api_a_link_and_one_search_result() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let mut first = story("Harbour reopens at Sur after cyclone", HARBOUR, "World", 10);
        first.source = Some("Gulf Wire".into());
        let first = t.arrange_article(first).await.expect("first report");
        let mut second = story(
            "Sur fishermen back at sea as harbour reopens",
            &rewrite(),
            "World",
            9,
        );
        second.source = Some("Coast Herald".into());
        second.authors = vec!["Mona Said".into()];
        let second = t.arrange_article(second).await.expect("second report");
        let alone = t
            .arrange_article(story(
                "Cup final goes to penalties",
                "The football club won the cup after a penalty shoot-out in Manchester.",
                "Sport",
                7,
            ))
            .await
            .expect("unrelated");
        t.settle_index().await.expect("indexed");

        let a = t
            .get_json(&format!("/api/v1/articles/{}", first.slug), 200)
            .await
            .expect("first");
        let story_id = a["story_id"].as_str().expect("story id").to_owned();

        // The article page links to the story page.
        let page = t
            .get(&format!("/articles/{}", second.slug))
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(
            page.contains(&format!(
                "<a href=\"/story/{story_id}\">1 other report of this story</a>"
            )),
            "{backend:?}: {page}"
        );
        let lonely = t
            .get(&format!("/articles/{}", alone.slug))
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(
            !lonely.contains("other report"),
            "a single report has no story link"
        );

        // The story page: both reports, oldest first, with source and byline.
        let response = t
            .get(&format!("/story/{story_id}"))
            .await
            .expect("story page");
        assert_eq!(response.status().as_u16(), 200, "{backend:?}");
        let html = response.text().await.expect("html");
        let doc = scraper::Html::parse_document(&html);
        let titles: Vec<String> = doc
            .select(&scraper::Selector::parse(".story-reports h2 a").expect("selector"))
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(
            titles,
            [first.title.clone(), second.title.clone()],
            "{backend:?}"
        );
        assert!(html.contains("Coast Herald") && html.contains("Mona Said"));

        // The API: the same reports, whole.
        let api = t
            .get_json(&format!("/api/v1/stories/{story_id}"), 200)
            .await
            .expect("story api");
        let slugs: Vec<&str> = api["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .filter_map(|r| r["slug"].as_str())
            .collect();
        assert_eq!(slugs, [first.slug.as_str(), second.slug.as_str()]);
        assert!(api["reports"][1]["body_html"]
            .as_str()
            .is_some_and(|b| b.contains("back at sea")));

        // No story page for a lone article, another member's id, or a non-canonical id.
        let alone_id = alone.id.0;
        let other_member = if story_id == first.id.0.to_string() {
            second.id.0
        } else {
            first.id.0
        };
        for path in [
            format!("/story/{alone_id}"),
            format!("/story/{other_member}"),
            format!("/story/+{story_id}"),
            "/api/v1/stories/0".to_owned(),
        ] {
            assert_eq!(
                t.get(&path).await.expect("get").status().as_u16(),
                404,
                "{path}"
            );
        }

        // Search: one result for the story, the other report folded under it.
        let found = t
            .get_json("/api/v1/search?q=harbour%20Sur", 200)
            .await
            .expect("search");
        let items = found["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{backend:?}: {found}");
        assert_eq!(found["total"], 2);
        assert_eq!(items[0]["other_reports"].as_array().map(Vec::len), Some(1));
        let results = t
            .get("/search?q=harbour+Sur")
            .await
            .expect("search page")
            .text()
            .await
            .expect("html");
        assert!(results.contains("and 1 other report"), "{results}");

        // Withdrawn: the story is down to one report; the page and the link go.
        let key = t.key(Role::Editor).await.expect("key");
        let (status, _) = t
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{}/unpublish", second.id),
                None,
            )
            .await
            .expect("unpublish");
        assert_eq!(status, 200);
        t.settle_index().await.expect("indexed");
        assert_eq!(
            t.get(&format!("/story/{story_id}"))
                .await
                .expect("get")
                .status()
                .as_u16(),
            404
        );
        let page = t
            .get(&format!("/articles/{}", first.slug))
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(
            !page.contains("other report"),
            "{backend:?}: the cached page was refreshed"
        );
    }
}

#[tokio::test]
async fn search_pages_of_stories_never_repeat_or_skip_an_article() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        // Six distinct stories: pages of two stories each, cut where a page is full, must
        // together show every article once.
        let topics = [
            "turbines",
            "vineyards",
            "glaciers",
            "railways",
            "lighthouses",
            "orchards",
        ];
        for (i, topic) in topics.iter().enumerate() {
            t.arrange_article(story(
                &format!("Inspectors count the {topic} of the northern valley"),
                &format!("The regional office said its inspectors counted {topic} across the northern valley this week, \
                          finding {} in good repair.", 10 + i),
                "World",
                i as i64 + 1,
            ))
            .await
            .expect("article");
        }
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        t.settle_index().await.expect("indexed");
        for _ in 0..10 {
            let path = match &cursor {
                None => "/api/v1/search?q=inspectors%20valley&limit=2".to_owned(),
                Some(c) => format!("/api/v1/search?q=inspectors%20valley&limit=2&cursor={c}"),
            };
            let page = t.get_json(&path, 200).await.expect("page");
            for item in page["items"].as_array().expect("items") {
                seen.push(item["slug"].as_str().expect("slug").to_owned());
                for other in item["other_reports"].as_array().expect("others") {
                    seen.push(other["slug"].as_str().expect("slug").to_owned());
                }
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if cursor.is_none() {
                break;
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(seen.len(), 6, "{backend:?}: {seen:?}");
        assert_eq!(unique.len(), 6, "{backend:?}: no article twice");
    }
}

async fn story_of(t: &TestApp, slug: &dateline_core::Slug) -> String {
    t.get_json(&format!("/api/v1/articles/{slug}"), 200)
        .await
        .expect("article")["story_id"]
        .as_str()
        .expect("story id")
        .to_owned()
}

/// POSTs one change to the editor's related panel; returns the redirect's location.
async fn panel_change(
    s: &dateline_testkit::SessionClient,
    article: i64,
    fields: &[(&str, &str)],
) -> String {
    let r = s
        .post_form(&format!("/admin/articles/{article}/related"), fields)
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn editors_split_and_merge_stories_on_every_node_and_through_a_restart() {
    for backend in backends() {
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
        let second = t
            .arrange_article(story(
                "Sur fishermen back at sea as harbour reopens",
                &rewrite(),
                "World",
                9,
            ))
            .await
            .expect("second");
        let third = t
            .arrange_article(story(
                "Cup final goes to penalties",
                "The football club won the cup after a penalty shoot-out in Manchester.",
                "Sport",
                7,
            ))
            .await
            .expect("third");
        t.settle_index().await.expect("indexed");
        assert_eq!(
            story_of(&t, &first.slug).await,
            story_of(&t, &second.slug).await
        );
        let b = t.another_node().await.expect("second node");

        // Contributors and authors may not decide about stories.
        let author = t.signed_in(Role::Author).await.expect("author");
        let r = author
            .post_form(
                &format!("/admin/articles/{}/related", first.id),
                &[("change", &format!("split:{}", second.id))],
            )
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 403, "{backend:?}");

        let editor = t.signed_in(Role::Editor).await.expect("editor");
        let to = panel_change(
            &editor,
            first.id.0,
            &[("change", &format!("split:{}", second.id))],
        )
        .await;
        assert!(to.contains("done=split"), "{to}");
        let to = panel_change(
            &editor,
            first.id.0,
            &[
                ("article", &format!("/articles/{}", third.slug)),
                ("op", "merge"),
            ],
        )
        .await;
        assert!(to.contains("done=merged"), "{to}");
        for node in [&t, &b] {
            node.settle_index().await.expect("indexed");
            assert_ne!(
                story_of(node, &first.slug).await,
                story_of(node, &second.slug).await,
                "{backend:?}: split holds on every node"
            );
            assert_eq!(
                story_of(node, &first.slug).await,
                story_of(node, &third.slug).await,
                "{backend:?}: merge holds on every node"
            );
        }
        let page = editor
            .get_text(&format!("/admin/articles/{}/edit", first.id))
            .await
            .expect("editor page");
        assert!(
            page.contains("Kept apart from") && page.contains("Merged by hand with"),
            "{page}"
        );

        // The decisions live in the store: a restarted node (engine from its snapshot) and a
        // rebuilt one keep them.
        drop(b);
        let db = t.stop().await.expect("stop");
        let t = TestApp::resume(db).await.expect("restart");
        t.settle_index().await.expect("indexed");
        assert_ne!(
            story_of(&t, &first.slug).await,
            story_of(&t, &second.slug).await
        );
        assert_eq!(
            story_of(&t, &first.slug).await,
            story_of(&t, &third.slug).await
        );
        t.app
            .rebuild_discovery(&dateline_app::import::NoProgress)
            .await
            .expect("reindex");
        assert_ne!(
            story_of(&t, &first.slug).await,
            story_of(&t, &second.slug).await,
            "{backend:?}: after reindex"
        );
        assert_eq!(
            story_of(&t, &first.slug).await,
            story_of(&t, &third.slug).await
        );

        // Undone: the same-story test decides again.
        let editor = t.signed_in(Role::Editor).await.expect("editor");
        for other in [second.id, third.id] {
            let to = panel_change(
                &editor,
                first.id.0,
                &[("change", &format!("forget:{other}"))],
            )
            .await;
            assert!(to.contains("done=forgotten"), "{to}");
        }
        t.settle_index().await.expect("indexed");
        assert_eq!(
            story_of(&t, &first.slug).await,
            story_of(&t, &second.slug).await,
            "{backend:?}"
        );
        assert_ne!(
            story_of(&t, &first.slug).await,
            story_of(&t, &third.slug).await
        );
    }
}
