use dateline_import::FileSource;

use crate::fixtures::{fixture, read_wxr, post};

#[test]
fn dump() {
    let Some(path) = fixture("wordpress/themeunittestdata.wordpress.xml") else { return };
    let (posts, report) = read_wxr(&FileSource::new(path)).unwrap();
    for id in ["1163", "555", "1752", "587", "582", "1161", "358", "1177"] {
        let p = post(&posts, id);
        println!("=== {id} {:?} {:?}\n{}", p.lead_image, p.summary, p.body_html);
    }
    println!("{:?} {:?} {:?}", report.shortcodes_converted, report.shortcodes_unknown, report.warnings);
}
