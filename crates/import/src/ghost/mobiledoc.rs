//! Ghost's Mobiledoc documents (Ghost before 5, and the default posts Ghost 5 still
//! seeds) to HTML: markup sections, lists, markers with their markups, atoms, and the
//! cards Ghost wrote most (image, markdown, html, embed, hr, bookmark, gallery).

use serde_json::Value;

use super::html::{escape_attr, escape_text};
use super::lexical::{figcaption, image, link, RenderNotes};

/// Renders a Mobiledoc JSON document (`posts.mobiledoc`).
pub(crate) fn render(doc: &str, notes: &mut RenderNotes) -> Result<String, String> {
    let value: Value =
        serde_json::from_str(doc).map_err(|e| format!("mobiledoc is not JSON: {e}"))?;
    let empty = Vec::new();
    let arr = |k: &str| value.get(k).and_then(Value::as_array).unwrap_or(&empty);
    let (markups, atoms, cards, sections) =
        (arr("markups"), arr("atoms"), arr("cards"), arr("sections"));
    let mut out = String::with_capacity(doc.len());
    for section in sections {
        let Some(s) = section.as_array() else {
            continue;
        };
        match s.first().and_then(Value::as_u64) {
            // [1, tagName, markers]
            Some(1) => {
                let tag =
                    match s
                        .get(1)
                        .and_then(Value::as_str)
                        .unwrap_or("p")
                        .to_ascii_lowercase()
                        .as_str()
                    {
                        t @ ("p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote"
                        | "aside") => t.to_owned(),
                        _ => "p".to_owned(),
                    };
                out.push('<');
                out.push_str(&tag);
                out.push('>');
                markers(s.get(2), markups, atoms, &mut out);
                out.push_str("</");
                out.push_str(&tag);
                out.push('>');
            }
            // [3, "ul"|"ol", [markers per item]]
            Some(3) => {
                let tag = if s.get(1).and_then(Value::as_str) == Some("ol") {
                    "ol"
                } else {
                    "ul"
                };
                out.push('<');
                out.push_str(tag);
                out.push('>');
                for item in s.get(2).and_then(Value::as_array).into_iter().flatten() {
                    out.push_str("<li>");
                    markers(Some(item), markups, atoms, &mut out);
                    out.push_str("</li>");
                }
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
            // [10, cardIndex]
            Some(10) => {
                let idx = s.get(1).and_then(Value::as_u64).unwrap_or(u64::MAX) as usize;
                match cards.get(idx).and_then(Value::as_array) {
                    Some(card) => self::card(card, &mut out, notes),
                    None => notes
                        .warnings
                        .push(format!("mobiledoc card {idx} is missing")),
                }
            }
            _ => notes
                .warnings
                .push("a mobiledoc section of an unknown type was left out".into()),
        }
    }
    Ok(out)
}

/// Markers: `[type, openMarkupIndexes, closedCount, value]`; type 0 is text, 1 an atom.
fn markers(list: Option<&Value>, markups: &[Value], atoms: &[Value], out: &mut String) {
    let mut open: Vec<String> = Vec::new();
    for m in list.and_then(Value::as_array).into_iter().flatten() {
        let Some(m) = m.as_array() else { continue };
        for idx in m.get(1).and_then(Value::as_array).into_iter().flatten() {
            let Some(markup) = idx
                .as_u64()
                .and_then(|i| markups.get(i as usize))
                .and_then(Value::as_array)
            else {
                continue;
            };
            let tag = match markup
                .first()
                .and_then(Value::as_str)
                .unwrap_or("span")
                .to_ascii_lowercase()
                .as_str()
            {
                t @ ("a" | "b" | "strong" | "i" | "em" | "u" | "s" | "code" | "sub" | "sup") => {
                    t.to_owned()
                }
                _ => "span".to_owned(),
            };
            out.push('<');
            out.push_str(&tag);
            // Attributes come as a flat [name, value, name, value…] list.
            let attrs = markup.get(1).and_then(Value::as_array);
            for pair in attrs.map(|a| a.chunks(2)).into_iter().flatten() {
                if let [Value::String(k), Value::String(v)] = pair {
                    if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.push(' ');
                        out.push_str(k);
                        out.push_str("=\"");
                        escape_attr(out, v);
                        out.push('"');
                    }
                }
            }
            out.push('>');
            open.push(tag);
        }
        match m.first().and_then(Value::as_u64) {
            Some(1) => {
                let atom = m
                    .get(3)
                    .and_then(Value::as_u64)
                    .and_then(|i| atoms.get(i as usize))
                    .and_then(Value::as_array);
                match atom {
                    Some(a) if a.first().and_then(Value::as_str) == Some("soft-return") => {
                        out.push_str("<br>")
                    }
                    Some(a) => escape_text(out, a.get(1).and_then(Value::as_str).unwrap_or("")),
                    None => {}
                }
            }
            _ => escape_text(out, m.get(3).and_then(Value::as_str).unwrap_or("")),
        }
        let closed = m.get(2).and_then(Value::as_u64).unwrap_or(0) as usize;
        for _ in 0..closed.min(open.len()) {
            if let Some(tag) = open.pop() {
                out.push_str("</");
                out.push_str(&tag);
                out.push('>');
            }
        }
    }
    while let Some(tag) = open.pop() {
        out.push_str("</");
        out.push_str(&tag);
        out.push('>');
    }
}

