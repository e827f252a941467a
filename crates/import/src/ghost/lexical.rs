//! Ghost's Lexical documents to HTML, for posts whose export has no `html` (drafts never
//! rendered). Covers the nodes Ghost 5 writes for text (paragraph, heading, quote, list,
//! link, formatted text, line break) and the cards met in real exports (image, gallery,
//! bookmark, callout, embed, html, markdown, button, toggle, divider, code block).

use serde_json::Value;

use super::html::{escape_attr, escape_text};

/// What a render met that it could not show as the author saw it.
#[derive(Debug, Default)]
pub(crate) struct RenderNotes {
    pub warnings: Vec<String>,
}

/// Lexical text format bits, in the order the tags nest.
const FORMATS: &[(u64, &str)] = &[
    (1, "strong"),
    (2, "em"),
    (4, "s"),
    (8, "u"),
    (16, "code"),
    (32, "sub"),
    (64, "sup"),
];

/// Deeper documents than this are not real posts (Ghost's editor nests a handful of
/// levels); the cap keeps recursion bounded on hostile input. serde_json's own limit (128)
/// stops deeper JSON before it gets here.
const MAX_DEPTH: usize = 32;

/// Renders a Lexical JSON document (`posts.lexical`).
pub(crate) fn render(doc: &str, notes: &mut RenderNotes) -> Result<String, String> {
    let value: Value =
        serde_json::from_str(doc).map_err(|e| format!("lexical is not JSON: {e}"))?;
    let root = value.get("root").ok_or("lexical has no root")?;
    let mut out = String::with_capacity(doc.len() / 2);
    children(root, &mut out, notes, 0);
    Ok(out)
}

fn str_of<'a>(node: &'a Value, key: &str) -> &'a str {
    node.get(key).and_then(Value::as_str).unwrap_or("")
}

fn children(node: &Value, out: &mut String, notes: &mut RenderNotes, depth: usize) {
    if let Some(list) = node.get("children").and_then(Value::as_array) {
        for child in list {
            self::node(child, out, notes, depth + 1);
        }
    }
}

fn wrap(tag: &str, node: &Value, out: &mut String, notes: &mut RenderNotes, depth: usize) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    children(node, out, notes, depth);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn node(node: &Value, out: &mut String, notes: &mut RenderNotes, depth: usize) {
    if depth > MAX_DEPTH {
        notes
            .warnings
            .push("lexical document nested too deeply: the rest is cut".into());
        return;
    }
    let kind = str_of(node, "type");
    match kind {
        "paragraph" => wrap("p", node, out, notes, depth),
        "heading" | "extended-heading" => {
            let tag = match str_of(node, "tag") {
                t @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6") => t,
                _ => "h2",
            };
            wrap(tag, node, out, notes, depth);
        }
        "quote" | "extended-quote" => wrap("blockquote", node, out, notes, depth),
        "aside" => wrap("aside", node, out, notes, depth),
        "list" => {
            let tag = if str_of(node, "listType") == "number" || str_of(node, "tag") == "ol" {
                "ol"
            } else {
                "ul"
            };
            wrap(tag, node, out, notes, depth);
        }
        "listitem" => wrap("li", node, out, notes, depth),
        "link" | "autolink" => {
            out.push_str("<a href=\"");
            escape_attr(out, str_of(node, "url"));
            out.push_str("\">");
            children(node, out, notes, depth);
            out.push_str("</a>");
        }
        "text" | "extended-text" => {
            let format = node.get("format").and_then(Value::as_u64).unwrap_or(0);
            for (bit, tag) in FORMATS {
                if format & bit != 0 {
                    out.push('<');
                    out.push_str(tag);
                    out.push('>');
                }
            }
            escape_text(out, str_of(node, "text"));
            for (bit, tag) in FORMATS.iter().rev() {
                if format & bit != 0 {
                    out.push_str("</");
                    out.push_str(tag);
                    out.push('>');
                }
            }
        }
        "linebreak" => out.push_str("<br>"),
        "horizontalrule" | "divider" => out.push_str("<hr>"),
        "codeblock" => {
            out.push_str("<pre><code");
            let lang = str_of(node, "language");
            if !lang.is_empty() {
                out.push_str(" class=\"language-");
                escape_attr(out, lang);
                out.push('"');
            }
            out.push('>');
            escape_text(out, str_of(node, "code"));
            out.push_str("</code></pre>");
        }
        "image" => image(
            out,
            str_of(node, "src"),
            str_of(node, "alt"),
            str_of(node, "caption"),
        ),
        "gallery" => {
            out.push_str("<figure class=\"gallery\"><ul>");
            for img in node
                .get("images")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str("<li>");
                image(
                    out,
                    str_of(img, "src"),
                    str_of(img, "alt"),
                    str_of(img, "caption"),
                );
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            figcaption(out, str_of(node, "caption"));
            out.push_str("</figure>");
        }
        "bookmark" => {
            let meta = node.get("metadata").unwrap_or(&Value::Null);
            let url = str_of(node, "url");
            let title = match str_of(meta, "title") {
                "" => url,
                t => t,
            };
            out.push_str("<figure class=\"bookmark\"><a href=\"");
            escape_attr(out, url);
            out.push_str("\">");
            escape_text(out, title);
            out.push_str("</a>");
            let description = str_of(meta, "description");
            if !description.is_empty() {
                out.push_str("<p>");
                escape_text(out, description);
                out.push_str("</p>");
            }
            figcaption(out, str_of(node, "caption"));
            out.push_str("</figure>");
        }
        "callout" => {
            out.push_str("<aside class=\"callout\">");
            let emoji = str_of(node, "calloutEmoji");
            if !emoji.is_empty() {
                escape_text(out, emoji);
                out.push(' ');
            }
            // calloutText is HTML written by Ghost's editor.
            out.push_str(str_of(node, "calloutText"));
            out.push_str("</aside>");
        }
        "embed" => {
            out.push_str("<figure class=\"embed\">");
            match str_of(node, "html") {
                "" => link(out, str_of(node, "url")),
                html => out.push_str(html),
            }
            figcaption(out, str_of(node, "caption"));
            out.push_str("</figure>");
        }
        "html" => out.push_str(str_of(node, "html")),
        "markdown" => {
            // No Markdown renderer in this crate (import depends on core only); the app's
            // renderer is Markdown-first, but a body is HTML: keep the text readable.
            notes
                .warnings
                .push("a Markdown card was kept as preformatted text".into());
            out.push_str("<pre>");
            escape_text(out, str_of(node, "markdown"));
            out.push_str("</pre>");
        }
        "button" => {
            out.push_str("<p class=\"button\"><a href=\"");
            escape_attr(out, str_of(node, "buttonUrl"));
            out.push_str("\">");
            escape_text(out, str_of(node, "buttonText"));
            out.push_str("</a></p>");
        }
        "toggle" => {
            out.push_str("<details><summary>");
            out.push_str(str_of(node, "heading"));
            out.push_str("</summary>");
            out.push_str(str_of(node, "content"));
            out.push_str("</details>");
        }
        "" => children(node, out, notes, depth),
        other => {
            notes.warnings.push(format!(
                "lexical node `{other}` is not known: its text is kept"
            ));
            children(node, out, notes, depth);
        }
    }
}

