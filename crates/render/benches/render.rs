//! How long rendering one news-sized body takes (part of the "uncached article render"
//! budget in docs/BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, Criterion};

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

fn bench(c: &mut Criterion) {
    let md = body();
    c.bench_function("render_body 2.5KB news body", |b| {
        b.iter(|| dateline_render::render_body(&md))
    });
    let plain = dateline_render::plain_text(&md);
    c.bench_function("teaser", |b| b.iter(|| dateline_render::teaser(&plain)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
