//! JSON Lines: one article object per line (DESIGN.md "JSON Lines article format").

use std::io::{BufRead, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use dateline_core::{Article, ArticleInput, Status};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Record, RecordError};

/// Fields of DESIGN.md's format plus dateline's own (written by `export`). Anything else is
/// an error unless the reader is lenient.
const KNOWN_FIELDS: &[&str] = &[
    "external_id",
    "title",
    "body",
    "section",
    "tags",
    "authors",
    "dateline",
    "summary",
    "source",
    "published_at",
    "status",
    "slug",
    "standfirst",
    "lead_image_url",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "correction",
    "old_urls",
];

/// Longest line accepted: a body limit of 1 MB plus JSON escaping headroom.
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

/// Reads articles from JSON Lines, one per non-blank line.
pub struct JsonlReader<R> {
    input: R,
    line_no: usize,
    bytes_read: u64,
    lenient: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonlReader<R> {
    /// A strict reader: unknown fields are errors.
    pub fn new(input: R) -> Self {
        JsonlReader {
            input,
            line_no: 0,
            bytes_read: 0,
            lenient: false,
            buf: Vec::new(),
        }
    }

    /// Ignores unknown fields instead of rejecting them (`--lenient`).
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Bytes consumed so far, for progress bars.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn error(&self, field: Option<&str>, message: impl Into<String>) -> RecordError {
        RecordError {
            location: "line",
            number: self.line_no,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line_no += 1;
            let reader: &mut R = &mut self.input;
            let mut limited = std::io::Read::take(reader, MAX_LINE_BYTES as u64 + 1);
            let n = match limited.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(e) => return Some(Err(self.error(None, format!("could not read: {e}")))),
            };
            self.bytes_read += n as u64;
            if self.buf.len() > MAX_LINE_BYTES {
                return Some(Err(
                    self.error(None, format!("line longer than {MAX_LINE_BYTES} bytes"))
                ));
            }
            let Ok(mut text) = std::str::from_utf8(&self.buf) else {
                return Some(Err(self.error(None, "not valid UTF-8")));
            };
            if self.line_no == 1 {
                // Editors on Windows often start UTF-8 files with a byte order mark.
                text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
            }
            if text.trim().is_empty() {
                continue;
            }
            return Some(self.parse_line(text));
        }
    }
}

