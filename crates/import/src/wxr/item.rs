//! One raw WXR item to an [`ImportedPost`], or the reason it is skipped. The mapping is
//! listed field by field in the crate docs ("Mapping, said out loud").

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use super::autop::autop;
use super::index::{host_of, Index};
use super::parse::RawItem;
use super::shortcodes::{self, ShortcodeStats};
use super::WxrOptions;
use crate::error::{ImportError, Position};
use crate::post::{ImportedPost, LeadImage, PostStatus};

/// What became of an item.
pub(crate) enum Outcome {
    Post(Box<ImportedPost>),
    Skipped { kind: String, reason: String },
}

/// Warnings about one item, handed to the report by the caller.
pub(crate) type Notes = Vec<String>;

/// `2010-10-05 07:27:25` → a naive time; `None` for WordPress's "no date"
/// `0000-00-00 00:00:00` and for anything that is not a date.
pub(crate) fn parse_wp_date(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000") {
        return None;
    }
    // Read by hand: this runs several times per item, and chrono's format-string parser
    // showed in the profile; anything not in the exact shape goes to chrono.
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
    {
        let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        return date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok()
}

/// The path (with query) of a URL: `https://site/2010/10/05/x/` → `/2010/10/05/x/`.
/// With `only_host`, URLs on other hosts give `None` (a guid is only a link when it is
/// on the site). Relative links (`/blog/x.html`) are taken as they are.
pub(crate) fn url_path(url: &str, only_host: Option<&str>) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let url = url.split('#').next().unwrap_or(url);
    if url.starts_with('/') {
        return Some(url.to_owned());
    }
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    if let Some(host) = only_host {
        if host_of(url).as_deref() != Some(host) {
            return None;
        }
    }
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let path = &rest[path_start..];
    Some(if path.is_empty() {
        "/".to_owned()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    })
}

