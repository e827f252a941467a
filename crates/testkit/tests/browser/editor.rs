//! The newsroom in a real browser: what a reporter and an editor do all day, the
//! two-editor conflict, and an expired session that must not lose the text.
//!
//! With `DATELINE_SCREENSHOTS=DIR` set, the editor, history, diff and conflict views and
//! the related-articles panel are saved there as PNG files (how docs/screenshots is made).

use std::future::Future;
use std::time::Duration;

use dateline_core::{ArticleId, Role};
use dateline_testkit::session::PASSWORD;
use dateline_testkit::TestApp;
use fantoccini::{Client, Locator};

/// Polls `check` until it returns `Some`, or fails after `secs` with `what`.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn value(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .expect("element")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

async fn visible(c: &Client, css: &str) -> bool {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

async fn type_into(c: &Client, css: &str, keys: &str) {
    c.find(Locator::Css(css))
        .await
        .expect("field")
        .send_keys(keys)
        .await
        .expect("type");
}

async fn replace_value(c: &Client, css: &str, keys: &str) {
    let e = c.find(Locator::Css(css)).await.expect("field");
    e.clear().await.expect("clear");
    e.send_keys(keys).await.expect("type");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
}

async fn path(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

async fn sign_in(c: &Client, t: &TestApp, email: &str) {
    c.goto(&t.url("/signin")).await.expect("sign-in page");
    type_into(c, "#email", email).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "form#signin button[type=submit]").await;
    eventually(10, "the newsroom after sign-in", || async {
        path(c).await.starts_with("/admin").then_some(())
    })
    .await;
}

/// Headless Chromium and a fresh app on SQLite; `None` where the browser is missing (the
/// browser module says why, and fails under `CI=true`).
pub(crate) async fn browser_and_app() -> Option<(dateline_testkit::browser::Browser, TestApp)> {
    let browser = dateline_testkit::browser::Browser::start()
        .await
        .expect("browser")?;
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    Some((browser, t))
}

async fn screenshot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("DATELINE_SCREENSHOTS") else {
        return;
    };
    // Tall enough for the whole editor form, from the top.
    c.set_window_size(1280, 1500).await.expect("resize");
    c.execute("window.scrollTo(0, 0)", vec![])
        .await
        .expect("scroll");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let png = c.screenshot().await.expect("screenshot");
    c.set_window_size(1200, 900).await.expect("resize back");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(std::path::Path::new(&dir).join(name), png).expect("write screenshot");
}

/// Like [`screenshot`], with the element `css` scrolled to the top of the window.
async fn screenshot_of(c: &Client, css: &str, name: &str) {
    let Ok(dir) = std::env::var("DATELINE_SCREENSHOTS") else {
        return;
    };
    c.set_window_size(1280, 1000).await.expect("resize");
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView()",
        vec![serde_json::json!(css)],
    )
    .await
    .expect("scroll");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let png = c.screenshot().await.expect("screenshot");
    c.set_window_size(1200, 900).await.expect("resize back");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(std::path::Path::new(&dir).join(name), png).expect("write screenshot");
}

fn article_id_from(path: &str) -> ArticleId {
    ArticleId(
        path.trim_start_matches("/admin/articles/")
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no article id in {path}")),
    )
}

