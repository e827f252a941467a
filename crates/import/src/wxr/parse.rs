//! XML events to raw WXR items: the only code that sees quick-xml.
//!
//! WordPress always writes the same prefixes (`wp:`, `content:`, `excerpt:`, `dc:`) while
//! the namespace URIs behind them change between versions and schemes
//! (`http://wordpress.org/export/1.1/`, `https://wordpress.org/export/1.2/`), so elements are
//! recognised by their qualified name, which is the stable part.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::error::{ImportError, Position, Result};

/// The elements the reader cares about; everything else is `Other` and only counted in
/// the depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Rss,
    Channel,
    Item,
    Title,
    Link,
    Guid,
    PubDate,
    Content,
    Excerpt,
    Creator,
    PostId,
    PostName,
    PostType,
    Status,
    PostDate,
    PostDateGmt,
    ModifiedGmt,
    PostParent,
    PostPassword,
    AttachmentUrl,
    Category,
    Postmeta,
    MetaKey,
    MetaValue,
    Comment,
    Author,
    AuthorLogin,
    AuthorDisplayName,
    WpCategory,
    TermId,
    CatName,
    WxrVersion,
    BaseBlogUrl,
    Other,
}

impl Tag {
    /// Every element of the file passes through here, so the `wp:` names (most of
    /// them) are told apart after one prefix test instead of a chain of comparisons.
    fn of(name: &[u8]) -> Tag {
        if let Some(rest) = name.strip_prefix(b"wp:") {
            return match rest {
                b"post_id" => Tag::PostId,
                b"post_name" => Tag::PostName,
                b"post_type" => Tag::PostType,
                b"status" => Tag::Status,
                b"post_date" => Tag::PostDate,
                b"post_date_gmt" => Tag::PostDateGmt,
                b"post_modified_gmt" => Tag::ModifiedGmt,
                b"post_parent" => Tag::PostParent,
                b"post_password" => Tag::PostPassword,
                b"attachment_url" => Tag::AttachmentUrl,
                b"postmeta" => Tag::Postmeta,
                b"meta_key" => Tag::MetaKey,
                b"meta_value" => Tag::MetaValue,
                b"comment" => Tag::Comment,
                b"author" => Tag::Author,
                b"author_login" => Tag::AuthorLogin,
                b"author_display_name" => Tag::AuthorDisplayName,
                b"category" => Tag::WpCategory,
                b"term_id" => Tag::TermId,
                b"cat_name" => Tag::CatName,
                b"wxr_version" => Tag::WxrVersion,
                b"base_blog_url" => Tag::BaseBlogUrl,
                _ => Tag::Other,
            };
        }
        match name {
            b"item" => Tag::Item,
            b"title" => Tag::Title,
            b"link" => Tag::Link,
            b"guid" => Tag::Guid,
            b"category" => Tag::Category,
            b"pubDate" => Tag::PubDate,
            b"content:encoded" => Tag::Content,
            b"excerpt:encoded" => Tag::Excerpt,
            b"dc:creator" => Tag::Creator,
            b"rss" => Tag::Rss,
            b"channel" => Tag::Channel,
            _ => Tag::Other,
        }
    }
}

/// A `<category>` of an item: categories, tags, Co-Authors Plus authors, post formats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ItemTerm {
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// One `<item>` as written, every field a string (or absent). Reused between items so
/// its buffers keep their capacity.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawItem {
    /// 1-based position among the file's items.
    pub position: usize,
    /// Byte offset of `<item>`.
    pub offset: u64,
    /// `None` when the item has no `<title>` element at all.
    pub title: Option<String>,
    pub link: String,
    pub guid: String,
    pub pub_date: String,
    pub content: String,
    pub excerpt: String,
    pub creator: String,
    pub post_id: String,
    pub post_name: String,
    pub post_type: String,
    pub status: String,
    pub post_date: String,
    pub post_date_gmt: String,
    pub modified_gmt: String,
    pub post_parent: String,
    pub post_password: String,
    pub attachment_url: String,
    pub terms: Vec<ItemTerm>,
    /// `wp:postmeta` pairs (key, value).
    pub meta: Vec<(String, String)>,
    pub comments: usize,
}

impl RawItem {
    fn clear(&mut self) {
        self.title = None;
        for s in [
            &mut self.link,
            &mut self.guid,
            &mut self.pub_date,
            &mut self.content,
            &mut self.excerpt,
            &mut self.creator,
            &mut self.post_id,
            &mut self.post_name,
            &mut self.post_type,
            &mut self.status,
            &mut self.post_date,
            &mut self.post_date_gmt,
            &mut self.modified_gmt,
            &mut self.post_parent,
            &mut self.post_password,
            &mut self.attachment_url,
        ] {
            s.clear();
        }
        self.terms.clear();
        self.meta.clear();
        self.comments = 0;
    }

