//! A pre-scan of the Markdown source that caps how deeply block quotes and list items nest.
//!
//! Why: pulldown-cmark spends time proportional to the number of open containers on every
//! line that continues a paragraph lazily (a line without the `>` or indentation of the
//! containers it sits in), so `>>>>…>a` followed by many short lines is quadratic; and every
//! open container is an element that the HTML parser behind the sanitiser walks past on
//! each block tag. Capping the depth makes both linear.
//!
//! How: the scan is per line and keeps no state. A line can only keep open or open
//! containers through its own prefix of whitespace, `>` and list markers: a quote is
//! continued by a `>` (which takes one following space with it), a list item by at least
//! two columns of indentation before any new marker, and a new container needs its own
//! marker. A line without such a prefix (a lazy continuation)
//! opens nothing, so it cannot be deeper than the line before it. Hence `markers +
//! (indentation columns before the first list marker) / 2` on a line bounds the containers
//! open after it, and
//! escaping (`\>`, `\-`, `1\.`) the marker that would take that count past
//! [`MAX_CONTAINER_DEPTH`] turns the rest of the line into plain text. Normal articles never
//! come near the cap, so their source is returned untouched (borrowed).

use std::borrow::Cow;

/// Deepest nesting of block quotes and list items the renderer keeps; markers past it are
/// shown as literal text.
pub const MAX_CONTAINER_DEPTH: usize = 32;

/// `markdown` with every container marker that would nest past [`MAX_CONTAINER_DEPTH`]
/// escaped with a backslash. Borrowed when nothing needed escaping. Linear time.
pub(crate) fn cap_container_nesting(markdown: &str) -> Cow<'_, str> {
    let bytes = markdown.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |p| start + p);
        if let Some(at) = escape_position(&bytes[start..end]) {
            let at = start + at;
            let out = out.get_or_insert_with(|| String::with_capacity(markdown.len() + 64));
            // `at` is the index of an ASCII marker character, so a char boundary.
            out.push_str(&markdown[copied..at]);
            out.push('\\');
            copied = at;
        }
        start = end + 1;
    }
    match out {
        Some(mut out) => {
            out.push_str(&markdown[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(markdown),
    }
}

/// Where in `line` (no line terminator) a backslash must go so that the line's container
/// prefix stays within the cap, if anywhere.
fn escape_position(line: &[u8]) -> Option<usize> {
    let mut markers = 0usize;
    // Whitespace that may continue list items: before the first list marker (continuing
    // containers happens before any new one opens), less the one space each `>` takes.
    let mut columns = 0usize;
    let mut list_seen = false;
    let mut i = 0;
    loop {
        while let Some(&b) = line.get(i) {
            let width = match b {
                b' ' => 1,
                // The widest a tab can be; over-counting only makes the bound safer.
                b'\t' => 4,
                _ => break,
            };
            if !list_seen {
                columns += width;
            }
            i += 1;
        }
        let (len, escape_at) = marker_at(line, i)?;
        markers += 1;
        if markers + columns / 2 > MAX_CONTAINER_DEPTH {
            return Some(escape_at);
        }
        i += len;
        if line[escape_at] == b'>' {
            if line.get(i) == Some(&b' ') {
                i += 1;
            }
        } else {
            list_seen = true;
        }
    }
}

/// The container marker starting at `i`, if any: its length and the index of the character
/// a backslash must precede to make it literal text.
fn marker_at(line: &[u8], i: usize) -> Option<(usize, usize)> {
    let spaced = |j: usize| matches!(line.get(j), None | Some(b' ' | b'\t'));
    match *line.get(i)? {
        b'>' => Some((1, i)),
        b'-' | b'+' | b'*' if spaced(i + 1) && !is_thematic_break(&line[i..]) => Some((1, i)),
        b'0'..=b'9' => {
            let digits = line[i..]
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            let delimiter = i + digits;
            (digits <= 9
                && matches!(line.get(delimiter), Some(b'.' | b')'))
                && spaced(delimiter + 1))
            .then_some((digits + 1, delimiter))
        }
        _ => None,
    }
}

/// `* * *`, `---`, `_ _ _`: three or more of one of `-*_` and nothing else but spaces/tabs.
fn is_thematic_break(rest: &[u8]) -> bool {
    let Some(&c) = rest.first() else {
        return false;
    };
    let mut count = 0;
    for &b in rest {
        if b == c {
            count += 1;
        } else if b != b' ' && b != b'\t' {
            return false;
        }
    }
    count >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for md in [
            "",
            "Plain text.\n\n> A quote\n> > nested\n\n- a\n  - b\n    - c\n\n1. one\n2. two",
            "* * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * *",
            "    code with > > > markers",
        ] {
            assert!(
                matches!(cap_container_nesting(md), Cow::Borrowed(_)),
                "{md}"
            );
        }
    }

    #[test]
    fn the_marker_past_the_cap_is_escaped() {
        let md = ">".repeat(40) + "a";
        let capped = cap_container_nesting(&md);
        assert_eq!(
            capped,
            format!("{}\\{}a", ">".repeat(32), ">".repeat(8)).as_str()
        );
        let md = "- ".repeat(40) + "a";
        assert!(cap_container_nesting(&md).starts_with(&format!("{}\\- ", "- ".repeat(32))));
        let md = "1. ".repeat(40) + "a";
        assert!(cap_container_nesting(&md).starts_with(&format!("{}1\\. ", "1. ".repeat(32))));
        // Indentation counts: 60 columns may continue 30 list items.
        let md = format!("{}- - - a", " ".repeat(60));
        assert_eq!(
            cap_container_nesting(&md),
            format!("{}- - \\- a", " ".repeat(60)).as_str()
        );
        // Every line on its own, whatever the line ending.
        let md = format!("{0}a\r\n{0}b\r{0}c", ">".repeat(33));
        assert_eq!(cap_container_nesting(&md).matches("\\>").count(), 3);
    }
}
