//! The one configuration struct, built once by the binary (or directly by tests).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{Error, Result};

/// How dateline runs. Precedence when built by the binary: command-line flag, then
/// `DATELINE_*` environment variable, then `dateline.toml`, then the default given here.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to serve on. Flag `--addr`, env `DATELINE_ADDR`, TOML `addr`;
    /// default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// Where the SQLite file and other local state live. Flag `--data-dir`, env
    /// `DATELINE_DATA_DIR`, TOML `data_dir`; default `./dateline-data`.
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://…` or `postgres://…`). Flag `--database-url`, env
    /// `DATELINE_DATABASE_URL`, TOML `database_url`; default: SQLite in the data dir.
    pub database_url: Option<Secret>,
    /// Public base URL for canonical links and feeds, without trailing slash. Flag
    /// `--base-url`, env `DATELINE_BASE_URL`, TOML `base_url`; default `http://{addr}`.
    pub base_url: String,
    /// Name of the publication shown in pages. Env `DATELINE_SITE_NAME`, TOML
    /// `site_name`; default `dateline`.
    pub site_name: String,
    /// Bytes of rendered pages kept in memory. TOML `page_cache_mb` (MiB); default 32 MiB
    /// (about 3,500 article pages: a news site's hot set, with room to spare).
    pub page_cache_bytes: usize,
    /// Articles per list page. TOML `list_page_size`; default 20.
    pub list_page_size: u32,
    /// How often scheduled articles are checked, in ms. TOML `scheduler_interval_ms`;
    /// default 1000.
    pub scheduler_interval_ms: u64,
    /// How often the change sequence is polled (cache invalidation and the search index and
    /// related lists following other nodes' writes), in ms. TOML `change_poll_interval_ms`;
    /// default 500, so that another node's publish is searchable here within a second.
    pub change_poll_interval_ms: u64,
    /// Largest request body accepted, in bytes; larger ones get 413. TOML
    /// `max_request_bytes`; default 2 MiB.
    pub max_request_bytes: usize,
    /// Related articles shown under an article. TOML `related_count`; default 4.
    pub related_count: usize,
    /// A browser session ends after this many seconds without a request. TOML
    /// `session_idle_minutes` (minutes); default 12 hours (a long newsroom shift).
    pub session_idle_secs: u64,
    /// Take the client address for sign-in throttling from the last `X-Forwarded-For`
    /// entry (only behind a proxy that sets it). TOML `trust_forwarded_for`; default false.
    pub trust_forwarded_for: bool,
    /// How often the related-articles engine is saved while serving, in seconds (it is also
    /// saved at shutdown), so that a crash replays at most this much of the change sequence.
    /// TOML `snapshot_interval_secs`; default 300.
    pub snapshot_interval_secs: u64,
    /// Longest wait at shutdown for requests in flight, in seconds; connections still open
    /// then (a client that sent half its headers) are closed. TOML `shutdown_grace_secs`;
    /// default 10.
    pub shutdown_grace_secs: u64,
    /// Deepest result offset a search pages to (the search API's `cursor`, the search
    /// page's "More results"); each page costs the index a sort of `offset + limit` hits,
    /// so results past this are not offered. Not in `dateline.toml`; default 10,000.
    pub search_max_offset: usize,
    /// How long a request waits for a body to be rendered (preview, save) before it is
    /// answered 503, in ms. TOML `render_timeout_ms`; default 2000 (a 1 MB body of any shape
    /// renders in well under a second).
    pub render_timeout_ms: u64,
    /// Bearer token that `/metrics` asks for; without one, `/metrics` answers 404. TOML
    /// `metrics_token`, env `DATELINE_METRICS_TOKEN`; at least 16 characters.
    pub metrics_token: Option<Secret>,
    /// Language of the publication, a BCP 47 tag (`en`, `en-GB`, `ar`): the pages'
    /// `lang`, JSON-LD `inLanguage` and `og:locale` (`en` → `en_US`, `en-GB` → `en_GB`), the
    /// feeds' language and the Google News sitemap's `news:language`.
    /// TOML `language`; default `en`.
    pub language: String,
    /// The publisher's logo, an absolute http(s) URL or a path on this site (`/media/…`),
    /// shown as JSON-LD `publisher.logo`. TOML `publisher_logo`; default the shipped
    /// `/static/logo.png`.
    pub publisher_logo: Option<String>,
    /// The image a page without its own (home, lists, an article without a lead image)
    /// shares as `og:image`: an absolute http(s) URL or a path on this site, ideally
    /// 1200×630. TOML `site_image`; default the shipped `/static/site-image.png`.
    pub site_image: Option<String>,
    /// The publication's X/Twitter account (`@gazette`) for `twitter:site`. TOML
    /// `twitter_site`; default none (the tag is left out).
    pub twitter_site: Option<String>,
    /// A WebSub hub (`https://pubsubhubbub.appspot.com/`) to ping when public articles
    /// change, and to advertise with `<link rel="hub">`. TOML `websub_hub`; default none
    /// (off).
    pub websub_hub: Option<String>,
    /// Whether feeds (Atom, RSS, JSON Feed) carry each article's whole body (`true`) or
    /// only its summary with a link to the page (`false`). TOML `feed_full_content`;
    /// default true.
    pub feed_full_content: bool,
    /// Article ids per sitemap file: `/sitemaps/articles-N.xml` lists the public articles
    /// with ids in the N-th block of this many (so a file never holds more, and a page is
    /// one index range). sitemaps.org allows 50,000 URLs and 50 MB a file; 10,000 keeps a
    /// file near 1.5 MB, small enough for the page cache. TOML `sitemap_page_size`
    /// (1–50,000); default 10,000.
    pub sitemap_page_size: u32,
}