    /// The value of the first `wp:postmeta` with this key.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What the channel says about the site, read before the items (WordPress writes it
/// first).
#[derive(Debug, Clone, Default)]
pub(crate) struct Channel {
    pub wxr_version: Option<String>,
    /// The channel's `<link>`, else `wp:base_blog_url`.
    pub site_url: Option<String>,
    /// `(login, display name)` of every `wp:author`.
    pub authors: Vec<(String, String)>,
    /// `(term_id, name)` of every `wp:category`, for Yoast's primary category.
    pub categories: Vec<(String, String)>,
}

/// A pull parser over a WXR document that hands out one item at a time.
pub(crate) struct WxrParser {
    reader: Reader<Box<dyn BufRead + Send>>,
    buf: Vec<u8>,
    /// Tags of the open elements, outermost first.
    stack: Vec<Tag>,
    /// Text of the element being captured.
    text: String,
    capturing: bool,
    /// Whether `content:encoded` is kept (the index pass does not need bodies).
    pub keep_bodies: bool,
    pub channel: Channel,
    author_login: String,
    author_name: String,
    term_id: String,
    term_name: String,
    meta_key: String,
    items: usize,
    seen_root: bool,
    done: bool,
}

impl WxrParser {
    pub fn new(input: Box<dyn BufRead + Send>) -> Self {
        let mut reader = Reader::from_reader(input);
        // Mismatched end tags are a truncated or hand-edited file: say so, at the spot.
        reader.config_mut().check_end_names = true;
        // A bare `&` in a URL (`?a=1&b=2`) is invalid XML, but hand-edited and
        // third-party exports have it (TryGhost's sample does): keep it as text rather
        // than refuse the file. Broken structure is still an error.
        reader.config_mut().allow_dangling_amp = true;
        WxrParser {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            stack: Vec::with_capacity(16),
            text: String::new(),
            capturing: false,
            keep_bodies: true,
            channel: Channel::default(),
            author_login: String::new(),
            author_name: String::new(),
            term_id: String::new(),
            term_name: String::new(),
            meta_key: String::new(),
            items: 0,
            seen_root: false,
            done: false,
        }
    }

    /// Bytes consumed so far (of the decompressed stream).
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn malformed(
        &self,
        record: Option<usize>,
        byte: u64,
        reason: impl Into<String>,
    ) -> ImportError {
        ImportError::Malformed {
            at: Position { record, byte },
            reason: reason.into(),
        }
    }

    fn in_item(&self) -> Option<usize> {
        item_of(&self.stack, self.items)
    }

