//! WordPress's `wpautop`, the part that matters for imported bodies: classic-editor posts
//! are stored without `<p>` (WordPress adds them when it displays the post), so a blank line
//! is a paragraph break and a single newline a `<br>`. Block-editor posts already carry
//! their `<p>` and are not passed through here (as WordPress skips `wpautop` for them).

/// Elements that start or end a block of their own: text next to them is not wrapped in
/// `<p>` (WordPress's `$allblocks`, plus the media elements our shortcodes produce).
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "iframe",
    "legend",
    "li",
    "map",
    "math",
    "menu",
    "nav",
    "object",
    "ol",
    "p",
    "pre",
    "script",
    "section",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "video",
];

/// The name of the tag starting at `s` (which begins with `<`), lower-cased into `buf`,
/// and whether it is a closing tag.
fn tag_name<'b>(s: &str, buf: &'b mut String) -> Option<(&'b str, bool)> {
    let rest = s.strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    buf.clear();
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() {
            buf.push(c.to_ascii_lowercase());
        } else {
            break;
        }
    }
    if buf.is_empty() {
        None
    } else {
        Some((buf.as_str(), closing))
    }
}

fn is_block(name: &str) -> bool {
    BLOCK_TAGS.binary_search(&name).is_ok()
}

/// Paragraphs for a classic body: blank lines split paragraphs, single newlines become
/// `<br />`, block elements are left unwrapped, `<pre>` keeps its newlines.
pub(crate) fn autop(text: &str) -> String {
    // Bodies are copied several times on their way; skip this copy when there is no CR.
    let text: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    if text.trim().is_empty() {
        return String::new();
    }
    // Put block tags on their own "paragraph" so they are never wrapped, as wpautop does
    // by surrounding them with blank lines.
    let mut spaced = String::with_capacity(text.len() + text.len() / 8);
    let mut name = String::new();
    let mut in_pre = 0usize;
    let mut rest: &str = &text;
    while let Some(i) = rest.find('<') {
        let (before, at) = rest.split_at(i);
        spaced.push_str(before);
        let end = at.find('>').map_or(at.len(), |e| e + 1);
        let tag = &at[..end];
        match tag_name(tag, &mut name) {
            Some((n, closing)) if is_block(n) => {
                if n == "pre" {
                    if closing {
                        in_pre = in_pre.saturating_sub(1);
                    } else {
                        in_pre += 1;
                    }
                }
                // Block tags inside a `<pre>` keep their place; the `<pre>` itself moves.
                let inside_pre = in_pre > 0 && (closing || n != "pre");
                if closing {
                    spaced.push_str(tag);
                    if !inside_pre {
                        spaced.push_str("\n\n");
                    }
                } else {
                    if !inside_pre || n == "pre" {
                        spaced.push_str("\n\n");
                    }
                    spaced.push_str(tag);
                }
            }
            _ => spaced.push_str(tag),
        }
        rest = &at[end..];
    }
    spaced.push_str(rest);

    let mut out = String::with_capacity(spaced.len() + spaced.len() / 4);
    let mut pre_depth = 0usize;
    for chunk in split_paragraphs(&spaced) {
        let chunk = chunk.trim_matches('\n');
        if chunk.trim().is_empty() {
            continue;
        }
        let opens = count_tag(chunk, "<pre");
        let closes = count_tag(chunk, "</pre");
        let in_pre = pre_depth > 0;
        pre_depth = (pre_depth + opens).saturating_sub(closes);
        let starts_block = chunk.trim_start().starts_with('<')
            && tag_name(chunk.trim_start(), &mut name).is_some_and(|(n, _)| is_block(n));
        let trimmed = chunk.trim();
        if !in_pre && is_bare_url(trimmed) {
            // WordPress turns a URL alone in its paragraph into an embed (oEmbed); without
            // the network, a link to it keeps the content reachable.
            out.push_str("<p><a href=\"");
            super::shortcodes::push_attr_escaped(&mut out, trimmed);
            out.push_str("\">");
            super::shortcodes::push_attr_escaped(&mut out, trimmed);
            out.push_str("</a></p>\n");
        } else if in_pre || starts_block || trimmed.starts_with("<!--") {
            out.push_str(chunk);
            out.push('\n');
        } else {
            out.push_str("<p>");
            push_with_breaks(&mut out, chunk.trim());
            out.push_str("</p>\n");
        }
    }
    out
}

fn is_bare_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && !s.contains(|c: char| c.is_whitespace() || c == '<' || c == '"')
}

fn count_tag(s: &str, open: &str) -> usize {
    s.match_indices(open).count()
}

/// Splits on blank lines (two or more newlines, maybe with spaces between), except inside
/// `<pre>`, whose blank lines are content.
fn split_paragraphs(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut pre = 0usize;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if s[i..].starts_with("<pre") {
                pre += 1;
            } else if s[i..].starts_with("</pre") {
                pre = pre.saturating_sub(1);
            }
        }
        if bytes[i] == b'\n' && pre == 0 {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                parts.push(&s[start..i]);
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

/// A single newline inside a paragraph is a line break in WordPress.
fn push_with_breaks(out: &mut String, chunk: &str) {
    let mut first = true;
    for line in chunk.split('\n') {
        if !first {
            out.push_str("<br />\n");
        }
        first = false;
        out.push_str(line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_make_paragraphs_and_single_newlines_breaks() {
        let html = autop("First line\nsecond line\n\nNext paragraph");
        assert_eq!(
            html,
            "<p>First line<br />\nsecond line</p>\n<p>Next paragraph</p>\n"
        );
    }

    #[test]
    fn block_elements_are_not_wrapped() {
        let html = autop("Intro\n<ul>\n<li>one</li>\n</ul>\nOutro");
        assert!(html.starts_with("<p>Intro</p>\n"), "{html}");
        assert!(!html.contains("<p><ul>"), "{html}");
        assert!(html.contains("<p>Outro</p>"), "{html}");
    }

    #[test]
    fn pre_keeps_its_blank_lines() {
        let html = autop("<pre>a\n\nb</pre>\n\nafter");
        assert!(html.contains("<pre>a\n\nb</pre>"), "{html}");
        assert!(html.contains("<p>after</p>"), "{html}");
    }

    #[test]
    fn block_tags_are_sorted_for_binary_search() {
        assert!(BLOCK_TAGS.windows(2).all(|w| w[0] < w[1]));
    }
}
