//! Old addresses: the URLs an article had on the platform it was moved from.
//!
//! A newsroom that moves its archive keeps every link anyone ever shared: the importer
//! records each article's old URLs, and a request for one of them answers `301` to the
//! article's current page. Both sides meet in [`legacy_path`], which reduces a URL (as an
//! export writes it, or as a browser asks for it) to the key the store keeps.

/// Longest old address kept; longer ones are not links anyone shared.
pub const MAX_LEGACY_PATH: usize = 2_000;

/// The key of an old address: its path and query, without scheme, host, fragment or a
/// trailing slash (`https://old.example/2008/09/layout/` → `/2008/09/layout`,
/// `http://old.example/?p=123` → `/?p=123`).
///
/// `None` for what cannot be an old article address: the site root itself, a relative or
/// empty reference, whitespace or control characters, or more than [`MAX_LEGACY_PATH`]
/// bytes. The host is dropped because the archive moves to a new host (or keeps its own
/// behind the same name); the path is what a link carries across.
pub fn legacy_path(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = if let Some(after) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))
    {
        match after.find(['/', '?', '#']) {
            Some(i) => &after[i..],
            None => "/",
        }
    } else {
        url
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (if p.is_empty() { "/" } else { p }, Some(q)),
        None => (rest, None),
    };
    if !path.starts_with('/')
        || rest.len() > MAX_LEGACY_PATH
        || rest.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    match query.filter(|q| !q.is_empty()) {
        Some(q) => Some(format!("{path}?{q}")),
        None if path == "/" => None,
        None => Some(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::legacy_path;

    #[test]
    fn urls_and_requests_meet_in_one_key() {
        let cases = [
            (
                "https://old.example/2008/09/layout-test/",
                "/2008/09/layout-test",
            ),
            (
                "http://old.example/2008/09/layout-test",
                "/2008/09/layout-test",
            ),
            ("/2008/09/layout-test/", "/2008/09/layout-test"),
            ("http://old.example/?p=123", "/?p=123"),
            ("http://old.example?p=123", "/?p=123"),
            ("/?p=123", "/?p=123"),
            ("//cdn.example/a/b/#comments", "/a/b"),
            ("https://old.example/news/story/?utm=x", "/news/story?utm=x"),
        ];
        for (url, key) in cases {
            assert_eq!(legacy_path(url).as_deref(), Some(key), "{url}");
        }
    }

    #[test]
    fn what_cannot_be_an_article_address_has_no_key() {
        for url in [
            "",
            "https://old.example",
            "https://old.example/",
            "/",
            "/?",
            "relative/path",
            "/with space",
            "/line\nbreak",
        ] {
            assert_eq!(legacy_path(url), None, "{url:?}");
        }
        assert_eq!(legacy_path(&format!("/{}", "a".repeat(2_000))), None);
    }
}
