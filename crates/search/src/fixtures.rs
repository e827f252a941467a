//! Test articles and helpers shared by the index and query tests.

use crate::{SearchDoc, SearchIndex, SearchPage, SearchQuery};

/// An article with no standfirst and no tags.
pub(crate) fn doc(id: i64, title: &str, body: &str, section: &str, published_at: i64) -> SearchDoc {
    SearchDoc {
        id,
        title: title.into(),
        standfirst: None,
        body: body.into(),
        section: Some(section.into()),
        tags: vec![],
        published_at,
    }
}

/// An in-memory index of four articles (politics, sport, business), committed with the
/// checkpoint `store 7`.
pub(crate) fn index() -> SearchIndex {
    let idx = SearchIndex::in_memory().expect("index");
    idx.apply(
        &[
            doc(
                1,
                "Budget cuts hit schools",
                "The chancellor announced budget cuts to schools in London.",
                "politics",
                100,
            ),
            doc(
                2,
                "Football club wins cup",
                "The club won the cup after a penalty shoot-out in Manchester.",
                "sport",
                200,
            ),
            doc(
                3,
                "Schools budget rises in Wales",
                "Schools in Wales get a bigger budget this year.",
                "politics",
                300,
            ),
            doc(
                4,
                "Chip maker profits",
                "Profits at the chip maker rose as budget phones sold well.",
                "business",
                400,
            ),
        ],
        &[],
        "store 7",
    )
    .expect("apply");
    idx
}

/// The ids of a page's hits, in order.
pub(crate) fn ids(page: &SearchPage) -> Vec<i64> {
    page.hits.iter().map(|h| h.id).collect()
}

/// The first ten hits for `text`, no filters.
pub(crate) fn search(idx: &SearchIndex, text: &str) -> SearchPage {
    idx.search(&SearchQuery {
        text: text.into(),
        limit: 10,
        ..Default::default()
    })
    .expect("search")
}