fn card(card: &[Value], out: &mut String, notes: &mut RenderNotes) {
    let name = card.first().and_then(Value::as_str).unwrap_or("");
    let payload = card.get(1).unwrap_or(&Value::Null);
    let s = |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or("");
    match name {
        "image" => image(out, s("src"), s("alt"), s("caption")),
        "html" => out.push_str(s("html")),
        "hr" => out.push_str("<hr>"),
        "embed" => {
            out.push_str("<figure class=\"embed\">");
            match s("html") {
                "" => link(out, s("url")),
                html => out.push_str(html),
            }
            figcaption(out, s("caption"));
            out.push_str("</figure>");
        }
        "bookmark" => {
            out.push_str("<figure class=\"bookmark\">");
            link(out, s("url"));
            figcaption(out, s("caption"));
            out.push_str("</figure>");
        }
        "markdown" | "card-markdown" => {
            notes
                .warnings
                .push("a Markdown card was kept as preformatted text".into());
            out.push_str("<pre>");
            escape_text(out, s("markdown"));
            out.push_str("</pre>");
        }
        "gallery" => {
            out.push_str("<figure class=\"gallery\"><ul>");
            for img in payload
                .get("images")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let g = |k: &str| img.get(k).and_then(Value::as_str).unwrap_or("");
                out.push_str("<li>");
                image(out, g("src"), g("alt"), g("caption"));
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            figcaption(out, s("caption"));
            out.push_str("</figure>");
        }
        other => notes
            .warnings
            .push(format!("mobiledoc card `{other}` is not known: left out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_markers_atoms_and_cards() {
        let doc = r##"{"version":"0.3.1","atoms":[["soft-return","",{}]],
            "cards":[["hr",{}],["image",{"src":"/i.jpg","alt":"I","caption":"cap"}]],
            "markups":[["a",["href","#/portal/"]],["strong"]],
            "sections":[[1,"p",[[0,[],0,"Hi "],[0,[0,1],2,"there"],[1,[],0,0],[0,[],0,"<x>"]]],
                        [10,0],[3,"ul",[[[0,[],0,"one"]],[[0,[],0,"two"]]]],[10,1],[1,"h2",[[0,[],0,"End"]]]]}"##;
        let mut notes = RenderNotes::default();
        let html = render(doc, &mut notes).expect("renders");
        assert_eq!(
            html,
            "<p>Hi <a href=\"#/portal/\"><strong>there</strong></a><br>&lt;x&gt;</p><hr><ul><li>one</li><li>two</li></ul><figure><img src=\"/i.jpg\" alt=\"I\"><figcaption>cap</figcaption></figure><h2>End</h2>"
        );
    }
}
