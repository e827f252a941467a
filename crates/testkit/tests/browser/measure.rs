//! Figures for docs/BENCHMARKS.md, not assertions (machines are noisy): the editor's page
//! weight and how soon it is usable. Run on demand:
//!
//! ```text
//! cargo test --release -p dateline-testkit --test browser -- --ignored --nocapture measure
//! ```

use dateline_core::Role;
use dateline_testkit::session::PASSWORD;
use fantoccini::Locator;
use serde_json::Value;

use crate::editor::browser_and_app;

const RUNS: usize = 9;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test]
#[ignore = "a measurement; run with --ignored --nocapture"]
async fn measure_editor_page_weight_and_time_to_interactive() {
    let Some((browser, t)) = browser_and_app().await else {
        return;
    };
    // A long feature: 40 paragraphs, about 1,600 words.
    let body = (0..40)
        .map(|i| format!("Paragraph {i}: the port authority said cargo volumes rose for the third year as new berths opened and shipping lines added calls, while unions asked for more staff on the night shift."))
        .collect::<Vec<_>>()
        .join("\n\n");
    let a = t
        .arrange_article(dateline_core::ArticleInput {
            title: "Port volumes rise again".into(),
            body,
            status: Some(dateline_core::Status::Draft),
            ..Default::default()
        })
        .await
        .expect("article");
    let (_, email) = t.user(Role::Editor, "Mia Measure").await.expect("user");
    let c = &browser.client;
    c.goto(&t.url("/signin")).await.expect("sign in");
    c.find(Locator::Css("#email"))
        .await
        .expect("email")
        .send_keys(&email)
        .await
        .expect("type");
    c.find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys(PASSWORD)
        .await
        .expect("type");
    c.find(Locator::Css("form#signin button"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let probe = r#"
        const done = arguments[arguments.length - 1];
        const nav = performance.getEntriesByType('navigation')[0];
        const check = () => {
            if (document.getElementById('preview').innerHTML.trim()) {
                const resources = performance.getEntriesByType('resource')
                    .map(r => ({name: r.name, bytes: r.decodedBodySize}));
                done({
                    html: nav.decodedBodySize,
                    response_end: nav.responseEnd,
                    dom_interactive: nav.domInteractive,
                    dom_content_loaded: nav.domContentLoadedEventEnd,
                    load: nav.loadEventEnd,
                    preview_ready: performance.now(),
                    resources,
                });
            } else {
                requestAnimationFrame(check);
            }
        };
        check();
    "#;
    let mut samples: Vec<Value> = Vec::new();
    for i in 0..RUNS {
        // A distinct URL each time, so nothing comes from the browser's cache.
        c.goto(&t.url(&format!("/admin/articles/{}/edit?run={i}", a.id)))
            .await
            .expect("editor");
        samples.push(c.execute_async(probe, vec![]).await.expect("probe"));
    }
    let field = |name: &str| -> Vec<f64> {
        samples
            .iter()
            .map(|s| s[name].as_f64().unwrap_or(f64::NAN))
            .collect()
    };
    println!("editor page, {RUNS} cold loads (ms from navigation start, median):");
    for name in [
        "response_end",
        "dom_interactive",
        "dom_content_loaded",
        "load",
        "preview_ready",
    ] {
        println!("  {name:<20} {:>8.1}", median(field(name)));
    }
    println!("  {:<20} {:>8.0} bytes", "html", median(field("html")));
    if let Some(resources) = samples[0]["resources"].as_array() {
        for r in resources {
            println!(
                "  {:<20} {:>8} bytes",
                r["name"]
                    .as_str()
                    .unwrap_or("?")
                    .rsplit('/')
                    .next()
                    .unwrap_or("?"),
                r["bytes"]
            );
        }
    }
    browser.close().await.expect("close");
}
