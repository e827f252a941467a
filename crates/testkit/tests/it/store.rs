//! The store suite: every test runs on SQLite and on PostgreSQL.

use chrono::{Duration, Utc};
use dateline_app::reading::{ListFilter, SlugLookup};
use dateline_app::Store;
use dateline_core::ArticleContent;
use dateline_core::{slugify, Role, Status, Version};
use dateline_store::ArticleRecord;
use dateline_testkit::{backends, TestDb};

fn record(title: &str, status: Status) -> ArticleRecord {
    let now = Utc::now();
    ArticleRecord {
        slug: slugify(title, "article"),
        external_id: None,
        content: ArticleContent {
            title: title.into(),
            standfirst: None,
            body: "Body.".into(),
            summary: None,
            dateline: Some("MUSCAT".into()),
            section: Some("World News".into()),
            tags: vec!["Oman".into(), "Ports".into()],
            authors: vec!["Ann Smith".into(), "Bo Li".into()],
            lead_image: None,
            source: None,
        },
        body_html: "<p>Body.</p>".into(),
        teaser: "Body.".into(),
        correction: None,
        status,
        published_at: (status == Status::Published).then(|| now - Duration::minutes(1)),
        word_count: 1,
        owner_id: None,
    }
}

/// Runs `test` on a fresh store of every backend (shared with `store_editor`).
pub(crate) async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for backend in backends() {
        let db = TestDb::create(backend).await.expect("test database");
        let store = db.store().await.expect("store");
        if let Err(e) = test(store).await {
            panic!("on {backend:?}: {e:#}");
        }
    }
}

