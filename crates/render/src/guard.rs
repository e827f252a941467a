//! The event stream between pulldown-cmark and its HTML writer, shaped so that the HTML
//! parser and serialiser inside the sanitiser (html5ever, through ammonia) do linear work on
//! any input.
//!
//! Measured on the unguarded renderer (docs/BENCHMARKS.md, "Issue 9: hostile bodies"),
//! html5ever is superlinear in three ways, and each has a guard here:
//!
//! - **Depth.** Block start tags look down the whole stack of open elements ("is there a `p`
//!   in button scope?"), so 100,000 nested `<div>`s or `<blockquote>`s cost 10^10 steps.
//!   Every element is counted here, Markdown and raw HTML alike; one that would open past
//!   [`MAX_ELEMENT_DEPTH`] is left out (its content stays).
//! - **Raw HTML the stream cannot see into.** Raw tags could leave elements open that the
//!   parser keeps but no count here knows about, so raw HTML is read with html5ever's own
//!   tokenizer and written back balanced: allowlisted elements only, only allowlisted
//!   attributes, an end tag only for an element opened in the same Markdown element, and
//!   every raw element closed when the Markdown element around it ends. `script` and
//!   `style` lose their content as the sanitiser would have removed it; comments and other
//!   elements are dropped here rather than there.
//! - **Escaping.** The serialiser escapes each `&` (and each `\u{80}`–`\u{bf}` character, such
//!   as a no-break space) with a search that runs to the next `<`, `>` (or `"` in an
//!   attribute) or the end of the text, so one long text of `&`s is quadratic (1,000,000
//!   `&` took 7 s). A `<wbr>` (not allowlisted, so removed by the sanitiser without a trace)
//!   is put into text after every [`TEXT_SPECIALS`] such characters, which keeps every text
//!   node short of them; an attribute with more than [`ATTRIBUTE_SPECIALS`] is dropped.

use std::cell::RefCell;
use std::collections::VecDeque;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::{RawKind, State};
use html5ever::tokenizer::{
    BufferQueue, Tag as HtmlTag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};
use html5ever::Attribute;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::allowlist;

/// Deepest element nesting the renderer writes; elements that would open deeper are left
/// out and their content joins their parent.
pub const MAX_ELEMENT_DEPTH: usize = 80;

/// Characters the serialiser escapes slowly that one text node may hold.
const TEXT_SPECIALS: usize = 64;

/// Characters the serialiser escapes slowly that one attribute value may hold.
const ATTRIBUTE_SPECIALS: usize = 256;

/// Splits text nodes; not allowlisted, so the sanitiser removes it.
const SEPARATOR: &str = "<wbr>";

/// How many characters in `s` the serialiser escapes with a search to the next `<`/`>`:
/// `&` and the characters whose UTF-8 starts with `0xC2` (U+0080–U+00BF, e.g. no-break
/// space, `£`, `«`).
fn specials(s: &str) -> usize {
    memchr::memchr2_iter(b'&', 0xC2, s.as_bytes()).count()
}

/// One element open in the written HTML.
#[derive(Debug, Clone, Copy)]
enum Open {
    /// A Markdown element: `shown` when its tags are written, `counted` when it adds to the
    /// depth.
    Markdown { shown: bool, counted: bool },
    /// An element from raw HTML, by its allowlisted name.
    Raw(&'static str),
}

/// The guarded event stream. See the module documentation.
pub(crate) struct Guard<'a, I> {
    inner: I,
    queue: VecDeque<Event<'a>>,
    open: Vec<Open>,
    depth: usize,
    /// Slow-to-escape characters written since the last separator.
    specials: usize,
    /// Inside an image description: nesting below the image and its specials so far.
    image: Option<(usize, usize)>,
    /// The raw HTML of the HTML block being read, written out when it ends.
    html_block: Option<String>,
    /// Inside a raw `script` or `style` element, whose content is dropped.
    skip: Option<&'static str>,
    done: bool,
}

