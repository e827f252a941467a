//! What editors compare and restore: the editable fields of an article as plain text,
//! word-level diffs between two versions, restoring a revision as a new one, and the
//! three-way merge offered when two people saved the same article.

use dateline_core::{Article, ArticleContent, ArticleId, LeadImage, Status, Version};
use serde::{Deserialize, Serialize};

use crate::articles::{Actor, ArticlePatch};
use crate::{App, Error, Result};
use dateline_store::editorial::Revision;

/// The fields an editor writes, as the form holds them: plain strings, `""` for absent,
/// tags and authors comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleFields {
    /// Headline.
    pub title: String,
    /// Dek.
    pub standfirst: String,
    /// Place line.
    pub dateline: String,
    /// Section name.
    pub section: String,
    /// Tag names, comma-separated.
    pub tags: String,
    /// Author names in byline order, comma-separated.
    pub authors: String,
    /// Editor's summary.
    pub summary: String,
    /// Lead image URL.
    pub lead_image_url: String,
    /// Lead image alternative text.
    pub lead_image_alt: String,
    /// Lead image caption.
    pub lead_image_caption: String,
    /// Lead image credit.
    pub lead_image_credit: String,
    /// Where the story came from.
    pub source: String,
    /// Markdown body.
    pub body: String,
}

/// Field names and labels in the order editors see them.
pub const FIELDS: [(&str, &str); 13] = [
    ("title", "Headline"),
    ("standfirst", "Standfirst"),
    ("dateline", "Dateline"),
    ("section", "Section"),
    ("tags", "Tags"),
    ("authors", "Authors"),
    ("summary", "Summary"),
    ("lead_image_url", "Lead image URL"),
    ("lead_image_alt", "Lead image alt text"),
    ("lead_image_caption", "Lead image caption"),
    ("lead_image_credit", "Lead image credit"),
    ("source", "Source"),
    ("body", "Body"),
];

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ArticleFields {
    /// The editable fields of `a`.
    pub fn from_article(a: &Article) -> ArticleFields {
        ArticleFields::from_content(a.content())
    }

    /// `content` as the form holds it.
    pub fn from_content(content: ArticleContent) -> ArticleFields {
        let image = content.lead_image;
        let (lead_image_url, lead_image_alt, lead_image_caption, lead_image_credit) = match image {
            Some(i) => (
                i.url,
                i.alt.unwrap_or_default(),
                i.caption.unwrap_or_default(),
                i.credit.unwrap_or_default(),
            ),
            None => Default::default(),
        };
        ArticleFields {
            title: content.title,
            standfirst: content.standfirst.unwrap_or_default(),
            dateline: content.dateline.unwrap_or_default(),
            section: content.section.unwrap_or_default(),
            tags: content.tags.join(", "),
            authors: content.authors.join(", "),
            summary: content.summary.unwrap_or_default(),
            lead_image_url,
            lead_image_alt,
            lead_image_caption,
            lead_image_credit,
            source: content.source.unwrap_or_default(),
            body: content.body,
        }
    }

    /// The content these fields say: blanks are absent, lists split at commas. Like
    /// [`ArticleInput`](dateline_core::ArticleInput), a caption or credit without an image
    /// URL describes nothing and is dropped.
    pub fn to_content(&self) -> ArticleContent {
        ArticleContent {
            title: self.title.trim().to_owned(),
            standfirst: optional(&self.standfirst),
            body: self.body.clone(),
            summary: optional(&self.summary),
            dateline: optional(&self.dateline),
            section: optional(&self.section),
            tags: list(&self.tags),
            authors: list(&self.authors),
            lead_image: optional(&self.lead_image_url).map(|url| LeadImage {
                url,
                alt: optional(&self.lead_image_alt),
                caption: optional(&self.lead_image_caption),
                credit: optional(&self.lead_image_credit),
            }),
            source: optional(&self.source),
        }
    }

    /// Browsers submit textarea lines ending in CRLF; the store keeps LF, so compare and
    /// merge in LF.
    pub fn with_unix_newlines(mut self) -> ArticleFields {
        for (name, _) in FIELDS {
            if let Some(slot) = self.slot(name) {
                if slot.contains('\r') {
                    *slot = slot.replace("\r\n", "\n").replace('\r', "\n");
                }
            }
        }
        self
    }

    /// The value of field `name` (one of [`FIELDS`]).
    pub fn get(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "standfirst" => &self.standfirst,
            "dateline" => &self.dateline,
            "section" => &self.section,
            "tags" => &self.tags,
            "authors" => &self.authors,
            "summary" => &self.summary,
            "lead_image_url" => &self.lead_image_url,
            "lead_image_alt" => &self.lead_image_alt,
            "lead_image_caption" => &self.lead_image_caption,
            "lead_image_credit" => &self.lead_image_credit,
            "source" => &self.source,
            "body" => &self.body,
            _ => "",
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "title" => &mut self.title,
            "standfirst" => &mut self.standfirst,
            "dateline" => &mut self.dateline,
            "section" => &mut self.section,
            "tags" => &mut self.tags,
            "authors" => &mut self.authors,
            "summary" => &mut self.summary,
            "lead_image_url" => &mut self.lead_image_url,
            "lead_image_alt" => &mut self.lead_image_alt,
            "lead_image_caption" => &mut self.lead_image_caption,
            "lead_image_credit" => &mut self.lead_image_credit,
            "source" => &mut self.source,
            "body" => &mut self.body,
            _ => return None,
        })
    }

    /// Whether the fields readers see as the story's text differ (a change to a published
    /// article there is a correction).
    pub fn text_differs(&self, other: &ArticleFields) -> bool {
        self.to_content().text_differs(&other.to_content())
    }

    /// The patch that makes an article at `version` hold exactly these fields.
    pub fn into_patch(self, version: Version) -> ArticlePatch {
        ArticlePatch::to_content(version, self.to_content())
    }
}

