//! Large exports made from the real fixtures by repeating their posts with new ids, for
//! the reader benchmark and the peak-memory example (issue 11: "make the large files by
//! repeating posts with new ids"). Shared by `benches/readers.rs` and
//! `examples/peak_memory.rs` through `#[path]`.

#![allow(dead_code)]

use std::io::{self, Write};

use serde_json::Value;

/// Ids of copy `k` are the original plus `k * ID_STRIDE`, so references between items
/// (feature images, galleries, parents) stay inside their copy.
const ID_STRIDE: u64 = 10_000_000;

/// Writes the WXR `src` with its items repeated `times` times.
pub fn scale_wxr(src: &str, times: usize, out: &mut dyn Write) -> io::Result<()> {
    let first = src.find("<item>").unwrap_or(src.len());
    let last = src.rfind("</item>").map_or(first, |i| i + "</item>".len());
    out.write_all(&src.as_bytes()[..first])?;
    let items = &src[first..last];
    for k in 0..times as u64 {
        if k == 0 {
            out.write_all(items.as_bytes())?;
            continue;
        }
        let mut s = offset_numbers(items, "<wp:post_id>", "</wp:post_id>", k * ID_STRIDE);
        s = offset_numbers(&s, "<wp:post_parent>", "</wp:post_parent>", k * ID_STRIDE);
        s = offset_numbers(
            &s,
            "<wp:meta_key>_thumbnail_id</wp:meta_key>",
            "</wp:meta_value>",
            k * ID_STRIDE,
        );
        s = offset_numbers(
            &s,
            "<wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>",
            "</wp:meta_value>",
            k * ID_STRIDE,
        );
        s = suffix_slugs(&s, k);
        out.write_all(s.as_bytes())?;
    }
    out.write_all(&src.as_bytes()[last..])
}

/// Adds `by` to the first number between each `open` and the next `close`.
fn offset_numbers(s: &str, open: &str, close: &str, by: u64) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 50);
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let start = i + open.len();
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(close).unwrap_or(tail.len());
        let segment = &tail[..end];
        match segment.find(|c: char| c.is_ascii_digit()) {
            Some(d) => {
                let len = segment[d..].bytes().take_while(u8::is_ascii_digit).count();
                let n: u64 = segment[d..d + len].parse().unwrap_or(0);
                out.push_str(&segment[..d]);
                if n == 0 {
                    out.push('0');
                } else {
                    out.push_str(&(n + by).to_string());
                }
                out.push_str(&segment[d + len..]);
            }
            None => out.push_str(segment),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn suffix_slugs(s: &str, k: u64) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 50);
    let mut rest = s;
    let open = "<wp:post_name>";
    while let Some(i) = rest.find(open) {
        let start = i + open.len();
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find("</wp:post_name>").unwrap_or(tail.len());
        let name = &tail[..end];
        match name.strip_suffix("]]>") {
            Some(inner) if !inner.ends_with("CDATA[") => {
                out.push_str(inner);
                out.push_str(&format!("-{k}]]>"));
            }
            _ if !name.is_empty() && !name.contains('[') => {
                out.push_str(name);
                out.push_str(&format!("-{k}"));
            }
            _ => out.push_str(name),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The Ghost export `src` with its posts (and their tag, author and meta rows) repeated
/// `times` times under new ids and slugs.
pub fn scale_ghost(src: &str, times: usize) -> String {
    let mut doc: Value = serde_json::from_str(src).expect("the fixture is JSON");
    let data = &mut doc["db"][0]["data"];
    for table in ["posts", "posts_tags", "posts_authors", "posts_meta"] {
        let rows = data[table].as_array().cloned().unwrap_or_default();
        let mut all = Vec::with_capacity(rows.len() * times);
        for k in 0..times {
            for row in &rows {
                let mut row = row.clone();
                if k > 0 {
                    for key in ["id", "post_id", "uuid", "slug"] {
                        if let Some(Value::String(s)) = row.get_mut(key) {
                            s.push_str(&format!("-{k}"));
                        }
                    }
                }
                all.push(row);
            }
        }
        data[table] = Value::Array(all);
    }
    serde_json::to_string(&doc).expect("a Value serialises")
}
