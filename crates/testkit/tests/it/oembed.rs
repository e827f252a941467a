//! oEmbed over real HTTP: discovery from the article page, the embed's fields, and that
//! nothing but a public article of this site is ever embedded. Every response passes the
//! OpenAPI check (`TestApp::get`).

use chrono::{Duration, Utc};
use dateline_app::Backend;
use dateline_core::{ArticleInput, Role, Status};
use dateline_testkit::{article, backends, TestApp};
use reqwest::Method;
use scraper::{Html, Selector};
use serde_json::{json, Value};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn embed_of(t: &TestApp, url: &str, extra: &str) -> (u16, Value) {
    let r = t
        .get(&format!("/oembed?url={}{extra}", enc(url)))
        .await
        .expect("oembed");
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

const TITLE: &str = "\"Ships\" & <b>cranes</b> </script> 🚢 ميناء";

async fn an_article_page_leads_to_its_rich_embed(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let a = t
        .arrange_article(ArticleInput {
            title: TITLE.into(),
            standfirst: Some("Trade routes <shift>".into()),
            body: "Text.".into(),
            authors: vec!["Amira Haddad".into()],
            ..Default::default()
        })
        .await
        .expect("article");
    let url = t.url(&a.path());
    let r = t.get(&a.path()).await.expect("page");
    let doc = Html::parse_document(&r.text().await.expect("html"));
    let link = doc
        .select(&sel("link[rel=alternate][type='application/json+oembed']"))
        .next()
        .expect("discovery link");
    assert_eq!(link.value().attr("title"), Some(TITLE));
    let href = link.value().attr("href").expect("href");
    assert_eq!(
        href,
        format!("{}/oembed?url={}&format=json", t.base_url, enc(&url))
    );

    let path = href.strip_prefix(&t.base_url).expect("same site");
    let r = t.get(path).await.expect("embed");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["version"], "1.0");
    assert_eq!(e["type"], "rich");
    assert_eq!(e["title"], TITLE);
    assert_eq!(e["author_name"], "Amira Haddad");
    assert_eq!(e["author_url"], t.url("/author/amira-haddad"));
    assert_eq!(e["provider_name"], "dateline");
    assert_eq!(e["provider_url"], t.url("/"));
    assert_eq!(
        (e["width"].as_u64(), e["height"].as_u64()),
        (Some(600), Some(300))
    );
    assert!(e.get("thumbnail_url").is_none(), "no lead image");

    let html = e["html"].as_str().expect("html");
    let card = Html::parse_fragment(html);
    assert!(card.errors.is_empty(), "{:?}", card.errors);
    assert_eq!(
        card.select(&sel("script, style, iframe, b")).count(),
        0,
        "{html}"
    );
    let link = card
        .select(&sel("blockquote > p > a"))
        .next()
        .expect("headline link");
    assert_eq!(link.value().attr("href"), Some(url.as_str()));
    assert_eq!(link.text().collect::<String>(), TITLE);
    let texts: Vec<String> = card
        .select(&sel("blockquote > p"))
        .map(|p| p.text().collect())
        .collect();
    assert_eq!(texts[1], "Trade routes <shift>");
    let footer: String = card
        .select(&sel("footer"))
        .next()
        .expect("footer")
        .text()
        .collect();
    assert!(footer.starts_with("Amira Haddad · dateline, "), "{footer}");

    let (s, small) = embed_of(&t, &url, "&maxwidth=320&maxheight=90").await;
    assert_eq!(s, 200);
    assert_eq!(
        (small["width"].as_u64(), small["height"].as_u64()),
        (Some(320), Some(90))
    );
}