/// Whether a diff segment is kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// In both versions.
    Same,
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
}

/// A run of words with one [`Change`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// What happened to the run.
    pub change: Change,
    /// The words, with their whitespace.
    pub text: String,
}

/// How one field changed between two versions.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDiff {
    /// Field name.
    pub field: &'static str,
    /// What editors call it.
    pub label: &'static str,
    /// Word-level runs, old to new.
    pub segments: Vec<Segment>,
    /// Words added.
    pub added: usize,
    /// Words removed.
    pub removed: usize,
}

/// Word-level diff of `old` to `new`, with adjacent runs of one kind joined.
pub fn word_diff(old: &str, new: &str) -> Vec<Segment> {
    let diff = similar::TextDiff::configure()
        // Myers: the smallest edit. Patience anchors on words that occur once, and in prose
        // the common words ("the", "paragraph.") recur, so it aligns the wrong sentences.
        .algorithm(similar::Algorithm::Myers)
        // Bounded: a pathological pair of bodies degrades to a coarser diff, not a hang.
        .timeout(std::time::Duration::from_millis(300))
        .diff_words(old, new);
    let mut out: Vec<Segment> = Vec::new();
    for c in diff.iter_all_changes() {
        let change = match c.tag() {
            similar::ChangeTag::Equal => Change::Same,
            similar::ChangeTag::Insert => Change::Added,
            similar::ChangeTag::Delete => Change::Removed,
        };
        let text = c.value();
        match out.last_mut() {
            Some(last) if last.change == change => last.text.push_str(text),
            // Whitespace between two changes of one kind belongs to the change, so a
            // rewritten sentence reads as one deletion and one insertion.
            _ => out.push(Segment {
                change,
                text: text.to_owned(),
            }),
        }
    }
    out
}

fn count_words(segments: &[Segment], change: Change) -> usize {
    segments
        .iter()
        .filter(|s| s.change == change)
        .map(|s| s.text.split_whitespace().count())
        .sum()
}

/// Every field that differs between two versions, in editor order.
pub fn diff_fields(old: &ArticleFields, new: &ArticleFields) -> Vec<FieldDiff> {
    FIELDS
        .iter()
        .filter(|(name, _)| old.get(name) != new.get(name))
        .map(|&(field, label)| {
            let segments = word_diff(old.get(field), new.get(field));
            FieldDiff {
                field,
                label,
                added: count_words(&segments, Change::Added),
                removed: count_words(&segments, Change::Removed),
                segments,
            }
        })
        .collect()
}

/// The outcome of merging two people's saves.
#[derive(Debug, Clone)]
pub struct Merge {
    /// The merged fields (where both changed a short field, the user's own value).
    pub fields: ArticleFields,
    /// Fields both people changed differently; the body may hold conflict markers.
    pub conflicted: Vec<&'static str>,
}

