//! How long indexing one article and asking for its related list take on a full engine,
//! and how much memory the engine holds per article.
//!
//! The engine is filled with N articles made from the BBC corpus (`../shared/corpus`,
//! `$DATELINE_SHARED_DIR`) the way `scripts/bench_corpus.py` does it: copy k of an article
//! gets a new id, " (r<k>)" after its title, its paragraphs rotated by k, and publication
//! times 15 minutes apart; it also names a made-up analyst and a figure, so that the
//! vocabulary keeps growing. Without the corpus, articles are generated from a synthetic
//! vocabulary. N = 10,000 always; N = 100,000 with `DATELINE_BENCH_BIG=1`; N = 1,000,000
//! with `DATELINE_BENCH_HUGE=1` (about 10 minutes to fill and 1 GB of memory).
//!
//! `cargo bench -p dateline-related --bench engine` (add `DATELINE_BENCH_BIG=1` for 100k).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use dateline_related::{Config, Doc, Engine};

struct Base {
    title: String,
    body: String,
    section: Option<String>,
}

fn shared_dir() -> PathBuf {
    std::env::var_os("DATELINE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

fn load_bbc() -> Option<Vec<Base>> {
    let text = std::fs::read_to_string(shared_dir().join("corpus/bbc.jsonl")).ok()?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        out.push(Base {
            title: v["title"].as_str().unwrap_or_default().to_string(),
            body: v["body"].as_str().unwrap_or_default().to_string(),
            section: v["section"].as_str().map(str::to_string),
        });
    }
    Some(out)
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fallback when the corpus is missing: 2,000 articles of Zipf-distributed pseudo-words.
fn generated() -> Vec<Base> {
    let mut rng = Rng(7);
    let syllables = [
        "ka", "lo", "mi", "ren", "ta", "vo", "shi", "der", "an", "pol", "ex", "tu",
    ];
    let vocab: Vec<String> = (0..20_000)
        .map(|_| {
            let n = 2 + rng.below(3);
            (0..n)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect()
        })
        .collect();
    let word = |rng: &mut Rng| {
        // Zipf-like: index ~ 1 / u.
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let i = ((1.0 / (u + 1e-4)) as usize).min(vocab.len() - 1);
        vocab[i].clone()
    };
    (0..2_000)
        .map(|k| {
            let paragraphs: Vec<String> = (0..6)
                .map(|_| {
                    let words: Vec<String> = (0..60).map(|_| word(&mut rng)).collect();
                    words.join(" ") + "."
                })
                .collect();
            Base {
                title: (0..6).map(|_| word(&mut rng)).collect::<Vec<_>>().join(" "),
                body: paragraphs.join("\n\n"),
                section: Some(format!("s{}", k % 5)),
            }
        })
        .collect()
}

/// A made-up surname, different for every `i`.
fn name(mut i: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "Ka", "lo", "mir", "ven", "ta", "dos", "shi", "der", "an", "pol", "ex", "tu", "ra", "bel",
        "or", "ni",
    ];
    let mut s = String::from("Z");
    loop {
        s.push_str(SYLLABLES[i % 16]);
        i /= 16;
        if i == 0 {
            return s.to_lowercase().replacen('z', "Z", 1);
        }
    }
}

/// Article `i` of the benchmark collection.
///
/// Copies also name someone new and quote a new figure, so that the vocabulary keeps
/// growing (by about two terms an article, as a news archive's does at this size) instead
/// of stopping at the corpus's.
fn doc(base: &[Base], i: usize) -> Doc {
    let (k, r) = (i / base.len(), i % base.len());
    let b = &base[r];
    let mut title = b.title.clone();
    let mut body = b.body.clone();
    if k > 0 {
        title = format!("{title} (r{k})");
        let mut paragraphs: Vec<&str> = b.body.split("\n\n").collect();
        let n = paragraphs.len().max(1);
        paragraphs.rotate_left(k % n);
        body = paragraphs.join("\n\n");
        body.push_str(&format!(
            " Analyst {} put the figure at {}.{}m.",
            name(i),
            i % 997,
            i % 89
        ));
    }
    Doc {
        id: i as i64 + 1,
        title,
        standfirst: None,
        body,
        section: b.section.clone(),
        tags: Vec::new(),
        published_at: 1_700_000_000 + i as i64 * 900,
    }
}

fn bench_at(c: &mut Criterion, base: &[Base], n: usize) {
    // Articles are made on the fly: at 1,000,000 their texts alone would take gigabytes.
    let mut engine = Engine::new(Config::default());
    let t0 = Instant::now();
    for i in 0..n {
        engine.upsert(&doc(base, i));
    }
    let build = t0.elapsed();
    println!(
        "N = {n}: built in {:.1} s ({:.3} ms/upsert); engine {:.1} MB, {} bytes/article",
        build.as_secs_f64(),
        build.as_secs_f64() * 1000.0 / n as f64,
        engine.memory_bytes() as f64 / 1e6,
        engine.memory_bytes() / engine.len()
    );

    // A new article: a copy of a real one under a fresh id, its paragraphs reversed.
    let mut next_id = n as i64 + 1;
    let mut rng = Rng(42);
    c.bench_function(&format!("upsert one new article into {n}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut d = doc(base, rng.below(base.len()));
                d.id = next_id;
                next_id += 1;
                let mut paragraphs: Vec<&str> = d.body.split("\n\n").collect();
                paragraphs.reverse();
                d.body = paragraphs.join("\n\n");
                let t = Instant::now();
                engine.upsert(&d);
                total += t.elapsed();
                engine.remove(d.id);
            }
            total
        })
    });
    c.bench_function(&format!("related(id, 10) among {n}"), |b| {
        b.iter_batched(
            || rng.below(n) as i64 + 1,
            |id| engine.related(id, 10),
            BatchSize::SmallInput,
        )
    });
    c.bench_function(&format!("remove and re-add one article among {n}"), |b| {
        b.iter_batched(
            || doc(base, rng.below(n)),
            |d| {
                engine.remove(d.id);
                engine.upsert(&d);
            },
            BatchSize::SmallInput,
        )
    });
}

fn bench(c: &mut Criterion) {
    let base = load_bbc().unwrap_or_else(|| {
        println!(
            "corpus not found under {}: generated text",
            shared_dir().display()
        );
        generated()
    });
    bench_at(c, &base, 10_000);
    if std::env::var_os("DATELINE_BENCH_BIG").is_some() {
        bench_at(c, &base, 100_000);
    }
    if std::env::var_os("DATELINE_BENCH_HUGE").is_some() {
        bench_at(c, &base, 1_000_000);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
