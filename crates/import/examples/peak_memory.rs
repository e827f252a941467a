//! Peak memory of the readers against file size (issue 11: "peak memory flat as the file
//! grows").
//!
//! ```sh
//! cargo run --release -p dateline-import --example peak_memory -- make-wxr 50 /tmp/wxr50.xml
//! cargo run --release -p dateline-import --example peak_memory -- read-wxr /tmp/wxr50.xml
//! cargo run --release -p dateline-import --example peak_memory -- make-ghost 200 /tmp/ghost200.json
//! cargo run --release -p dateline-import --example peak_memory -- read-ghost /tmp/ghost200.json
//! ```
//!
//! `make-*` and `read-*` are separate runs so the peak of reading is not the peak of
//! making. `read-*` prints posts, seconds, and the process's peak resident set (VmHWM).

use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

use dateline_import::ghost::{GhostOptions, GhostReader};
use dateline_import::wxr::{WxrOptions, WxrReader};
use dateline_import::FileSource;

#[path = "../benches/scale.rs"]
mod scale;

fn shared(name: &str) -> String {
    let dir = std::env::var_os("DATELINE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    std::fs::read_to_string(dir.join("fixtures").join(name))
        .expect("fixture readable (set DATELINE_SHARED_DIR)")
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Reads every post, stopping the example at the first error.
fn count_valid<E: std::fmt::Display>(
    posts: &mut dyn Iterator<Item = Result<dateline_import::ImportedPost, E>>,
) -> usize {
    let mut n = 0;
    for post in posts {
        if let Err(e) = post {
            eprintln!("{e}");
            std::process::exit(1);
        }
        n += 1;
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (cmd, arg) = match args.as_slice() {
        [_, cmd, arg, ..] => (cmd.as_str(), arg.as_str()),
        _ => {
            eprintln!("usage: peak_memory make-wxr N OUT | read-wxr FILE | make-ghost N OUT | read-ghost FILE");
            std::process::exit(2);
        }
    };
    match cmd {
        "make-wxr" | "make-ghost" => {
            let times: usize = arg.parse().expect("N is a number");
            let out = args.get(3).expect("OUT");
            let mut file = BufWriter::new(std::fs::File::create(out).expect("create OUT"));
            if cmd == "make-wxr" {
                scale::scale_wxr(
                    &shared("wordpress/themeunittestdata.wordpress.xml"),
                    times,
                    &mut file,
                )
                .expect("write");
            } else {
                std::io::Write::write_all(
                    &mut file,
                    scale::scale_ghost(&shared("ghost/ghost-5.130-export.json"), times).as_bytes(),
                )
                .expect("write");
            }
        }
        "read-wxr" | "read-ghost" => {
            let source = FileSource::new(arg);
            let size = std::fs::metadata(arg).map(|m| m.len()).unwrap_or(0);
            let start = Instant::now();
            let (posts, report) = if cmd == "read-wxr" {
                let mut r = WxrReader::open(&source, WxrOptions::default()).expect("readable");
                eprintln!("first pass: {:.3} s", start.elapsed().as_secs_f64());
                let n = count_valid(&mut r);
                (n, r.into_report())
            } else {
                let mut r = GhostReader::open(&source, GhostOptions::default()).expect("readable");
                eprintln!("first pass: {:.3} s", start.elapsed().as_secs_f64());
                let n = count_valid(&mut r);
                (n, r.into_report())
            };
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{arg}: {:.1} MiB, {posts} posts, {} items, {secs:.3} s, {:.0} posts/s, peak RSS {:.1} MiB",
                size as f64 / 1048576.0,
                report.items_by_kind.values().sum::<usize>(),
                posts as f64 / secs,
                peak_rss_kib() as f64 / 1024.0
            );
        }
        _ => {
            eprintln!("unknown command {cmd}");
            std::process::exit(2);
        }
    }
}
