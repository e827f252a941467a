//! Article input from any writer (admin API, importer, editor) and its validation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Slug, Status};

/// Size limits on article input. Generous for journalism, small enough that one hostile
/// request cannot exhaust memory or bloat every page.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest headline, in characters.
    pub title_chars: usize,
    /// Longest standfirst, summary, caption or correction note, in characters.
    pub short_text_chars: usize,
    /// Largest Markdown body, in bytes.
    pub body_bytes: usize,
    /// Most tags or authors on one article.
    pub terms: usize,
    /// Longest tag, section or author name, in characters.
    pub term_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            title_chars: 300,
            short_text_chars: 2_000,
            body_bytes: 1_000_000,
            terms: 50,
            term_chars: 100,
        }
    }
}

/// Everything a writer may set on an article. Field names are the JSON Lines / admin API
/// names of DESIGN.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleInput {
    /// Headline (required, non-empty).
    pub title: String,
    /// Markdown body (required, may be empty for a draft).
    pub body: String,
    /// Explicit slug; made from the title when absent.
    pub slug: Option<String>,
    /// Id in the system the article came from.
    pub external_id: Option<String>,
    /// Dek.
    pub standfirst: Option<String>,
    /// Editor's summary.
    pub summary: Option<String>,
    /// Place line.
    pub dateline: Option<String>,
    /// Section name.
    pub section: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Author names, byline order.
    pub authors: Vec<String>,
    /// Lead image URL.
    pub lead_image_url: Option<String>,
    /// Lead image alternative text (what the picture shows).
    #[serde(default)]
    pub lead_image_alt: Option<String>,
    /// Lead image caption.
    pub lead_image_caption: Option<String>,
    /// Lead image credit.
    pub lead_image_credit: Option<String>,
    /// Origin of the story.
    pub source: Option<String>,
    /// Correction notice text.
    pub correction: Option<String>,
    /// Publication time; `None` means "now" when published.
    pub published_at: Option<DateTime<Utc>>,
    /// Requested status; `None` means the writer's default.
    pub status: Option<Status>,
}

/// Validation failures keyed by field name, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    /// Records a problem with `field`; the first problem per field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (field, msg) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {msg}")?;
        }
        Ok(())
    }
}

impl ArticleInput {
    /// Trims text fields and turns empty optional strings into `None`, so "" and null mean
    /// the same thing whichever client sent them.
    pub fn normalise(&mut self) {
        fn opt(v: &mut Option<String>) {
            if let Some(s) = v {
                let t = s.trim();
                if t.is_empty() {
                    *v = None;
                } else if t.len() != s.len() {
                    *v = Some(t.to_owned());
                }
            }
        }
        self.title = self.title.trim().to_owned();
        for v in [
            &mut self.slug,
            &mut self.external_id,
            &mut self.standfirst,
            &mut self.summary,
            &mut self.dateline,
            &mut self.section,
            &mut self.lead_image_url,
            &mut self.lead_image_alt,
            &mut self.lead_image_caption,
            &mut self.lead_image_credit,
            &mut self.source,
            &mut self.correction,
        ] {
            opt(v);
        }
        for list in [&mut self.tags, &mut self.authors] {
            let mut seen = std::collections::HashSet::new();
            list.retain_mut(|t| {
                *t = t.trim().to_owned();
                !t.is_empty() && seen.insert(t.to_lowercase())
            });
        }
    }

