//! The rendered-page cache: whole public responses keyed by URL, tagged with surrogate keys
//! and dropped precisely when an article on them changes.
//!
//! Invalidation and insertion race: a page rendered from data read *before* a change but
//! inserted *after* the change's invalidation would be stale forever. Every insert therefore
//! names the generation it started rendering in, and is refused if any invalidation happened
//! since.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};

/// A cached response body with what is needed to answer conditional requests.
#[derive(Debug)]
pub struct CachedPage {
    /// The response body.
    pub body: Bytes,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Strong ETag, quoted.
    pub etag: String,
    /// Newest change among the articles shown.
    pub last_modified: DateTime<Utc>,
    /// Surrogate keys (`article:7`, `section:tech`, `home`, …).
    pub keys: Vec<String>,
    serial: u64,
}

impl CachedPage {
    /// A page ready to cache.
    pub fn new(
        body: Bytes,
        content_type: &'static str,
        etag: String,
        last_modified: DateTime<Utc>,
        keys: Vec<String>,
    ) -> Self {
        CachedPage {
            body,
            content_type,
            etag,
            last_modified,
            keys,
            serial: 0,
        }
    }
}

#[derive(Default)]
struct Inner {
    pages: HashMap<String, Arc<CachedPage>>,
    by_key: HashMap<String, HashSet<String>>,
    order: VecDeque<(u64, String)>,
    bytes: usize,
    serial: u64,
}

/// In-memory page cache, bounded in bytes, evicting oldest entries first.
pub struct PageCache {
    inner: RwLock<Inner>,
    generation: AtomicU64,
    max_bytes: usize,
}

impl PageCache {
    /// An empty cache holding at most `max_bytes` of bodies (0 disables caching).
    pub fn new(max_bytes: usize) -> Self {
        PageCache {
            inner: RwLock::new(Inner::default()),
            generation: AtomicU64::new(0),
            max_bytes,
        }
    }

    /// The current generation; pass it to [`PageCache::insert`] after rendering.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The cached page for `url`, if any.
    pub fn get(&self, url: &str) -> Option<Arc<CachedPage>> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner.pages.get(url).cloned()
    }

    /// Stores `page` under `url` unless an invalidation happened since `generation`.
    /// Returns whether it was stored.
    pub fn insert(&self, url: String, mut page: CachedPage, generation: u64) -> bool {
        let size = entry_size(&page, &url);
        if size > self.max_bytes / 4 {
            return false;
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return false;
        }
        inner.serial += 1;
        page.serial = inner.serial;
        remove_url(&mut inner, &url);
        for key in &page.keys {
            inner
                .by_key
                .entry(key.clone())
                .or_default()
                .insert(url.clone());
        }
        inner.order.push_back((page.serial, url.clone()));
        inner.bytes += size;
        inner.pages.insert(url, Arc::new(page));
        while inner.bytes > self.max_bytes {
            let Some((serial, oldest)) = inner.order.pop_front() else {
                break;
            };
            if inner.pages.get(&oldest).is_some_and(|p| p.serial == serial) {
                remove_url(&mut inner, &oldest);
            }
        }
        true
    }

    /// Drops every page carrying any of `keys`; returns how many were dropped.
    pub fn invalidate<S: AsRef<str>>(&self, keys: &[S]) -> usize {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        let urls: HashSet<String> = keys
            .iter()
            .filter_map(|k| inner.by_key.get(k.as_ref()))
            .flat_map(|urls| urls.iter().cloned())
            .collect();
        for url in &urls {
            remove_url(&mut inner, url);
        }
        urls.len()
    }

    /// Drops everything.
    pub fn clear(&self) {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        *inner = Inner {
            serial: inner.serial,
            ..Inner::default()
        };
    }

    /// Number of cached pages and their total size in bytes.
    pub fn stats(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        (inner.pages.len(), inner.bytes)
    }
}

/// What an entry costs in memory: its body plus the URL, which is held by the page map,
/// the eviction queue and one set per surrogate key, plus the bookkeeping around them.
fn entry_size(page: &CachedPage, url: &str) -> usize {
    const OVERHEAD: usize = 256;
    let keys: usize = page.keys.iter().map(|k| k.len() + 32).sum();
    page.body.len() + url.len() * (2 + page.keys.len()) + keys + page.etag.len() + OVERHEAD
}

fn remove_url(inner: &mut Inner, url: &str) {
    if let Some(old) = inner.pages.remove(url) {
        inner.bytes -= entry_size(&old, url);
        for key in &old.keys {
            if let Some(set) = inner.by_key.get_mut(key) {
                set.remove(url);
                if set.is_empty() {
                    inner.by_key.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str, keys: &[&str]) -> CachedPage {
        CachedPage::new(
            Bytes::from(body.to_owned()),
            "text/html",
            "\"e\"".into(),
            Utc::now(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
        )
    }

    #[test]
    fn invalidation_drops_exactly_the_pages_with_the_key() {
        let cache = PageCache::new(1 << 20);
        let g = cache.generation();
        assert!(cache.insert("/a".into(), page("a", &["article:1", "home"]), g));
        assert!(cache.insert("/b".into(), page("b", &["article:2", "section:tech"]), g));
        assert!(cache.insert("/".into(), page("h", &["home"]), g));
        assert_eq!(cache.invalidate(&["home"]), 2);
        assert!(cache.get("/a").is_none());
        assert!(cache.get("/").is_none());
        assert!(cache.get("/b").is_some());
    }

    #[test]
    fn a_page_rendered_before_an_invalidation_is_not_stored() {
        let cache = PageCache::new(1 << 20);
        let g = cache.generation();
        cache.invalidate(&["article:1"]);
        assert!(!cache.insert("/a".into(), page("stale", &["article:1"]), g));
        assert!(cache.get("/a").is_none());
    }

    #[test]
    fn oldest_pages_are_evicted_to_stay_in_budget() {
        let cache = PageCache::new(4000);
        let g = cache.generation();
        for i in 0..10 {
            cache.insert(format!("/{i}"), page(&"x".repeat(600), &["home"]), g);
        }
        let (n, bytes) = cache.stats();
        assert!(bytes <= 4000, "{bytes}");
        assert!(n < 10);
        assert!(cache.get("/9").is_some());
        assert!(cache.get("/0").is_none());
    }

    #[test]
    fn replacing_a_url_keeps_accounting_right() {
        let cache = PageCache::new(1 << 20);
        let g = cache.generation();
        cache.insert("/a".into(), page("one", &["k1"]), g);
        cache.insert("/a".into(), page("three", &["k2"]), g);
        let (n, bytes) = cache.stats();
        assert_eq!(n, 1);
        assert!(bytes > 5 && bytes < 1024, "{bytes}");
        assert_eq!(cache.invalidate(&["k1"]), 0);
        assert_eq!(cache.invalidate(&["k2"]), 1);
        assert_eq!(cache.stats(), (0, 0));
    }
}
