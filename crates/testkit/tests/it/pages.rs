//! Reader pages over real HTTP, checked with a real HTML5 parser.

use chrono::{Duration, Utc};
use dateline_core::{ArticleInput, Status};
use dateline_testkit::{article, backends, TestApp};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn text(doc: &Html, s: &str) -> String {
    doc.select(&sel(s))
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
}

fn attr(doc: &Html, s: &str, a: &str) -> Option<String> {
    doc.select(&sel(s))
        .next()
        .and_then(|e| e.value().attr(a))
        .map(str::to_owned)
}

/// Parses HTML and fails on any HTML5 parse error (html5ever reports the spec's errors).
pub fn parse_valid(html: &str) -> Html {
    let doc = Html::parse_document(html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let ids: Vec<_> = doc
        .select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id"))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids");
    doc
}

fn full_article() -> ArticleInput {
    ArticleInput {
        title: "Port of Muscat doubles container traffic".into(),
        standfirst: Some("Ships queue as the Gulf's trade routes shift".into()),
        body: "Container traffic *doubled* last year.\n\n## Why\n\nTrade routes moved.\n\n> \"We are ready,\" said the port.".into(),
        dateline: Some("Muscat, Oman".into()),
        section: Some("Business".into()),
        tags: vec!["Shipping".into(), "Oman".into()],
        authors: vec!["Amira Haddad".into(), "Sam Reyes".into()],
        lead_image_url: Some("https://images.example/port.jpg".into()),
        lead_image_caption: Some("Cranes at the port".into()),
        lead_image_credit: Some("Photo: Example Agency".into()),
        source: Some("Staff".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_article_page_carries_everything_a_reader_and_a_crawler_need() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let a = t.arrange_article(full_article()).await.expect("article");
    let r = t.get(&a.path()).await.expect("get");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    let doc = parse_valid(&html);

    assert_eq!(
        text(&doc, "h1.headline"),
        "Port of Muscat doubles container traffic"
    );
    assert_eq!(
        text(&doc, ".standfirst"),
        "Ships queue as the Gulf's trade routes shift"
    );
    assert_eq!(text(&doc, ".byline"), "By Amira Haddad and Sam Reyes");
    assert_eq!(text(&doc, ".dateline"), "MUSCAT, OMAN —");
    assert!(attr(&doc, "time.published", "datetime").is_some_and(|d| d.ends_with('Z')));
    assert_eq!(
        text(&doc, ".body h2"),
        "Why",
        "body headings sit under the h1"
    );
    assert_eq!(doc.select(&sel("h1")).count(), 1);
    assert_eq!(
        attr(&doc, ".lead-image img", "src").as_deref(),
        Some("https://images.example/port.jpg")
    );
    assert!(text(&doc, ".lead-image figcaption").contains("Photo: Example Agency"));

    let canonical = attr(&doc, "link[rel=canonical]", "href").expect("canonical");
    assert_eq!(canonical, t.url(&a.path()));
    assert_eq!(
        attr(&doc, "meta[property='og:title']", "content").as_deref(),
        Some(a.title.as_str())
    );
    assert_eq!(
        attr(&doc, "meta[property='og:url']", "content").as_deref(),
        Some(canonical.as_str())
    );
    assert_eq!(
        attr(&doc, "meta[property='og:image']", "content").as_deref(),
        Some("https://images.example/port.jpg")
    );
    assert_eq!(
        attr(&doc, "meta[name='twitter:card']", "content").as_deref(),
        Some("summary_large_image")
    );

    let ld_text = text(&doc, "script[type='application/ld+json']");
    let ld: serde_json::Value = serde_json::from_str(&ld_text).expect("JSON-LD parses");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], a.title);
    assert_eq!(ld["author"][1]["name"], "Sam Reyes");
    assert_eq!(ld["image"]["url"], "https://images.example/port.jpg");
    assert!(ld["datePublished"]
        .as_str()
        .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok()));

    let share: Vec<_> = doc
        .select(&sel(".share-links a"))
        .filter_map(|e| e.value().attr("href").map(str::to_owned))
        .collect();
    for prefix in [
        "mailto:",
        "https://x.com/",
        "https://www.facebook.com/",
        "https://www.linkedin.com/",
        "https://wa.me/",
        "https://t.me/",
    ] {
        let link = share
            .iter()
            .find(|h| h.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} share link"));
        let encoded =
            percent_encoding::utf8_percent_encode(&canonical, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert!(
            link.contains(&encoded),
            "{link} does not carry the article URL"
        );
    }
    assert_eq!(
        attr(&doc, "[data-copy]", "data-copy").as_deref(),
        Some(canonical.as_str())
    );
    assert!(doc.select(&sel("button.share-native")).next().is_some());
    let csp = r#"script-src 'self'"#;
    let headers = t.get(&a.path()).await.expect("get").headers().clone();
    assert!(headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains(csp));
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn hostile_markup_in_every_field_is_rendered_harmless() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let evil = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"#;
    let a = t
        .arrange_article(ArticleInput {
            title: format!("Title {evil}"),
            standfirst: Some(format!("Dek {evil}")),
            body: format!("Para {evil}\n\n[x](javascript:alert(3))\n\n<a href=\"JAVASCRIPT:alert(4)\">y</a> </script><!--"),
            dateline: Some(format!("Place {evil}")),
            section: Some(format!("Sec {evil}")),
            tags: vec![format!("Tag {evil}")],
            authors: vec![format!("Au {evil}")],
            source: Some(format!("Src {evil}")),
            ..Default::default()
        })
        .await
        .expect("article");
    let html = t
        .get(&a.path())
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let doc = parse_valid(&html);
    // Only our own external script and the JSON-LD data block: no injected <script>.
    let scripts: Vec<_> = doc.select(&sel("script")).collect();
    assert_eq!(scripts.len(), 2, "{html}");
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "event handler attribute {name} on <{}>",
                el.value().name()
            );
            assert!(
                !value.to_lowercase().contains("javascript:"),
                "javascript: URL in {name}"
            );
        }
    }
    assert!(
        text(&doc, "h1").contains("<script>alert(1)</script>"),
        "the title is shown as text"
    );
    let ld: serde_json::Value =
        serde_json::from_str(&text(&doc, "script[type='application/ld+json']")).expect("JSON-LD");
    assert!(ld["headline"]
        .as_str()
        .is_some_and(|h| h.contains("<script>")));
}

