//! The editor's "Related articles" panel over real HTTP: what readers get, pinning and
//! excluding with plain forms, and what reaches the public page and API.

use chrono::Utc;
use dateline_core::{ArticleInput, Role, Status};
use dateline_testkit::session::attr;
use dateline_testkit::{backends, SessionClient, TestApp};

use super::discovery::{story, HARBOUR};
use reqwest::Method;
use scraper::{Html, Selector};

/// Ids of the panel's items matching `selector`, in order (`#related-shown` holds the
/// readers' list and the next in line).
fn ids(html: &str, selector: &str) -> Vec<i64> {
    let selector = Selector::parse(selector).expect("selector");
    Html::parse_document(html)
        .select(&selector)
        .filter_map(|e| e.value().attr("data-related-id")?.parse().ok())
        .collect()
}

/// Ids and scores in the public related API, in order.
async fn public_related(t: &TestApp, slug: impl std::fmt::Display) -> Vec<(i64, f64)> {
    let v = t
        .get_json(&format!("/api/v1/articles/{slug}/related?limit=10"), 200)
        .await
        .expect("related");
    let mut out = Vec::new();
    for item in v["items"].as_array().expect("items") {
        let slug = item["slug"].as_str().expect("slug");
        let article = t
            .app
            .store()
            .public_article(slug, Utc::now())
            .await
            .expect("a public article");
        out.push((article.id.0, item["score"].as_f64().expect("score")));
    }
    out
}

/// POSTs one change to the panel and returns where it sends the browser.
async fn change(s: &SessionClient, article: i64, fields: &[(&str, &str)]) -> (u16, String) {
    let r = s
        .post_form(&format!("/admin/articles/{article}/related"), fields)
        .await
        .expect("post");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (r.status().as_u16(), location)
}

