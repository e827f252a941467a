//! Writing the XML of feeds and sitemaps: a thin layer over quick-xml's writer that makes
//! every text and attribute safe, whatever an editor typed into a headline.
//!
//! quick-xml escapes `&`, `<`, `>`, `"` and `'`. What escaping cannot fix is a character
//! XML 1.0 forbids outright (§2.2 `Char`: C0 controls other than tab, newline and carriage
//! return, and U+FFFE/U+FFFF): one of those makes the whole document ill-formed, and a
//! feed reader drops the feed. They are removed here, together with the C1 controls that
//! XML "discourages" and no reader can show, and a lone carriage return (which a parser
//! would turn into a newline anyway).

use std::borrow::Cow;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::WebError;

/// Whether XML may carry `c` (and we want it to).
fn allowed(c: char) -> bool {
    match c {
        '\t' | '\n' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// `text` without the characters XML forbids or discourages (see the module doc).
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// An XML document being written into memory.
pub struct XmlDoc {
    writer: Writer<Vec<u8>>,
}

fn failed(e: std::io::Error) -> WebError {
    // Writing into a Vec cannot fail; if it ever does, it is a bug, answered 500.
    WebError::App(dateline_app::Error::Internal(format!("writing XML: {e}")))
}

impl XmlDoc {
    /// A document with the XML declaration written.
    pub fn new() -> Result<XmlDoc, WebError> {
        let mut writer = Writer::new(Vec::with_capacity(16 * 1024));
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(failed)?;
        writer
            .write_event(Event::Text(BytesText::from_escaped("\n")))
            .map_err(failed)?;
        Ok(XmlDoc { writer })
    }

    fn start_tag<'a>(name: &'a str, attrs: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut tag = BytesStart::new(name);
        for (k, v) in attrs {
            tag.push_attribute((*k, clean(v).as_ref()));
        }
        tag
    }

    /// Opens `<name attrs…>`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), WebError> {
        self.writer
            .write_event(Event::Start(Self::start_tag(name, attrs)))
            .map_err(failed)
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) -> Result<(), WebError> {
        self.writer
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(failed)
    }

    /// Writes `<name attrs…/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), WebError> {
        self.writer
            .write_event(Event::Empty(Self::start_tag(name, attrs)))
            .map_err(failed)
    }

    /// Writes `<name attrs…>text</name>`, the text escaped and cleaned.
    pub fn text_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<(), WebError> {
        self.open(name, attrs)?;
        let text = clean(text);
        self.writer
            .write_event(Event::Text(BytesText::new(&text)))
            .map_err(failed)?;
        self.close(name)
    }

    /// Writes `<name>text</name>`, the text escaped and cleaned.
    pub fn text(&mut self, name: &str, text: &str) -> Result<(), WebError> {
        self.text_with(name, &[], text)
    }

    /// The document's bytes as a string.
    pub fn finish(self) -> Result<String, WebError> {
        String::from_utf8(self.writer.into_inner()).map_err(|e| {
            WebError::App(dateline_app::Error::Internal(format!(
                "XML is not UTF-8: {e}"
            )))
        })
    }
}

/// `t` as RFC 3339 in UTC with a `Z`, to the second: what Atom (`xsd:dateTime`), sitemaps
/// (W3C Datetime) and JSON Feed all accept.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_go_and_everything_else_is_escaped() {
        assert_eq!(clean("plain"), Cow::Borrowed("plain"));
        assert_eq!(
            clean("a\u{0}b\u{1}c\u{b}d\u{c}e\u{1b}f\u{7f}g\u{85}h\u{fffe}i\u{ffff}j\rk\tl\nm"),
            "abcdefghijk\tl\nm"
        );
        assert_eq!(clean("عاجل 🚀 \"q\" & <b>"), "عاجل 🚀 \"q\" & <b>");
        let mut doc = XmlDoc::new().expect("doc");
        doc.text_with("t", &[("a", "x\"<&\u{1}")], "R&D <script> \u{2}'q'")
            .expect("write");
        let xml = doc.finish().expect("utf-8");
        assert!(
            xml.ends_with("<t a=\"x&quot;&lt;&amp;\">R&amp;D &lt;script&gt; &apos;q&apos;</t>"),
            "{xml}"
        );
    }
}
