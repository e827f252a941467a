//! The words of raw HTML, for plain text (teasers, word counts, search): tags dropped,
//! block elements as paragraph breaks, script and style contents skipped, common entities
//! decoded. One pass over the input, so linear like the rest of the renderer.

/// Elements that end a paragraph of plain text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "tr",
    "table",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "aside",
];

/// Elements whose content is not text a reader sees.
const HIDDEN: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "object",
];

/// Appends the text of `html` to `out`.
pub(crate) fn push_text(html: &str, out: &mut String) {
    let mut rest = html;
    let mut hidden: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        if hidden.is_none() {
            push_decoded(&rest[..lt], out);
        }
        let after = &rest[lt + 1..];
        let Some(end) = tag_end(after) else {
            // A `<` that opens no tag is text.
            if hidden.is_none() {
                out.push('<');
            }
            rest = after;
            continue;
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(h) = &hidden {
            if closing && *h == name {
                hidden = None;
            }
            continue;
        }
        if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            hidden = Some(name);
        } else if BLOCKS.contains(&name.as_str()) {
            paragraph_break(out);
        } else if name == "br" {
            out.push(' ');
        }
    }
    if hidden.is_none() {
        push_decoded(rest, out);
    }
}

/// Where a tag that starts right after `<` ends (its `>`), quotes respected; `None` when
/// this `<` opens no tag (`a < b`, or a tag never closed).
fn tag_end(s: &str) -> Option<usize> {
    let first = s.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!' || first == '?') {
        return None;
    }
    if let Some(comment) = s.strip_prefix("!--") {
        return comment.find("-->").map(|i| i + 3 + 2);
    }
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn paragraph_break(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\t', '\n']).len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

/// Appends `text` with whitespace runs (HTML source layout) as one space and entities
/// decoded.
fn push_decoded(text: &str, out: &mut String) {
    let mut rest = text;
    loop {
        let Some(amp) = rest.find('&') else {
            push_spaced(rest, out);
            return;
        };
        push_spaced(&rest[..amp], out);
        let after = &rest[amp + 1..];
        let entity_end = after
            .char_indices()
            .take(32)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        match entity_end.and_then(|end| decode(&after[..end]).map(|c| (end, c))) {
            Some((end, c)) => {
                if c.is_whitespace() {
                    push_spaced(" ", out);
                } else {
                    out.push(c);
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
}

fn push_spaced(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn decode(entity: &str) -> Option<char> {
    if let Some(num) = entity.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match entity {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "copy" => '©',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        let mut out = String::new();
        push_text(html, &mut out);
        out
    }

    #[test]
    fn tags_go_blocks_break_entities_decode() {
        assert_eq!(
            text("<h2>Title</h2><p>A &lt;b&gt; &#8217;s  \n x</p><style>p{}</style>"),
            "Title\n\nA <b> ’s x\n\n"
        );
        assert_eq!(text("1 < 2 && <!-- a > b --> ok"), "1 < 2 && ok");
        assert_eq!(text("<p title=\"a>b\">q</p>"), "q\n\n");
    }
}
