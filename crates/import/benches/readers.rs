//! The WXR and Ghost readers alone (no database): posts per second over in-memory
//! exports made by repeating the real fixtures' posts. See docs/BENCHMARKS.md.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dateline_import::ghost::{GhostOptions, GhostReader};
use dateline_import::wxr::{WxrOptions, WxrReader};
use dateline_import::BytesSource;

#[path = "scale.rs"]
mod scale;

fn fixture(name: &str) -> Option<String> {
    let dir = std::env::var_os("DATELINE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = dir.join("fixtures").join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!(
                "skipped: fixture {} not readable ({e}); set DATELINE_SHARED_DIR",
                path.display()
            );
            None
        }
    }
}

fn readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("readers");
    group.sample_size(10);
    if let Some(src) = fixture("wordpress/themeunittestdata.wordpress.xml") {
        let mut bytes = Vec::new();
        scale::scale_wxr(&src, 50, &mut bytes).expect("writing to memory");
        let source = BytesSource::new(bytes);
        let posts = WxrReader::open(&source, WxrOptions::default())
            .expect("valid")
            .count();
        group.throughput(Throughput::Elements(posts as u64));
        group.bench_function(format!("wxr theme test data x50 ({posts} posts)"), |b| {
            b.iter(|| {
                let reader = WxrReader::open(&source, WxrOptions::default()).expect("valid");
                reader.filter(Result::is_ok).count()
            })
        });
    }
    if let Some(src) = fixture("ghost/ghost-5.130-export.json") {
        let source = BytesSource::new(scale::scale_ghost(&src, 200).into_bytes());
        let posts = GhostReader::open(&source, GhostOptions::default())
            .expect("valid")
            .count();
        group.throughput(Throughput::Elements(posts as u64));
        group.bench_function(format!("ghost 5.130 export x200 ({posts} posts)"), |b| {
            b.iter(|| {
                let reader = GhostReader::open(&source, GhostOptions::default()).expect("valid");
                reader.filter(Result::is_ok).count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