/// `<figure><img></figure>` with the caption (HTML) when there is one.
pub(crate) fn image(out: &mut String, src: &str, alt: &str, caption: &str) {
    out.push_str("<figure><img src=\"");
    escape_attr(out, src);
    out.push_str("\" alt=\"");
    escape_attr(out, alt);
    out.push_str("\">");
    figcaption(out, caption);
    out.push_str("</figure>");
}

pub(crate) fn figcaption(out: &mut String, caption: &str) {
    if !caption.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(caption);
        out.push_str("</figcaption>");
    }
}

pub(crate) fn link(out: &mut String, url: &str) {
    out.push_str("<a href=\"");
    escape_attr(out, url);
    out.push_str("\">");
    escape_text(out, url);
    out.push_str("</a>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_nodes_headings_lists_links_and_formats() {
        let doc = r#"{"root":{"type":"root","children":[
            {"type":"extended-heading","tag":"h2","children":[{"type":"extended-text","text":"A & B","format":0}]},
            {"type":"paragraph","children":[{"type":"text","text":"bold","format":1},{"type":"text","text":" and "},
              {"type":"link","url":"https://e.com/?a=1&b=2","children":[{"type":"text","text":"both","format":3}]}]},
            {"type":"list","listType":"number","children":[{"type":"listitem","children":[{"type":"text","text":"one"}]}]},
            {"type":"extended-quote","children":[{"type":"text","text":"q"}]},
            {"type":"horizontalrule"}
        ]}}"#;
        let mut notes = RenderNotes::default();
        let html = render(doc, &mut notes).expect("renders");
        assert_eq!(
            html,
            "<h2>A &amp; B</h2><p><strong>bold</strong> and <a href=\"https://e.com/?a=1&amp;b=2\"><strong><em>both</em></strong></a></p><ol><li>one</li></ol><blockquote>q</blockquote><hr>"
        );
        assert!(notes.warnings.is_empty());
    }

    #[test]
    fn cards_become_figures() {
        let doc = r#"{"root":{"children":[
            {"type":"image","src":"__GHOST_URL__/a.jpg","alt":"A","caption":"<b>c</b>"},
            {"type":"bookmark","url":"https://e.com","metadata":{"title":"E","description":"d"}},
            {"type":"callout","calloutEmoji":"💡","calloutText":"<b>Note</b>"},
            {"type":"button","buttonText":"Go","buttonUrl":"https://e.com/go"},
            {"type":"toggle","heading":"Q?","content":"<p>A.</p>"},
            {"type":"mystery","children":[{"type":"text","text":"kept"}]}
        ]}}"#;
        let mut notes = RenderNotes::default();
        let html = render(doc, &mut notes).expect("renders");
        assert!(html.starts_with("<figure><img src=\"__GHOST_URL__/a.jpg\" alt=\"A\"><figcaption><b>c</b></figcaption></figure>"), "{html}");
        assert!(
            html.contains(
                "<figure class=\"bookmark\"><a href=\"https://e.com\">E</a><p>d</p></figure>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<aside class=\"callout\">💡 <b>Note</b></aside>"),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"button\"><a href=\"https://e.com/go\">Go</a></p>"),
            "{html}"
        );
        assert!(
            html.contains("<details><summary>Q?</summary><p>A.</p></details>"),
            "{html}"
        );
        assert!(html.ends_with("kept"), "{html}");
        assert_eq!(notes.warnings.len(), 1);
    }

    #[test]
    fn hostile_nesting_is_cut_not_overflowed() {
        let nested = |levels: usize| {
            let mut doc = String::from(r#"{"root":"#);
            for _ in 0..levels {
                doc.push_str(r#"{"type":"paragraph","children":["#);
            }
            doc.push_str("{}");
            for _ in 0..levels {
                doc.push_str("]}");
            }
            doc.push('}');
            doc
        };
        let mut notes = RenderNotes::default();
        let html = render(&nested(50), &mut notes).expect("renders");
        assert!(html.len() < 1000);
        assert!(!notes.warnings.is_empty());
        assert!(render(&nested(10_000), &mut notes).is_err());
    }
}