/// `wp:post_id`; exports without it (WordPress's own theme-preview file) still carry
/// `?p=N` in the guid or link, which is the same id.
pub(crate) fn source_id_of(raw: &RawItem) -> String {
    let id = raw.post_id.trim();
    if !id.is_empty() {
        return id.to_owned();
    }
    [&raw.guid, &raw.link]
        .iter()
        .filter_map(|u| u.trim().rsplit_once("?p="))
        .map(|(_, n)| n)
        .find(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("")
        .to_owned()
}

/// WordPress stores term and author names HTML-escaped (`Sport &amp; Games`) and
/// exports them as stored, inside CDATA: decode the entities it writes.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Maps one item of the second pass.
pub(crate) fn map_item(
    raw: &mut RawItem,
    index: &Index,
    options: &WxrOptions,
    stats: &mut ShortcodeStats,
    notes: &mut Notes,
) -> Result<Outcome, ImportError> {
    let at = Position {
        record: Some(raw.position),
        byte: raw.offset,
    };
    let source_id = source_id_of(raw);
    let invalid = |field: &'static str, reason: String| ImportError::Invalid {
        at,
        source_id: Some(source_id.clone()).filter(|s| !s.is_empty()),
        field,
        reason,
    };
    let kind = raw.post_type.trim();
    let skip = |reason: &str| {
        Ok(Outcome::Skipped {
            kind: kind.to_owned(),
            reason: reason.to_owned(),
        })
    };
    match kind {
        "post" => {}
        "" => return Err(invalid("wp:post_type", "the item has no post type".into())),
        "page" => return skip("pages are not imported: dateline has articles only"),
        "attachment" => {
            return skip(
                "attachments are media: used as lead images and in galleries, not articles",
            )
        }
        "nav_menu_item" => return skip("menus are not imported"),
        "revision" => return skip("revisions of posts are not imported"),
        _ => return skip("custom post types are not imported"),
    }
    if source_id.is_empty() {
        return Err(invalid(
            "wp:post_id",
            "the post has no id, and no `?p=` guid or link to take one from".into(),
        ));
    }
    let status_word = raw.status.trim();
    match status_word {
        "trash" => return skip("in the trash on WordPress"),
        "auto-draft" => return skip("an auto-draft: WordPress's unsaved placeholder"),
        "inherit" => return skip("a revision (status inherit)"),
        _ => {}
    }

    let slug = percent_decode(raw.post_name.trim());
    let title = match raw.title.as_deref().map(str::trim) {
        None => return Err(invalid("title", "the post has no <title> element".into())),
        Some("") => match slug.as_deref() {
            // WordPress allows untitled posts; its theme test data has one. A title
            // from the slug keeps the article findable; the warning says so.
            Some(s) => {
                let t = title_from_slug(s);
                notes.push(format!("untitled post: title `{t}` made from its slug"));
                t
            }
            None => {
                return Err(invalid(
                    "title",
                    "the post has neither a title nor a slug".into(),
                ))
            }
        },
        Some(t) => t.to_owned(),
    };

    let (published_at, local) = post_time(raw, index, options, notes);
    let mut visibility_note = None;
    let status = match status_word {
        "publish" => PostStatus::Published,
        "draft" | "pending" => PostStatus::Draft,
        "private" => {
            visibility_note =
                Some("private on WordPress: only signed-in editors could read it".to_owned());
            PostStatus::Draft
        }
        "future" => match published_at {
            Some(at) => PostStatus::Scheduled { at },
            None => {
                return Err(invalid(
                    "wp:post_date",
                    "a scheduled post without a publication date".into(),
                ))
            }
        },
        other => {
            notes.push(format!("unknown status `{other}`: imported as a draft"));
            PostStatus::Draft
        }
    };
    if !raw.post_password.trim().is_empty() {
        // The password itself is never imported.
        visibility_note = Some("password-protected on WordPress".to_owned());
        notes.push("password-protected on WordPress: imported without its password".into());
    }

    let summary = Some(raw.excerpt.trim().to_owned()).filter(|s| !s.is_empty());
    let body_html = body(&raw.content, &source_id, index, stats);

    let authors = authors(raw, index, notes);
    let (section, tags) = terms(raw, index);
    let lead_image = lead_image(raw, index, notes);

    let mut old_urls: Vec<String> = Vec::with_capacity(3);
    let mut add = |p: Option<String>| {
        if let Some(p) = p {
            if !old_urls.contains(&p) {
                old_urls.push(p);
            }
        }
    };
    let link = url_path(&raw.link, None);
    // Drafts and scheduled posts have `?p=` links; their pretty URL under the site's
    // pattern is where they would have appeared (or did, if published later).
    let pretty_link = link.as_deref().is_some_and(|l| !l.contains('?'));
    add(link);
    add(url_path(&raw.guid, index.site_host.as_deref()).filter(|g| guid_is_own(g, &source_id)));
    if let (false, Some(local)) = (pretty_link, local) {
        add(index.permalink_path(raw.post_name.trim(), &source_id, local));
    }

    let modified_at = parse_wp_date(&raw.modified_gmt).map(|t| t.and_utc());
    Ok(Outcome::Post(Box::new(ImportedPost {
        source_id,
        position: raw.position,
        status,
        title,
        slug,
        summary,
        body_html,
        lead_image,
        authors,
        section,
        tags,
        published_at,
        modified_at,
        visibility_note,
        old_urls,
    })))
}

/// A guid `/?p=N` is this post's old URL only when N is its id: WordPress copies guids
/// when posts are duplicated or imported, and two posts must not claim one path.
fn guid_is_own(path: &str, id: &str) -> bool {
    match path.strip_prefix("/?p=") {
        Some(n) => n == id,
        None => true,
    }
}

