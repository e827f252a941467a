//! WordPress shortcodes in bodies: the five that carry content (`[caption]`, `[gallery]`,
//! `[embed]`, `[video]`, `[audio]`) become HTML; every other `[name …]` stays as text and is
//! counted, so the report says what the old site's plugins rendered that we do not.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::index::Index;
use crate::report::bump;

/// What converting one body did.
#[derive(Debug, Default)]
pub(crate) struct ShortcodeStats {
    pub converted: BTreeMap<String, usize>,
    pub unknown: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
}

/// A parsed opening tag: `[name attrs]`, the byte range it covers, and whether it closed
/// itself (`[name /]`).
struct Open<'a> {
    name: &'a str,
    attrs: &'a str,
    end: usize,
}

const KNOWN: &[&str] = &[
    "audio",
    "caption",
    "embed",
    "gallery",
    "video",
    "wp_caption",
];

/// Converts the known shortcodes of `body` to HTML and counts the others. `post_id` is
/// the post's own id, for `[gallery]` without `ids` (the post's attached images).
pub(crate) fn convert<'a>(
    body: &'a str,
    post_id: &str,
    index: &Index,
    stats: &mut ShortcodeStats,
) -> Cow<'a, str> {
    // Most bodies have no shortcode at all: hand them back without a copy.
    if memchr::memchr(b'[', body.as_bytes()).is_none() {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(i) = memchr::memchr(b'[', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let at = &rest[i..];
        // `[[name]]` is WordPress's escape for a literal `[name]`.
        if at.starts_with("[[") {
            if let Some(close) = at.find("]]") {
                out.push_str(&at[1..close + 1]);
                rest = &at[close + 2..];
                continue;
            }
        }
        let Some(open) = parse_open(at) else {
            out.push('[');
            rest = &at[1..];
            continue;
        };
        let after = &at[open.end..];
        if !KNOWN.contains(&open.name) {
            bump(&mut stats.unknown, open.name);
            out.push_str(&at[..open.end]);
            rest = after;
            continue;
        }
        // Enclosing form: content up to `[/name]`.
        let closing = format!("[/{}]", open.name);
        let (content, next) = match after.find(&closing) {
            Some(c) => (&after[..c], &after[c + closing.len()..]),
            None => ("", after),
        };
        let name = if open.name == "wp_caption" {
            "caption"
        } else {
            open.name
        };
        let attrs = parse_attrs(open.attrs);
        match name {
            "caption" => caption(&mut out, &attrs, content),
            "gallery" => gallery(&mut out, &attrs, post_id, index, stats),
            "embed" => embed(&mut out, content),
            "video" | "audio" => media(&mut out, name, &attrs, content),
            _ => {}
        }
        bump(&mut stats.converted, name);
        rest = next;
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `[name attrs]` at the start of `s`; `None` when it is not a shortcode (a footnote
/// `[1]`, a link text in brackets, an unclosed bracket).
fn parse_open(s: &str) -> Option<Open<'_>> {
    let body = s.strip_prefix('[')?;
    let name_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    if name_len == 0 || !body.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let name = &body[..name_len];
    let after = &body[name_len..];
    if !(after.starts_with(']') || after.starts_with(' ') || after.starts_with('/')) {
        return None;
    }
    // The tag ends at the first `]` outside quotes; a newline or a `[` first means it was
    // just text.
    let mut quote = None;
    for (j, c) in after.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '[' | '\n') => return None,
            (None, ']') => {
                let attrs = after[..j].trim().trim_end_matches('/').trim();
                return Some(Open {
                    name,
                    attrs,
                    end: 1 + name_len + j + 1,
                });
            }
            _ => {}
        }
        if j > 4096 {
            return None;
        }
    }
    None
}