#[tokio::test]
async fn lists_page_with_older_links_and_end_in_no_more_articles() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let now = Utc::now();
        for i in 0..12 {
            let mut input = article(&format!("Story number {i}"), "Body text.");
            input.section = Some("Sport".into());
            input.tags = vec!["Cricket".into()];
            input.authors = vec!["Jo Bloggs".into()];
            input.published_at = Some(now - Duration::minutes(100 - i));
            t.arrange_article(input).await.expect("article");
        }
        let mut draft = article("Secret draft", "x");
        draft.status = Some(Status::Draft);
        draft.section = Some("Sport".into());
        t.arrange_article(draft).await.expect("draft");

        for start in ["/", "/section/sport", "/tag/cricket", "/author/jo-bloggs"] {
            let mut path = start.to_owned();
            let mut titles = Vec::new();
            loop {
                let r = t.get(&path).await.expect("get");
                assert_eq!(r.status(), 200, "{path}");
                let doc = parse_valid(&r.text().await.expect("body"));
                titles.extend(
                    doc.select(&sel("ol.items h2 a"))
                        .map(|e| e.text().collect::<String>()),
                );
                match attr(&doc, "a.older", "href") {
                    Some(next) => path = next,
                    None => {
                        assert_eq!(text(&doc, ".list-end"), "No more articles");
                        break;
                    }
                }
            }
            assert_eq!(titles.len(), 12, "{start} on {backend:?}");
            assert_eq!(titles[0], "Story number 11", "newest first");
            assert!(!titles.iter().any(|t| t.contains("Secret")));
        }
    }
}

#[tokio::test]
async fn missing_withdrawn_and_renamed_articles_answer_404_410_and_301() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let key = t.key(dateline_core::Role::Editor).await.expect("key");
    let a = t
        .arrange_article(article("Original headline", "Body."))
        .await
        .expect("article");

    let r = t.get("/articles/no-such-story").await.expect("get");
    assert_eq!(r.status(), 404);
    let doc = parse_valid(&r.text().await.expect("body"));
    assert_eq!(text(&doc, "h1"), "Page not found");
    assert_eq!(t.get("/no/such/route").await.expect("get").status(), 404);
    assert_eq!(t.get("/tag/nothing-here").await.expect("get").status(), 404);
    assert_eq!(t.get("/?cursor=garbage!").await.expect("get").status(), 400);

    let (s, _) = t
        .admin(
            &key,
            reqwest::Method::PATCH,
            &format!("/api/v1/admin/articles/{}", a.id),
            Some(serde_json::json!({"version": 1, "slug": "better-headline"})),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200);
    let r = t.get("/articles/original-headline").await.expect("get");
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "/articles/better-headline");

    let (s, _) = t
        .admin(
            &key,
            reqwest::Method::POST,
            &format!("/api/v1/admin/articles/{}/unpublish", a.id),
            None,
        )
        .await
        .expect("unpublish");
    assert_eq!(s, 200);
    let r = t.get("/articles/better-headline").await.expect("get");
    assert_eq!(r.status(), 410);
    let doc = parse_valid(&r.text().await.expect("body"));
    assert_eq!(text(&doc, "h1"), "This article has been withdrawn");
    assert_eq!(
        t.get("/articles/original-headline")
            .await
            .expect("get")
            .status(),
        404,
        "no redirect to a withdrawn story"
    );
}

#[tokio::test]
async fn demo_articles_make_a_real_site_on_an_empty_store() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let loaded = dateline_app::demo::load_if_empty(&t.app)
        .await
        .expect("demo");
    assert!(loaded >= 5);
    assert_eq!(
        dateline_app::demo::load_if_empty(&t.app)
            .await
            .expect("demo"),
        0,
        "never twice"
    );
    let doc = parse_valid(&t.get("/").await.expect("get").text().await.expect("body"));
    assert!(doc.select(&sel("ol.items > li")).count() >= 5);
    assert!(doc.select(&sel("nav[aria-label=Sections] a")).count() >= 2);
}