/// Publication time in UTC and the local wall-clock time (for permalinks).
fn post_time(
    raw: &RawItem,
    index: &Index,
    options: &WxrOptions,
    notes: &mut Notes,
) -> (Option<DateTime<Utc>>, Option<NaiveDateTime>) {
    let local = parse_wp_date(&raw.post_date);
    if let Some(gmt) = parse_wp_date(&raw.post_date_gmt) {
        return (Some(gmt.and_utc()), local.or(Some(gmt)));
    }
    // Drafts have no GMT date: read the local date in the site's zone.
    let offset: Option<FixedOffset> = options
        .site_utc_offset
        .or(index.inferred_offset.map(|(o, _)| o));
    if let (Some(local), Some(offset)) = (local, offset) {
        if let Some(t) = offset.from_local_datetime(&local).single() {
            return (Some(t.with_timezone(&Utc)), Some(local));
        }
    }
    // Exports made by other tools sometimes carry only the RSS date, which has a zone.
    if let Ok(t) = DateTime::parse_from_rfc2822(raw.pub_date.trim()) {
        if t.timestamp() > 0 {
            let utc = t.with_timezone(&Utc);
            return (Some(utc), local.or(Some(t.naive_local())));
        }
    }
    match local {
        Some(l) => {
            notes.push(format!(
                "no GMT date and the site's time zone is unknown: `{}` read as UTC",
                raw.post_date.trim()
            ));
            (Some(l.and_utc()), Some(l))
        }
        None => (None, None),
    }
}

fn body(content: &str, post_id: &str, index: &Index, stats: &mut ShortcodeStats) -> String {
    let has_blocks = content.contains("<!-- wp:");
    let stripped: std::borrow::Cow<'_, str> = if has_blocks {
        strip_block_comments(content).into()
    } else {
        content.into()
    };
    let converted = shortcodes::convert(&stripped, post_id, index, stats);
    if has_blocks {
        // Block-editor posts carry their own `<p>`; WordPress skips wpautop for them.
        converted.trim().to_owned()
    } else {
        autop(&converted)
    }
}

/// Removes the block editor's delimiters `<!-- wp:name {…} -->`, `<!-- /wp:name -->` and
/// `<!-- wp:name /-->`, keeping every other comment (the sanitiser drops those later).
pub(crate) fn strip_block_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let finder = memchr::memmem::Finder::new("<!--");
    while let Some(i) = finder.find(rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let at = &rest[i..];
        let inner = at[4..].trim_start();
        if inner.starts_with("wp:") || inner.starts_with("/wp:") {
            match at.find("-->") {
                Some(end) => {
                    rest = &at[end + 3..];
                    // The delimiter's own line break would become an empty line.
                    if let Some(r) = rest.strip_prefix('\n') {
                        rest = r;
                    }
                }
                None => {
                    rest = "";
                }
            }
        } else {
            out.push_str("<!--");
            rest = &at[4..];
        }
    }
    out.push_str(rest);
    out
}

/// Byline: Co-Authors Plus authors (`<category domain="author">`, guest authors'
/// nicenames prefixed `cap-`) in order, else the `dc:creator` login's display name.
fn authors(raw: &RawItem, index: &Index, notes: &mut Notes) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in raw.terms.iter().filter(|t| t.domain == "author") {
        let login = t.nicename.strip_prefix("cap-").unwrap_or(&t.nicename);
        let name = match index.authors.get(login) {
            Some(display) if !display.is_empty() => decode_entities(display),
            _ => decode_entities(t.name.trim()),
        };
        if !name.is_empty() && !name.contains('@') && !names.contains(&name) {
            names.push(name);
        }
    }
    if !names.is_empty() {
        return names;
    }
    // The theme test data has a stray `>` before one login; stray markup is not a name.
    let login = raw.creator.trim().trim_start_matches(['>', '<', '"']);
    if login.is_empty() {
        return names;
    }
    match index.authors.get(login) {
        Some(display) if !display.is_empty() => names.push(decode_entities(display)),
        _ if login.contains('@') => {
            // Emails are never imported; a byline is better empty than an address.
            notes.push("the author's login is an email address and has no display name in the file: byline left empty".into());
        }
        _ => {
            notes.push(format!(
                "author `{login}` has no <wp:author> entry: the login is used as the byline"
            ));
            names.push(login.to_owned());
        }
    }
    names
}

