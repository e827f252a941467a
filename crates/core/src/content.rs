//! What an article says: the fields a writer edits, in one struct.
//!
//! Every way into and out of an article carries the same words and labels — the admin API
//! and JSON Lines input ([`ArticleInput`]), the stored article ([`Article`]), the record a
//! writer hands to the store, the revision an editor compares and restores, the editor's
//! form. Each of those has its own shape (flat JSON names, terms with slugs, form strings),
//! but they convert through [`ArticleContent`], so a new field is added here and in the
//! shapes that must show it, not in every conversion between them.

use serde::{Deserialize, Serialize};

use crate::{Article, ArticleInput, LeadImage};

/// The editable words and labels of an article, as a writer gives them.
///
/// In JSON it takes the flat shape of the admin API and JSON Lines (`body`,
/// `lead_image_url`, `lead_image_alt`, `lead_image_caption`, `lead_image_credit`), so a JSON type can
/// `#[serde(flatten)]` it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ContentJson", into = "ContentJson")]
pub struct ArticleContent {
    /// Headline.
    pub title: String,
    /// Dek.
    pub standfirst: Option<String>,
    /// Markdown body.
    pub body: String,
    /// Editor's summary.
    pub summary: Option<String>,
    /// Place line.
    pub dateline: Option<String>,
    /// Section name.
    pub section: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Author names in byline order.
    pub authors: Vec<String>,
    /// The picture at the top.
    pub lead_image: Option<LeadImage>,
    /// Where the story came from.
    pub source: Option<String>,
}

/// The JSON shape of [`ArticleContent`].
#[derive(Serialize, Deserialize)]
struct ContentJson {
    title: String,
    standfirst: Option<String>,
    body: String,
    summary: Option<String>,
    dateline: Option<String>,
    section: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    lead_image_url: Option<String>,
    #[serde(default)]
    lead_image_alt: Option<String>,
    lead_image_caption: Option<String>,
    lead_image_credit: Option<String>,
    source: Option<String>,
}

impl From<ArticleContent> for ContentJson {
    fn from(c: ArticleContent) -> ContentJson {
        let (lead_image_url, lead_image_alt, lead_image_caption, lead_image_credit) =
            LeadImage::flat(c.lead_image);
        ContentJson {
            title: c.title,
            standfirst: c.standfirst,
            body: c.body,
            summary: c.summary,
            dateline: c.dateline,
            section: c.section,
            tags: c.tags,
            authors: c.authors,
            lead_image_url,
            lead_image_alt,
            lead_image_caption,
            lead_image_credit,
            source: c.source,
        }
    }
}

impl From<ContentJson> for ArticleContent {
    fn from(j: ContentJson) -> ArticleContent {
        ArticleContent {
            title: j.title,
            standfirst: j.standfirst,
            body: j.body,
            summary: j.summary,
            dateline: j.dateline,
            section: j.section,
            tags: j.tags,
            authors: j.authors,
            lead_image: j.lead_image_url.map(|url| LeadImage {
                url,
                alt: j.lead_image_alt,
                caption: j.lead_image_caption,
                credit: j.lead_image_credit,
            }),
            source: j.source,
        }
    }
}

/// The flat `lead_image_*` fields of the wire formats: URL, alt, caption, credit.
pub type FlatLeadImage = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl LeadImage {
    /// `image` as the flat `lead_image_*` fields (all absent without an image).
    pub fn flat(image: Option<LeadImage>) -> FlatLeadImage {
        match image {
            Some(i) => (Some(i.url), i.alt, i.caption, i.credit),
            None => (None, None, None, None),
        }
    }
}

impl ArticleContent {
    /// Whether the text readers take as the story differs (title, standfirst, body):
    /// changing it on a published article is a correction.
    pub fn text_differs(&self, other: &ArticleContent) -> bool {
        self.title.trim() != other.title.trim()
            || self.standfirst.as_deref().map(str::trim)
                != other.standfirst.as_deref().map(str::trim)
            || self.body.trim_end() != other.body.trim_end()
    }
}