#[tokio::test]
async fn editors_pin_and_exclude_related_articles_from_the_editor_page() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let a = t
            .arrange_article(story("Harbour reopens at Sur", HARBOUR, "World", 10))
            .await
            .expect("a");
        let mut others = Vec::new();
        for (i, (title, body)) in [
            ("Cyclone damage closes Duqm port", "Cyclone Shaheen damaged the breakwater at Duqm port; the Ministry of Transport said repairs would take weeks."),
            ("Fishermen count cyclone losses", "Fishermen at Sur counted their losses after Cyclone Shaheen; the harbour breakwater was damaged."),
            ("Cup final goes to penalties", "The football club won the cup after a penalty shoot-out."),
        ]
        .iter()
        .enumerate()
        {
            let section = if i == 2 { "Sport" } else { "World" };
            others.push(
                t.arrange_article(story(title, body, section, 5 + i as i64))
                    .await
                    .expect("other"),
            );
        }
        let football = others[2].clone();
        let draft = t
            .arrange_article(ArticleInput {
                status: Some(Status::Draft),
                published_at: None,
                ..story("Unpublished harbour follow-up", HARBOUR, "World", 0)
            })
            .await
            .expect("draft");
        t.settle_index().await.expect("indexed");
        let editor = t.signed_in(Role::Editor).await.expect("editor");
        let edit = format!("/admin/articles/{}/edit", a.id);

        // The panel lists what readers get, with a button per change.
        let html = editor.get_text(&edit).await.expect("editor page");
        let shown = ids(&html, "#related-shown li[data-related-id]");
        let readers: Vec<i64> = public_related(&t, &a.slug)
            .await
            .iter()
            .map(|r| r.0)
            .collect();
        assert!(!shown.is_empty(), "{backend:?}: related items listed");
        assert_eq!(shown, readers, "the panel shows the readers' order");
        let first = shown[0];
        assert!(
            attr(&html, &format!("button[value='exclude:{first}']"), "name").is_some(),
            "an Exclude button per item"
        );

        // Exclude the first: gone from the API and from the (cached) public page.
        let first_title = t
            .app
            .store()
            .article(dateline_core::ArticleId(first))
            .await
            .expect("first")
            .title;
        t.get(&a.path()).await.expect("warm the page cache");
        let excluded = format!("exclude:{first}");
        assert_eq!(
            change(&editor, a.id.0, &[("change", &excluded)]).await,
            (303, format!("{edit}?done=excluded#related"))
        );
        assert!(!public_related(&t, &a.slug)
            .await
            .iter()
            .any(|r| r.0 == first));
        let page = t
            .get(&a.path())
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(
            !page.contains(&first_title),
            "the cached page was refreshed"
        );
        let html = editor
            .get_text(&format!("{edit}?done=excluded"))
            .await
            .expect("editor page");
        assert!(
            html.contains("Excluded: it no longer appears"),
            "flash shown"
        );
        assert_eq!(ids(&html, "#related-excluded li[data-related-id]"), [first]);
        assert!(attr(&html, &format!("button[value='include:{first}']"), "name").is_some());

        // Pin the football story by its address on the site: it comes first, score 1.
        let address = t.url(&football.path());
        assert_eq!(
            change(&editor, a.id.0, &[("article", &address), ("op", "pin")]).await,
            (303, format!("{edit}?done=pinned#related"))
        );
        let related = public_related(&t, &a.slug).await;
        assert_eq!(related[0], (football.id.0, 1.0), "{related:?}");
        let html = editor.get_text(&edit).await.expect("editor page");
        assert_eq!(
            ids(&html, "#related-shown li[data-related-id]")[0],
            football.id.0
        );
        assert!(attr(
            &html,
            &format!("button[value='unpin:{}']", football.id),
            "name"
        )
        .is_some());

        // A draft may be pinned by number; readers never see it, the editor does.
        let by_number = format!("#{}", draft.id);
        assert_eq!(
            change(&editor, a.id.0, &[("article", &by_number)]).await.0,
            303
        );
        assert!(!public_related(&t, &a.slug)
            .await
            .iter()
            .any(|r| r.0 == draft.id.0));
        let html = editor.get_text(&edit).await.expect("editor page");
        let hidden_pins = ids(&html, "#related-pinned-elsewhere li[data-related-id]");
        assert!(hidden_pins.contains(&draft.id.0), "{hidden_pins:?}");
        assert!(html.contains("Pinned, not shown"));

        // Refusals say why and change nothing.
        let before = t
            .app
            .store()
            .related_overrides(a.id)
            .await
            .expect("overrides");
        for (fields, code) in [
            (
                vec![(
                    "article",
                    "https://elsewhere.example/articles/no-such-story",
                )],
                "not-found",
            ),
            (vec![("article", "  ")], "missing"),
            (vec![("change", &*format!("pin:{}", a.id))], "invalid"),
            (vec![("change", "pin:abc")], "invalid"),
            (vec![("change", "promote:1")], "invalid"),
        ] {
            let (status, location) = change(&editor, a.id.0, &fields).await;
            assert_eq!(
                (status, location.clone()),
                (303, format!("{edit}?related_error={code}#related")),
                "{fields:?}"
            );
            let html = editor
                .get_text(location.trim_end_matches("#related"))
                .await
                .expect("page");
            let message = attr(&html, "#related .flash.error", "role");
            assert_eq!(
                message.as_deref(),
                Some("alert"),
                "{code}: the panel explains"
            );
        }
        assert_eq!(
            t.app
                .store()
                .related_overrides(a.id)
                .await
                .expect("overrides"),
            before
        );

        // Lifting the exclusion and the pin hands the list back to the engine.
        let include = format!("include:{first}");
        let unpin = format!("unpin:{}", football.id);
        change(&editor, a.id.0, &[("change", &include)]).await;
        change(&editor, a.id.0, &[("change", &unpin)]).await;
        let related = public_related(&t, &a.slug).await;
        assert!(related.iter().any(|r| r.0 == first), "{related:?}");
        assert!(
            related.iter().all(|r| r.1 < 1.0 || r.0 == draft.id.0),
            "{related:?}"
        );

        // The panel is an editors' tool: an author sees none and may not post to it.
        let author = t.signed_in(Role::Author).await.expect("author");
        let own = t
            .app
            .create_article(
                &dateline_app::articles::Actor {
                    label: "author".into(),
                    role: Role::Author,
                    user_id: Some(author.user_id),
                },
                story("Author's harbour piece", HARBOUR, "World", 1),
            )
            .await
            .expect("own article");
        let html = author
            .get_text(&format!("/admin/articles/{}/edit", own.id))
            .await
            .expect("author's editor");
        assert!(!html.contains("id=\"related\""), "no panel for authors");
        assert_eq!(
            change(&author, own.id.0, &[("change", &include)]).await.0,
            403
        );
        let (s, _) = author
            .api(
                Method::GET,
                &format!("/api/v1/admin/articles/{}/related", own.id),
                None,
            )
            .await
            .expect("api");
        assert_eq!(
            s, 200,
            "authors may read the overrides of their own article"
        );
    }
}