impl<R: BufRead> JsonlReader<R> {
    fn parse_line(&self, text: &str) -> Result<Record, RecordError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| self.error(None, format!("not valid JSON: {e}")))?;
        let Value::Object(mut obj) = value else {
            return Err(self.error(None, "expected a JSON object"));
        };
        if !self.lenient {
            if let Some(unknown) = obj.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
                return Err(self.error(
                    Some(unknown),
                    "unknown field (use --lenient to ignore unknown fields)",
                ));
            }
        }
        let mut input = ArticleInput {
            title: self.required_string(&mut obj, "title")?,
            body: self.required_string(&mut obj, "body")?,
            ..ArticleInput::default()
        };
        input.external_id = self.opt_string(&mut obj, "external_id")?;
        input.section = self.opt_string(&mut obj, "section")?;
        input.dateline = self.opt_string(&mut obj, "dateline")?;
        input.summary = self.opt_string(&mut obj, "summary")?;
        input.source = self.opt_string(&mut obj, "source")?;
        input.slug = self.opt_string(&mut obj, "slug")?;
        input.standfirst = self.opt_string(&mut obj, "standfirst")?;
        input.lead_image_url = self.opt_string(&mut obj, "lead_image_url")?;
        input.lead_image_alt = self.opt_string(&mut obj, "lead_image_alt")?;
        input.lead_image_caption = self.opt_string(&mut obj, "lead_image_caption")?;
        input.lead_image_credit = self.opt_string(&mut obj, "lead_image_credit")?;
        input.correction = self.opt_string(&mut obj, "correction")?;
        input.tags = self.string_list(&mut obj, "tags")?;
        input.authors = self.string_list(&mut obj, "authors")?;
        let old_urls = self.string_list(&mut obj, "old_urls")?;
        if let Some(when) = self.opt_string(&mut obj, "published_at")? {
            let parsed = DateTime::parse_from_rfc3339(&when).map_err(|e| {
                self.error(Some("published_at"), format!("not an RFC 3339 time ({e})"))
            })?;
            input.published_at = Some(parsed.with_timezone(&Utc));
        }
        if let Some(status) = self.opt_string(&mut obj, "status")? {
            let parsed = Status::parse(&status)
                .filter(|s| *s != Status::Deleted)
                .ok_or_else(|| {
                    self.error(
                        Some("status"),
                        "must be published, draft, scheduled or unpublished",
                    )
                })?;
            input.status = Some(parsed);
        }
        Ok(Record {
            number: self.line_no,
            input,
            old_urls,
        })
    }

    fn required_string(
        &self,
        obj: &mut Map<String, Value>,
        field: &str,
    ) -> Result<String, RecordError> {
        match obj.remove(field) {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) => Err(self.error(Some(field), "is required")),
            Some(_) => Err(self.error(Some(field), "must be a string")),
        }
    }

    fn opt_string(
        &self,
        obj: &mut Map<String, Value>,
        field: &str,
    ) -> Result<Option<String>, RecordError> {
        match obj.remove(field) {
            Some(Value::String(s)) => Ok(Some(s)),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(self.error(Some(field), "must be a string or null")),
        }
    }

    fn string_list(
        &self,
        obj: &mut Map<String, Value>,
        field: &str,
    ) -> Result<Vec<String>, RecordError> {
        match obj.remove(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(self.error(Some(field), "must be an array of strings")),
                })
                .collect(),
            Some(_) => Err(self.error(Some(field), "must be an array of strings")),
        }
    }
}

/// One exported article, fields in a fixed order so exports diff cleanly.
#[derive(Serialize)]
struct ExportLine<'a> {
    external_id: Option<&'a str>,
    title: &'a str,
    body: &'a str,
    section: Option<&'a str>,
    tags: Vec<&'a str>,
    authors: Vec<&'a str>,
    dateline: Option<&'a str>,
    summary: Option<&'a str>,
    source: Option<&'a str>,
    published_at: Option<String>,
    status: &'a str,
    slug: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    standfirst: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_image_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_image_alt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_image_caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_image_credit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correction: Option<&'a str>,
}