    /// Checks every field against `limits`, collecting all problems at once.
    pub fn validate(&self, limits: &Limits) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let chars = |s: &str| s.chars().count();
        if self.title.is_empty() {
            errors.add("title", "must not be empty");
        } else if chars(&self.title) > limits.title_chars {
            errors.add(
                "title",
                format!("must be at most {} characters", limits.title_chars),
            );
        }
        if self.body.len() > limits.body_bytes {
            errors.add(
                "body",
                format!("must be at most {} bytes", limits.body_bytes),
            );
        }
        self.check_characters(&mut errors);
        if let Some(slug) = &self.slug {
            if let Err(e) = Slug::parse(slug) {
                errors.add("slug", e.to_string());
            }
        }
        let short = [
            ("standfirst", &self.standfirst),
            ("summary", &self.summary),
            ("dateline", &self.dateline),
            ("lead_image_alt", &self.lead_image_alt),
            ("lead_image_caption", &self.lead_image_caption),
            ("lead_image_credit", &self.lead_image_credit),
            ("source", &self.source),
            ("correction", &self.correction),
            ("external_id", &self.external_id),
        ];
        for (field, value) in short {
            if value
                .as_deref()
                .is_some_and(|v| chars(v) > limits.short_text_chars)
            {
                errors.add(
                    field,
                    format!("must be at most {} characters", limits.short_text_chars),
                );
            }
        }
        if let Some(url) = &self.lead_image_url {
            if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c == '"' || c == '<')
                || url.len() > 2_000
            {
                errors.add("lead_image_url", "must be an http(s) URL or a site path");
            }
        }
        if (self.lead_image_caption.is_some()
            || self.lead_image_credit.is_some()
            || self.lead_image_alt.is_some())
            && self.lead_image_url.is_none()
        {
            errors.add(
                "lead_image_url",
                "is required when an alt text, caption or credit is given",
            );
        }
        if let Some(section) = &self.section {
            if chars(section) > limits.term_chars {
                errors.add(
                    "section",
                    format!("must be at most {} characters", limits.term_chars),
                );
            }
        }
        for (field, list) in [("tags", &self.tags), ("authors", &self.authors)] {
            if list.len() > limits.terms {
                errors.add(field, format!("at most {} allowed", limits.terms));
            } else if list.iter().any(|t| chars(t) > limits.term_chars) {
                errors.add(
                    field,
                    format!("each must be at most {} characters", limits.term_chars),
                );
            }
        }
        if self.status == Some(Status::Deleted) {
            errors.add("status", "use DELETE to delete an article");
        }
        errors.into_result()
    }

    /// Refuses control characters (NUL, escapes, …; tab and line breaks only where text
    /// has lines) and names made of invisible characters only.
    fn check_characters(&self, errors: &mut FieldErrors) {
        let one_line = [
            ("title", Some(self.title.as_str())),
            ("dateline", self.dateline.as_deref()),
            ("section", self.section.as_deref()),
            ("source", self.source.as_deref()),
            ("external_id", self.external_id.as_deref()),
            ("lead_image_credit", self.lead_image_credit.as_deref()),
            ("lead_image_url", self.lead_image_url.as_deref()),
            ("lead_image_alt", self.lead_image_alt.as_deref()),
        ];
        let lines = [
            ("standfirst", self.standfirst.as_deref()),
            ("summary", self.summary.as_deref()),
            ("lead_image_caption", self.lead_image_caption.as_deref()),
            ("correction", self.correction.as_deref()),
        ];
        let lists = [("tags", &self.tags), ("authors", &self.authors)];
        let texts = one_line
            .into_iter()
            .map(|(f, v)| (f, v, false))
            .chain(lines.into_iter().map(|(f, v)| (f, v, true)))
            .chain(
                lists
                    .into_iter()
                    .flat_map(|(f, l)| l.iter().map(move |t| (f, Some(t.as_str()), false))),
            );
        for (field, value, multiline) in texts {
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            if has_control(value, multiline) {
                errors.add(field, CONTROL_MESSAGE);
            } else if value.chars().all(is_invisible) {
                errors.add(field, "must contain visible characters");
            }
        }
        if has_control(&self.body, true) {
            errors.add("body", CONTROL_MESSAGE);
        }
    }
}

const CONTROL_MESSAGE: &str = "must not contain control characters (such as NUL or escape)";