async fn nothing_but_a_public_article_of_this_site_is_embedded(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let public = t
        .arrange_article(ArticleInput {
            section: Some("World".into()),
            ..article("Public story", "Text.")
        })
        .await
        .expect("public");
    let draft = t
        .arrange_article(ArticleInput {
            status: Some(Status::Draft),
            ..article("Secret draft", "Text.")
        })
        .await
        .expect("draft");
    let scheduled = t
        .arrange_article(ArticleInput {
            published_at: Some(Utc::now() + Duration::hours(3)),
            ..article("Embargoed story", "Text.")
        })
        .await
        .expect("scheduled");
    assert_eq!(scheduled.status, Status::Scheduled);
    let withdrawn = t
        .arrange_article(article("Withdrawn story", "Text."))
        .await
        .expect("a");
    let deleted = t
        .arrange_article(article("Deleted story", "Text."))
        .await
        .expect("a");

    // Cached while public, then gone the moment it is withdrawn or deleted.
    for a in [&withdrawn, &deleted] {
        let (s, _) = embed_of(&t, &t.url(&a.path()), "").await;
        assert_eq!(s, 200, "{}", a.title);
    }
    let (s, _) = t
        .admin(
            &key,
            Method::POST,
            &format!("/api/v1/admin/articles/{}/unpublish", withdrawn.id),
            None,
        )
        .await
        .expect("unpublish");
    assert_eq!(s, 200);
    let (s, _) = t
        .admin(
            &key,
            Method::DELETE,
            &format!("/api/v1/admin/articles/{}", deleted.id),
            None,
        )
        .await
        .expect("delete");
    assert!(s == 200 || s == 204, "{s}");

    for a in [&draft, &scheduled, &withdrawn, &deleted] {
        let (s, body) = embed_of(&t, &t.url(&a.path()), "&format=json").await;
        assert_eq!(s, 404, "{}: {body}", a.title);
        assert_eq!(body["error"]["code"], "not_found");
        assert!(!body.to_string().contains(&a.title), "nothing of it leaks");
    }
    let public_url = t.url(&public.path());
    let other_host = public_url.replace("127.0.0.1", "localhost");
    for url in [
        other_host.as_str(),
        "https://elsewhere.example/articles/public-story",
        &t.url("/section/world"),
        &t.url("/articles/never-was"),
        &t.url("/articles/public-story/extra"),
    ] {
        let (s, _) = embed_of(&t, url, "").await;
        assert_eq!(s, 404, "{url}");
    }
    for (query, status, code) in [
        ("/oembed", 400, "missing_url"),
        ("/oembed?url=not%20a%20url", 400, "invalid_url"),
        ("/oembed?url=javascript%3Aalert(1)", 400, "invalid_url"),
        ("/oembed?url=%2Farticles%2Fpublic-story", 400, "invalid_url"),
    ] {
        let r = t.get(query).await.expect("get");
        assert_eq!(r.status().as_u16(), status, "{query}");
        let body: Value = r.json().await.expect("json error");
        assert_eq!(body["error"]["code"], code, "{query}");
    }
    let (s, body) = embed_of(&t, &public_url, "&format=xml").await;
    assert_eq!(
        (s, body["error"]["code"].clone()),
        (501, json!("format_not_supported"))
    );
    let (s, _) = embed_of(&t, &public_url, "&format=yaml").await;
    assert_eq!(s, 400);
    for bad in ["0", "-5", "wide", "99999"] {
        let (s, _) = embed_of(&t, &public_url, &format!("&maxwidth={bad}")).await;
        assert_eq!(s, 400, "maxwidth={bad}");
    }

    // An old slug embeds the article it moved to.
    let (s, current) = t
        .admin(
            &key,
            Method::GET,
            &format!("/api/v1/admin/articles/{}", public.id),
            None,
        )
        .await
        .expect("get");
    assert_eq!(s, 200);
    let (s, moved) = t
        .admin(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/articles/{}", public.id),
            Some(json!({"version": current["version"], "slug": "public-story-renamed"})),
        )
        .await
        .expect("rename");
    assert_eq!(s, 200, "{moved}");
    let (s, e) = embed_of(&t, &public_url, "").await;
    assert_eq!(s, 200);
    assert!(e["html"]
        .as_str()
        .is_some_and(|h| h.contains(&t.url("/articles/public-story-renamed"))));
}

fn postgres() -> bool {
    backends().contains(&Backend::Postgres)
}

#[tokio::test]
async fn an_article_page_leads_to_its_rich_embed_on_sqlite() {
    an_article_page_leads_to_its_rich_embed(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_article_page_leads_to_its_rich_embed_on_postgres() {
    if postgres() {
        an_article_page_leads_to_its_rich_embed(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn nothing_but_a_public_article_of_this_site_is_embedded_on_sqlite() {
    nothing_but_a_public_article_of_this_site_is_embedded(Backend::Sqlite).await;
}

#[tokio::test]
async fn nothing_but_a_public_article_of_this_site_is_embedded_on_postgres() {
    if postgres() {
        nothing_but_a_public_article_of_this_site_is_embedded(Backend::Postgres).await;
    }
}