    /// Reads up to the end of the next item and fills `item`; `Ok(false)` at the end of
    /// the document.
    pub fn next_item(&mut self, item: &mut RawItem) -> Result<bool> {
        if self.done {
            return Ok(false);
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let at = self.reader.error_position();
                    let record = self.in_item();
                    self.done = true;
                    return Err(match e {
                        quick_xml::Error::Io(io) => ImportError::Read {
                            at: Position { record, byte: at },
                            message: io.to_string(),
                        },
                        other => self.malformed(record, at, other.to_string()),
                    });
                }
            };
            match event {
                Event::Start(start) => {
                    let tag = Tag::of(start.name().as_ref());
                    if !self.seen_root {
                        self.seen_root = true;
                        if tag != Tag::Rss {
                            self.done = true;
                            return Err(ImportError::WrongFormat {
                                expected: "WXR",
                                reason: format!(
                                    "the document element is <{}>, not <rss>",
                                    String::from_utf8_lossy(start.name().as_ref())
                                ),
                            });
                        }
                    }
                    let parent = self.stack.last().copied();
                    if tag == Tag::Item && parent == Some(Tag::Channel) {
                        self.items += 1;
                        item.clear();
                        item.position = self.items;
                        item.offset = self.reader.buffer_position();
                    } else if tag == Tag::Category && parent == Some(Tag::Item) {
                        item.terms.push(term_from(&start));
                    } else if tag == Tag::Author || tag == Tag::WpCategory {
                        self.author_login.clear();
                        self.author_name.clear();
                        self.term_id.clear();
                        self.term_name.clear();
                    }
                    self.stack.push(tag);
                    self.capturing = self.wants_text();
                    self.text.clear();
                }
                Event::Empty(start) => {
                    let tag = Tag::of(start.name().as_ref());
                    if !self.seen_root {
                        self.done = true;
                        return Err(ImportError::WrongFormat {
                            expected: "WXR",
                            reason: "the document element is empty".into(),
                        });
                    }
                    // `<title/>` is a title element with no text: an untitled post, which
                    // WordPress allows, not a missing title.
                    self.stack.push(tag);
                    let wanted = self.wants_text();
                    self.stack.pop();
                    if wanted {
                        self.text.clear();
                        self.end_element(tag, item);
                    }
                }
                Event::Text(t) => {
                    let cap = if self.keep_bodies {
                        usize::MAX
                    } else {
                        FIRST_PASS_BODY_CAP
                    };
                    // Every text is checked, captured or not, so the first pass finds
                    // any invalid UTF-8 before a post is handed out.
                    let at = self.reader.buffer_position();
                    let s = utf8(&t, at, item_of(&self.stack, self.items))?;
                    if self.capturing {
                        push_capped(&mut self.text, s, cap, self.stack.last());
                    } else if self.stack.is_empty() && !s.trim().is_empty() {
                        self.done = true;
                        return Err(self.malformed(None, at, "text outside the document element"));
                    }
                }
                Event::CData(t) => {
                    let cap = if self.keep_bodies {
                        usize::MAX
                    } else {
                        FIRST_PASS_BODY_CAP
                    };
                    let at = self.reader.buffer_position();
                    let s = utf8(&t, at, item_of(&self.stack, self.items))?;
                    if self.capturing {
                        push_capped(&mut self.text, s, cap, self.stack.last());
                    }
                }
                Event::GeneralRef(r) => {
                    if self.capturing {
                        let at = self.reader.buffer_position();
                        push_reference(&mut self.text, &r, at, item_of(&self.stack, self.items))?;
                    }
                }
                Event::End(_) => {
                    let Some(tag) = self.stack.pop() else {
                        let at = self.reader.buffer_position();
                        self.done = true;
                        return Err(self.malformed(None, at, "end tag without a start tag"));
                    };
                    if self.capturing {
                        self.end_element(tag, item);
                    }
                    self.capturing = false;
                    match (tag, self.stack.last()) {
                        (Tag::Author, Some(Tag::Channel)) => self.record_author(),
                        (Tag::WpCategory, Some(Tag::Channel)) => self.record_category(),
                        _ => {}
                    }
                    if tag == Tag::Comment && self.stack.last() == Some(&Tag::Item) {
                        item.comments += 1;
                    }
                    if tag == Tag::Item && self.stack.last() == Some(&Tag::Channel) {
                        return Ok(true);
                    }
                    // Text after a nested element (a `<wp:postmeta>` inside an item) is
                    // not captured: only leaf elements carry values in WXR.
                }
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" {
                            self.done = true;
                            let at = self.reader.buffer_position();
                            return Err(self.malformed(
                                None,
                                at,
                                format!("encoding `{enc}` is not supported: WordPress exports are UTF-8; convert the file to UTF-8 first"),
                            ));
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => {
                    self.done = true;
                    if let Some(open) = self.stack.last() {
                        let at = self.reader.buffer_position();
                        let record = self.in_item();
                        return Err(self.malformed(
                            record,
                            at,
                            format!("the file ends inside an element ({open:?}): truncated?"),
                        ));
                    }
                    if !self.seen_root {
                        return Err(ImportError::WrongFormat {
                            expected: "WXR",
                            reason: "no XML element in the file".into(),
                        });
                    }
                    return Ok(false);
                }
            }
        }
    }

    /// Whether the innermost open element's text is a value we keep.
    fn wants_text(&self) -> bool {
        let n = self.stack.len();
        let Some(&tag) = self.stack.last() else {
            return false;
        };
        let parent = if n >= 2 {
            self.stack[n - 2]
        } else {
            Tag::Other
        };
        match parent {
            Tag::Item => !matches!(tag, Tag::Postmeta | Tag::Comment | Tag::Other),
            Tag::Postmeta => matches!(tag, Tag::MetaKey | Tag::MetaValue),
            Tag::Channel => matches!(tag, Tag::Link | Tag::WxrVersion | Tag::BaseBlogUrl),
            Tag::Author => matches!(tag, Tag::AuthorLogin | Tag::AuthorDisplayName),
            Tag::WpCategory => matches!(tag, Tag::TermId | Tag::CatName),
            _ => false,
        }
    }

    /// Files the captured text under the element that just ended.
    fn end_element(&mut self, tag: Tag, item: &mut RawItem) {
        let parent = self.stack.last().copied().unwrap_or(Tag::Other);
        let text = &mut self.text;
        match parent {
            Tag::Item => {
                let slot = match tag {
                    Tag::Title => {
                        item.title = Some(std::mem::take(text));
                        return;
                    }
                    Tag::Category => {
                        if let Some(t) = item.terms.last_mut() {
                            t.name = std::mem::take(text);
                        }
                        return;
                    }
                    Tag::Link => &mut item.link,
                    Tag::Guid => &mut item.guid,
                    Tag::PubDate => &mut item.pub_date,
                    Tag::Content => &mut item.content,
                    Tag::Excerpt => &mut item.excerpt,
                    Tag::Creator => &mut item.creator,
                    Tag::PostId => &mut item.post_id,
                    Tag::PostName => &mut item.post_name,
                    Tag::PostType => &mut item.post_type,
                    Tag::Status => &mut item.status,
                    Tag::PostDate => &mut item.post_date,
                    Tag::PostDateGmt => &mut item.post_date_gmt,
                    Tag::ModifiedGmt => &mut item.modified_gmt,
                    Tag::PostParent => &mut item.post_parent,
                    Tag::PostPassword => &mut item.post_password,
                    Tag::AttachmentUrl => &mut item.attachment_url,
                    _ => return,
                };
                std::mem::swap(slot, text);
            }
            Tag::Postmeta => match tag {
                Tag::MetaKey => self.meta_key = std::mem::take(text),
                Tag::MetaValue => item
                    .meta
                    .push((std::mem::take(&mut self.meta_key), std::mem::take(text))),
                _ => {}
            },
            Tag::Channel => match tag {
                Tag::WxrVersion => self.channel.wxr_version = Some(text.trim().to_owned()),
                Tag::Link if !text.trim().is_empty() => {
                    self.channel.site_url = Some(text.trim().to_owned())
                }
                Tag::BaseBlogUrl if self.channel.site_url.is_none() => {
                    self.channel.site_url = Some(text.trim().to_owned())
                }
                _ => {}
            },
            Tag::Author => match tag {
                Tag::AuthorLogin => self.author_login = text.trim().to_owned(),
                Tag::AuthorDisplayName => self.author_name = text.trim().to_owned(),
                _ => {}
            },
            Tag::WpCategory => match tag {
                Tag::TermId => self.term_id = text.trim().to_owned(),
                Tag::CatName => self.term_name = text.trim().to_owned(),
                _ => {}
            },
            _ => {}
        }
    }

    fn record_author(&mut self) {
        if self.author_login.is_empty() {
            return;
        }
        self.channel.authors.push((
            std::mem::take(&mut self.author_login),
            std::mem::take(&mut self.author_name),
        ));
    }

    fn record_category(&mut self) {
        if self.term_id.is_empty() {
            return;
        }
        self.channel.categories.push((
            std::mem::take(&mut self.term_id),
            std::mem::take(&mut self.term_name),
        ));
    }
}