/// Writes `article` as one JSON line that [`JsonlReader`] reads back to the same article.
pub fn write_article<W: Write>(out: &mut W, article: &Article) -> std::io::Result<()> {
    let image = article.lead_image.as_ref();
    let line = ExportLine {
        external_id: article.external_id.as_deref(),
        title: &article.title,
        body: &article.body_markdown,
        section: article.section.as_ref().map(|s| s.name.as_str()),
        tags: article.tags.iter().map(|t| t.name.as_str()).collect(),
        authors: article.authors.iter().map(|t| t.name.as_str()).collect(),
        dateline: article.dateline.as_deref(),
        summary: article.summary.as_deref(),
        source: article.source.as_deref(),
        published_at: article.published_at.map(format_time),
        status: article.status.as_str(),
        slug: article.slug.as_str(),
        standfirst: article.standfirst.as_deref(),
        lead_image_url: image.map(|i| i.url.as_str()),
        lead_image_alt: image.and_then(|i| i.alt.as_deref()),
        lead_image_caption: image.and_then(|i| i.caption.as_deref()),
        lead_image_credit: image.and_then(|i| i.credit.as_deref()),
        correction: article.correction.as_ref().map(|c| c.note.as_str()),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// RFC 3339 in UTC with a `Z`, seconds precision: the form DESIGN.md shows.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Result<Record, RecordError>> {
        JsonlReader::new(text.as_bytes()).collect()
    }

    #[test]
    fn reads_the_design_example_with_defaults() {
        let recs = read(concat!(
            r#"{"external_id": "bbc-tech-001", "title": "T", "body": "B", "section": "tech", "#,
            r#""tags": ["a"], "authors": ["Ann"], "dateline": "LONDON", "summary": null, "#,
            r#""source": "Reuters", "published_at": "2005-03-01T09:00:00Z", "status": "published"}"#,
            "\n\n",
            r#"{"title": "Only", "body": "required"}"#,
            "\n"
        ));
        assert_eq!(recs.len(), 2);
        let first = recs[0].as_ref().expect("valid");
        assert_eq!(first.number, 1);
        assert_eq!(first.input.section.as_deref(), Some("tech"));
        assert_eq!(
            first.input.published_at.map(format_time).as_deref(),
            Some("2005-03-01T09:00:00Z")
        );
        let second = recs[1].as_ref().expect("valid");
        assert_eq!(second.number, 3, "blank lines still count");
        assert_eq!(second.input.status, None);
    }

    #[test]
    fn errors_name_line_and_field() {
        let recs = read("{\"title\": \"a\", \"body\": \"b\"}\n{\"title\": \"a\", \"body\": \"b\", \"published_at\": \"yesterday\"}\n");
        let err = recs[1].as_ref().expect_err("bad time");
        assert_eq!(err.number, 2);
        assert_eq!(err.field.as_deref(), Some("published_at"));
        assert!(
            err.to_string().starts_with("line 2, field `published_at`:"),
            "{err}"
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        let recs = read(
            "\u{FEFF}{\"title\": \"a\", \"body\": \"b\"}\n{\"title\": \"c\", \"body\": \"d\"}\n",
        );
        let titles: Vec<_> = recs
            .iter()
            .map(|r| r.as_ref().map(|r| (r.number, r.input.title.as_str())))
            .collect();
        assert_eq!(titles, [Ok((1, "a")), Ok((2, "c"))]);
        // A BOM alone on the first line is a blank line; elsewhere it is not JSON.
        let recs = read("\u{FEFF}\n{\"title\": \"a\", \"body\": \"b\"}\n\u{FEFF}{}\n");
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].as_ref().map(|r| r.number), Ok(2));
        assert_eq!(recs[1].as_ref().map_err(|e| e.number), Err(3));
    }

    #[test]
    fn unknown_fields_fail_unless_lenient() {
        let line = "{\"title\": \"a\", \"body\": \"b\", \"colour\": \"red\"}\n";
        let err = read(line).remove(0).expect_err("unknown");
        assert_eq!(err.field.as_deref(), Some("colour"));
        let ok: Vec<_> = JsonlReader::new(line.as_bytes()).lenient(true).collect();
        assert!(ok[0].is_ok());
    }

    #[test]
    fn missing_title_wrong_types_and_garbage_are_refused() {
        assert_eq!(
            read("{\"body\": \"b\"}")[0]
                .as_ref()
                .expect_err("x")
                .field
                .as_deref(),
            Some("title")
        );
        assert_eq!(
            read("{\"title\": \"a\", \"body\": \"b\", \"tags\": \"x\"}")[0]
                .as_ref()
                .expect_err("x")
                .field
                .as_deref(),
            Some("tags")
        );
        assert!(read("[1,2]")[0].is_err());
        assert!(read("{not json")[0].is_err());
        assert!(
            JsonlReader::new(&b"{\"title\": \"\xff\", \"body\": \"\"}"[..])
                .next()
                .expect("one")
                .is_err()
        );
        assert_eq!(
            read("{\"title\": \"a\", \"body\": \"b\", \"status\": \"deleted\"}")[0]
                .as_ref()
                .expect_err("x")
                .field
                .as_deref(),
            Some("status")
        );
    }
}