impl<'a, I: Iterator<Item = Event<'a>>> Guard<'a, I> {
    pub(crate) fn new(inner: I) -> Self {
        Guard {
            inner,
            queue: VecDeque::new(),
            open: Vec::new(),
            depth: 0,
            specials: 0,
            image: None,
            html_block: None,
            skip: None,
            done: false,
        }
    }

    fn handle(&mut self, event: Event<'a>) {
        if self.image.is_some() {
            return self.in_image(event);
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak
                if self.skip.is_some() => {}
            Event::Text(text) => self.text(text, false),
            Event::Code(text) => self.text(text, true),
            Event::Html(html) => match &mut self.html_block {
                Some(block) => block.push_str(&html),
                None => self.raw(&html, false),
            },
            Event::InlineHtml(html) => self.raw(&html, true),
            other => self.queue.push_back(other),
        }
    }

    fn start(&mut self, tag: Tag<'a>) {
        let (tag, nestable) = match tag {
            Tag::HtmlBlock => {
                // Not an element: raw tags in it belong to the element around it, so that
                // `<figure>`, Markdown, `</figure>` in three blocks stays one figure.
                self.html_block = Some(String::new());
                self.queue.push_back(Event::Start(Tag::HtmlBlock));
                return;
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => {
                if specials(&dest_url) > ATTRIBUTE_SPECIALS {
                    // Left out; the description is shown as text.
                    self.open.push(Open::Markdown {
                        shown: false,
                        counted: false,
                    });
                    return;
                }
                let title = attribute_or_empty(title);
                self.open.push(Open::Markdown {
                    shown: true,
                    counted: false,
                });
                self.image = Some((0, 0));
                self.queue.push_back(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
                return;
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                if specials(&dest_url) > ATTRIBUTE_SPECIALS {
                    self.open.push(Open::Markdown {
                        shown: false,
                        counted: false,
                    });
                    return;
                }
                let title = attribute_or_empty(title);
                let link = Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                (link, true)
            }
            tag @ (Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript) => (tag, true),
            // Paragraphs, headings, code blocks and table parts cannot nest in Markdown (and
            // the HTML writer needs a table's events whole), so they are always written.
            tag => (tag, false),
        };
        if nestable && self.depth >= MAX_ELEMENT_DEPTH {
            self.open.push(Open::Markdown {
                shown: false,
                counted: false,
            });
            return;
        }
        self.depth += 1;
        self.open.push(Open::Markdown {
            shown: true,
            counted: true,
        });
        self.queue.push_back(Event::Start(tag));
    }

    fn end(&mut self, end: TagEnd) {
        if end == TagEnd::HtmlBlock {
            if let Some(block) = self.html_block.take() {
                self.raw(&block, false);
            }
            self.queue.push_back(Event::End(end));
            return;
        }
        self.close_raw_in_frame();
        if let Some(Open::Markdown { shown, counted }) = self.open.pop() {
            if counted {
                self.depth -= 1;
            }
            if shown {
                self.queue.push_back(Event::End(end));
            }
        }
    }

    /// Inside an image the HTML writer turns every event into `alt` text.
    fn in_image(&mut self, event: Event<'a>) {
        let Some((nest, seen)) = &mut self.image else {
            return;
        };
        match &event {
            Event::Start(_) => *nest += 1,
            Event::End(_) if *nest == 0 => {
                self.image = None;
                self.open.pop();
            }
            Event::End(_) => *nest -= 1,
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                *seen += specials(t);
                if *seen > ATTRIBUTE_SPECIALS {
                    return;
                }
            }
            _ => {}
        }
        self.queue.push_back(event);
    }

    /// Text or inline code, with a separator wherever the running count of slow-to-escape
    /// characters reaches [`TEXT_SPECIALS`].
    fn text(&mut self, text: CowStr<'a>, code: bool) {
        let cuts = self.cuts(&text);
        if cuts.is_empty() {
            self.queue.push_back(if code {
                Event::Code(text)
            } else {
                Event::Text(text)
            });
            return;
        }
        let piece = |from: usize, to: usize| -> CowStr<'a> {
            match &text {
                CowStr::Borrowed(s) => CowStr::Borrowed(&s[from..to]),
                other => CowStr::from(other[from..to].to_owned()),
            }
        };
        if code {
            self.queue.push_back(Event::InlineHtml("<code>".into()));
        }
        let mut from = 0;
        for cut in cuts {
            self.queue.push_back(Event::Text(piece(from, cut)));
            self.queue.push_back(Event::InlineHtml(SEPARATOR.into()));
            from = cut;
        }
        self.queue.push_back(Event::Text(piece(from, text.len())));
        if code {
            self.queue.push_back(Event::InlineHtml("</code>".into()));
        }
    }

    /// Byte offsets in `text` where a separator must go, counting on from earlier text.
    fn cuts(&mut self, text: &str) -> Vec<usize> {
        let n = specials(text);
        if self.specials + n <= TEXT_SPECIALS {
            self.specials += n;
            return Vec::new();
        }
        let mut cuts = Vec::new();
        for i in memchr::memchr2_iter(b'&', 0xC2, text.as_bytes()) {
            if self.specials == TEXT_SPECIALS {
                // Both are ASCII or a UTF-8 lead byte: a char boundary.
                cuts.push(i);
                self.specials = 0;
            }
            self.specials += 1;
        }
        cuts
    }

    /// Writes raw HTML back balanced and allowlisted (see the module documentation).
    fn raw(&mut self, html: &str, inline: bool) {
        let mut out = String::with_capacity(html.len());
        if let Some((end, name)) = simple_tag(html) {
            // `<em>`, `</em>`: the common case, without a tokenizer.
            if end {
                self.raw_end(&mut out, &name);
            } else {
                self.raw_start(&mut out, &name, &[]);
            }
        } else {
            for token in tokenize(html, self.skip) {
                match token {
                    Token::TagToken(HtmlTag {
                        kind: TagKind::StartTag,
                        name,
                        attrs,
                        ..
                    }) => self.raw_start(&mut out, &name, &attrs),
                    Token::TagToken(HtmlTag {
                        kind: TagKind::EndTag,
                        name,
                        ..
                    }) => self.raw_end(&mut out, &name),
                    Token::CharacterTokens(text) if self.skip.is_none() => {
                        self.raw_text(&mut out, &text)
                    }
                    _ => {}
                }
            }
        }
        if !out.is_empty() {
            self.queue.push_back(if inline {
                Event::InlineHtml(out.into())
            } else {
                Event::Html(out.into())
            });
        }
    }

    fn raw_start(&mut self, out: &mut String, name: &str, attrs: &[Attribute]) {
        if self.skip.is_some() {
            return;
        }
        if let Some(skipped) = ["script", "style"].into_iter().find(|s| *s == name) {
            self.skip = Some(skipped);
            return;
        }
        let Some(tag) = allowlist::tag(name) else {
            // The sanitiser would remove the element and keep its content; so does this.
            return;
        };
        self.close_implied(out, tag);
        let void = allowlist::VOID_TAGS.contains(&tag);
        if !void && self.depth >= MAX_ELEMENT_DEPTH {
            return;
        }
        out.push('<');
        out.push_str(tag);
        for attr in attrs {
            let name = &*attr.name.local;
            if attr.name.prefix.is_some()
                || !allowlist::attribute_allowed(tag, name)
                || specials(&attr.value) > ATTRIBUTE_SPECIALS
            {
                continue;
            }
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape(out, &attr.value, true);
            out.push('"');
        }
        out.push('>');
        if !void {
            self.open.push(Open::Raw(tag));
            self.depth += weight(tag);
        }
    }

    /// Closes the raw elements the HTML parser ends when `tag` starts right inside them
    /// (`<p>a<p>b`, `<li>a<li>b`), so that the end tags written later do not open empty
    /// paragraphs.
    fn close_implied(&mut self, out: &mut String, tag: &str) {
        let heading = |t: &str| matches!(t, "h2" | "h3" | "h4" | "h5" | "h6");
        while let Some(Open::Raw(open)) = self.open.last() {
            let ends = match *open {
                "p" => {
                    heading(tag)
                        || matches!(
                            tag,
                            "p" | "blockquote"
                                | "ul"
                                | "ol"
                                | "dl"
                                | "dt"
                                | "dd"
                                | "li"
                                | "figure"
                                | "figcaption"
                                | "pre"
                                | "table"
                                | "hr"
                        )
                }
                "li" => tag == "li",
                "dt" | "dd" => matches!(tag, "dt" | "dd"),
                "td" | "th" => matches!(tag, "td" | "th" | "tr"),
                "tr" => tag == "tr",
                "a" => tag == "a",
                open => heading(open) && heading(tag),
            };
            if !ends {
                break;
            }
            out.push_str("</");
            out.push_str(open);
            out.push('>');
            self.depth -= weight(open);
            self.open.pop();
        }
    }

    fn raw_end(&mut self, out: &mut String, name: &str) {
        if let Some(skipped) = self.skip {
            if skipped == name {
                self.skip = None;
            }
            return;
        }
        let Some(tag) = allowlist::tag(name) else {
            return;
        };
        // Only an element opened inside the current Markdown element can be closed.
        let found = self.open.iter().rposition(|o| {
            matches!(o, Open::Markdown { .. }) || matches!(o, Open::Raw(t) if *t == tag)
        });
        if let Some(at) = found {
            if matches!(self.open[at], Open::Raw(_)) {
                for open in self.open.drain(at..).rev() {
                    if let Open::Raw(t) = open {
                        out.push_str("</");
                        out.push_str(t);
                        out.push('>');
                        self.depth -= weight(t);
                    }
                }
            }
        }
    }

    fn raw_text(&mut self, out: &mut String, text: &str) {
        let cuts = self.cuts(text);
        let mut from = 0;
        for cut in cuts {
            escape(out, &text[from..cut], false);
            out.push_str(SEPARATOR);
            from = cut;
        }
        escape(out, &text[from..], false);
    }

    /// Closes the raw elements opened inside the innermost Markdown element.
    fn close_raw_in_frame(&mut self) {
        let mut closing = String::new();
        while let Some(&Open::Raw(tag)) = self.open.last() {
            closing.push_str("</");
            closing.push_str(tag);
            closing.push('>');
            self.open.pop();
            self.depth -= weight(tag);
        }
        if !closing.is_empty() {
            self.queue.push_back(Event::InlineHtml(closing.into()));
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Guard<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.inner.next() {
                Some(event) => self.handle(event),
                None => {
                    self.done = true;
                    if let Some(block) = self.html_block.take() {
                        self.raw(&block, false);
                    }
                    self.close_raw_in_frame();
                }
            }
        }
    }
}