/// A value that must not show up in logs (`Debug` prints a placeholder).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Config {
    /// Defaults for everything, serving on `addr` from `data_dir`.
    pub fn new(addr: SocketAddr, data_dir: PathBuf) -> Config {
        Config {
            addr,
            data_dir,
            database_url: None,
            base_url: format!("http://{addr}"),
            site_name: "dateline".to_owned(),
            page_cache_bytes: 32 * 1024 * 1024,
            list_page_size: 20,
            scheduler_interval_ms: 1000,
            change_poll_interval_ms: 500,
            max_request_bytes: 2 * 1024 * 1024,
            related_count: 4,
            session_idle_secs: 12 * 3600,
            trust_forwarded_for: false,
            snapshot_interval_secs: 300,
            shutdown_grace_secs: 10,
            search_max_offset: 10_000,
            render_timeout_ms: 2000,
            metrics_token: None,
            language: "en".to_owned(),
            publisher_logo: None,
            site_image: None,
            twitter_site: None,
            websub_hub: None,
            feed_full_content: true,
            sitemap_page_size: 10_000,
        }
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.0.clone(),
            None => dateline_store::Store::sqlite_url_for(&self.data_dir),
        }
    }
}

/// The optional `dateline.toml`. Unknown keys are errors, so typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// See [`Config::addr`].
    pub addr: Option<SocketAddr>,
    /// See [`Config::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Config::database_url`].
    pub database_url: Option<String>,
    /// See [`Config::base_url`].
    pub base_url: Option<String>,
    /// See [`Config::site_name`].
    pub site_name: Option<String>,
    /// See [`Config::page_cache_bytes`] (in MiB here).
    pub page_cache_mb: Option<usize>,
    /// See [`Config::list_page_size`].
    pub list_page_size: Option<u32>,
    /// See [`Config::scheduler_interval_ms`].
    pub scheduler_interval_ms: Option<u64>,
    /// See [`Config::change_poll_interval_ms`].
    pub change_poll_interval_ms: Option<u64>,
    /// See [`Config::max_request_bytes`].
    pub max_request_bytes: Option<usize>,
    /// See [`Config::related_count`].
    pub related_count: Option<usize>,
    /// See [`Config::session_idle_secs`] (in minutes here).
    pub session_idle_minutes: Option<u64>,
    /// See [`Config::trust_forwarded_for`].
    pub trust_forwarded_for: Option<bool>,
    /// See [`Config::snapshot_interval_secs`].
    pub snapshot_interval_secs: Option<u64>,
    /// See [`Config::shutdown_grace_secs`].
    pub shutdown_grace_secs: Option<u64>,
    /// See [`Config::render_timeout_ms`].
    pub render_timeout_ms: Option<u64>,
    /// See [`Config::metrics_token`].
    pub metrics_token: Option<String>,
    /// See [`Config::language`].
    pub language: Option<String>,
    /// See [`Config::publisher_logo`].
    pub publisher_logo: Option<String>,
    /// See [`Config::site_image`].
    pub site_image: Option<String>,
    /// See [`Config::twitter_site`].
    pub twitter_site: Option<String>,
    /// See [`Config::websub_hub`].
    pub websub_hub: Option<String>,
    /// See [`Config::feed_full_content`].
    pub feed_full_content: Option<bool>,
    /// See [`Config::sitemap_page_size`].
    pub sitemap_page_size: Option<u32>,
}

