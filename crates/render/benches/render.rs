//! How long rendering takes: one news-sized body (part of the "uncached article render"
//! budget in docs/BENCHMARKS.md), and render time against body size, up to the 1 MB body
//! limit, for a normal article body and for hostile bodies (docs/BENCHMARKS.md, "Issue 9:
//! hostile bodies"). Every hostile shape must grow linearly, like the normal body.
//!
//! `cargo bench -p dateline-render` (all), `cargo bench -p dateline-render -- "by size"`
//! (only the size sweep). `DATELINE_BENCH_SIZES=1000,10000` picks the sizes (default 1 KB,
//! 10 KB, 100 KB, 1 MB).

use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};

fn body() -> String {
    let para =
        "Lt. Gen. Smith told reporters in MUSCAT that the port's **container traffic** rose \
                by 12% last year, citing [official figures](https://example.org/figures). \
                \"We expect more,\" he said.";
    let mut s = String::from("## Background\n\n");
    for i in 0..12 {
        s.push_str(para);
        s.push_str(if i % 4 == 3 {
            "\n\n### More\n\n"
        } else {
            "\n\n"
        });
    }
    s
}

/// `unit` repeated to exactly `n` bytes (units are ASCII, or whole characters that divide
/// the sizes used).
fn fill(unit: &str, n: usize) -> String {
    let mut s = unit.repeat(n / unit.len() + 1);
    s.truncate(n);
    s
}

/// A normal news body of `n` bytes: paragraphs, a quote, a list, headings, links with
/// query strings, emphasis, an ampersand (the baseline of `tests/hostile.rs`).
fn normal(n: usize) -> String {
    fill(
        "Lt. Gen. Smith told reporters in MUSCAT that the port's **container traffic** \
rose by 12% last year, citing [official figures](https://example.org/figures?a=1&b=2). \
\"We expect more,\" he said.\n\n\
> It is a *good* year for the port & its workers, said an official.\n\n\
- Imports rose by 4%;\n- exports by 9%.\n\n## More\n\n",
        n,
    )
}

/// A named way to make a body of exactly `n` bytes.
type Shape = (&'static str, fn(usize) -> String);

/// The shapes of the size sweep.
fn shapes() -> Vec<Shape> {
    vec![
        ("normal article", normal),
        ("plain text", |n| fill("word ", n)),
        ("nested quotes >>>>", |n| fill(">", n)),
        ("nested lists - - -", |n| fill("- ", n - 1) + "a"),
        ("lazy lines in a deep quote", |n| {
            fill(">", n / 2) + "a\n" + &fill("a\n", n - n / 2 - 2)
        }),
        ("nested emphasis", |n| {
            fill("*", n / 2 - 1) + "a" + &fill("*", n - n / 2)
        }),
        ("link brackets [[[[", |n| fill("[", n)),
        ("ampersands &&&&", |n| fill("&", n)),
        ("less-than <<<<", |n| fill("<", n)),
        ("backtick runs", |n| fill("`a", n)),
        ("raw nested <blockquote>", |n| fill("<blockquote>", n)),
        ("raw nested <div>", |n| fill("<div>", n)),
        ("ampersands in a link", |n| {
            format!("[a](https://x.example/?{})", fill("&", n - 24))
        }),
        ("sentences a. B (teaser)", |n| fill("a. B", n)),
    ]
}

fn sizes() -> Vec<usize> {
    std::env::var("DATELINE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000, 1_000_000])
}

/// What saving an article does with its body: render, teaser and word count.
fn save_work(markdown: &str) -> usize {
    let rendered = dateline_render::render_body(markdown);
    let teaser = dateline_render::teaser(&rendered.plain);
    rendered.html.len() + teaser.len() + dateline_render::word_count(&rendered.plain)
}

fn bench(c: &mut Criterion) {
    let md = body();
    c.bench_function("render_body 2.5KB news body", |b| {
        b.iter(|| dateline_render::render_body(&md))
    });
    let plain = dateline_render::plain_text(&md);
    c.bench_function("teaser", |b| b.iter(|| dateline_render::teaser(&plain)));
}

fn by_size(c: &mut Criterion) {
    for (name, make) in shapes() {
        let mut group = c.benchmark_group(format!("by size/{name}"));
        // Flat sampling: ten timed runs at the largest sizes, not fifty-five.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        for n in sizes() {
            let markdown = make(n);
            assert_eq!(markdown.len(), n, "{name}");
            group.throughput(Throughput::Bytes(n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &markdown, |b, md| {
                b.iter(|| save_work(md))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench, by_size);
criterion_main!(benches);
