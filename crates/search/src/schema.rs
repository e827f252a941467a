//! The index's fields: what of an article is indexed, stored and sortable, and how a
//! [`SearchDoc`] fills them. A change here is a new [`SCHEMA_VERSION`].

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::{doc, TantivyDocument};

/// Bumped whenever the schema changes; an index with another version is rebuilt.
pub(crate) const SCHEMA_VERSION: &str = "dateline-search-1";

/// One published article as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// Store id.
    pub id: i64,
    /// Headline.
    pub title: String,
    /// Dek.
    pub standfirst: Option<String>,
    /// Plain-text body.
    pub body: String,
    /// Section slug.
    pub section: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Publication time, Unix seconds.
    pub published_at: i64,
}

/// The index's field handles.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) title: Field,
    pub(crate) standfirst: Field,
    pub(crate) body: Field,
    pub(crate) section: Field,
    pub(crate) tags: Field,
    pub(crate) published_at: Field,
}

/// The schema and its field handles.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(true)),
        standfirst: b.add_text_field("standfirst", text(false)),
        body: b.add_text_field("body", text(true)),
        section: b.add_text_field("section", STRING),
        tags: b.add_text_field("tags", STRING),
        published_at: b.add_i64_field("published_at", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// The index document of an article.
pub(crate) fn document(f: &Fields, d: &SearchDoc) -> TantivyDocument {
    let mut document = doc!(
        f.id => d.id,
        f.title => d.title.as_str(),
        f.body => d.body.as_str(),
        f.published_at => d.published_at,
    );
    if let Some(s) = &d.standfirst {
        document.add_text(f.standfirst, s);
    }
    if let Some(s) = &d.section {
        document.add_text(f.section, s);
    }
    for t in &d.tags {
        document.add_text(f.tags, t);
    }
    document
}