fn term_from(start: &BytesStart<'_>) -> ItemTerm {
    let mut term = ItemTerm::default();
    for attr in start.attributes().flatten() {
        let value = String::from_utf8_lossy(&attr.value).into_owned();
        match attr.key.as_ref() {
            b"domain" => term.domain = value,
            b"nicename" => term.nicename = value,
            _ => {}
        }
    }
    term
}

/// Most bytes of `content:encoded` the first pass keeps: enough for an attachment's
/// description (its caption when it has no excerpt); the bodies of posts are not needed.
const FIRST_PASS_BODY_CAP: usize = 4096;

/// Appends `s`, but stops a body at `cap` bytes (on a character boundary).
fn push_capped(text: &mut String, s: &str, cap: usize, tag: Option<&Tag>) {
    if tag != Some(&Tag::Content) || text.len() + s.len() <= cap {
        text.push_str(s);
        return;
    }
    let mut room = cap.saturating_sub(text.len());
    while room > 0 && !s.is_char_boundary(room) {
        room -= 1;
    }
    text.push_str(&s[..room]);
}

/// The item being read, when the parser is inside one.
fn item_of(stack: &[Tag], items: usize) -> Option<usize> {
    stack.contains(&Tag::Item).then_some(items)
}

fn utf8(bytes: &[u8], byte: u64, record: Option<usize>) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| ImportError::Malformed {
        at: Position { record, byte },
        reason: format!("not valid UTF-8 ({e}); WordPress exports are UTF-8"),
    })
}

/// `&amp;`, `&#8217;`: the five XML entities and character references become their
/// characters; anything else (an HTML entity WordPress let through) stays as written,
/// since the text is HTML for the sanitiser anyway.
fn push_reference(
    text: &mut String,
    r: &BytesRef<'_>,
    byte: u64,
    record: Option<usize>,
) -> Result<()> {
    let name = utf8(r, byte, record)?;
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => r.resolve_char_ref().ok().flatten(),
    };
    match c {
        Some(c) => text.push(c),
        None => {
            text.push('&');
            text.push_str(name);
            text.push(';');
        }
    }
    Ok(())
}