/// `key="value" key='value' key=value bare`, in order; bare values get the key "".
fn parse_attrs(s: &str) -> Vec<(&str, &str)> {
    let mut attrs = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        let after = &rest[key_len..];
        if let Some(v) = after.strip_prefix('=') {
            let (value, next) = match v.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &v[1..];
                    match inner.find(q) {
                        Some(e) => (&inner[..e], &inner[e + 1..]),
                        None => (inner, ""),
                    }
                }
                _ => {
                    let e = v.find(char::is_whitespace).unwrap_or(v.len());
                    (&v[..e], &v[e..])
                }
            };
            attrs.push((key, value));
            rest = next.trim_start();
        } else {
            let bare = key.trim_matches(|c| c == '"' || c == '\'');
            if !bare.is_empty() {
                attrs.push(("", bare));
            }
            rest = after.trim_start();
        }
    }
    attrs
}

fn attr<'a>(attrs: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| *v)
        .filter(|v| !v.is_empty())
}

/// Escapes a value for a double-quoted HTML attribute.
pub(crate) fn push_attr_escaped(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `[caption id="…" align="…" width="…"]<a><img …></a> The caption[/caption]` →
/// `<figure><a><img …></a><figcaption>The caption</figcaption></figure>`. Old posts put
/// the caption in a `caption="…"` attribute instead.
fn caption(out: &mut String, attrs: &[(&str, &str)], content: &str) {
    let content = content.trim();
    // The image is the first `<img …>`, with the `<a>` around it when there is one.
    let (media, text) = match content.find("<img") {
        Some(start) => {
            let img_end = content[start..]
                .find('>')
                .map_or(content.len(), |e| start + e + 1);
            let end = if content[..start].trim_start().starts_with("<a") {
                content[img_end..]
                    .find("</a>")
                    .map_or(img_end, |e| img_end + e + 4)
            } else {
                img_end
            };
            let lead = content[..start].trim();
            let lead_is_link = lead.starts_with("<a");
            let media_start = if lead_is_link {
                content.find("<a").unwrap_or(start)
            } else {
                start
            };
            (&content[media_start..end], content[end..].trim())
        }
        None => ("", content),
    };
    out.push_str("<figure class=\"wp-caption\">");
    out.push_str(media);
    let text = attr(attrs, "caption").unwrap_or(text);
    if !text.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(text);
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>");
}

/// `[gallery ids="1,2,3"]` → a list of the attachments' images; without `ids`, the
/// images attached to the post, as WordPress shows them.
fn gallery(
    out: &mut String,
    attrs: &[(&str, &str)],
    post_id: &str,
    index: &Index,
    stats: &mut ShortcodeStats,
) {
    let ids: Vec<&str> = match attr(attrs, "ids").or_else(|| attr(attrs, "include")) {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        None => index.children(post_id).iter().map(String::as_str).collect(),
    };
    out.push_str("<ul class=\"gallery\">");
    for id in ids {
        let Some(a) = index.attachment(id) else {
            stats.warnings.push(format!(
                "[gallery] names attachment {id}, which is not in the file"
            ));
            continue;
        };
        out.push_str("<li><figure><img src=\"");
        push_attr_escaped(out, &a.url);
        out.push_str("\" alt=\"");
        push_attr_escaped(out, a.alt.as_deref().unwrap_or(""));
        out.push_str("\">");
        if let Some(c) = &a.caption {
            out.push_str("<figcaption>");
            out.push_str(c);
            out.push_str("</figcaption>");
        }
        out.push_str("</figure></li>");
    }
    out.push_str("</ul>");
}

/// `[embed]https://…[/embed]` → a link to what was embedded; oEmbed would need the
/// network, which an importer must not depend on.
fn embed(out: &mut String, content: &str) {
    let url = content.trim();
    out.push_str("<p><a href=\"");
    push_attr_escaped(out, url);
    out.push_str("\">");
    push_attr_escaped(out, url);
    out.push_str("</a></p>");
}

/// `[video src="…"]`, `[video mp4="…"]`, `[audio mp3="…"]` → `<video controls src>` /
/// `<audio controls src>`.
fn media(out: &mut String, name: &str, attrs: &[(&str, &str)], content: &str) {
    let keys: &[&str] = if name == "video" {
        &["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"]
    } else {
        &["src", "mp3", "ogg", "oga", "wav", "m4a", "wma"]
    };
    let src = keys
        .iter()
        .find_map(|k| attr(attrs, k))
        // `[audio https://…/a.mp3]`: the URL as a bare value.
        .or_else(|| attr(attrs, "").filter(|v| v.contains("://")))
        .or_else(|| Some(content.trim()).filter(|c| c.starts_with("http") || c.starts_with('/')))
        .unwrap_or("");
    out.push('<');
    out.push_str(name);
    out.push_str(" controls src=\"");
    push_attr_escaped(out, src);
    out.push_str("\"></");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::super::index::Attachment;
    use super::*;

    fn run(body: &str) -> (String, ShortcodeStats) {
        let mut index = Index::default();
        index.add_attachment(
            "7",
            Attachment {
                url: "https://example.com/a.jpg".into(),
                alt: Some("An \"A\"".into()),
                caption: None,
                parent: "1".into(),
            },
        );
        let mut stats = ShortcodeStats::default();
        let html = convert(body, "1", &index, &mut stats);
        (html.into_owned(), stats)
    }

    #[test]
    fn caption_becomes_a_figure_with_its_caption() {
        let (html, stats) = run(
            r#"[caption id="attachment_7" align="alignright" width="300"]<a href="/x"><img src="/a.jpg" alt="" /></a> A harbour[/caption] after"#,
        );
        assert_eq!(
            html,
            r#"<figure class="wp-caption"><a href="/x"><img src="/a.jpg" alt="" /></a><figcaption>A harbour</figcaption></figure> after"#
        );
        assert_eq!(stats.converted.get("caption"), Some(&1));
    }

    #[test]
    fn old_captions_take_their_text_from_the_attribute() {
        let (html, _) =
            run(r#"[caption id="a" caption="Old &amp; new"]<img src="/b.jpg" />[/caption]"#);
        assert_eq!(
            html,
            r#"<figure class="wp-caption"><img src="/b.jpg" /><figcaption>Old &amp; new</figcaption></figure>"#
        );
    }

    #[test]
    fn gallery_lists_the_attachments_and_warns_about_missing_ones() {
        let (html, stats) = run(r#"[gallery ids="7,8"]"#);
        assert_eq!(
            html,
            r#"<ul class="gallery"><li><figure><img src="https://example.com/a.jpg" alt="An &quot;A&quot;"></figure></li></ul>"#
        );
        assert_eq!(stats.warnings.len(), 1);
        // Without ids: the post's own attachments.
        let (html, _) = run("[gallery columns=2]");
        assert!(html.contains("a.jpg"), "{html}");
    }

    #[test]
    fn video_audio_and_embed_become_elements() {
        let (html, _) = run(
            r#"[video mp4="https://e.com/v.mp4" width="640"][/video] [audio src="https://e.com/a.mp3"] [embed]https://youtu.be/x[/embed]"#,
        );
        assert_eq!(
            html,
            r#"<video controls src="https://e.com/v.mp4"></video> <audio controls src="https://e.com/a.mp3"></audio> <p><a href="https://youtu.be/x">https://youtu.be/x</a></p>"#
        );
    }

    #[test]
    fn unknown_shortcodes_stay_and_are_counted_and_brackets_are_not_shortcodes() {
        let (html, stats) = run("[contact-form id=3] see [1] and [[gallery]] [ x ]");
        assert_eq!(html, "[contact-form id=3] see [1] and [gallery] [ x ]");
        assert_eq!(stats.unknown.get("contact-form"), Some(&1));
        assert_eq!(stats.unknown.len(), 1);
        assert!(stats.converted.is_empty());
    }
}