impl Article {
    /// What this article says, with terms by name.
    pub fn content(&self) -> ArticleContent {
        ArticleContent {
            title: self.title.clone(),
            standfirst: self.standfirst.clone(),
            body: self.body_markdown.clone(),
            summary: self.summary.clone(),
            dateline: self.dateline.clone(),
            section: self.section.as_ref().map(|s| s.name.clone()),
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            authors: self.authors.iter().map(|t| t.name.clone()).collect(),
            lead_image: self.lead_image.clone(),
            source: self.source.clone(),
        }
    }
}

impl ArticleInput {
    /// The content of this input (the flat `lead_image_*` fields become a [`LeadImage`]
    /// when a URL is given; a caption or credit without a URL has nothing to describe).
    pub fn content(&self) -> ArticleContent {
        ArticleContent {
            title: self.title.clone(),
            standfirst: self.standfirst.clone(),
            body: self.body.clone(),
            summary: self.summary.clone(),
            dateline: self.dateline.clone(),
            section: self.section.clone(),
            tags: self.tags.clone(),
            authors: self.authors.clone(),
            lead_image: self.lead_image_url.as_ref().map(|url| LeadImage {
                url: url.clone(),
                alt: self.lead_image_alt.clone(),
                caption: self.lead_image_caption.clone(),
                credit: self.lead_image_credit.clone(),
            }),
            source: self.source.clone(),
        }
    }

    /// Replaces every content field of this input with `content`, keeping the rest
    /// (slug, external id, correction, time, status).
    pub fn set_content(&mut self, content: ArticleContent) {
        let ArticleContent {
            title,
            standfirst,
            body,
            summary,
            dateline,
            section,
            tags,
            authors,
            lead_image,
            source,
        } = content;
        self.title = title;
        self.standfirst = standfirst;
        self.body = body;
        self.summary = summary;
        self.dateline = dateline;
        self.section = section;
        self.tags = tags;
        self.authors = authors;
        let (url, alt, caption, credit) = LeadImage::flat(lead_image);
        self.lead_image_url = url;
        self.lead_image_alt = alt;
        self.lead_image_caption = caption;
        self.lead_image_credit = credit;
        self.source = source;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> ArticleContent {
        ArticleContent {
            title: "Ferry sinks".into(),
            standfirst: Some("Dek".into()),
            body: "Body *text*".into(),
            summary: Some("Summary".into()),
            dateline: Some("ATHENS".into()),
            section: Some("World".into()),
            tags: vec!["Ferries".into(), "Greece".into()],
            authors: vec!["Amira Haddad".into(), "Jon Berg".into()],
            lead_image: Some(LeadImage {
                url: "https://img.example/f.jpg".into(),
                alt: Some("A ferry listing in a harbour".into()),
                caption: Some("The ferry".into()),
                credit: Some("Agency".into()),
            }),
            source: Some("Wire".into()),
        }
    }

    #[test]
    fn input_carries_every_content_field_there_and_back() {
        let mut input = ArticleInput {
            slug: Some("kept".into()),
            correction: Some("kept too".into()),
            ..ArticleInput::default()
        };
        input.set_content(full());
        assert_eq!(input.content(), full());
        assert_eq!(input.slug.as_deref(), Some("kept"));
        assert_eq!(input.correction.as_deref(), Some("kept too"));
        input.set_content(ArticleContent::default());
        assert_eq!(input.lead_image_caption, None, "no image, no caption");
    }

    #[test]
    fn json_is_the_flat_shape_of_the_admin_api() {
        let json = serde_json::to_value(full()).expect("serialise");
        assert_eq!(json["body"], "Body *text*");
        assert_eq!(json["lead_image_url"], "https://img.example/f.jpg");
        assert_eq!(json["lead_image_credit"], "Agency");
        assert_eq!(json["lead_image_alt"], "A ferry listing in a harbour");
        assert!(json.get("lead_image").is_none());
        let back: ArticleContent = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, full());
    }

    #[test]
    fn only_title_standfirst_and_body_are_the_text() {
        let a = full();
        let mut b = full();
        b.tags.clear();
        b.lead_image = None;
        assert!(!a.text_differs(&b));
        b.body.push_str("  \n");
        assert!(!a.text_differs(&b), "trailing space is not a correction");
        b.standfirst = None;
        assert!(a.text_differs(&b));
    }
}