impl ConfigFile {
    /// Reads `path`; a missing file is an empty config, a broken one an error.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| Error::Startup(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(Error::Startup(format!(
                "could not read {}: {e}",
                path.display()
            ))),
        }
    }
}

/// Values given on the command line or in the environment (clap resolves those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--addr` / `DATELINE_ADDR`.
    pub addr: Option<SocketAddr>,
    /// `--data-dir` / `DATELINE_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url` / `DATELINE_DATABASE_URL`.
    pub database_url: Option<String>,
    /// `--base-url` / `DATELINE_BASE_URL`.
    pub base_url: Option<String>,
    /// `DATELINE_SITE_NAME`.
    pub site_name: Option<String>,
    /// `DATELINE_METRICS_TOKEN`.
    pub metrics_token: Option<String>,
}

impl Config {
    /// Layers overrides over the file over defaults.
    pub fn resolve(overrides: Overrides, file: ConfigFile) -> Result<Config> {
        let addr = overrides
            .addr
            .or(file.addr)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let data_dir = overrides
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./dateline-data"));
        let mut config = Config::new(addr, data_dir);
        config.database_url = overrides.database_url.or(file.database_url).map(Secret);
        if let Some(base) = overrides.base_url.or(file.base_url) {
            let base = base.trim_end_matches('/').to_owned();
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(Error::Startup(format!(
                    "base URL {base:?} must start with http:// or https://"
                )));
            }
            config.base_url = base;
        }
        if let Some(name) = overrides.site_name.or(file.site_name) {
            config.site_name = name;
        }
        if let Some(mb) = file.page_cache_mb {
            config.page_cache_bytes = mb * 1024 * 1024;
        }
        if let Some(n) = file.list_page_size {
            config.list_page_size = n.clamp(1, 100);
        }
        if let Some(ms) = file.scheduler_interval_ms {
            config.scheduler_interval_ms = ms.max(50);
        }
        if let Some(ms) = file.change_poll_interval_ms {
            config.change_poll_interval_ms = ms.max(50);
        }
        if let Some(n) = file.max_request_bytes {
            config.max_request_bytes = n;
        }
        if let Some(n) = file.related_count {
            config.related_count = n.clamp(1, 20);
        }
        if let Some(m) = file.session_idle_minutes {
            config.session_idle_secs = m.clamp(5, 60 * 24 * 30) * 60;
        }
        if let Some(b) = file.trust_forwarded_for {
            config.trust_forwarded_for = b;
        }
        if let Some(s) = file.snapshot_interval_secs {
            config.snapshot_interval_secs = s.max(10);
        }
        if let Some(s) = file.shutdown_grace_secs {
            config.shutdown_grace_secs = s.min(3600);
        }
        if let Some(ms) = file.render_timeout_ms {
            config.render_timeout_ms = ms.max(100);
        }
        if let Some(token) = overrides.metrics_token.or(file.metrics_token) {
            if token.trim().chars().count() < 16 {
                return Err(Error::Startup(
                    "metrics_token must be at least 16 characters (it guards /metrics)".into(),
                ));
            }
            config.metrics_token = Some(Secret(token.trim().to_owned()));
        }
        if let Some(language) = file.language {
            if !is_language_tag(&language) {
                return Err(Error::Startup(format!(
                    "language {language:?} is not a language tag such as \"en\" or \"en-GB\""
                )));
            }
            config.language = language.replace('_', "-");
        }
        for (key, value, target) in [
            (
                "publisher_logo",
                file.publisher_logo,
                &mut config.publisher_logo,
            ),
            ("site_image", file.site_image, &mut config.site_image),
        ] {
            if let Some(v) = value {
                if !(v.starts_with('/') || is_http_url(&v)) {
                    return Err(Error::Startup(format!(
                        "{key} {v:?} must be an http(s) URL or a path starting with /"
                    )));
                }
                *target = Some(v);
            }
        }
        if let Some(handle) = file.twitter_site {
            let bare = handle.trim().trim_start_matches('@');
            if bare.is_empty()
                || bare.len() > 15
                || !bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(Error::Startup(format!(
                    "twitter_site {handle:?} is not an account name such as \"@gazette\""
                )));
            }
            config.twitter_site = Some(format!("@{bare}"));
        }
        if let Some(hub) = file.websub_hub {
            if !is_http_url(&hub) {
                return Err(Error::Startup(format!(
                    "websub_hub {hub:?} must be an http(s) URL"
                )));
            }
            config.websub_hub = Some(hub);
        }
        if let Some(b) = file.feed_full_content {
            config.feed_full_content = b;
        }
        if let Some(n) = file.sitemap_page_size {
            config.sitemap_page_size = n.clamp(1, 50_000);
        }
        Ok(config)
    }
}