/// Elements a raw tag adds to the parser's stack: a `table` brings a `tbody` when rows
/// follow.
fn weight(tag: &str) -> usize {
    if tag == "table" {
        2
    } else {
        1
    }
}

/// A link or image title, or nothing when it holds too many slow-to-escape characters.
fn attribute_or_empty(title: CowStr<'_>) -> CowStr<'_> {
    if specials(&title) > ATTRIBUTE_SPECIALS {
        CowStr::Borrowed("")
    } else {
        title
    }
}

/// Escapes text for HTML: `&`, `<`, `>`, and in attributes `"`.
fn escape(out: &mut String, text: &str, attribute: bool) {
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            _ => continue,
        };
        out.push_str(&text[from..i]);
        out.push_str(replacement);
        from = i + 1;
    }
    out.push_str(&text[from..]);
}

/// `<name>` or `</name>` with an ASCII name and nothing else: (is an end tag, lowercased
/// name), read exactly as the HTML tokenizer would read it.
fn simple_tag(html: &str) -> Option<(bool, String)> {
    let inner = html.strip_prefix('<')?.strip_suffix('>')?;
    let (end, name) = match inner.strip_prefix('/') {
        Some(name) => (true, name),
        None => (false, inner),
    };
    let mut bytes = name.bytes();
    (bytes.next()?.is_ascii_alphabetic() && bytes.all(|b| b.is_ascii_alphanumeric()))
        .then(|| (end, name.to_ascii_lowercase()))
}

