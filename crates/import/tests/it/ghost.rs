use dateline_import::ghost::{GhostOptions, GhostReader};
use dateline_import::{FileSource, ImportError};

use crate::fixtures::fixture;

#[test]
fn dump() {
    let Some(path) = fixture("ghost/ghost-5.130-export.json") else { return };
    let mut r = GhostReader::open(&FileSource::new(path), GhostOptions { site_url: "https://ledger.example".into() }).unwrap();
    let posts: Vec<_> = r.by_ref().collect::<Result<_, ImportError>>().unwrap();
    for p in &posts {
        println!("{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}", p.source_id, p.status, p.title, p.slug, p.authors, p.section, p.tags, p.published_at, p.old_urls, p.lead_image, p.visibility_note);
    }
    let p = posts.iter().find(|p| p.slug.as_deref() == Some("notes-for-the-weekend-briefing")).unwrap();
    println!("{}", p.body_html);
    println!("{:#?}", r.report());
}
