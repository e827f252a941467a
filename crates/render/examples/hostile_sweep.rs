//! Hunts for bodies that render in superlinear time: repeats short random patterns of
//! Markdown and HTML atoms to two sizes, renders both as a save does (body, teaser, word
//! count) and reports patterns whose time grows more than `RATIO` (default 8) times when the
//! size grows 4 times (linear work grows about 4 times; quadratic 16).
//!
//! ```text
//! cargo run --release -p dateline-render --example hostile_sweep -- [patterns] [seed]
//! SMALL=250000 PATTERNS='<div>,,> ' cargo run --release … --example hostile_sweep
//! ```
//!
//! `SMALL` is the smaller size in bytes (default 50,000); `PATTERNS` measures given patterns
//! (separated by `,,`; `\n` and `\t` written as such) instead of random ones.

use std::time::Instant;

#[rustfmt::skip]
const ATOMS: &[&str] = &[
    ">", "> ", "- ", "* ", "+ ", "1. ", "1) ", "  ", "\t", "\n", "\n\n", "a", " ", "*", "**",
    "_", "__", "~~", "`", "``", "[", "]", "(", ")", "](", "![", "<", "</", "<b>", "</b>",
    "<div>", "</div>", "<p>", "<table>", "<td>", "<tr>", "<li>", "<ul>", "<a href=x>", "</a>",
    "&", "&amp;", "&#", "\\", "|", "|-|", "---", "===", "#", "## ", "```", "~~~", "    ",
    "<!--", "-->", "<?", "<![CDATA[", "\"", "'", "http://x.y", "<http://x>", "www.", "@", ":",
    "\u{a0}", "£", "<script>", "</script>", "<textarea>", "[^1]", "[a]: /u", "[a]", "\r",
    "<em title=\"&\">", "<blockquote>", "<h2>", "<b x", "=\"", ".", "A. ", "...", "--", "\"a",
];

fn time(md: &str) -> f64 {
    let started = Instant::now();
    let rendered = dateline_render::render_body(md);
    std::hint::black_box(dateline_render::teaser(&rendered.plain));
    std::hint::black_box(dateline_render::word_count(&rendered.plain));
    started.elapsed().as_secs_f64()
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let mut seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let ratio: f64 = env("RATIO", 8.0);
    let small: usize = env("SMALL", 50_000);
    let mut random = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let given: Vec<String> = std::env::var("PATTERNS")
        .map(|s| {
            s.split(",,")
                .map(|p| p.replace("\\n", "\n").replace("\\t", "\t"))
                .collect()
        })
        .unwrap_or_default();
    let patterns: Vec<String> = if given.is_empty() {
        (0..count)
            .map(|_| {
                let atoms = 1 + random(4);
                (0..atoms).map(|_| ATOMS[random(ATOMS.len())]).collect()
            })
            .collect()
    } else {
        given.clone()
    };
    let mut slowest: Vec<(f64, &String)> = Vec::new();
    for pattern in &patterns {
        let body = |n: usize| pattern.repeat(n / pattern.len().max(1) + 1);
        let (a, b) = (body(small), body(small * 4));
        let ta = time(&a).min(time(&a)).max(1e-4);
        let tb = time(&b);
        if !given.is_empty() {
            println!("{pattern:?}: {ta:.4} s -> {tb:.4} s (x{:.1})", tb / ta);
        } else if tb / ta > ratio && tb > 0.01 {
            // Measure again before reporting: the machine may just be busy.
            let again = time(&b) / time(&a).max(1e-4);
            if again > ratio {
                println!(
                    "superlinear? {pattern:?}: {ta:.4} s -> {tb:.4} s (x{:.1}, again x{again:.1})",
                    tb / ta
                );
            }
        }
        slowest.push((tb, pattern));
    }
    slowest.sort_by(|x, y| y.0.total_cmp(&x.0));
    for (t, p) in slowest.iter().take(8) {
        println!("slowest at {} bytes: {p:?} {t:.4} s", small * 4);
    }
}