/// `xx`, `xxx` or those followed by `-`/`_` subtags of 2 to 8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_http_url(s: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        s.len() > scheme.len() && s.starts_with(scheme) && !s.contains(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_and_file_beats_defaults() {
        let file: ConfigFile = toml::from_str(
            "addr = \"127.0.0.1:9000\"\nsite_name = \"The Gazette\"\npage_cache_mb = 8\nbase_url = \"https://news.example/\"",
        )
        .expect("valid toml");
        let overrides = Overrides {
            addr: Some("127.0.0.1:7000".parse().expect("addr")),
            ..Default::default()
        };
        let c = Config::resolve(overrides, file).expect("valid");
        assert_eq!(c.addr.port(), 7000);
        assert_eq!(c.site_name, "The Gazette");
        assert_eq!(c.page_cache_bytes, 8 * 1024 * 1024);
        assert_eq!(c.base_url, "https://news.example");
        assert_eq!(c.data_dir, PathBuf::from("./dateline-data"));
    }

    #[test]
    fn share_settings_are_checked_and_normalised() {
        let file: ConfigFile = toml::from_str(
            "language = \"en_GB\"\ntwitter_site = \"gazette\"\nsite_image = \"/media/card.png\"\nwebsub_hub = \"https://hub.example/\"",
        )
        .expect("valid toml");
        let c = Config::resolve(Overrides::default(), file).expect("valid");
        assert_eq!(c.language, "en-GB");
        assert_eq!(c.twitter_site.as_deref(), Some("@gazette"));
        assert_eq!(c.site_image.as_deref(), Some("/media/card.png"));
        assert_eq!(c.websub_hub.as_deref(), Some("https://hub.example/"));
        assert_eq!(c.publisher_logo, None);
        for bad in [
            "language = \"english please\"",
            "twitter_site = \"@has space\"",
            "site_image = \"card.png\"",
            "websub_hub = \"ftp://hub.example/\"",
        ] {
            let file: ConfigFile = toml::from_str(bad).expect("valid toml");
            assert!(
                Config::resolve(Overrides::default(), file).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn feed_and_sitemap_settings_are_read_and_bounded() {
        let file: ConfigFile = toml::from_str(
            "language = \"en_GB\"\nfeed_full_content = false\nsitemap_page_size = 90000",
        )
        .expect("valid toml");
        let c = Config::resolve(Overrides::default(), file).expect("valid");
        assert_eq!(c.language, "en-GB");
        assert!(!c.feed_full_content);
        assert_eq!(c.sitemap_page_size, 50_000);
        let d = Config::resolve(Overrides::default(), ConfigFile::default()).expect("valid");
        assert_eq!(
            (
                d.language.as_str(),
                d.feed_full_content,
                d.sitemap_page_size
            ),
            ("en", true, 10_000)
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        assert!(toml::from_str::<ConfigFile>("adr = \"x\"").is_err());
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let mut c = Config::new("127.0.0.1:1".parse().expect("addr"), PathBuf::from("d"));
        c.database_url = Some(Secret("postgres://u:hunter2@h/db".into()));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
