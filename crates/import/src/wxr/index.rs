//! What the first pass learns about the whole file before any post is mapped.
//!
//! WordPress writes attachments wherever their id falls, often after the posts that use
//! them as feature images or in galleries; the site's permalink pattern and time zone are
//! not in the file at all but can be read off its posts. So the reader makes a first
//! pass that keeps only this small index (a few hundred bytes per attachment, nothing of
//! the bodies), then a second that maps posts. Memory stays bounded by the largest item
//! plus the attachment index, never by the bodies of the file.

use std::collections::HashMap;

use chrono::{Datelike, FixedOffset, NaiveDateTime};

use super::item::{parse_wp_date, source_id_of, url_path};
use super::parse::{Channel, RawItem};

/// An attachment, as a post's feature image or gallery needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attachment {
    pub url: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub parent: String,
}

/// The first pass's findings.
#[derive(Debug, Default)]
pub(crate) struct Index {
    attachments: HashMap<String, Attachment>,
    /// Post id → its attachments' ids, in file order (for `[gallery]` without ids).
    children: HashMap<String, Vec<String>>,
    pub channel: Channel,
    /// Login → display name.
    pub authors: HashMap<String, String>,
    /// Term id → category name.
    pub categories: HashMap<String, String>,
    /// Host of the site URL, lower-cased, for deciding which guids are the site's.
    pub site_host: Option<String>,
    /// E.g. `/%year%/%monthnum%/%day%/%postname%/`, when the posts' links show one.
    pub permalink: Option<String>,
    /// `post_date - post_date_gmt` seen on most posts, when they have both.
    pub inferred_offset: Option<(FixedOffset, usize)>,
    pub items: usize,
    pattern_votes: HashMap<String, usize>,
    offset_votes: HashMap<i32, usize>,
}

impl Index {
    pub fn attachment(&self, id: &str) -> Option<&Attachment> {
        self.attachments.get(id)
    }

    pub fn children(&self, post_id: &str) -> &[String] {
        self.children.get(post_id).map_or(&[], Vec::as_slice)
    }

    pub fn add_attachment(&mut self, id: &str, a: Attachment) {
        if !a.parent.is_empty() && a.parent != "0" {
            self.children
                .entry(a.parent.clone())
                .or_default()
                .push(id.to_owned());
        }
        self.attachments.insert(id.to_owned(), a);
    }

    /// Learns from one item of the first pass.
    pub fn learn(&mut self, item: &RawItem) {
        self.items = item.position;
        match item.post_type.trim() {
            "attachment" => {
                let url = if item.attachment_url.trim().is_empty() {
                    item.guid.trim()
                } else {
                    item.attachment_url.trim()
                };
                let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
                // The caption is the attachment's excerpt; exports from tools that
                // only fill the description (TryGhost's fixtures) get that instead.
                let caption = nonempty(&item.excerpt).or_else(|| nonempty(&item.content));
                self.add_attachment(
                    &source_id_of(item),
                    Attachment {
                        url: url.to_owned(),
                        alt: item.meta("_wp_attachment_image_alt").and_then(nonempty),
                        caption,
                        parent: item.post_parent.trim().to_owned(),
                    },
                );
            }
            "post" => self.learn_post(item),
            _ => {}
        }
    }

    fn learn_post(&mut self, item: &RawItem) {
        let local = parse_wp_date(&item.post_date);
        if let (Some(local), Some(gmt)) = (local, parse_wp_date(&item.post_date_gmt)) {
            let secs = (local - gmt).num_seconds();
            // Real offsets are whole quarter hours within ±14 h; anything else is noise.
            if secs % 900 == 0 && secs.abs() <= 14 * 3600 {
                *self.offset_votes.entry(secs as i32).or_default() += 1;
            }
        }
        if item.status.trim() != "publish" {
            return;
        }
        let slug = item.post_name.trim();
        if let (Some(local), Some(path)) = (local, url_path(&item.link, None)) {
            if let Some(pattern) = pattern_of(&path, slug, &source_id_of(item), local) {
                *self.pattern_votes.entry(pattern).or_default() += 1;
            }
        }
    }

    /// Settles the votes once the first pass is over.
    pub fn finish(&mut self) {
        self.authors = self.channel.authors.iter().cloned().collect();
        self.categories = self.channel.categories.iter().cloned().collect();
        self.site_host = self.channel.site_url.as_deref().and_then(host_of);
        self.permalink = most_voted(&self.pattern_votes).map(|(p, _)| p.clone());
        self.inferred_offset = most_voted(&self.offset_votes)
            .and_then(|(secs, n)| FixedOffset::east_opt(*secs).map(|o| (o, n)));
    }

    /// The post's path under the site's permalink pattern.
    pub fn permalink_path(
        &self,
        slug: &str,
        post_id: &str,
        local: NaiveDateTime,
    ) -> Option<String> {
        let pattern = self.permalink.as_ref()?;
        if slug.is_empty() {
            return None;
        }
        Some(
            pattern
                .replace("%year%", &format!("{:04}", local.year()))
                .replace("%monthnum%", &format!("{:02}", local.month()))
                .replace("%day%", &format!("{:02}", local.day()))
                .replace("%post_id%", post_id)
                .replace("%postname%", slug),
        )
    }
}

fn most_voted<K: Ord>(votes: &HashMap<K, usize>) -> Option<(&K, usize)> {
    // Ties go to the smallest key, so the answer does not depend on hash order.
    votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(k, n)| (k, *n))
}

/// `/2010/10/05/post-format-standard/` with slug `post-format-standard` and date
/// 2010-10-05 → `/%year%/%monthnum%/%day%/%postname%/`; `None` when the slug is not a
/// segment of the path (a `?p=` link, a slug WordPress changed since).
fn pattern_of(path: &str, slug: &str, post_id: &str, local: NaiveDateTime) -> Option<String> {
    if slug.is_empty() || path.contains('?') {
        return None;
    }
    let year = format!("{:04}", local.year());
    let month = format!("{:02}", local.month());
    let day = format!("{:02}", local.day());
    let mut found = false;
    let parts: Vec<&str> = path
        .split('/')
        .map(|seg| {
            if seg == slug && !found {
                found = true;
                "%postname%"
            } else if seg == year {
                "%year%"
            } else if seg == month {
                "%monthnum%"
            } else if seg == day {
                "%day%"
            } else if seg == post_id {
                "%post_id%"
            } else {
                seg
            }
        })
        .collect();
    found.then(|| parts.join("/"))
}

/// `https://Example.com:8080/x` → `example.com:8080`.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}
