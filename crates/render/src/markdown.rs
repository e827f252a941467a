use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::allowlist;
use crate::guard::Guard;
use crate::nesting::cap_container_nesting;

/// A body rendered for readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// Sanitised HTML, safe to embed in a page as is.
    pub html: String,
    /// The text without markup, paragraphs separated by blank lines.
    pub plain: String,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// The allowlist every body passes through. Built once: ammonia's builder is costly.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.tags(allowlist::TAGS.iter().copied().collect())
        .generic_attributes(allowlist::GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            allowlist::TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
                .collect(),
        )
        .url_schemes(allowlist::URL_SCHEMES.iter().copied().collect())
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// Renders Markdown to sanitised HTML and plain text.
///
/// The article headline is the page's only `h1`, so a body `#` heading becomes `h2` (the
/// level `##` already gives, which is what most reporters type); raw HTML in the Markdown is allowed through the parser and then
/// cut down by the same allowlist as everything else.
///
/// Time is linear in the length of `markdown`, whatever it holds: block quotes and lists nest
/// at most [`MAX_CONTAINER_DEPTH`](crate::MAX_CONTAINER_DEPTH) deep (deeper markers are shown
/// as text), elements at most [`MAX_ELEMENT_DEPTH`](crate::MAX_ELEMENT_DEPTH), and raw HTML
/// is written back balanced before the sanitiser parses it (see `guard.rs`).
pub fn render_body(markdown: &str) -> RenderedBody {
    let markdown = &*cap_container_nesting(markdown);
    let events = Parser::new_ext(markdown, parser_options()).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut raw, Guard::new(events));
    RenderedBody {
        html: clean(&raw),
        plain: plain_text_of_capped(markdown),
    }
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        other => other,
    }
}

/// Cleans arbitrary HTML with the body allowlist: no scripts, styles, event handlers,
/// frames or `javascript:` URLs survive. Linear time, like [`render_body`]: the HTML is
/// written back balanced and at most [`MAX_ELEMENT_DEPTH`](crate::MAX_ELEMENT_DEPTH) deep
/// before it is parsed.
pub fn sanitise_html(html: &str) -> String {
    let mut balanced = String::with_capacity(html.len());
    pulldown_cmark::html::push_html(
        &mut balanced,
        Guard::new(std::iter::once(Event::Html(html.into()))),
    );
    clean(&balanced)
}

/// The allowlist applied to HTML the guard has already balanced.
fn clean(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// The text of a Markdown document without any markup: what teasers, word counts and
/// search see. Raw HTML tags are dropped, not shown as text; the text inside an HTML
/// block is kept (an imported body is one HTML block, and its words are what search,
/// teasers and word counts must see), with block elements as paragraph breaks.
pub fn plain_text(markdown: &str) -> String {
    plain_text_of_capped(&cap_container_nesting(markdown))
}

/// [`plain_text`] of Markdown whose nesting is already capped.
fn plain_text_of_capped(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    // An HTML block arrives as one event per line and a tag may span lines, so the lines
    // are gathered and read as one.
    let mut html_block = String::new();
    for event in Parser::new_ext(markdown, parser_options()) {
        if let Event::Html(h) = &event {
            html_block.push_str(h);
            continue;
        }
        if !html_block.is_empty() {
            crate::html_text::push_text(&html_block, &mut out);
            html_block.clear();
        }
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow,
            ) if !out.ends_with("\n\n") => out.push_str("\n\n"),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    if !html_block.is_empty() {
        crate::html_text::push_text(&html_block, &mut out);
    }
    let trimmed = out.trim_end();
    trimmed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_headings_render_with_no_h1_in_the_body() {
        let r = render_body("# Background\n\nFirst *para*.\n\n## Detail\n\nSecond.\n\n### Sub");
        assert_eq!(
            r.html,
            "<h2>Background</h2>\n<p>First <em>para</em>.</p>\n<h2>Detail</h2>\n<p>Second.</p>\n<h3>Sub</h3>\n"
        );
        assert_eq!(
            r.plain,
            "Background\n\nFirst para.\n\nDetail\n\nSecond.\n\nSub"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let hostile = concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=x onerror=alert(2)>\n\n",
            "[click](javascript:alert(3))\n\n",
            "<a href=\"JaVaScRiPt:alert(4)\">x</a>\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "<svg onload=alert(5)></svg><style>body{}</style>",
        );
        let html = render_body(hostile).html;
        for needle in [
            "<script",
            "onerror",
            "javascript:",
            "JaVaScRiPt",
            "<iframe",
            "<svg",
            "onload",
            "<style",
        ] {
            assert!(!html.contains(needle), "{needle} survived in {html}");
        }
    }

    #[test]
    fn links_get_safe_rel() {
        let html = render_body("[BBC](https://www.bbc.co.uk/news)").html;
        assert!(
            html.contains(
                r#"<a href="https://www.bbc.co.uk/news" rel="noopener noreferrer">BBC</a>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn raw_html_is_not_leaked_into_plain_text() {
        assert_eq!(plain_text("Hello <b>bold</b> world"), "Hello bold world");
        assert_eq!(plain_text("**Strong** and `code`"), "Strong and code");
    }

    #[test]
    fn the_text_of_an_html_block_is_plain_text_with_paragraph_breaks() {
        let body = "<div>\n<p>First &amp; <a\nhref=\"/x\">linked</a>.</p><p>Second</p>\n<script>no()</script>\n</div>";
        assert_eq!(plain_text(body), "First & linked.\n\nSecond");
    }
}
