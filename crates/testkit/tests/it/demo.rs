//! `serve --demo`: the sample site shows every feature the README's tour names, read back
//! through the pages and the public API a visitor would use.

use std::collections::{BTreeMap, HashSet};

use dateline_testkit::TestApp;
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn count(doc: &Html, s: &str) -> usize {
    doc.select(&sel(s)).count()
}

fn attr(doc: &Html, s: &str, a: &str) -> Option<String> {
    doc.select(&sel(s))
        .next()
        .and_then(|e| e.value().attr(a))
        .map(str::to_owned)
}

#[tokio::test]
async fn the_demo_shows_every_feature_the_tour_names() {
    // The list page size `serve` uses unless configured.
    let default_page = dateline_app::Config::new(
        "127.0.0.1:8080".parse().expect("addr"),
        std::path::PathBuf::from("."),
    )
    .list_page_size;
    let t = TestApp::spawn_with(dateline_app::Backend::Sqlite, |c| {
        c.list_page_size = default_page;
    })
    .await
    .expect("app");
    let loaded = dateline_app::demo::load_if_empty(&t.app)
        .await
        .expect("demo");
    t.settle_index().await.expect("indexed");

    // The front page pages at least twice ("Older articles"), then says "No more articles".
    let mut path = "/".to_owned();
    let mut pages = 0;
    let mut articles: Vec<String> = Vec::new();
    loop {
        let r = t.get(&path).await.expect("list");
        assert_eq!(r.status(), 200, "{path}");
        let doc = Html::parse_document(&r.text().await.expect("body"));
        pages += 1;
        articles.extend(
            doc.select(&sel("ol.items > li h2 a"))
                .filter_map(|a| a.value().attr("href").map(str::to_owned)),
        );
        match attr(&doc, "nav.pager a.older[rel=next]", "href") {
            Some(next) => path = next,
            None => {
                let end: String = doc
                    .select(&sel("nav.pager .list-end"))
                    .flat_map(|e| e.text())
                    .collect();
                assert_eq!(end, "No more articles");
                break;
            }
        }
        assert!(pages < 50, "the pager ends");
    }
    assert!(
        pages >= 3,
        "{} articles at {default_page} a page: {pages} pages",
        articles.len()
    );
    assert_eq!(articles.len(), loaded, "every sample listed once");
    assert_eq!(
        articles.iter().collect::<HashSet<_>>().len(),
        articles.len(),
        "no article on two pages"
    );

    // Every article page: tally what it shows.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut images = HashSet::new();
    for path in &articles {
        let r = t.get(path).await.expect("article");
        assert_eq!(r.status(), 200, "{path}");
        let doc = Html::parse_document(&r.text().await.expect("body"));
        for (feature, selector) in [
            ("standfirst", "p.standfirst"),
            ("dateline", "p.dateline-line span.dateline"),
            ("section", "p.kicker a"),
            ("tags", "ul.tags li a[rel=tag]"),
            ("published time", "time.published[datetime]"),
            ("correction notice", "aside.correction time[datetime]"),
            ("lead image", "figure.lead-image img[src]"),
            (
                "image caption and credit",
                "figure.lead-image figcaption .credit",
            ),
            ("share bar", "section.share ul.share-links li"),
            ("related articles", "section.related li a"),
            ("subheading", "div.body h2, div.body h3"),
            ("quote", "div.body blockquote"),
            ("list", "div.body ul li, div.body ol li"),
            ("link", "div.body a[href]"),
            ("JSON-LD", "script[type='application/ld+json']"),
        ] {
            if count(&doc, selector) > 0 {
                *seen.entry(feature).or_default() += 1;
            }
        }
        if count(&doc, "p.byline a[rel=author]") >= 2 {
            *seen.entry("two-author byline").or_default() += 1;
        }
        if let Some(src) = attr(&doc, "figure.lead-image img", "src") {
            images.insert(src);
        }
    }
    for feature in [
        "standfirst",
        "dateline",
        "section",
        "tags",
        "published time",
        "correction notice",
        "lead image",
        "image caption and credit",
        "share bar",
        "related articles",
        "subheading",
        "quote",
        "list",
        "link",
        "JSON-LD",
        "two-author byline",
    ] {
        assert!(
            seen.get(feature).copied().unwrap_or(0) > 0,
            "no demo article shows: {feature} (seen: {seen:?})"
        );
    }
    // Lead images are served by dateline itself: no network needed to see them.
    assert!(images.len() >= 3, "{images:?}");
    for src in &images {
        assert!(src.starts_with("/static/"), "served here: {src}");
        let r = t.get(src).await.expect("image");
        assert_eq!(r.status(), 200, "{src}");
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("image/svg+xml"),
            "{src}"
        );
        let svg = r.text().await.expect("svg");
        assert!(svg.starts_with("<svg") && !svg.contains("<script"), "{src}");
    }

    // Two versions of one story share a story id, and no related list shows both.
    let mut story_of: BTreeMap<String, String> = BTreeMap::new();
    for path in &articles {
        let slug = path.trim_start_matches("/articles/");
        let a = t
            .get_json(&format!("/api/v1/articles/{slug}"), 200)
            .await
            .expect("api");
        story_of.insert(slug.to_owned(), a["story_id"].to_string());
    }
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (slug, story) in &story_of {
        members.entry(story).or_default().push(slug);
    }
    let versions: Vec<_> = members.values().filter(|m| m.len() >= 2).collect();
    assert!(!versions.is_empty(), "a story with two versions");
    let mut related_lists = 0;
    for slug in story_of.keys() {
        let related = t
            .get_json(&format!("/api/v1/articles/{slug}/related?limit=10"), 200)
            .await
            .expect("related");
        let items = related["items"].as_array().expect("items");
        if !items.is_empty() {
            related_lists += 1;
        }
        let stories: Vec<String> = items.iter().map(|i| i["story_id"].to_string()).collect();
        let unique: HashSet<_> = stories.iter().collect();
        assert_eq!(unique.len(), stories.len(), "{slug}: one item per story");
        assert!(
            !stories.contains(&story_of[slug]),
            "{slug}: never its own story"
        );
    }
    assert!(
        related_lists * 2 > story_of.len(),
        "most samples have related articles: {related_lists} of {}",
        story_of.len()
    );

    // Search finds the samples.
    let found = t
        .get_json("/api/v1/search?q=correction", 200)
        .await
        .expect("search");
    assert!(
        !found["items"].as_array().expect("items").is_empty(),
        "{found}"
    );
}