/// Collects tokens, switching the tokenizer into the text states the HTML parser would
/// switch it into, so that `<textarea><b>` reads as text, as it would in a page.
#[derive(Default)]
struct Collector {
    tokens: RefCell<Vec<Token>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let result = match &token {
            Token::TagToken(HtmlTag {
                kind: TagKind::StartTag,
                name,
                ..
            }) => match &**name {
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                    TokenSinkResult::RawData(RawKind::Rawtext)
                }
                "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                "plaintext" => TokenSinkResult::Plaintext,
                _ => TokenSinkResult::Continue,
            },
            _ => TokenSinkResult::Continue,
        };
        self.tokens.borrow_mut().push(token);
        result
    }
}

/// html5ever's tokens for one piece of raw HTML; inside a `script` or `style` left open by
/// an earlier piece, the piece is read as that element's content.
fn tokenize(html: &str, inside: Option<&'static str>) -> Vec<Token> {
    let opts = TokenizerOpts {
        discard_bom: false,
        initial_state: inside.map(|name| {
            State::RawData(if name == "script" {
                RawKind::ScriptData
            } else {
                RawKind::Rawtext
            })
        }),
        last_start_tag_name: inside.map(str::to_owned),
        ..TokenizerOpts::default()
    };
    let tokenizer = Tokenizer::new(Collector::default(), opts);
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.tokens.take()
}