/// Conflict markers left in a merged body that still needs the user's hand.
pub const CONFLICT_MARKER: &str = "<<<<<<<";

/// Three-way merge of what the user saved (`mine`) and what is stored now (`theirs`),
/// both descended from `base`. A field only one side changed takes that side; the body
/// is merged line by line, with marked conflicts where both changed the same lines.
pub fn three_way(base: &ArticleFields, mine: &ArticleFields, theirs: &ArticleFields) -> Merge {
    let mut fields = mine.clone();
    let mut conflicted = Vec::new();
    for (name, _) in FIELDS {
        let (b, m, t) = (base.get(name), mine.get(name), theirs.get(name));
        let merged = if m == t || t == b {
            m.to_owned()
        } else if m == b {
            t.to_owned()
        } else if name == "body" {
            match diffy::merge(b, m, t) {
                Ok(clean) => clean,
                Err(with_markers) => {
                    conflicted.push(name);
                    with_markers
                }
            }
        } else {
            conflicted.push(name);
            m.to_owned()
        };
        if let Some(slot) = fields.slot(name) {
            *slot = merged;
        }
    }
    Merge { fields, conflicted }
}

/// A revision with what changed since the one before it.
#[derive(Debug, Clone)]
pub struct RevisionSummary {
    /// The version this revision created.
    pub version: Version,
    /// Who saved it.
    pub actor: String,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Status after the save.
    pub status: Status,
    /// Labels of the fields that changed; status changes read "status: published".
    pub changes: Vec<String>,
    /// Words added and removed across all fields.
    pub added: usize,
    /// Words removed.
    pub removed: usize,
}

/// What each revision changed since the one before it, newest first (`revisions` as
/// [`App::revision_log`] returns them).
pub fn summarise(revisions: &[Revision]) -> Vec<RevisionSummary> {
    let mut out = Vec::with_capacity(revisions.len());
    // Newest first: each revision compares with the next (older) one.
    for (i, r) in revisions.iter().enumerate() {
        let new_fields = ArticleFields::from_article(&r.snapshot);
        let (mut changes, mut added, mut removed) = (Vec::new(), 0, 0);
        match revisions.get(i + 1) {
            Some(o) => {
                for d in diff_fields(&ArticleFields::from_article(&o.snapshot), &new_fields) {
                    changes.push(d.label.to_owned());
                    added += d.added;
                    removed += d.removed;
                }
                if o.snapshot.status != r.snapshot.status {
                    changes.push(format!("status: {}", r.snapshot.status));
                }
                if o.snapshot.correction != r.snapshot.correction {
                    changes.push("correction note".to_owned());
                }
            }
            None => {
                changes.push("created".to_owned());
                added = new_fields.body.split_whitespace().count();
            }
        }
        out.push(RevisionSummary {
            version: r.version,
            actor: r.actor.clone(),
            created_at: r.created_at,
            status: r.snapshot.status,
            changes,
            added,
            removed,
        });
    }
    out
}

/// The snapshot of `version` among `revisions`.
pub fn at_version(revisions: &[Revision], version: Version) -> Option<&Article> {
    revisions
        .iter()
        .find(|r| r.version == version)
        .map(|r| &r.snapshot)
}

impl App {
    /// The article as it was at `version`.
    pub async fn revision(
        &self,
        actor: &Actor,
        id: ArticleId,
        version: Version,
    ) -> Result<Article> {
        self.revision_log(actor, id)
            .await?
            .1
            .into_iter()
            .find(|r| r.version == version)
            .map(|r| r.snapshot)
            .ok_or(Error::NotFound)
    }

