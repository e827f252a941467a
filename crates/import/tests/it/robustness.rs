//! Truncated and mutated exports: the readers answer with posts or a clean error, never a
//! panic, and in bounded time.

use std::time::{Duration, Instant};

use dateline_import::ghost::{GhostOptions, GhostReader};
use dateline_import::wxr::{WxrOptions, WxrReader};
use dateline_import::{BytesSource, ImportError};
use proptest::prelude::*;

use crate::fixtures::fixture;

/// Reads everything; `Err` with the first error. Panics only if the reader does.
fn run_wxr(bytes: Vec<u8>) -> Result<usize, ImportError> {
    let reader = WxrReader::open(&BytesSource::new(bytes), WxrOptions::default())?;
    let mut n = 0;
    for post in reader {
        post?;
        n += 1;
    }
    Ok(n)
}

fn run_ghost(bytes: Vec<u8>) -> Result<usize, ImportError> {
    let reader = GhostReader::open(&BytesSource::new(bytes), GhostOptions::default())?;
    let mut n = 0;
    for post in reader {
        post?;
        n += 1;
    }
    Ok(n)
}

fn wxr_sample() -> Vec<u8> {
    let items: Vec<String> = (1..=3)
        .map(|i| {
            crate::wxr::item(
                i,
                &format!("Post {i} &amp; more"),
                "publish",
                "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>",
            )
        })
        .collect();
    crate::wxr::synthetic(&items.join("\n")).into_bytes()
}

fn ghost_sample() -> Vec<u8> {
    let lexical = r#"{\"root\":{\"children\":[{\"type\":\"paragraph\",\"children\":[{\"type\":\"text\",\"text\":\"Hi\",\"format\":1}]},{\"type\":\"image\",\"src\":\"__GHOST_URL__/a.jpg\"}]}}"#;
    let second = crate::ghost::MOBILEDOC_POST
        .replace("\"p1\"", "\"p2\"")
        .replace("\"lexical\":null", &format!("\"lexical\":\"{lexical}\""));
    crate::ghost::export(
        "5.2.0",
        &format!("{},{second}", crate::ghost::MOBILEDOC_POST),
    )
    .into_bytes()
}

#[test]
fn every_truncation_of_a_wxr_file_is_an_error_never_a_panic() {
    let full = wxr_sample();
    assert_eq!(run_wxr(full.clone()).expect("the test input reads"), 3);
    let end = full.len() - 1; // the last byte is a newline after </rss>
    for cut in 0..end {
        let r = run_wxr(full[..cut].to_vec());
        assert!(r.is_err(), "a file cut at byte {cut} was accepted");
    }
}

#[test]
fn every_truncation_of_a_ghost_file_is_an_error_never_a_panic() {
    let full = ghost_sample();
    assert_eq!(run_ghost(full.clone()).expect("the test input reads"), 2);
    for cut in 0..full.len() {
        let r = run_ghost(full[..cut].to_vec());
        assert!(r.is_err(), "a file cut at byte {cut} was accepted");
    }
}

#[test]
fn the_real_fixtures_cut_anywhere_fail_cleanly() {
    for (name, is_wxr) in [
        ("wordpress/theme-preview.xml", true),
        ("ghost/ghost-5.130-export.json", false),
    ] {
        let Some(path) = fixture(name) else { return };
        let full = std::fs::read(path).expect("the test input reads");
        let step = (full.len() / 300).max(1);
        for cut in (0..full.len() - 2).step_by(step) {
            let bytes = full[..cut].to_vec();
            let r = if is_wxr {
                run_wxr(bytes)
            } else {
                run_ghost(bytes)
            };
            assert!(r.is_err(), "{name} cut at {cut} was accepted");
        }
    }
}

fn mutate(mut bytes: Vec<u8>, cut: Option<usize>, edits: &[(usize, u8)]) -> Vec<u8> {
    for &(at, b) in edits {
        let i = at % bytes.len();
        bytes[i] = b;
    }
    // Some cases keep the whole (mutated) file; the others are cut short too.
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

/// Bytes that matter to the grammars, so mutations hit structure, not just letters.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b'<'),
        Just(b'>'),
        Just(b'/'),
        Just(b'['),
        Just(b']'),
        Just(b'{'),
        Just(b'}'),
        Just(b'"'),
        Just(b'\\'),
        Just(b'&'),
        Just(b','),
        Just(b':'),
        Just(0xff),
        Just(0xc3),
        Just(0),
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_wxr_gives_posts_or_an_error(cut in proptest::option::of(any::<usize>()), edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..8)) {
        let bytes = mutate(wxr_sample(), cut, &edits);
        let start = Instant::now();
        let _ = run_wxr(bytes);
        prop_assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn mutated_ghost_gives_posts_or_an_error(cut in proptest::option::of(any::<usize>()), edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..8)) {
        let bytes = mutate(ghost_sample(), cut, &edits);
        let start = Instant::now();
        let _ = run_ghost(bytes);
        prop_assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn arbitrary_bytes_never_panic_either_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = run_wxr(bytes.clone());
        let _ = run_ghost(bytes);
    }
}

#[test]
fn a_leading_byte_order_mark_is_accepted_by_both_readers() {
    let mut wxr = b"\xEF\xBB\xBF".to_vec();
    wxr.extend(wxr_sample());
    assert_eq!(run_wxr(wxr).expect("a BOM is not an error"), 3);
    let mut ghost = b"\xEF\xBB\xBF".to_vec();
    ghost.extend(ghost_sample());
    assert_eq!(run_ghost(ghost).expect("a BOM is not an error"), 2);
}
