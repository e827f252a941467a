//! The store behind the browser editor — sessions, sign-in throttling, password resets,
//! ownership, presence, the newsroom list and term suggestions — on SQLite and PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use dateline_core::ArticleContent;
use dateline_core::{slugify, ArticleId, Role, Status};
use dateline_store::{ArticleRecord, Error, NewsroomFilter, Store};

use super::store::each_backend;

/// A fixed, whole-second clock: the store keeps Unix seconds.
fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).expect("valid time")
}

fn record(title: &str, status: Status, at: DateTime<Utc>) -> ArticleRecord {
    ArticleRecord {
        slug: slugify(title, "article"),
        external_id: None,
        content: ArticleContent {
            title: title.into(),
            standfirst: None,
            body: "Body text here.".into(),
            summary: None,
            dateline: None,
            section: Some("World News".into()),
            tags: vec!["Oman".into()],
            authors: vec!["Ann Smith".into()],
            lead_image: None,
            source: None,
        },
        body_html: "<p>Body text here.</p>".into(),
        teaser: "Body text here.".into(),
        correction: None,
        status,
        published_at: match status {
            Status::Published => Some(at - Duration::minutes(1)),
            Status::Scheduled => Some(at + Duration::days(1)),
            _ => None,
        },
        word_count: 3,
        owner_id: None,
    }
}

async fn user(store: &Store, email: &str, name: &str) -> anyhow::Result<i64> {
    Ok(store
        .create_user(email, name, Role::Author, "hash-0", t0())
        .await?
        .id)
}

async fn create(store: &Store, r: &ArticleRecord, at: DateTime<Utc>) -> anyhow::Result<ArticleId> {
    let mut tx = store.begin().await?;
    let a = tx.create(r, "tester", at).await?;
    tx.commit().await?;
    Ok(a.id)
}

fn not_found<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::NotFound))
}