/// Whether `s` holds a control character (C0, DEL, C1), not counting tab and line breaks
/// in `multiline` text.
fn has_control(s: &str, multiline: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
}

/// Characters that show nothing on their own: white space, zero-width spaces and joiners,
/// bidirectional marks and controls, the byte order mark, fillers, the soft hyphen,
/// variation selectors and tag characters.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ArticleInput {
        ArticleInput {
            title: "Port of Muscat expands".into(),
            body: "Text.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_article_is_valid() {
        assert_eq!(valid().validate(&Limits::default()), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let mut input = valid();
        input.title = String::new();
        input.slug = Some("Bad Slug".into());
        input.lead_image_url = Some("javascript:alert(1)".into());
        input.tags = vec!["x".repeat(101)];
        let errors = input.validate(&Limits::default()).expect_err("invalid");
        let fields: Vec<_> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(fields, ["lead_image_url", "slug", "tags", "title"]);
    }

    #[test]
    fn control_characters_are_refused_by_field() {
        let mut input = valid();
        input.title = "Port\0 of Muscat".into();
        input.standfirst = Some("A dek with a bell \u{7}".into());
        input.dateline = Some("MUSCAT\nOMAN".into());
        input.tags = vec!["Ports".into(), "Oman\u{1b}[31m".into()];
        input.authors = vec!["Ann\u{85}".into()];
        input.external_id = Some("id\u{0}".into());
        input.body = "Text\0 with a NUL.".into();
        let errors = input.validate(&Limits::default()).expect_err("invalid");
        let fields: Vec<_> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "authors",
                "body",
                "dateline",
                "external_id",
                "standfirst",
                "tags",
                "title"
            ]
        );
    }

    #[test]
    fn tabs_and_line_breaks_stay_allowed_where_text_has_lines() {
        let mut input = valid();
        input.body = "Line one.\r\n\tIndented.\n\nNext paragraph.".into();
        input.summary = Some("One.\nTwo.".into());
        input.correction = Some("We said 2019.\r\nIt was 2018.".into());
        input.lead_image_caption = Some("Left:\tthe port.".into());
        input.lead_image_url = Some("/static/demo/port.svg".into());
        assert_eq!(input.validate(&Limits::default()), Ok(()));
        input.title = "Two\nlines".into();
        let errors = input.validate(&Limits::default()).expect_err("headline");
        assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["title"]);
    }

    #[test]
    fn a_title_of_invisible_characters_only_is_refused() {
        for title in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}",
            "\u{200E}\u{200F}\u{202E}\u{2066}\u{2069}",
            "\u{3000}\u{00A0}\u{3164}\u{00AD}",
        ] {
            let mut input = valid();
            input.title = title.into();
            input.normalise();
            let errors = input.validate(&Limits::default()).expect_err(title);
            assert!(errors.0.contains_key("title"), "{title:?}: {errors}");
        }
        let mut input = valid();
        input.title = "\u{200B}Visible\u{200D}".into();
        assert_eq!(input.validate(&Limits::default()), Ok(()), "visible text");
        input.tags = vec!["\u{200B}".into()];
        input.section = Some("\u{FEFF}".into());
        let errors = input.validate(&Limits::default()).expect_err("terms");
        let fields: Vec<_> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(fields, ["section", "tags"]);
    }

    #[test]
    fn oversized_body_is_refused() {
        let mut input = valid();
        input.body = "a".repeat(1_000_001);
        let errors = input.validate(&Limits::default()).expect_err("too big");
        assert!(errors.0.contains_key("body"));
    }

    #[test]
    fn normalise_trims_and_dedupes_terms() {
        let mut input = valid();
        input.summary = Some("   ".into());
        input.tags = vec![" Oman ".into(), "oman".into(), "".into(), "Ports".into()];
        input.normalise();
        assert_eq!(input.summary, None);
        assert_eq!(input.tags, ["Oman", "Ports"]);
    }
}