#[cfg(test)]
mod tests {
    use crate::render_body;

    fn html(markdown: &str) -> String {
        render_body(markdown).html
    }

    #[test]
    fn an_unclosed_raw_tag_ends_with_its_paragraph() {
        assert_eq!(
            html("text <b>bold\n\nnext"),
            "<p>text <b>bold</b></p>\n<p>next</p>\n"
        );
        // And an end tag cannot reach into another paragraph.
        assert_eq!(html("<i>a\n\nb</i> c"), "<p><i>a</i></p>\n<p>b c</p>\n");
    }

    #[test]
    fn html_blocks_around_markdown_keep_their_element() {
        assert_eq!(
            html("<figure>\n\n![Port](https://x.example/p.jpg)\n\n<figcaption>Muscat</figcaption>\n</figure>"),
            "<figure>\n<p><img src=\"https://x.example/p.jpg\" alt=\"Port\"></p>\n<figcaption>Muscat</figcaption>\n</figure>"
        );
        assert_eq!(html("<p>a<p>b</p>\n\nc"), "<p>a</p><p>b</p>\n<p>c</p>\n");
    }

    #[test]
    fn script_and_style_lose_their_content_textarea_shows_it() {
        let out =
            html("<script>\nalert(1)\n\nstill script\n</script>\n\nafter <style>p{}</style>end");
        assert!(
            !out.contains("alert") && !out.contains("still") && !out.contains("p{}"),
            "{out}"
        );
        assert!(out.contains("after end"), "{out}");
        assert_eq!(
            html("<textarea><b>x</b></textarea>"),
            "&lt;b&gt;x&lt;/b&gt;"
        );
    }

    #[test]
    fn text_splitting_leaves_no_trace() {
        let amps = "&".repeat(1000);
        assert_eq!(html(&amps), format!("<p>{}</p>\n", "&amp;".repeat(1000)));
        assert_eq!(
            html(&format!("`{}` and £{}", "&".repeat(200), "£".repeat(200))),
            format!(
                "<p><code>{}</code> and £{}</p>\n",
                "&amp;".repeat(200),
                "£".repeat(200)
            )
        );
    }

    #[test]
    fn attributes_full_of_ampersands_are_dropped() {
        let many = "&".repeat(300);
        assert_eq!(
            html(&format!("[a](https://x.example/?{many})")),
            "<p>a</p>\n"
        );
        assert_eq!(
            html(&format!("[a](https://x.example/ \"{many}\")")),
            "<p><a href=\"https://x.example/\" rel=\"noopener noreferrer\">a</a></p>\n"
        );
        assert_eq!(
            html(&format!(
                "<abbr title=\"{}\" lang=\"en\">x</abbr>",
                "&amp;".repeat(300)
            )),
            "<p><abbr lang=\"en\">x</abbr></p>\n"
        );
        // Below the limit they are kept as they were.
        assert_eq!(
            html("[a](https://x.example/?a=1&b=2 \"Fish & chips\")"),
            "<p><a href=\"https://x.example/?a=1&amp;b=2\" title=\"Fish &amp; chips\" rel=\"noopener noreferrer\">a</a></p>\n"
        );
    }
}
