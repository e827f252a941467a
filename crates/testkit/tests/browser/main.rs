//! Browser tests in real headless Chromium (chromedriver + fantoccini): what a reader sees
//! and does, and that hostile input never executes.

mod editor;
mod measure;

use std::time::Duration;

use chrono::Utc;
use dateline_core::ArticleInput;
use dateline_testkit::browser::Browser;
use dateline_testkit::{article, backends, TestApp};
use fantoccini::Locator;

async fn arrange_site(t: &TestApp) -> dateline_core::Article {
    let now = Utc::now();
    for i in 0..12 {
        let mut a = article(&format!("List story {i}"), "A paragraph of news.");
        a.published_at = Some(now - chrono::Duration::hours(24 + i));
        t.arrange_article(a).await.expect("article");
    }
    t.arrange_article(ArticleInput {
        title: "Harbour reopens after storm".into(),
        standfirst: Some("Fishing boats return to sea".into()),
        body: "The harbour reopened on Monday.\n\n## Damage\n\nRepairs took a week.".into(),
        dateline: Some("Sur, Oman".into()),
        authors: vec!["Amira Haddad".into()],
        section: Some("World".into()),
        ..Default::default()
    })
    .await
    .expect("article")
}

#[tokio::test]
async fn a_reader_opens_an_article_shares_it_and_scrolls_a_list_to_its_end() {
    for backend in backends() {
        let Some(browser) = Browser::start().await.expect("browser") else {
            return;
        };
        let t = TestApp::spawn(backend).await.expect("app");
        let a = arrange_site(&t).await;
        let c = &browser.client;

        c.goto(&t.url(&a.path())).await.expect("open article");
        let h1 = c
            .find(Locator::Css("h1.headline"))
            .await
            .expect("h1")
            .text()
            .await
            .expect("text");
        assert_eq!(h1, "Harbour reopens after storm");
        let dateline = c
            .find(Locator::Css(".dateline"))
            .await
            .expect("dateline")
            .text()
            .await
            .expect("text");
        assert_eq!(dateline, "SUR, OMAN —");
        let links = c
            .find_all(Locator::Css(".share-links a"))
            .await
            .expect("share links");
        let mut labels = Vec::new();
        for l in &links {
            labels.push(l.text().await.expect("label"));
            let href = l.attr("href").await.expect("attr").unwrap_or_default();
            assert!(!href.is_empty());
        }
        assert_eq!(
            labels,
            [
                "Email",
                "X",
                "Facebook",
                "LinkedIn",
                "WhatsApp",
                "Telegram",
                "Copy link"
            ]
        );
        // Headless Chromium has no Web Share API, so the native button stays hidden.
        let native_hidden = c
            .execute(
                "return document.querySelector('.share-native').hidden",
                vec![],
            )
            .await
            .expect("js");
        assert_eq!(native_hidden, serde_json::json!(true));

        c.goto(&t.url("/")).await.expect("open home");
        let mut ended = false;
        for _ in 0..50 {
            c.execute("window.scrollTo(0, document.body.scrollHeight)", vec![])
                .await
                .expect("scroll");
            tokio::time::sleep(Duration::from_millis(150)).await;
            if let Ok(end) = c.find(Locator::Css(".list-end")).await {
                if end.text().await.unwrap_or_default() == "No more articles" {
                    ended = true;
                    break;
                }
            }
        }
        assert!(
            ended,
            "the list never reached 'No more articles' on {backend:?}"
        );
        let items = c
            .find_all(Locator::Css("ol.items > li"))
            .await
            .expect("items");
        assert_eq!(items.len(), 13, "every article loaded exactly once");
        assert!(
            c.find(Locator::Css("a.older")).await.is_err(),
            "no older link at the end"
        );
        browser.close().await.expect("close");
    }
}

#[tokio::test]
async fn xss_payloads_in_every_field_never_execute() {
    let Some(browser) = Browser::start().await.expect("browser") else {
        return;
    };
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let set = "window.__xss=1";
    let payloads = [
        format!("<script>{set}</script>"),
        format!("<img src=x onerror=\"{set}\">"),
        format!("<svg onload=\"{set}\"></svg>"),
        format!("</title><script>{set}</script>"),
        format!("</script><script>{set}</script>"),
        format!("\"><img src=x onerror={set}>"),
        format!("<iframe srcdoc=\"<script>parent.{set}</script>\"></iframe>"),
        format!("<a href=\"javascript:{set}\" id=\"jslink\">click</a>"),
        format!("[md link](javascript:{set})"),
        format!("<details open ontoggle=\"{set}\">x</details>"),
    ];
    let all = payloads.join(" ");
    let a = t
        .arrange_article(ArticleInput {
            title: format!("Title {}", payloads[3]),
            standfirst: Some(all.clone()),
            body: payloads.join("\n\n"),
            summary: Some(all.clone()),
            dateline: Some(payloads[5].clone()),
            section: Some(format!("Sec {}", payloads[1])),
            tags: vec![payloads[2].clone(), payloads[4].clone()],
            authors: vec![payloads[0].clone()],
            source: Some(all.clone()),
            lead_image_caption: Some(all.clone()),
            lead_image_url: Some("https://img.example/x.jpg".into()),
            correction: Some(all),
            ..Default::default()
        })
        .await
        .expect("article");
    let c = &browser.client;
    for path in [a.path(), "/".to_owned()] {
        c.goto(&t.url(&path)).await.expect("open");
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Click every link that is not navigation away, in case one carries script.
        for link in c.find_all(Locator::Css(".body a")).await.expect("links") {
            let _ = link.click().await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let fired = c
            .execute("return typeof window.__xss !== 'undefined'", vec![])
            .await
            .expect("js");
        assert_eq!(
            fired,
            serde_json::json!(false),
            "a payload executed on {path}"
        );
        let title = c
            .find(Locator::Css("h1"))
            .await
            .expect("h1")
            .text()
            .await
            .expect("text");
        assert!(!title.is_empty());
    }
    browser.close().await.expect("close");
}