#[tokio::test]
async fn a_reporter_writes_publishes_corrects_and_restores_in_the_browser() {
    let Some((browser, t)) = browser_and_app().await else {
        return;
    };
    let (_, email) = t.user(Role::Author, "Rana Reporter").await.expect("user");
    let c = &browser.client;
    sign_in(c, &t, &email).await;

    // A new draft.
    click(c, ".page-head a.button").await;
    eventually(5, "the new-article editor", || async {
        (path(c).await == "/admin/articles/new").then_some(())
    })
    .await;
    type_into(c, "#title", "Harbour reopens after storm").await;
    type_into(c, "#dateline", "Sur, Oman").await;
    type_into(c, "#section", "World").await;
    type_into(c, "#body", "The harbour reopened on Monday.").await;
    click(c, "#save").await;
    let edit_path = eventually(10, "the editor of the new draft", || async {
        let p = path(c).await;
        p.ends_with("/edit?done=created").then_some(p)
    })
    .await;
    let id = article_id_from(&edit_path);
    assert_eq!(text(c, ".flash").await, "Draft created.");

    // Toolbar, live preview rendered by the public renderer, word count, autosave.
    let body = c.find(Locator::Css("#body")).await.expect("body");
    body.send_keys("\n\n").await.expect("type");
    click(c, "#toolbar button[data-md=h2]").await;
    body.send_keys("Damage\n\nRepairs took a week and cost 2 million rials.")
        .await
        .expect("type");
    eventually(10, "the preview's subheading", || async {
        (text(c, "#preview h2").await == "Damage").then_some(())
    })
    .await;
    let words: u32 = eventually(10, "the word count", || async {
        let t = text(c, "#word-count").await;
        let n = t.strip_suffix(" words")?.parse::<u32>().ok()?;
        (n >= 14).then_some(n)
    })
    .await;
    assert!(words <= 16, "{words} words");
    let saved = eventually(15, "autosave", || async {
        let a = t.app.store().article(id).await.ok()?;
        a.body_markdown.contains("2 million rials").then_some(a)
    })
    .await;
    assert!(
        saved.body_markdown.contains("## Damage"),
        "{}",
        saved.body_markdown
    );
    assert_eq!(saved.status, dateline_core::Status::Draft);
    eventually(10, "the saved status line", || async {
        text(c, "#save-status")
            .await
            .starts_with("Saved")
            .then_some(())
    })
    .await;
    screenshot(c, "editor.png").await;

    // Publish with the keyboard shortcut.
    c.find(Locator::Css("#title"))
        .await
        .expect("title")
        .send_keys(&format!("{}{}", '\u{E009}', '\u{E007}'))
        .await
        .expect("ctrl+enter");
    eventually(10, "publication", || async {
        path(c).await.ends_with("done=published").then_some(())
    })
    .await;
    let published = t.app.store().article(id).await.expect("article");
    assert_eq!(published.status, dateline_core::Status::Published);

    // The reader's page shows it, with an Edit link for this signed-in author.
    c.goto(&t.url(&published.path()))
        .await
        .expect("public page");
    assert_eq!(text(c, "h1.headline").await, "Harbour reopens after storm");
    eventually(10, "the Edit link", || async {
        visible(c, "#edit-link").await.then_some(())
    })
    .await;
    click(c, "#edit-link").await;
    eventually(10, "the editor from the article page", || async {
        (path(c).await == format!("/admin/articles/{id}/edit")).then_some(())
    })
    .await;

    // Correcting a published article asks for a note.
    replace_value(
        c,
        "#body",
        "The harbour reopened on Tuesday.\n\n## Damage\n\nRepairs took a week and cost 2 million rials.",
    )
    .await;
    click(c, "#save").await;
    eventually(10, "the correction-note error", || async {
        text(c, "#correction-error")
            .await
            .contains("say what you corrected")
            .then_some(())
    })
    .await;
    assert!(t
        .app
        .store()
        .article(id)
        .await
        .expect("article")
        .body_markdown
        .contains("Monday"));
    type_into(c, "#correction", "An earlier version gave the wrong day.").await;
    click(c, "#save").await;
    eventually(10, "the saved correction", || async {
        path(c).await.ends_with("done=saved").then_some(())
    })
    .await;
    let stored = t.app.store().article(id).await.expect("article");
    assert_eq!(
        stored.correction.as_ref().map(|c| c.note.as_str()),
        Some("An earlier version gave the wrong day.")
    );
    // "View on site" carries the version, so the browser does not show its cached copy.
    click(c, "#view-on-site").await;
    eventually(10, "the public page", || async {
        path(c).await.starts_with("/articles/").then_some(())
    })
    .await;
    assert!(text(c, "aside.correction")
        .await
        .contains("An earlier version gave the wrong day."));
    assert!(text(c, ".body").await.contains("Tuesday"));

    // History, a word-level diff, and restoring an older revision as a new one.
    c.goto(&t.url(&format!("/admin/articles/{id}/history")))
        .await
        .expect("history");
    let rows = c
        .find_all(Locator::Css("table.revisions tbody tr"))
        .await
        .expect("rows");
    assert!(rows.len() >= 4, "{} revisions", rows.len());
    assert!(text(c, "table.revisions").await.contains(&email));
    screenshot(c, "history.png").await;
    click(c, "#compare-button").await;
    eventually(10, "the diff page", || async {
        path(c).await.contains("/diff?").then_some(())
    })
    .await;
    assert_eq!(text(c, ".diff-field[data-field=body] del").await, "Monday.");
    assert_eq!(
        text(c, ".diff-field[data-field=body] ins").await,
        "Tuesday."
    );
    screenshot(c, "diff.png").await;
    c.goto(&t.url(&format!("/admin/articles/{id}/history")))
        .await
        .expect("history");
    let before = t.app.store().article(id).await.expect("article").version;
    // The article is published: restoring loads the old text into the editor, to be saved
    // with a correction note like any other change.
    click(c, "tr[data-version='1'] .restore").await;
    eventually(10, "the editor with the old revision", || async {
        value(c, "#body")
            .await
            .eq("The harbour reopened on Monday.")
            .then_some(())
    })
    .await;
    type_into(
        c,
        "#correction",
        "Restored the first version of the report.",
    )
    .await;
    click(c, "#save").await;
    eventually(10, "the restored revision", || async {
        path(c).await.ends_with("done=saved").then_some(())
    })
    .await;
    let restored = t.app.store().article(id).await.expect("article");
    assert!(restored.version.0 > before.0);
    assert!(restored.body_markdown.contains("Monday"));
    assert!(!restored.body_markdown.contains("2 million"));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn two_editors_on_one_article_get_a_conflict_view_and_lose_nothing() {
    let Some((browser, t)) = browser_and_app().await else {
        return;
    };
    let other = t.signed_in(Role::Editor).await.expect("first editor");
    let (_, email) = t.user(Role::Editor, "Eda Editor").await.expect("user");
    let draft = t
        .arrange_article(dateline_core::ArticleInput {
            title: "Council approves budget".into(),
            body: "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.".into(),
            status: Some(dateline_core::Status::Draft),
            ..Default::default()
        })
        .await
        .expect("draft");
    let id = draft.id;
    let (s, _) = other
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/admin/articles/{id}/presence"),
            None,
        )
        .await
        .expect("check in");
    assert_eq!(s, 200);

    let c = &browser.client;
    sign_in(c, &t, &email).await;
    c.goto(&t.url(&format!("/admin/articles/{id}/edit")))
        .await
        .expect("editor");
    assert!(text(c, "#presence").await.contains(&other.email));

    // The other editor saves first, changing the last paragraph.
    let r = other
        .post_form(
            &format!("/admin/articles/{id}"),
            &[
                ("version", &draft.version.0.to_string()),
                ("title", "Council approves budget"),
                (
                    "body",
                    "First paragraph.\n\nSecond paragraph.\n\nThird paragraph, updated by the desk.",
                ),
                ("action", "save"),
            ],
        )
        .await
        .expect("save");
    assert_eq!(r.status().as_u16(), 303);

    // This editor changes the first paragraph; autosave meets the newer version.
    replace_value(
        c,
        "#body",
        "First paragraph, rewritten by me.\n\nSecond paragraph.\n\nThird paragraph.",
    )
    .await;
    eventually(20, "the conflict view", || async {
        text(c, "h1")
            .await
            .contains("Someone else saved")
            .then_some(())
    })
    .await;
    assert!(text(c, ".conflict-mine").await.contains("rewritten by me"));
    assert!(text(c, ".conflict-theirs")
        .await
        .contains("updated by the desk"));
    let merged = value(c, "#merge-body").await;
    assert!(
        merged.contains("rewritten by me") && merged.contains("updated by the desk"),
        "{merged}"
    );
    screenshot(c, "conflict.png").await;
    let stored = t.app.store().article(id).await.expect("article");
    assert!(
        !stored.body_markdown.contains("rewritten by me"),
        "nothing may be written before the user chooses"
    );
    click(c, "#save-merged").await;
    eventually(10, "the editor after merging", || async {
        path(c).await.ends_with("done=saved").then_some(())
    })
    .await;
    let stored = t.app.store().article(id).await.expect("article");
    assert!(stored.body_markdown.contains("rewritten by me"));
    assert!(stored.body_markdown.contains("updated by the desk"));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn text_typed_after_the_session_expired_survives_signing_in_again() {
    let Some((browser, t)) = browser_and_app().await else {
        return;
    };
    let (user_id, email) = t
        .user(Role::Contributor, "Cai Contributor")
        .await
        .expect("user");
    let c = &browser.client;
    sign_in(c, &t, &email).await;
    c.goto(&t.url("/admin/articles/new")).await.expect("new");
    type_into(c, "#title", "Night shift notes").await;
    type_into(c, "#body", "Opening line.").await;
    click(c, "#save").await;
    let edit_path = eventually(10, "the new draft", || async {
        let p = path(c).await;
        p.ends_with("done=created").then_some(p)
    })
    .await;
    let id = article_id_from(&edit_path);

    // The session ends (signed out everywhere from another device), then the user types.
    t.app.sign_out_everywhere(user_id).await.expect("sign out");
    type_into(c, "#body", " Words typed after the session ended.").await;
    eventually(15, "the session-expired notice", || async {
        visible(c, "#session-expired").await.then_some(())
    })
    .await;
    assert!(!t
        .app
        .store()
        .article(id)
        .await
        .expect("article")
        .body_markdown
        .contains("after the session ended"));

    click(c, "#signin-again").await;
    type_into(c, "#email", &email).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "form#signin button[type=submit]").await;
    eventually(10, "the editor again", || async {
        (path(c).await == format!("/admin/articles/{id}/edit")).then_some(())
    })
    .await;
    eventually(5, "the restored text", || async {
        value(c, "#body")
            .await
            .contains("after the session ended")
            .then_some(())
    })
    .await;
    assert!(visible(c, "#restored").await);
    click(c, "#save").await;
    eventually(10, "the save", || async {
        path(c).await.ends_with("done=saved").then_some(())
    })
    .await;
    assert!(t
        .app
        .store()
        .article(id)
        .await
        .expect("article")
        .body_markdown
        .contains("after the session ended"));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn an_editor_excludes_and_pins_related_articles_in_the_browser() {
    let Some((browser, t)) = browser_and_app().await else {
        return;
    };
    let (_, email) = t.user(Role::Editor, "Eda Editor").await.expect("user");
    let story = |title: &str, body: &str, section: &str, hours: i64| dateline_core::ArticleInput {
        title: title.into(),
        body: body.into(),
        section: Some(section.into()),
        published_at: Some(chrono::Utc::now() - chrono::Duration::hours(hours)),
        ..Default::default()
    };
    let main = t
        .arrange_article(story(
            "Harbour reopens at Sur after cyclone",
            "The harbour at Sur reopened on Monday after Cyclone Shaheen damaged the breakwater. \
             Fishermen said repairs by the Ministry of Transport took nine days.",
            "World",
            10,
        ))
        .await
        .expect("main");
    for (i, (title, body, section)) in [
        ("Cyclone damage closes Duqm port", "Cyclone Shaheen damaged the breakwater at Duqm port; the Ministry of Transport said repairs would take weeks.", "World"),
        ("Fishermen count cyclone losses at Sur", "Fishermen at Sur counted their losses after Cyclone Shaheen; boats were damaged in the harbour.", "World"),
        ("Transport ministry plans new breakwaters", "The Ministry of Transport plans new breakwaters after the cyclone damaged harbours along the coast.", "Business"),
        ("Cup final goes to penalties", "The football club won the cup after a penalty shoot-out.", "Sport"),
    ]
    .into_iter()
    .enumerate()
    {
        t.arrange_article(story(title, body, section, 20 + i as i64))
            .await
            .expect("other");
    }
    let football = t
        .app
        .store()
        .public_articles_after(None, 100, chrono::Utc::now())
        .await
        .expect("articles")
        .into_iter()
        .find(|a| a.title.starts_with("Cup final"))
        .expect("football story");
    t.settle_index().await.expect("indexed");

    let c = &browser.client;
    sign_in(c, &t, &email).await;
    let edit = format!("/admin/articles/{}/edit", main.id);
    c.goto(&t.url(&edit)).await.expect("editor");
    let first: String = c
        .find(Locator::Css("#related-shown li[data-related-id]"))
        .await
        .expect("a related item")
        .attr("data-related-id")
        .await
        .expect("id")
        .expect("id");
    click(c, &format!("button[value='exclude:{first}']")).await;
    eventually(10, "the exclusion", || async {
        path(c).await.ends_with("done=excluded").then_some(())
    })
    .await;
    assert!(
        visible(
            c,
            &format!("#related-excluded li[data-related-id='{first}']")
        )
        .await
    );

    // Another article by its address; Enter submits the first button, Pin.
    type_into(
        c,
        "#related-article",
        &format!("{}{}", t.url(&football.path()), '\u{E007}'),
    )
    .await;
    eventually(10, "the pin", || async {
        path(c).await.ends_with("done=pinned").then_some(())
    })
    .await;
    let pinned_first = c
        .find(Locator::Css("#related-shown li[data-related-id]"))
        .await
        .expect("first item")
        .attr("data-related-id")
        .await
        .expect("id");
    assert_eq!(pinned_first, Some(football.id.0.to_string()));
    screenshot_of(c, "#related", "related.png").await;

    // Readers get the pin first and never the excluded article.
    let related = t
        .get_json(
            &format!("/api/v1/articles/{}/related?limit=10", main.slug),
            200,
        )
        .await
        .expect("related");
    let items = related["items"].as_array().expect("items");
    assert_eq!(items[0]["slug"], football.slug.as_str());
    let excluded = t
        .app
        .store()
        .article(ArticleId(first.parse().expect("id")))
        .await
        .expect("excluded article");
    assert!(items.iter().all(|i| i["slug"] != excluded.slug.as_str()));
    browser.close().await.expect("close");
}
