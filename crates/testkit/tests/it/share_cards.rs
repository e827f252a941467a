//! Share cards and structured data over real HTTP: Open Graph, Twitter and schema.org
//! JSON-LD on article, home, section, tag and author pages, read with a real HTML parser
//! and serde_json, field by field. (`scripts/validate_metadata.sh` reads the same pages with
//! `extruct` and checks the JSON-LD against the schema.org vocabulary.)

use dateline_app::Backend;
use dateline_core::{ArticleInput, Role};
use dateline_testkit::{backends, TestApp};
use reqwest::Method;
use scraper::{Html, Selector};
use serde_json::{json, Value};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

/// The `content` of `<meta property=…>` (Open Graph) or `<meta name=…>` (Twitter).
pub fn meta(doc: &Html, key: &str) -> Option<String> {
    let by = if key.starts_with("og:") || key.starts_with("article:") {
        "property"
    } else {
        "name"
    };
    let all: Vec<String> = doc
        .select(&sel(&format!("meta[{by}='{key}']")))
        .filter_map(|e| e.value().attr("content").map(str::to_owned))
        .collect();
    assert!(all.len() <= 1, "{key} appears {} times", all.len());
    all.into_iter().next()
}

/// Every JSON-LD block of the page, parsed.
pub fn json_ld(doc: &Html) -> Vec<Value> {
    doc.select(&sel("script[type='application/ld+json']"))
        .map(|e| {
            let text = e.text().collect::<String>();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD parses: {e}: {text}"))
        })
        .collect()
}

fn of_type<'a>(blocks: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<_> = blocks.iter().filter(|b| b["@type"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} in {blocks:?}");
    found[0]
}

pub async fn page(t: &TestApp, path: &str) -> (String, Html) {
    let r = t.get(path).await.expect("get");
    assert_eq!(r.status(), 200, "{path}");
    let html = r.text().await.expect("body");
    let doc = Html::parse_document(&html);
    assert!(
        doc.errors.is_empty(),
        "{path}: HTML parse errors {:?}",
        doc.errors
    );
    (html, doc)
}

const HOSTILE: &str = "\"Quotes\" & </script><script>alert(1)</script> <!-- 📰 عاجل";