    /// Restores the text of revision `version` as a new revision on top of `based_on`
    /// (a stale `based_on` is a conflict, as for any save). Status, slug and correction
    /// notes stay as they are now.
    pub async fn restore_revision(
        &self,
        actor: &Actor,
        id: ArticleId,
        version: Version,
        based_on: Version,
    ) -> Result<Article> {
        let old = self.revision(actor, id, version).await?;
        let patch = ArticleFields::from_article(&old).into_patch(based_on);
        let restored = self.update_article(actor, id, patch).await?;
        tracing::info!(article.id = %id, from = version.0, to = restored.version.0, actor = %actor.label, "revision restored");
        Ok(restored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, body: &str) -> ArticleFields {
        ArticleFields {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn word_diff_marks_changed_words_and_keeps_the_rest() {
        let d = word_diff(
            "The port handled 4 million tonnes.",
            "The port handled 5 million tonnes in 2025.",
        );
        let removed: String = d
            .iter()
            .filter(|s| s.change == Change::Removed)
            .map(|s| s.text.as_str())
            .collect();
        let added: String = d
            .iter()
            .filter(|s| s.change == Change::Added)
            .map(|s| s.text.as_str())
            .collect();
        assert!(removed.contains('4') && !removed.contains("port"), "{d:?}");
        assert!(added.contains('5') && added.contains("2025"), "{d:?}");
        let old: String = d
            .iter()
            .filter(|s| s.change != Change::Added)
            .map(|s| s.text.as_str())
            .collect();
        let new: String = d
            .iter()
            .filter(|s| s.change != Change::Removed)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(old, "The port handled 4 million tonnes.");
        assert_eq!(new, "The port handled 5 million tonnes in 2025.");
    }

    #[test]
    fn word_diff_keeps_untouched_paragraphs_whole() {
        let old = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph, updated by the desk.";
        let new = "First paragraph, rewritten by me.\n\nSecond paragraph.\n\nThird paragraph.";
        let d = word_diff(old, new);
        let of = |c: Change| -> String {
            d.iter()
                .filter(|s| s.change == c)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join("|")
        };
        assert!(of(Change::Same).contains("Second paragraph."), "{d:?}");
        assert!(of(Change::Removed).contains("updated by the desk"), "{d:?}");
        assert!(of(Change::Added).contains("rewritten by me"), "{d:?}");
        assert!(!of(Change::Removed).contains("Second"), "{d:?}");
    }

    #[test]
    fn diff_fields_lists_only_changed_fields_with_word_counts() {
        let a = fields("Port grows", "One two three and more.");
        let mut b = a.clone();
        b.body = "One two four five and more.".into();
        let d = diff_fields(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "body");
        assert_eq!((d[0].added, d[0].removed), (2, 1), "{:?}", d[0].segments);
    }

    #[test]
    fn three_way_takes_each_side_s_own_changes() {
        let base = fields("Title", "Line one.\n\nLine two.\n\nLine three.\n");
        let mut mine = base.clone();
        mine.title = "Better title".into();
        mine.body = "Line one, edited by me.\n\nLine two.\n\nLine three.\n".into();
        let mut theirs = base.clone();
        theirs.section = "World".into();
        theirs.body = "Line one.\n\nLine two.\n\nLine three, edited by them.\n".into();
        let m = three_way(&base, &mine, &theirs);
        assert!(m.conflicted.is_empty(), "{:?}", m.conflicted);
        assert_eq!(m.fields.title, "Better title");
        assert_eq!(m.fields.section, "World");
        assert!(m.fields.body.contains("edited by me") && m.fields.body.contains("edited by them"));
    }

    #[test]
    fn three_way_marks_overlapping_changes_instead_of_choosing() {
        let base = fields("Title", "Same line.\n");
        let mine = fields("Mine", "My line.\n");
        let theirs = fields("Theirs", "Their line.\n");
        let m = three_way(&base, &mine, &theirs);
        assert_eq!(m.conflicted, vec!["title", "body"]);
        assert_eq!(m.fields.title, "Mine");
        assert!(m.fields.body.contains(CONFLICT_MARKER));
        assert!(m.fields.body.contains("My line.") && m.fields.body.contains("Their line."));
    }

    #[test]
    fn browser_newlines_become_unix_newlines() {
        let f = fields("T", "One.\r\n\r\nTwo.\rThree.").with_unix_newlines();
        assert_eq!(f.body, "One.\n\nTwo.\nThree.");
    }

    #[test]
    fn fields_round_trip_through_a_patch() {
        let f = ArticleFields {
            title: " Title ".into(),
            tags: "Economy, , Ports ".into(),
            standfirst: "  ".into(),
            ..Default::default()
        };
        let p = f.into_patch(Version(3));
        assert_eq!(p.version, 3);
        assert_eq!(p.title.as_deref(), Some("Title"));
        assert_eq!(p.tags, Some(vec!["Economy".to_owned(), "Ports".to_owned()]));
        assert_eq!(p.standfirst, Some(None));
    }
}
