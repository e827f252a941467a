//! WebSub (W3C Recommendation, 2018), the publisher's side: when a public article changes,
//! tell the configured hub (`websub_hub`) which feeds — topics — changed, so subscribers
//! learn of a story in seconds instead of at their next poll.
//!
//! The feeds' addresses are built here, in [`feed_paths`], the one place that says where the
//! site's, a section's, a tag's and an author's feeds live; the feed routes and their
//! `rel=self` links follow it, and [`App::websub_hub`] gives pages and feeds the hub for
//! `<link rel="hub">`.
//!
//! **Who pings.** The node that committed the change, and only it: the use-cases in
//! `articles` hand the topics to [`App::queue_hub_ping`] after commit. Other nodes read the
//! same change from the change sequence but never ping for it. Pinging exactly once through
//! the change sequence would need a claim shared by the nodes (a new table and a lease); a
//! ping is only a hint — a hub that hears it twice refetches twice, a ping lost when a node
//! dies between commit and ping delays the story until subscribers' next poll — so the
//! originating node is enough. The scheduler's publishes are made by one node too (the
//! version check lets one of them win).
//!
//! **Off the request path.** Queuing never waits: the queue is bounded ([`QUEUE`] batches)
//! and a full queue drops the batch with a warning. A background task ([`run`]) waits a
//! short coalescing window (twice the change-poll interval, so every node's page and feed
//! caches have dropped the old copy before the hub fetches), merges what queued meanwhile
//! (one ping per topic however many edits), and posts `hub.mode=publish&hub.url=TOPIC`
//! per topic, a few at a time, each with a timeout and retries with exponential backoff on
//! a network error, 429 or 5xx. Nothing a hub does can fail or slow a publish.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use dateline_core::Article;
use tokio::sync::mpsc;

use crate::App;

/// Batches of topics the queue holds before new ones are dropped.
pub const QUEUE: usize = 256;
/// Pings in flight at once.
const CONCURRENCY: usize = 4;
/// Attempts per topic (the first and three retries).
const ATTEMPTS: u32 = 4;
/// Wait before the first retry; doubled before each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// One request's whole budget, connect included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Whose feeds: the whole site's, or one section's, tag's or author's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope<'a> {
    /// Every public article.
    Site,
    /// The section with this slug.
    Section(&'a str),
    /// The tag with this slug.
    Tag(&'a str),
    /// The author with this slug.
    Author(&'a str),
}

/// The feed formats, by the file name that ends each feed's path: Atom 1.0, RSS 2.0 and
/// JSON Feed 1.1.
pub const FEED_FILES: [&str; 3] = ["atom.xml", "rss.xml", "feed.json"];

/// The paths of the feeds of `scope`, one per format in [`FEED_FILES`] order: the site's
/// are `/atom.xml`, `/rss.xml`, `/feed.json`; a section's, tag's or author's sit under its
/// page (`/section/{slug}` → `/section/{slug}/atom.xml`, …).
pub fn feed_paths(scope: FeedScope<'_>) -> [String; 3] {
    let prefix = match scope {
        FeedScope::Site => String::new(),
        FeedScope::Section(slug) => format!("/section/{slug}"),
        FeedScope::Tag(slug) => format!("/tag/{slug}"),
        FeedScope::Author(slug) => format!("/author/{slug}"),
    };
    FEED_FILES.map(|file| format!("{prefix}/{file}"))
}

/// The WebSub topics `article` is in: the absolute URLs of every feed that lists it (the
/// site's and those of its section, tags and authors).
pub fn topic_urls(base_url: &str, article: &Article) -> Vec<String> {
    let mut scopes = vec![FeedScope::Site];
    scopes.extend(
        article
            .section
            .iter()
            .map(|s| FeedScope::Section(s.slug.as_str())),
    );
    scopes.extend(article.tags.iter().map(|t| FeedScope::Tag(t.slug.as_str())));
    scopes.extend(
        article
            .authors
            .iter()
            .map(|a| FeedScope::Author(a.slug.as_str())),
    );
    scopes
        .into_iter()
        .flat_map(feed_paths)
        .map(|path| format!("{base_url}{path}"))
        .collect()
}

/// The topics a change from `before` (absent on create) to `after` touches: those of each
/// version that readers could see at `now`. Empty when neither was public — a draft saved,
/// a story scheduled — so nothing is pinged for what readers cannot see.
pub fn changed_topics(
    base_url: &str,
    before: Option<&Article>,
    after: &Article,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut topics = BTreeSet::new();
    for version in before.into_iter().chain([after]) {
        if version.is_public_at(now) {
            topics.extend(topic_urls(base_url, version));
        }
    }
    topics.into_iter().collect()
}

/// The queue between the use-cases and the ping task.
pub(crate) struct HubQueue {
    tx: mpsc::Sender<Vec<String>>,
    rx: Mutex<Option<mpsc::Receiver<Vec<String>>>>,
}

impl Default for HubQueue {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        HubQueue {
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }
}

impl App {
    /// The WebSub hub pages and feeds advertise with `<link rel="hub">`, if one is set.
    pub fn websub_hub(&self) -> Option<&str> {
        self.config().websub_hub.as_deref()
    }

    /// Queues a hub ping for the feeds a committed change from `before` to `after` touched
    /// (see [`changed_topics`]); returns at once, whatever the hub does. Does nothing when
    /// no hub is set or no public version is involved.
    pub fn queue_hub_ping(&self, before: Option<&Article>, after: &Article) {
        if self.websub_hub().is_none() {
            return;
        }
        let topics = changed_topics(&self.config().base_url, before, after, Utc::now());
        if topics.is_empty() {
            return;
        }
        match self.inner.websub.tx.try_send(topics) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    article.id = %after.id,
                    "WebSub ping queue is full; this change is not pinged (subscribers see it at their next poll)"
                );
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn take_hub_queue(&self) -> Option<mpsc::Receiver<Vec<String>>> {
        match self.inner.websub.rx.lock() {
            Ok(mut rx) => rx.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

/// Pings the hub for queued topics until shutdown (see the module docs). Returns at once
/// when no hub is set or another task already runs.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let Some(hub) = app.websub_hub().map(str::to_owned) else {
        return;
    };
    let Some(mut queue) = app.take_hub_queue() else {
        return;
    };
    let client = match reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT / 2)
        .user_agent(concat!("dateline/", env!("CARGO_PKG_VERSION"), " (WebSub)"))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not build the WebSub client; hub pings are off");
            return;
        }
    };
    let window = Duration::from_millis(app.config().change_poll_interval_ms.saturating_mul(2));
    let hub = Arc::<str>::from(hub);
    let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut pings = tokio::task::JoinSet::new();
    loop {
        let first = tokio::select! {
            batch = queue.recv() => match batch {
                Some(b) => b,
                None => break,
            },
            _ = shutdown.changed() => break,
            // Reap finished pings so the set does not grow.
            Some(_) = pings.join_next(), if !pings.is_empty() => continue,
        };
        tokio::select! {
            _ = tokio::time::sleep(window) => {}
            _ = shutdown.changed() => break,
        }
        let mut topics: BTreeSet<String> = first.into_iter().collect();
        while let Ok(more) = queue.try_recv() {
            topics.extend(more);
        }
        for topic in topics {
            let (client, hub, slots) = (client.clone(), hub.clone(), slots.clone());
            let mut stop = shutdown.clone();
            pings.spawn(async move {
                let Ok(_slot) = slots.acquire_owned().await else {
                    return;
                };
                tokio::select! {
                    _ = ping(&client, &hub, &topic) => {}
                    _ = stop.changed() => {}
                }
            });
        }
    }
    pings.abort_all();
}