async fn an_article_carries_complete_news_article_json_ld(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let (s, created) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(json!({
                "title": HOSTILE,
                "body": "The harbour reopened.",
                "dateline": "Sohar, Oman",
                "section": "Business",
                "tags": ["Shipping"],
                "authors": ["Amira Haddad"],
                "source": "Reuters",
                "correction": "The harbour's name was misspelt."
            })),
        )
        .await
        .expect("create");
    assert_eq!(s, 201, "{created}");
    let path = format!("/api/v1/admin/articles/{}", created["id"]);
    let (s, updated) = t
        .admin(
            &key,
            Method::PATCH,
            &path,
            Some(json!({
                "version": created["version"],
                "body": "The harbour reopened on Monday.",
                "correction": "The day of the reopening was added."
            })),
        )
        .await
        .expect("patch");
    assert_eq!(s, 200, "{updated}");
    let slug = updated["slug"].as_str().expect("slug");
    let url = t.url(&format!("/articles/{slug}"));

    let (html, doc) = page(&t, &format!("/articles/{slug}")).await;
    assert!(
        !html.contains("<script>alert(1)"),
        "the hostile headline stays text everywhere in the page"
    );
    let blocks = json_ld(&doc);
    let ld = of_type(&blocks, "NewsArticle");
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(
        ld["headline"], HOSTILE,
        "escapes read back to the same text"
    );
    assert_eq!(ld["url"], url);
    assert_eq!(ld["mainEntityOfPage"]["@id"], url);
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["isAccessibleForFree"], true);
    assert_eq!(ld["dateline"], "SOHAR, OMAN");
    assert_eq!(ld["articleSection"], "Business");
    assert_eq!(ld["keywords"], json!(["Shipping"]));
    assert_eq!(ld["sourceOrganization"]["name"], "Reuters");
    assert_eq!(
        ld["author"],
        json!([{"@type": "Person", "name": "Amira Haddad", "url": t.url("/author/amira-haddad")}])
    );
    let publisher = &ld["publisher"];
    assert_eq!(publisher["@type"], "NewsMediaOrganization");
    assert_eq!(publisher["name"], "dateline");
    assert_eq!(publisher["logo"]["@type"], "ImageObject");
    let logo = publisher["logo"]["url"].as_str().expect("logo url");
    assert_eq!(logo, t.url("/static/logo.png"));
    let r = t.client.get(logo).send().await.expect("logo");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r
        .bytes()
        .await
        .expect("png")
        .starts_with(b"\x89PNG\r\n\x1a\n"));

    let corrections = ld["correction"].as_array().expect("corrections are a list");
    assert_eq!(corrections.len(), 2, "{corrections:?}");
    assert_eq!(corrections[0]["@type"], "CorrectionComment");
    assert_eq!(corrections[0]["text"], "The harbour's name was misspelt.");
    assert_eq!(
        corrections[1]["text"],
        "The day of the reopening was added."
    );
    let d0 = corrections[0]["datePublished"].as_str().expect("date");
    let d1 = corrections[1]["datePublished"].as_str().expect("date");
    assert!(
        chrono::DateTime::parse_from_rfc3339(d0).is_ok() && d0 <= d1,
        "{d0} {d1}"
    );

    // The raw block: nothing in it can end the script element.
    let raw = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("raw JSON-LD");
    assert!(!raw.contains('<') && !raw.contains('>'), "{raw}");

    // The card: no lead image, so the site image.
    assert_eq!(meta(&doc, "og:type").as_deref(), Some("article"));
    assert_eq!(meta(&doc, "og:title").as_deref(), Some(HOSTILE));
    assert_eq!(meta(&doc, "og:url").as_deref(), Some(url.as_str()));
    assert_eq!(meta(&doc, "og:site_name").as_deref(), Some("dateline"));
    assert_eq!(meta(&doc, "og:locale").as_deref(), Some("en_US"));
    let site_image = t.url("/static/site-image.png");
    assert_eq!(meta(&doc, "og:image").as_deref(), Some(site_image.as_str()));
    assert_eq!(meta(&doc, "og:image:width").as_deref(), Some("1200"));
    assert_eq!(meta(&doc, "og:image:height").as_deref(), Some("630"));
    assert_eq!(
        meta(&doc, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    assert_eq!(
        meta(&doc, "twitter:image").as_deref(),
        Some(site_image.as_str())
    );
    assert_eq!(meta(&doc, "twitter:site"), None, "no account configured");
    assert!(meta(&doc, "og:description").is_some_and(|d| d.contains("harbour reopened")));
    let r = t.client.get(&site_image).send().await.expect("site image");
    assert_eq!(r.status(), 200);
}

async fn an_article_without_authors_is_credited_to_the_publication(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let a = t
        .arrange_article(ArticleInput {
            title: "Wire copy".into(),
            body: "Text.".into(),
            lead_image_url: Some("https://images.example/port.jpg".into()),
            lead_image_alt: Some("Cranes over a harbour".into()),
            ..Default::default()
        })
        .await
        .expect("article");
    let (html, doc) = page(&t, &a.path()).await;
    assert!(!html.contains("\"author\":[]"));
    let blocks = json_ld(&doc);
    let ld = of_type(&blocks, "NewsArticle");
    assert_eq!(
        ld["author"],
        json!([{"@type": "Organization", "name": "dateline", "url": t.url("/")}])
    );
    assert!(ld.get("dateline").is_none() && ld.get("correction").is_none());
    assert_eq!(ld["image"]["url"], "https://images.example/port.jpg");
    assert_eq!(
        meta(&doc, "og:image").as_deref(),
        Some("https://images.example/port.jpg")
    );
    assert_eq!(
        meta(&doc, "og:image:alt").as_deref(),
        Some("Cranes over a harbour")
    );
    assert_eq!(meta(&doc, "og:image:width"), None, "size unknown");
}

async fn lists_carry_cards_and_term_pages_a_breadcrumb(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    t.arrange_article(ArticleInput {
        title: "Port grows".into(),
        body: "Text.".into(),
        section: Some("Business".into()),
        tags: vec!["Shipping".into()],
        authors: vec!["Amira Haddad".into()],
        ..Default::default()
    })
    .await
    .expect("article");
    let site_image = t.url("/static/site-image.png");
    for (path, title, crumb) in [
        ("/", "dateline", None),
        ("/section/business", "Business", Some("Business")),
        ("/tag/shipping", "Shipping", Some("Shipping")),
        (
            "/author/amira-haddad",
            "Articles by Amira Haddad",
            Some("Amira Haddad"),
        ),
    ] {
        let (_, doc) = page(&t, path).await;
        let url = t.url(path);
        assert_eq!(meta(&doc, "og:type").as_deref(), Some("website"), "{path}");
        assert_eq!(meta(&doc, "og:title").as_deref(), Some(title), "{path}");
        assert_eq!(
            meta(&doc, "og:url").as_deref(),
            Some(url.as_str()),
            "{path}"
        );
        assert_eq!(meta(&doc, "og:site_name").as_deref(), Some("dateline"));
        assert_eq!(meta(&doc, "og:image").as_deref(), Some(site_image.as_str()));
        assert_eq!(meta(&doc, "og:locale").as_deref(), Some("en_US"));
        assert!(meta(&doc, "og:description").is_some_and(|d| d.contains("latest articles")));
        assert_eq!(
            meta(&doc, "twitter:card").as_deref(),
            Some("summary_large_image")
        );
        assert_eq!(meta(&doc, "twitter:title").as_deref(), Some(title));
        assert_eq!(
            meta(&doc, "twitter:image").as_deref(),
            Some(site_image.as_str())
        );
        let blocks = json_ld(&doc);
        match crumb {
            None => assert!(blocks.is_empty(), "{path}: {blocks:?}"),
            Some(name) => {
                let list = of_type(&blocks, "BreadcrumbList");
                assert_eq!(list["@context"], "https://schema.org");
                assert_eq!(
                    list["itemListElement"],
                    json!([
                        {"@type": "ListItem", "position": 1, "name": "dateline", "item": t.url("/")},
                        {"@type": "ListItem", "position": 2, "name": name, "item": url},
                    ]),
                    "{path}"
                );
            }
        }
    }
}

async fn configured_language_images_and_account_reach_every_page(backend: Backend) {
    let t = TestApp::spawn_with(backend, |c| {
        c.language = "en-GB".into();
        c.twitter_site = Some("@gazette".into());
        c.site_image = Some("/media/card.png".into());
        c.publisher_logo = Some("https://cdn.example/logo.png".into());
    })
    .await
    .expect("app");
    let a = t
        .arrange_article(ArticleInput {
            title: "Port grows".into(),
            body: "Text.".into(),
            section: Some("Business".into()),
            ..Default::default()
        })
        .await
        .expect("article");
    for path in [a.path().as_str(), "/", "/section/business"] {
        let (_, doc) = page(&t, path).await;
        assert_eq!(
            doc.select(&sel("html"))
                .next()
                .and_then(|h| h.value().attr("lang")),
            Some("en-GB"),
            "{path}"
        );
        assert_eq!(meta(&doc, "og:locale").as_deref(), Some("en_GB"), "{path}");
        assert_eq!(
            meta(&doc, "twitter:site").as_deref(),
            Some("@gazette"),
            "{path}"
        );
        let image = t.url("/media/card.png");
        assert_eq!(
            meta(&doc, "og:image").as_deref(),
            Some(image.as_str()),
            "{path}"
        );
        assert_eq!(meta(&doc, "og:image:width"), None, "{path}: size unknown");
    }
    let (_, doc) = page(&t, &a.path()).await;
    let blocks = json_ld(&doc);
    let ld = of_type(&blocks, "NewsArticle");
    assert_eq!(ld["inLanguage"], "en-GB");
    assert_eq!(
        ld["publisher"]["logo"]["url"],
        "https://cdn.example/logo.png"
    );
}

fn postgres() -> bool {
    backends().contains(&Backend::Postgres)
}

#[tokio::test]
async fn an_article_carries_complete_news_article_json_ld_on_sqlite() {
    an_article_carries_complete_news_article_json_ld(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_article_carries_complete_news_article_json_ld_on_postgres() {
    if postgres() {
        an_article_carries_complete_news_article_json_ld(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn an_article_without_authors_is_credited_to_the_publication_on_sqlite() {
    an_article_without_authors_is_credited_to_the_publication(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_article_without_authors_is_credited_to_the_publication_on_postgres() {
    if postgres() {
        an_article_without_authors_is_credited_to_the_publication(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn lists_carry_cards_and_term_pages_a_breadcrumb_on_sqlite() {
    lists_carry_cards_and_term_pages_a_breadcrumb(Backend::Sqlite).await;
}

#[tokio::test]
async fn lists_carry_cards_and_term_pages_a_breadcrumb_on_postgres() {
    if postgres() {
        lists_carry_cards_and_term_pages_a_breadcrumb(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn configured_language_images_and_account_reach_every_page_on_sqlite() {
    configured_language_images_and_account_reach_every_page(Backend::Sqlite).await;
}

#[tokio::test]
async fn configured_language_images_and_account_reach_every_page_on_postgres() {
    if postgres() {
        configured_language_images_and_account_reach_every_page(Backend::Postgres).await;
    }
}