#[tokio::test]
async fn sessions_live_until_expiry_sign_out_or_disabling() {
    each_backend(|store| async move {
        let t = t0();
        let ann = user(&store, "ann@example.com", "Ann").await?;
        let bo = user(&store, "bo@example.com", "Bo").await?;

        store
            .create_session("h1", ann, "csrf-1", t, t + Duration::hours(1))
            .await?;
        let s = store.session("h1", t + Duration::minutes(1)).await?;
        assert_eq!(s.user.id, ann);
        assert_eq!(s.user.email, "ann@example.com");
        assert_eq!(s.csrf_token, "csrf-1");
        assert_eq!(
            (s.created_at, s.last_seen_at, s.expires_at),
            (t, t, t + Duration::hours(1))
        );
        assert!(not_found(store.session("nope", t).await));
        assert!(
            not_found(store.session("h1", t + Duration::hours(1)).await),
            "expires_at <= now is expired"
        );

        // Touching slides the expiry.
        store
            .touch_session("h1", t + Duration::minutes(30), t + Duration::hours(2))
            .await?;
        let s = store.session("h1", t + Duration::minutes(90)).await?;
        assert_eq!(s.last_seen_at, t + Duration::minutes(30));
        assert_eq!(s.expires_at, t + Duration::hours(2));
        assert_eq!(s.created_at, t);
        // An expired session is not revived, and unknown ones are NotFound.
        assert!(not_found(
            store
                .touch_session("h1", t + Duration::hours(3), t + Duration::hours(4))
                .await
        ));
        assert!(not_found(store.session("h1", t + Duration::hours(3)).await));
        assert!(not_found(
            store.touch_session("nope", t, t + Duration::hours(1)).await
        ));

        // Signing out.
        store
            .create_session("h2", ann, "csrf-2", t, t + Duration::hours(1))
            .await?;
        store.delete_session("h2").await?;
        assert!(not_found(store.session("h2", t).await));
        store.delete_session("h2").await?;

        // Signing out everywhere takes only that user's sessions.
        for h in ["h3", "h4"] {
            store
                .create_session(h, ann, "c", t, t + Duration::hours(1))
                .await?;
        }
        store
            .create_session("b1", bo, "c", t, t + Duration::hours(1))
            .await?;
        // h1 has expired but is still stored: three rows go.
        assert_eq!(store.delete_user_sessions(ann).await?, 3);
        assert!(not_found(store.session("h3", t).await));
        assert!(not_found(store.session("h4", t).await));
        assert_eq!(store.session("b1", t).await?.user.id, bo);
        assert_eq!(store.delete_user_sessions(ann).await?, 0);

        // No session for a user that does not exist.
        assert!(not_found(
            store
                .create_session("x", 999_999, "c", t, t + Duration::hours(1))
                .await
        ));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn users_are_read_by_id_given_roles_and_disabled_with_their_sessions() {
    each_backend(|store| async move {
        let t = t0();
        let ann = user(&store, "ann@example.com", "Ann").await?;
        let bo = user(&store, "bo@example.com", "Bo").await?;
        let u = store.user(ann).await?;
        assert_eq!(
            (u.email.as_str(), u.role),
            ("ann@example.com", Role::Author)
        );
        assert!(not_found(store.user(999_999).await));

        store.set_user_role(ann, Role::Editor).await?;
        assert_eq!(store.user(ann).await?.role, Role::Editor);
        assert!(not_found(store.set_user_role(999_999, Role::Admin).await));

        store
            .create_session("a1", ann, "c", t, t + Duration::hours(1))
            .await?;
        store
            .create_session("b1", bo, "c", t, t + Duration::hours(1))
            .await?;
        store.set_user_disabled(ann, Some(t)).await?;
        assert_eq!(store.user(ann).await?.disabled_at, Some(t));
        assert!(not_found(store.session("a1", t).await));
        assert_eq!(
            store.delete_user_sessions(ann).await?,
            0,
            "disabling deleted the sessions"
        );
        assert_eq!(
            store.session("b1", t).await?.user.id,
            bo,
            "others untouched"
        );
        // A session that still exists for a disabled user is not found either.
        store
            .create_session("a2", ann, "c", t, t + Duration::hours(1))
            .await?;
        assert!(not_found(store.session("a2", t).await));
        // Disabling again keeps the first time.
        store
            .set_user_disabled(ann, Some(t + Duration::hours(5)))
            .await?;
        assert_eq!(store.user(ann).await?.disabled_at, Some(t));

        store.set_user_disabled(ann, None).await?;
        assert_eq!(store.user(ann).await?.disabled_at, None);
        store
            .create_session("a3", ann, "c", t, t + Duration::hours(1))
            .await?;
        assert_eq!(store.session("a3", t).await?.user.id, ann);

        assert!(not_found(store.set_user_disabled(999_999, Some(t)).await));
        assert!(not_found(store.set_user_disabled(999_999, None).await));
        Ok(())
    })
    .await;
}

/// `(place, account, address)` as [`Store::sign_in_failures_since`] counts them.
async fn failures(
    store: &Store,
    email: &str,
    address: &str,
    device: Option<&str>,
    since: DateTime<Utc>,
) -> anyhow::Result<(i64, i64, i64)> {
    let c = store
        .sign_in_failures_since(email, address, device, since)
        .await?;
    Ok((c.place, c.account, c.address))
}

#[tokio::test]
async fn sign_in_failures_are_counted_per_place_account_and_address_within_the_window() {
    each_backend(|store| async move {
        let t = t0();
        let m = Duration::minutes;
        let ann = "ann@example.com";
        for (email, address, device, at) in [
            (ann, "10.0.0.1", None, t - Duration::hours(2)),
            (ann, "10.0.0.1", None, t - m(10)),
            (ann, "10.0.0.1", None, t - m(5)),
            (ann, "10.0.0.2", None, t - m(1)),
            (ann, "10.0.0.1", Some("laptop"), t - m(1)),
            ("bo@example.com", "10.0.0.1", None, t - m(1)),
            ("cy@example.com", "10.0.0.1", None, t - m(1)),
        ] {
            store
                .record_sign_in_failure(email, address, device, at)
                .await?;
        }
        let since = t - Duration::hours(1);
        assert_eq!(
            failures(&store, ann, "10.0.0.1", None, since).await?,
            (2, 4, 4),
            "the two-hour-old failure is outside the window; the laptop's failure counts for \
             the account only"
        );
        assert_eq!(
            failures(&store, ann, "10.0.0.1", None, t - Duration::hours(3)).await?,
            (3, 5, 5)
        );
        assert_eq!(
            failures(&store, ann, "10.0.0.9", Some("laptop"), since).await?,
            (1, 4, 0),
            "a known browser's place is the browser, wherever it is"
        );
        assert_eq!(
            failures(&store, "bo@example.com", "10.0.0.2", None, since).await?,
            (0, 1, 1)
        );
        assert_eq!(
            failures(&store, "nobody@example.com", "10.9.9.9", None, since).await?,
            (0, 0, 0)
        );

        // A success at 10.0.0.1 forgets Ann's failures there, and only there.
        store.clear_sign_in_failures(ann, "10.0.0.1", None).await?;
        assert_eq!(
            failures(&store, ann, "10.0.0.1", None, since).await?,
            (0, 2, 2),
            "10.0.0.2 and the laptop stay, and so do other emails' failures from the address"
        );
        store
            .clear_sign_in_failures(ann, "10.0.0.1", Some("laptop"))
            .await?;
        assert_eq!(
            failures(&store, ann, "10.0.0.2", None, since).await?,
            (1, 1, 1)
        );

        // A refused attempt is forgotten by its id.
        let id = store
            .record_sign_in_failure(ann, "10.0.0.2", None, t)
            .await?;
        assert_eq!(
            failures(&store, ann, "10.0.0.2", None, since).await?,
            (2, 2, 2)
        );
        store.forget_sign_in_failure(id).await?;
        store.forget_sign_in_failure(id).await?;
        assert_eq!(
            failures(&store, ann, "10.0.0.2", None, since).await?,
            (1, 1, 1)
        );

        // A failure two days later prunes everything older than a day.
        store
            .record_sign_in_failure("dee@example.com", "10.0.0.3", None, t + Duration::days(2))
            .await?;
        assert_eq!(
            failures(
                &store,
                "bo@example.com",
                "10.0.0.1",
                None,
                t - Duration::days(30)
            )
            .await?,
            (0, 0, 0)
        );
        assert_eq!(
            failures(&store, "dee@example.com", "10.0.0.3", None, t).await?,
            (1, 1, 1)
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_known_browser_is_known_to_its_account_only_until_it_expires_or_is_replaced() {
    each_backend(|store| async move {
        let t = t0();
        let day = Duration::days(1);
        let ann = user(&store, "ann@example.com", "Ann").await?;
        user(&store, "bo@example.com", "Bo").await?;
        store.remember_device("d1", ann, None, t, t + day).await?;
        store.remember_device("d2", ann, None, t, t + day).await?;
        assert!(store.is_known_device("d1", "ann@example.com", t).await?);
        assert!(store.is_known_device("d2", "ann@example.com", t).await?);
        assert!(
            !store.is_known_device("d1", "bo@example.com", t).await?,
            "known to its own account only"
        );
        assert!(!store.is_known_device("d9", "ann@example.com", t).await?);
        assert!(
            !store
                .is_known_device("d1", "ann@example.com", t + day)
                .await?
        );

        // Signing in again replaces the token the browser presented; the other stays.
        store
            .remember_device("d3", ann, Some("d1"), t, t + day)
            .await?;
        assert!(!store.is_known_device("d1", "ann@example.com", t).await?);
        assert!(store.is_known_device("d2", "ann@example.com", t).await?);
        assert!(store.is_known_device("d3", "ann@example.com", t).await?);

        // A later sign-in drops the user's expired rows, so the token is gone for good.
        store
            .remember_device("d4", ann, None, t + day * 2, t + day * 3)
            .await?;
        assert!(!store.is_known_device("d2", "ann@example.com", t).await?);

        assert!(not_found(
            store.remember_device("d5", 999_999, None, t, t + day).await
        ));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn spending_a_reset_token_forgets_the_account_s_failed_sign_ins_from_everywhere() {
    each_backend(|store| async move {
        let t = t0();
        let hour = Duration::hours(1);
        let ann = user(&store, "ann@example.com", "Ann").await?;
        for (email, address, device) in [
            ("ann@example.com", "10.0.0.1", None),
            ("ann@example.com", "10.0.0.2", None),
            ("ann@example.com", "10.0.0.2", Some("laptop")),
            ("bo@example.com", "10.0.0.1", None),
        ] {
            store
                .record_sign_in_failure(email, address, device, t)
                .await?;
        }
        store.create_password_reset("r1", ann, t, t + hour).await?;
        store.use_password_reset("r1", "hash-new", t).await?;
        assert_eq!(
            failures(&store, "ann@example.com", "10.0.0.1", None, t - hour).await?,
            (0, 0, 1),
            "Ann's failures are gone; Bo's from the address stay"
        );
        assert_eq!(
            failures(&store, "bo@example.com", "10.0.0.1", None, t - hour).await?,
            (1, 1, 1)
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_reset_token_works_once_before_expiry_and_ends_every_session() {
    each_backend(|store| async move {
        let t = t0();
        let ann = user(&store, "ann@example.com", "Ann").await?;
        let bo = user(&store, "bo@example.com", "Bo").await?;
        let hour = Duration::hours(1);
        store.create_session("s1", ann, "c", t, t + hour).await?;
        store.create_session("s2", ann, "c", t, t + hour).await?;
        store.create_session("b1", bo, "c", t, t + hour).await?;

        store.create_password_reset("r1", ann, t, t + hour).await?;
        assert_eq!(store.password_reset_user("r1", t).await?.id, ann);
        assert!(not_found(store.password_reset_user("nope", t).await));
        assert!(not_found(store.password_reset_user("r1", t + hour).await));

        let u = store
            .use_password_reset("r1", "hash-new", t + Duration::minutes(2))
            .await?;
        assert_eq!((u.id, u.password_hash.as_str()), (ann, "hash-new"));
        assert_eq!(
            store.user_by_email("ann@example.com").await?.password_hash,
            "hash-new"
        );
        assert!(not_found(store.session("s1", t).await));
        assert!(not_found(store.session("s2", t).await));
        assert_eq!(
            store.session("b1", t).await?.user.id,
            bo,
            "others untouched"
        );

        // Spent: a second use and a lookup find nothing, and change nothing.
        store.create_session("s3", ann, "c", t, t + hour).await?;
        assert!(not_found(
            store.use_password_reset("r1", "hash-again", t).await
        ));
        assert!(not_found(store.password_reset_user("r1", t).await));
        assert_eq!(store.user(ann).await?.password_hash, "hash-new");
        assert_eq!(store.session("s3", t).await?.user.id, ann);

        // Expired: refused, nothing written.
        store.create_password_reset("r2", ann, t, t + hour).await?;
        assert!(not_found(
            store.use_password_reset("r2", "hash-late", t + hour).await
        ));
        assert_eq!(store.user(ann).await?.password_hash, "hash-new");
        assert_eq!(store.session("s3", t).await?.user.id, ann);

        // Using one token spends the user's other outstanding ones.
        store.create_password_reset("r3", ann, t, t + hour).await?;
        store.create_password_reset("r4", ann, t, t + hour).await?;
        store.use_password_reset("r3", "hash-3", t).await?;
        assert!(not_found(store.use_password_reset("r4", "hash-4", t).await));
        assert_eq!(store.user(ann).await?.password_hash, "hash-3");

        // A disabled user's token does not work.
        store.create_password_reset("b-r", bo, t, t + hour).await?;
        store.set_user_disabled(bo, Some(t)).await?;
        assert!(not_found(store.password_reset_user("b-r", t).await));
        assert!(not_found(
            store.use_password_reset("b-r", "hash-b", t).await
        ));
        assert_eq!(store.user(bo).await?.password_hash, "hash-0");

        assert!(not_found(
            store
                .create_password_reset("r9", 999_999, t, t + hour)
                .await
        ));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_owner_is_written_on_create_and_never_changed_by_an_update() {
    each_backend(|store| async move {
        let t = t0();
        let ann = user(&store, "ann@example.com", "Ann").await?;
        let bo = user(&store, "bo@example.com", "Bo").await?;
        let mut r = record("Owned story", Status::Draft, t);
        r.owner_id = Some(ann);
        let mut tx = store.begin().await?;
        let a = tx.create(&r, "ann@example.com", t).await?;
        let unowned = tx
            .create(&record("Imported story", Status::Draft, t), "import", t)
            .await?;
        tx.commit().await?;
        assert_eq!(a.owner_id, Some(ann));
        assert_eq!(store.article(a.id).await?.owner_id, Some(ann));
        assert_eq!(store.article(unowned.id).await?.owner_id, None);

        for owner in [None, Some(bo)] {
            let current = store.article(a.id).await?;
            let mut change = ArticleRecord::from_article(&current);
            assert_eq!(change.owner_id, Some(ann), "from_article copies the owner");
            change.content.title = format!("Owned story, {owner:?}");
            change.owner_id = owner;
            let mut tx = store.begin().await?;
            let after = tx
                .update(a.id, current.version, &change, "bo@example.com", t)
                .await?;
            tx.commit().await?;
            assert_eq!(after.owner_id, Some(ann));
            assert_eq!(store.article(a.id).await?.owner_id, Some(ann));
        }
        let revisions = store.revisions(a.id).await?;
        assert_eq!(revisions.len(), 3);
        assert!(revisions.iter().all(|r| r.snapshot.owner_id == Some(ann)));
        Ok(())
    })
    .await;
}

#[test]
fn revision_snapshots_saved_before_ownership_read_as_unowned() {
    let mut article = dateline_core::Article {
        id: ArticleId(7),
        slug: slugify("Old snapshot", "article"),
        external_id: None,
        title: "Old snapshot".into(),
        standfirst: None,
        body_markdown: "Body.".into(),
        body_html: String::new(),
        summary: None,
        teaser: "Body.".into(),
        dateline: None,
        section: None,
        tags: Vec::new(),
        authors: Vec::new(),
        lead_image: None,
        source: None,
        correction: None,
        status: Status::Draft,
        created_at: t0(),
        published_at: None,
        updated_at: t0(),
        version: dateline_core::Version(1),
        story_id: 7,
        word_count: 1,
        owner_id: Some(3),
        earlier_corrections: vec![],
    };
    let mut json = serde_json::to_value(&article).expect("serialise");
    let fields = json.as_object_mut().expect("an object");
    fields.remove("owner_id").expect("owner_id is serialised");
    fields
        .remove("earlier_corrections")
        .expect("earlier_corrections is serialised");
    let old: dateline_core::Article = serde_json::from_value(json).expect("old snapshot reads");
    article.owner_id = None;
    assert_eq!(old, article);
}

#[tokio::test]
async fn presence_lists_others_seen_recently_by_name() {
    each_backend(|store| async move {
        let t = t0();
        let m = Duration::minutes;
        let cy = user(&store, "cy@example.com", "Cy").await?;
        let ann = user(&store, "ann@example.com", "Ann").await?;
        let bo = user(&store, "bo@example.com", "Bo").await?;
        let a = create(&store, &record("Busy story", Status::Draft, t), t).await?;
        let other = create(&store, &record("Quiet story", Status::Draft, t), t).await?;

        store.mark_presence(a, ann, t).await?;
        store.mark_presence(a, bo, t - m(10)).await?;
        store.mark_presence(a, cy, t - m(1)).await?;
        store.mark_presence(other, bo, t).await?;

        let ids = |v: Vec<(i64, String, String)>| v.into_iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(
            store.presence(a, ann, t - m(5)).await?,
            vec![(cy, "Cy".to_owned(), "cy@example.com".to_owned())]
        );
        assert_eq!(ids(store.presence(a, cy, t - m(15)).await?), [ann, bo]);
        assert_eq!(ids(store.presence(a, 0, t - m(15)).await?), [ann, bo, cy]);

        // Seen again: the row is updated, not duplicated.
        store.mark_presence(a, bo, t).await?;
        assert_eq!(ids(store.presence(a, ann, t - m(5)).await?), [bo, cy]);
        assert_eq!(ids(store.presence(a, ann, t - m(60)).await?), [bo, cy]);

        store.clear_presence(a, cy).await?;
        store.clear_presence(a, cy).await?;
        assert_eq!(ids(store.presence(a, ann, t - m(5)).await?), [bo]);
        assert_eq!(ids(store.presence(other, 0, t - m(5)).await?), [bo]);

        assert!(not_found(
            store.mark_presence(ArticleId(999_999), ann, t).await
        ));
        assert!(not_found(store.mark_presence(a, 999_999, t).await));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_newsroom_list_filters_pages_and_never_shows_deleted_articles() {
    each_backend(|store| async move {
        let t = t0();
        let s = Duration::seconds;
        let owner = user(&store, "owner@example.com", "Owner One").await?;

        let mut a = record("Budget 100% approved", Status::Draft, t);
        a.owner_id = Some(owner);
        let a = create(&store, &a, t + s(1)).await?;
        let mut b = record("Budget 100 approved", Status::Published, t);
        b.content.section = Some("Sport".into());
        b.content.authors = vec!["Bo Li".into()];
        let b = create(&store, &b, t + s(2)).await?;
        let mut c = record("snake_case rules", Status::Draft, t);
        c.content.authors = vec!["Bo Li".into(), "Ann Smith".into()];
        c.owner_id = Some(owner);
        let c = create(&store, &c, t + s(3)).await?;
        let d = create(
            &store,
            &record("snakeXcase rules", Status::Scheduled, t),
            t + s(4),
        )
        .await?;
        let e = create(
            &store,
            &record("Gone story 100%", Status::Draft, t),
            t + s(5),
        )
        .await?;
        let f = create(
            &store,
            &record("A back\\slash title", Status::Published, t),
            t + s(6),
        )
        .await?;
        // Two at the same second: the id breaks the tie.
        let g = create(&store, &record("Twin one", Status::Draft, t), t + s(8)).await?;
        let h = create(&store, &record("Twin two", Status::Draft, t), t + s(8)).await?;
        let mut tx = store.begin().await?;
        let gone = tx.article(e).await?;
        let mut deleted = ArticleRecord::from_article(&gone);
        deleted.status = Status::Deleted;
        tx.update(e, gone.version, &deleted, "tester", t + s(7))
            .await?;
        tx.commit().await?;

        let list = |filter: NewsroomFilter| {
            let store = store.clone();
            async move {
                anyhow::Ok(
                    store
                        .newsroom_articles(&filter)
                        .await?
                        .into_iter()
                        .map(|i| i.id)
                        .collect::<Vec<_>>(),
                )
            }
        };
        let none: Vec<ArticleId> = Vec::new();
        let all = NewsroomFilter {
            limit: 100,
            ..Default::default()
        };
        assert_eq!(list(all.clone()).await?, [h, g, f, d, c, b, a]);

        // One item in full.
        let items = store
            .newsroom_articles(&NewsroomFilter {
                owner_id: Some(owner),
                title: Some("SNAKE".into()),
                ..all.clone()
            })
            .await?;
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.id, c);
        assert_eq!(item.title, "snake_case rules");
        assert_eq!(item.slug, "snake-case-rules");
        assert_eq!(item.status, Status::Draft);
        assert_eq!(item.section.as_deref(), Some("World News"));
        assert_eq!(item.authors, ["Bo Li", "Ann Smith"]);
        assert_eq!(item.owner_id, Some(owner));
        assert_eq!(item.owner_name.as_deref(), Some("Owner One"));
        assert_eq!(item.updated_at, t + s(3));
        assert_eq!(item.published_at, None);
        assert_eq!(item.version, dateline_core::Version(1));
        assert_eq!(item.word_count, 3);
        let unowned = store
            .newsroom_articles(&NewsroomFilter {
                status: Some(Status::Scheduled),
                ..all.clone()
            })
            .await?;
        assert_eq!(unowned.len(), 1);
        assert_eq!((unowned[0].id, unowned[0].owner_name.as_deref()), (d, None));
        assert_eq!(unowned[0].published_at, Some(t + Duration::days(1)));

        let by = |f: fn(&mut NewsroomFilter)| {
            let mut filter = all.clone();
            f(&mut filter);
            list(filter)
        };
        assert_eq!(by(|f| f.status = Some(Status::Draft)).await?, [h, g, c, a]);
        assert_eq!(by(|f| f.status = Some(Status::Published)).await?, [f, b]);
        assert_eq!(by(|f| f.status = Some(Status::Deleted)).await?, none);
        assert_eq!(by(|f| f.section = Some("sport".into())).await?, [b]);
        assert_eq!(by(|f| f.section = Some("nowhere".into())).await?, none);
        assert_eq!(by(|f| f.author = Some("ann-smith".into())).await?.len(), 6);
        assert_eq!(by(|f| f.author = Some("bo-li".into())).await?, [c, b]);
        assert_eq!(
            list(NewsroomFilter {
                owner_id: Some(owner),
                ..all.clone()
            })
            .await?,
            [c, a]
        );
        // Titles: case-insensitive, wildcards taken literally.
        assert_eq!(by(|f| f.title = Some("budget".into())).await?, [b, a]);
        assert_eq!(by(|f| f.title = Some("100%".into())).await?, [a]);
        assert_eq!(by(|f| f.title = Some("%".into())).await?, [a]);
        assert_eq!(by(|f| f.title = Some("snake_case".into())).await?, [c]);
        assert_eq!(by(|f| f.title = Some("_".into())).await?, [c]);
        assert_eq!(by(|f| f.title = Some("k\\s".into())).await?, [f]);
        assert_eq!(by(|f| f.title = Some("\\".into())).await?, [f]);
        assert_eq!(by(|f| f.title = Some("gone".into())).await?, none);
        assert_eq!(
            list(NewsroomFilter {
                owner_id: Some(owner),
                status: Some(Status::Published),
                ..all.clone()
            })
            .await?,
            none
        );

        // Cursor pagination walks every article once, in order, across the tie.
        for limit in [1, 2, 3] {
            let mut seen = Vec::new();
            let mut before = None;
            loop {
                let page = store
                    .newsroom_articles(&NewsroomFilter {
                        before,
                        limit,
                        ..Default::default()
                    })
                    .await?;
                assert!(page.len() as i64 <= limit);
                let Some(last) = page.last() else { break };
                before = Some((last.updated_at, last.id));
                seen.extend(page.iter().map(|i| i.id));
            }
            assert_eq!(seen, [h, g, f, d, c, b, a], "limit {limit}");
        }
        let page = store
            .newsroom_articles(&NewsroomFilter {
                before: Some((t + s(8), h)),
                limit: 2,
                ..Default::default()
            })
            .await?;
        assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [g, f]);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn term_suggestions_match_prefixes_literally_and_ignore_case() {
    each_backend(|store| async move {
        let t = t0();
        let mut r = record("Tagged story", Status::Draft, t);
        r.content.tags = [
            "Oman",
            "Oman Air",
            "oil_prices",
            "OILX",
            "100% Pure",
            "100 Club",
            "Back\\slash",
            "Backyard",
        ]
        .map(String::from)
        .to_vec();
        r.content.section = Some("Sport".into());
        r.content.authors = vec!["Bo Li".into(), "ann Smith".into()];
        create(&store, &r, t).await?;
        let mut r = record("Another story", Status::Draft, t);
        r.content.section = Some("Business".into());
        r.content.tags = vec!["oman".into()]; // the same tag as "Oman": the first name stays
        r.content.authors = vec!["Cy Doe".into()];
        create(&store, &r, t).await?;

        let tags = |prefix: &'static str, limit: i64| {
            let store = store.clone();
            async move { anyhow::Ok(store.tag_names_starting(prefix, limit).await?) }
        };
        assert_eq!(tags("om", 10).await?, ["Oman", "Oman Air"]);
        assert_eq!(tags("OMAN ", 10).await?, ["Oman Air"]);
        assert_eq!(
            tags("o", 10).await?,
            ["oil_prices", "OILX", "Oman", "Oman Air"]
        );
        assert_eq!(tags("o", 2).await?, ["oil_prices", "OILX"]);
        assert_eq!(tags("oil_", 10).await?, ["oil_prices"]);
        assert_eq!(tags("100%", 10).await?, ["100% Pure"]);
        assert_eq!(tags("100", 10).await?, ["100 Club", "100% Pure"]);
        assert_eq!(tags("back\\", 10).await?, ["Back\\slash"]);
        assert_eq!(tags("%", 10).await?, Vec::<String>::new());
        assert_eq!(tags("_", 10).await?, Vec::<String>::new());
        assert_eq!(tags("", 3).await?, ["100 Club", "100% Pure", "Back\\slash"]);

        assert_eq!(store.section_names().await?, ["Business", "Sport"]);
        assert_eq!(
            store.author_names().await?,
            ["ann Smith", "Bo Li", "Cy Doe"]
        );
        Ok(())
    })
    .await;
}