/// One topic's ping, retried on failures worth retrying.
async fn ping(client: &reqwest::Client, hub: &str, topic: &str) {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        let outcome = client
            .post(hub)
            .form(&[("hub.mode", "publish"), ("hub.url", topic)])
            .send()
            .await;
        let retry = match outcome {
            Ok(r) if r.status().is_success() => {
                tracing::debug!(topic, status = r.status().as_u16(), "WebSub hub pinged");
                return;
            }
            Ok(r) => {
                let status = r.status();
                let retry = status.is_server_error() || status.as_u16() == 429;
                tracing::warn!(
                    topic,
                    status = status.as_u16(),
                    attempt,
                    retry,
                    "WebSub hub refused a ping"
                );
                retry
            }
            Err(e) => {
                tracing::warn!(topic, error = %e, attempt, "WebSub hub did not answer a ping");
                true
            }
        };
        if !retry || attempt == ATTEMPTS {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dateline_core::{ArticleId, Slug, Status, Term, Version};

    fn term(slug: &str) -> Term {
        Term {
            slug: Slug::parse(slug).expect("slug"),
            name: slug.to_owned(),
        }
    }

    fn article(status: Status) -> Article {
        let t = Utc::now() - chrono::Duration::minutes(5);
        Article {
            id: ArticleId(7),
            slug: Slug::parse("port").expect("slug"),
            external_id: None,
            title: "Port".into(),
            standfirst: None,
            body_markdown: String::new(),
            body_html: String::new(),
            summary: None,
            teaser: String::new(),
            dateline: None,
            section: Some(term("business")),
            tags: vec![term("shipping")],
            authors: vec![term("amira-haddad")],
            lead_image: None,
            source: None,
            correction: None,
            earlier_corrections: Vec::new(),
            status,
            created_at: t,
            published_at: Some(t),
            updated_at: t,
            version: Version(1),
            story_id: 7,
            word_count: 0,
            owner_id: None,
        }
    }

    #[test]
    fn feed_paths_sit_under_the_pages_they_follow() {
        assert_eq!(
            feed_paths(FeedScope::Site),
            ["/atom.xml", "/rss.xml", "/feed.json"]
        );
        assert_eq!(
            feed_paths(FeedScope::Tag("shipping")),
            [
                "/tag/shipping/atom.xml",
                "/tag/shipping/rss.xml",
                "/tag/shipping/feed.json"
            ]
        );
    }

    #[test]
    fn a_public_change_touches_every_feed_of_both_versions_and_a_draft_none() {
        let now = Utc::now();
        let before = article(Status::Published);
        let mut after = before.clone();
        after.section = Some(term("world"));
        let topics = changed_topics("https://n.example", Some(&before), &after, now);
        assert_eq!(topics.len(), 15, "{topics:?}");
        for t in [
            "https://n.example/atom.xml",
            "https://n.example/feed.json",
            "https://n.example/section/business/rss.xml",
            "https://n.example/section/world/atom.xml",
            "https://n.example/tag/shipping/atom.xml",
            "https://n.example/author/amira-haddad/feed.json",
        ] {
            assert!(topics.iter().any(|x| x == t), "{t} in {topics:?}");
        }
        let draft = article(Status::Draft);
        assert!(changed_topics("https://n.example", Some(&draft), &draft, now).is_empty());
        let mut scheduled = article(Status::Scheduled);
        scheduled.published_at = Some(now + chrono::Duration::hours(1));
        assert!(changed_topics("https://n.example", None, &scheduled, now).is_empty());
        // Unpublishing: the version before was public, so its feeds change.
        let withdrawn = article(Status::Unpublished);
        assert_eq!(
            changed_topics("https://n.example", Some(&before), &withdrawn, now).len(),
            12
        );
    }
}