#[tokio::test]
async fn an_article_is_written_with_its_terms_revision_and_change() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        let a = tx
            .create(
                &record("Port of Muscat expands", Status::Published),
                "tester",
                now,
            )
            .await?;
        tx.commit().await?;
        assert_eq!(a.version, Version(1));
        assert_eq!(a.slug.as_str(), "port-of-muscat-expands");
        let read = store.article(a.id).await?;
        assert_eq!(
            read.section.as_ref().map(|s| s.slug.as_str()),
            Some("world-news")
        );
        let authors: Vec<_> = read.authors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(authors, ["Ann Smith", "Bo Li"], "byline order kept");
        assert_eq!(read.story_id, a.id.0);
        let revisions = store.revisions(a.id).await?;
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].actor, "tester");
        let changes = store.changes_since(0, 10).await?;
        assert_eq!(changes.len(), 1);
        assert!(
            changes[0].surrogate_keys.contains(&"tag:oman".to_owned()),
            "{:?}",
            changes[0].surrogate_keys
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_refused_with_the_current_article_and_nothing_written() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        let a = tx
            .create(&record("First title", Status::Draft), "a", now)
            .await?;
        tx.commit().await?;
        let mut tx = store.begin().await?;
        let mut r = record("Second title", Status::Draft);
        r.slug = a.slug.clone();
        let b = tx.update(a.id, Version(1), &r, "b", now).await?;
        tx.commit().await?;
        assert_eq!(b.version, Version(2));
        let mut tx = store.begin().await?;
        let mut stale = record("Third title from an old copy", Status::Draft);
        stale.slug = a.slug.clone();
        match tx.update(a.id, Version(1), &stale, "c", now).await {
            Err(dateline_store::Error::VersionConflict { current, .. }) => {
                assert_eq!(current.title, "Second title");
                assert_eq!(current.version, Version(2));
            }
            other => anyhow::bail!("expected a conflict, got {other:?}"),
        }
        drop(tx);
        assert_eq!(store.article(a.id).await?.title, "Second title");
        assert_eq!(store.revisions(a.id).await?.len(), 2);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn only_published_articles_whose_time_has_come_are_public() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        let public = tx
            .create(&record("Visible story", Status::Published), "t", now)
            .await?;
        let draft = tx
            .create(&record("Draft story", Status::Draft), "t", now)
            .await?;
        let mut sched = record("Scheduled story", Status::Scheduled);
        sched.published_at = Some(now + Duration::hours(1));
        let scheduled = tx.create(&sched, "t", now).await?;
        let withdrawn = tx
            .create(&record("Withdrawn story", Status::Published), "t", now)
            .await?;
        let deleted = tx
            .create(&record("Deleted story", Status::Published), "t", now)
            .await?;
        let mut w = ArticleRecord::from_article(&withdrawn);
        w.status = Status::Unpublished;
        tx.update(withdrawn.id, withdrawn.version, &w, "t", now)
            .await?;
        let mut d = ArticleRecord::from_article(&deleted);
        d.status = Status::Deleted;
        tx.update(deleted.id, deleted.version, &d, "t", now).await?;
        tx.commit().await?;

        let page = store
            .public_list(&ListFilter::default(), None, 50, now)
            .await?;
        let titles: Vec<_> = page.items.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["Visible story"]);
        for filter in [
            ListFilter {
                section: Some("world-news".into()),
                ..Default::default()
            },
            ListFilter {
                tag: Some("oman".into()),
                ..Default::default()
            },
            ListFilter {
                author: Some("bo-li".into()),
                ..Default::default()
            },
        ] {
            let page = store.public_list(&filter, None, 50, now).await?;
            assert_eq!(page.items.len(), 1, "{filter:?}");
        }
        assert!(matches!(
            store.public_lookup(public.slug.as_str(), now).await?,
            SlugLookup::Live(_)
        ));
        assert!(matches!(
            store.public_lookup(draft.slug.as_str(), now).await?,
            SlugLookup::NotFound
        ));
        assert!(matches!(
            store.public_lookup(scheduled.slug.as_str(), now).await?,
            SlugLookup::NotFound
        ));
        assert!(matches!(
            store.public_lookup(withdrawn.slug.as_str(), now).await?,
            SlugLookup::Gone
        ));
        assert!(matches!(
            store.public_lookup(deleted.slug.as_str(), now).await?,
            SlugLookup::NotFound
        ));
        assert!(store
            .public_article(draft.slug.as_str(), now)
            .await
            .is_err());
        let sections = store.public_sections(now).await?;
        assert_eq!(sections.len(), 1);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn cursor_pagination_walks_every_article_once_in_order() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        for i in 0..7 {
            let mut r = record(&format!("Story {i}"), Status::Published);
            // Two share a timestamp, so the id tie-breaker is exercised.
            r.published_at = Some(now - Duration::minutes(10 - i.min(5)));
            tx.create(&r, "t", now).await?;
        }
        tx.commit().await?;
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .public_list(&ListFilter::default(), cursor, 3, now)
                .await?;
            seen.extend(page.items.iter().map(|a| (a.published_at, a.id)));
            match page.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest first, id breaks ties");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_changed_slug_of_a_public_article_redirects_and_new_slugs_stay_unique() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        let a = tx
            .create(&record("Same headline", Status::Published), "t", now)
            .await?;
        let b = tx
            .create(&record("Same headline", Status::Published), "t", now)
            .await?;
        assert_eq!(b.slug.as_str(), "same-headline-2");
        let mut r = ArticleRecord::from_article(&a);
        r.slug = dateline_core::Slug::parse("better-headline")?;
        tx.update(a.id, a.version, &r, "t", now).await?;
        let c = tx
            .create(&record("Same headline", Status::Published), "t", now)
            .await?;
        tx.commit().await?;
        assert_eq!(
            c.slug.as_str(),
            "same-headline-3",
            "an old slug is not handed to another article"
        );
        match store.public_lookup("same-headline", now).await? {
            SlugLookup::Moved(to) => assert_eq!(to.as_str(), "better-headline"),
            other => anyhow::bail!("expected a redirect, got {other:?}"),
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing_behind() {
    each_backend(|store| async move {
        let now = Utc::now();
        {
            let mut tx = store.begin().await?;
            tx.create(&record("Never committed", Status::Published), "t", now)
                .await?;
        }
        assert_eq!(store.article_count().await?, 0);
        assert_eq!(store.latest_change_seq().await?, 0);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn api_keys_are_found_by_hash_and_revocation_sticks() {
    each_backend(|store| async move {
        let now = Utc::now();
        let key = store
            .create_api_key("desk", Role::Editor, "dl_abcd", "hash-1", now)
            .await?;
        assert_eq!(store.api_key_by_hash("hash-1").await?.id, key.id);
        store.revoke_api_key(key.id, now).await?;
        assert!(matches!(
            store.api_key_by_hash("hash-1").await,
            Err(dateline_store::Error::NotFound)
        ));
        let user = store
            .create_user("ed@example.org", "Ed", Role::Admin, "$argon2id$x", now)
            .await?;
        assert_eq!(store.user_by_email("ed@example.org").await?.id, user.id);
        assert!(matches!(
            store
                .create_user("ed@example.org", "Ed 2", Role::Editor, "$argon2id$y", now)
                .await,
            Err(dateline_store::Error::Duplicate { .. })
        ));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn due_scheduled_articles_are_listed_for_the_scheduler() {
    each_backend(|store| async move {
        let now = Utc::now();
        let mut tx = store.begin().await?;
        let mut due = record("Due now", Status::Scheduled);
        due.published_at = Some(now - Duration::seconds(1));
        let due = tx.create(&due, "t", now).await?;
        let mut later = record("Due later", Status::Scheduled);
        later.published_at = Some(now + Duration::hours(2));
        tx.create(&later, "t", now).await?;
        tx.commit().await?;
        let listed = store.due_scheduled(now).await?;
        assert_eq!(listed, vec![(due.id, Version(1))]);
        Ok(())
    })
    .await;
}