/// Section: Yoast's primary category when set and known, else the first category. Tags:
/// the post tags, then the post's other categories (so no category is lost).
fn terms(raw: &RawItem, index: &Index) -> (Option<String>, Vec<String>) {
    let categories: Vec<String> = raw
        .terms
        .iter()
        // RSS 2.0 `<category>` without a domain (theme-preview.xml) is a category.
        .filter(|t| t.domain == "category" || t.domain.is_empty())
        .map(|t| t.name.trim())
        .filter(|n| !n.is_empty())
        .map(decode_entities)
        .collect();
    let primary = raw
        .meta("_yoast_wpseo_primary_category")
        .and_then(|id| index.categories.get(id.trim()))
        .map(|n| decode_entities(n.trim()))
        .filter(|n| categories.contains(n));
    let section = primary.or(categories.first().cloned());
    let mut tags: Vec<String> = Vec::new();
    let post_tags = raw
        .terms
        .iter()
        .filter(|t| t.domain == "post_tag")
        .map(|t| decode_entities(t.name.trim()));
    for name in post_tags.chain(categories.iter().cloned()) {
        let name = name.as_str();
        if !name.is_empty() && Some(name) != section.as_deref() && !tags.iter().any(|t| t == name) {
            tags.push(name.to_owned());
        }
    }
    (section, tags)
}

fn lead_image(raw: &RawItem, index: &Index, notes: &mut Notes) -> Option<LeadImage> {
    let id = raw.meta("_thumbnail_id")?.trim();
    if id.is_empty() || id == "0" {
        return None;
    }
    match index.attachment(id) {
        Some(a) if !a.url.is_empty() => Some(LeadImage {
            url: a.url.clone(),
            alt: a.alt.clone(),
            caption: a.caption.clone(),
        }),
        _ => {
            notes.push(format!(
                "feature image {id} is not an attachment in the file: no lead image"
            ));
            None
        }
    }
}

/// WordPress stores non-ASCII slugs percent-encoded (`%e6%97%a5`); decode them when they
/// decode to UTF-8, else keep them as written.
fn percent_decode(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Some(String::from_utf8(out).unwrap_or_else(|_| s.to_owned()))
}

/// `edge-case-no-title` → `Edge case no title`.
fn title_from_slug(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_comments_go_and_other_comments_stay() {
        let s = "<!-- wp:paragraph {\"a\":1} -->\n<p>x</p>\n<!-- /wp:paragraph -->\n<!-- wp:spacer /-->\n<!-- note -->";
        assert_eq!(strip_block_comments(s), "<p>x</p>\n<!-- note -->");
    }

    #[test]
    fn paths_of_links_and_guids() {
        assert_eq!(
            url_path("https://e.com/2010/x/", None).as_deref(),
            Some("/2010/x/")
        );
        assert_eq!(
            url_path("https://e.com/?p=12", Some("e.com")).as_deref(),
            Some("/?p=12")
        );
        assert_eq!(url_path("https://other.com/?p=12", Some("e.com")), None);
        assert_eq!(
            url_path("/blog/x.html", Some("e.com")).as_deref(),
            Some("/blog/x.html")
        );
        assert_eq!(url_path("https://e.com", None).as_deref(), Some("/"));
        assert_eq!(url_path("not a url", None), None);
    }

    #[test]
    fn dates_and_slugs() {
        assert_eq!(parse_wp_date("0000-00-00 00:00:00"), None);
        assert_eq!(
            parse_wp_date("2010-10-05 07:27:25")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2010-10-05 07:27:25")
        );
        assert_eq!(parse_wp_date("2010-13-05 07:27:25"), None);
        assert_eq!(parse_wp_date("2010-10-05 07:27:2x"), None);
        assert_eq!(percent_decode("%e6%97%a5-x").as_deref(), Some("日-x"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(title_from_slug("edge-case-no-title"), "Edge case no title");
    }
}
