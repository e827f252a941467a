//! Writing articles: create, update, publish, schedule, unpublish, delete, revisions.
//!
//! Every use-case runs one store transaction and, after commit, invalidates the page cache
//! for exactly the pages the change touched (the change row carries the same keys, so other
//! nodes do the same from the change sequence), then queues a WebSub hub ping for the feeds
//! of every public version involved (`websub`; this node only, never waiting on the hub).

use chrono::{DateTime, Utc};
use dateline_core::{
    slugify, Article, ArticleContent, ArticleId, ArticleInput, Correction, Limits, Role, Status,
    Version,
};
use dateline_store::editorial::Revision;
use dateline_store::ArticleRecord;
use serde::Deserialize;

use crate::{App, Error, Result};

/// Who is making a change, for permission checks and the revision log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Shown in revision history: an email, `key:<name>`, `import`, `scheduler`.
    pub label: String,
    /// What the actor may do.
    pub role: Role,
    /// The signed-in user, if the actor is one. API keys, the importer and the scheduler
    /// have none, so they own no article: below editor they may not touch articles at all.
    pub user_id: Option<i64>,
}

impl Actor {
    /// The importer, acting with editor rights.
    pub fn import() -> Actor {
        Actor::service("import", Role::Editor)
    }

    /// Whether this is the importer (see [`Actor::import`]).
    pub fn is_import(&self) -> bool {
        self.user_id.is_none() && self.label == "import"
    }

    /// The scheduler publishing a due article.
    pub fn scheduler() -> Actor {
        Actor::service("scheduler", Role::Editor)
    }

    /// An actor that is not a newsroom user (an API key, a background task).
    pub fn service(label: &str, role: Role) -> Actor {
        Actor {
            label: label.to_owned(),
            role,
            user_id: None,
        }
    }

    /// Whether the actor created `article` as a signed-in user.
    pub fn owns(&self, article: &Article) -> bool {
        self.user_id.is_some() && article.owner_id == self.user_id
    }

    /// Whether the actor may open and change `article`: editors any, authors their own,
    /// contributors their own while it is still a draft.
    pub fn may_edit(&self, article: &Article) -> bool {
        match self.role {
            Role::Editor | Role::Admin => true,
            Role::Author => self.owns(article),
            Role::Contributor => self.owns(article) && article.status == Status::Draft,
        }
    }

    /// Whether the actor may publish, schedule or withdraw `article`.
    pub fn may_publish(&self, article: &Article) -> bool {
        match self.role {
            Role::Editor | Role::Admin => true,
            Role::Author => self.owns(article),
            Role::Contributor => false,
        }
    }

    /// Whether the actor may delete `article`: whoever may publish it, and contributors
    /// their own drafts.
    pub fn may_delete(&self, article: &Article) -> bool {
        self.may_publish(article) || (self.role == Role::Contributor && self.may_edit(article))
    }

    /// Whether the actor may write articles at all (keys below editor may not: they own
    /// nothing).
    pub fn may_write(&self) -> bool {
        self.role.is_editorial() || self.user_id.is_some()
    }

    pub(crate) fn require(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// What an actor may do with one article (see [`App::permissions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// Open it in the editor and save changes.
    pub edit: bool,
    /// Publish, schedule or withdraw it.
    pub publish: bool,
}

/// Changed fields of an article. Absent fields stay as they are; for optional fields,
/// `null` clears them (`Some(None)`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// The version this change is based on (required).
    pub version: i64,
    /// New headline (`null` is refused: there is nothing to clear).
    #[serde(default, deserialize_with = "not_null")]
    pub title: Option<String>,
    /// New Markdown body (`null` is refused).
    #[serde(default, deserialize_with = "not_null")]
    pub body: Option<String>,
    /// New slug (the old one redirects once the article has been public; `null` is refused).
    #[serde(default, deserialize_with = "not_null")]
    pub slug: Option<String>,
    /// New external id.
    #[serde(default, deserialize_with = "double_option")]
    pub external_id: Option<Option<String>>,
    /// New standfirst.
    #[serde(default, deserialize_with = "double_option")]
    pub standfirst: Option<Option<String>>,
    /// New summary.
    #[serde(default, deserialize_with = "double_option")]
    pub summary: Option<Option<String>>,
    /// New dateline.
    #[serde(default, deserialize_with = "double_option")]
    pub dateline: Option<Option<String>>,
    /// New section.
    #[serde(default, deserialize_with = "double_option")]
    pub section: Option<Option<String>>,
    /// New tags (`null` clears them).
    #[serde(default, deserialize_with = "null_is_empty")]
    pub tags: Option<Vec<String>>,
    /// New authors (`null` clears them).
    #[serde(default, deserialize_with = "null_is_empty")]
    pub authors: Option<Vec<String>>,
    /// New lead image URL.
    #[serde(default, deserialize_with = "double_option")]
    pub lead_image_url: Option<Option<String>>,
    /// New alternative text.
    #[serde(default, deserialize_with = "double_option")]
    pub lead_image_alt: Option<Option<String>>,
    /// New caption.
    #[serde(default, deserialize_with = "double_option")]
    pub lead_image_caption: Option<Option<String>>,
    /// New credit.
    #[serde(default, deserialize_with = "double_option")]
    pub lead_image_credit: Option<Option<String>>,
    /// New source.
    #[serde(default, deserialize_with = "double_option")]
    pub source: Option<Option<String>>,
    /// A correction notice; setting a new text stamps it with the current time.
    #[serde(default, deserialize_with = "double_option")]
    pub correction: Option<Option<String>>,
    /// New publication time.
    #[serde(default, deserialize_with = "double_option")]
    pub published_at: Option<Option<DateTime<Utc>>>,
}

fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A field that, when present, must have a value: `null` is a type error (absent stays `None`
/// through `#[serde(default)]`).
fn not_null<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A list where `null` means "clear it", like every other optional field.
fn null_is_empty<'de, D, T>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default()))
}

/// The editable fields of an article, as input (what a patch applies to).
pub fn input_from_article(a: &Article) -> ArticleInput {
    let mut input = ArticleInput {
        slug: Some(a.slug.to_string()),
        external_id: a.external_id.clone(),
        correction: a.correction.as_ref().map(|c| c.note.clone()),
        published_at: a.published_at,
        status: Some(a.status),
        ..ArticleInput::default()
    };
    input.set_content(a.content());
    input
}

impl ArticlePatch {
    /// The patch that makes an article at `version` say exactly `content` (slug, external
    /// id, correction and time stay as they are).
    pub fn to_content(version: Version, content: ArticleContent) -> ArticlePatch {
        let ArticleContent {
            title,
            standfirst,
            body,
            summary,
            dateline,
            section,
            tags,
            authors,
            lead_image,
            source,
        } = content;
        let (url, alt, caption, credit) = dateline_core::LeadImage::flat(lead_image);
        ArticlePatch {
            version: version.0,
            title: Some(title),
            body: Some(body),
            standfirst: Some(standfirst),
            summary: Some(summary),
            dateline: Some(dateline),
            section: Some(section),
            tags: Some(tags),
            authors: Some(authors),
            lead_image_url: Some(url),
            lead_image_alt: Some(alt),
            lead_image_caption: Some(caption),
            lead_image_credit: Some(credit),
            source: Some(source),
            ..ArticlePatch::default()
        }
    }

    fn apply(self, mut input: ArticleInput) -> ArticleInput {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        set(&mut input.title, self.title);
        set(&mut input.body, self.body);
        if self.slug.is_some() {
            input.slug = self.slug;
        }
        set(&mut input.external_id, self.external_id);
        set(&mut input.standfirst, self.standfirst);
        set(&mut input.summary, self.summary);
        set(&mut input.dateline, self.dateline);
        set(&mut input.section, self.section);
        set(&mut input.tags, self.tags);
        set(&mut input.authors, self.authors);
        set(&mut input.lead_image_url, self.lead_image_url);
        set(&mut input.lead_image_alt, self.lead_image_alt);
        set(&mut input.lead_image_caption, self.lead_image_caption);
        set(&mut input.lead_image_credit, self.lead_image_credit);
        set(&mut input.source, self.source);
        set(&mut input.correction, self.correction);
        set(&mut input.published_at, self.published_at);
        input
    }
}

/// Renders and shapes validated input into what the store writes.
///
/// `previous_correction` keeps the time of an unchanged correction note; a new or changed
/// note is stamped `now`.
pub fn prepare(
    input: &ArticleInput,
    status: Status,
    published_at: Option<DateTime<Utc>>,
    previous_correction: Option<&Correction>,
    now: DateTime<Utc>,
) -> ArticleRecord {
    let rendered = dateline_render::render_body(&input.body);
    let teaser = match &input.summary {
        Some(s) => dateline_render::teaser(&dateline_render::plain_text(s)),
        None => dateline_render::teaser(&rendered.plain),
    };
    let slug = input
        .slug
        .as_deref()
        .and_then(|s| dateline_core::Slug::parse(s).ok())
        .unwrap_or_else(|| slugify(&input.title, "article"));
    let correction = input
        .correction
        .as_ref()
        .map(|note| match previous_correction {
            Some(prev) if &prev.note == note => prev.clone(),
            _ => Correction {
                note: note.clone(),
                at: now,
            },
        });
    let mut content = input.content();
    content.dateline = content.dateline.map(|d| d.to_uppercase());
    ArticleRecord {
        slug,
        external_id: input.external_id.clone(),
        word_count: dateline_render::word_count(&rendered.plain) as i64,
        content,
        body_html: rendered.html,
        teaser,
        correction,
        status,
        published_at,
        owner_id: None,
    }
}

/// Whoever changes the text readers see of a published article — in the editor or
/// through the admin API — must say what they corrected (a new correction note). Only the
/// importer is exempt: it mirrors another system's archive, notes included.
fn require_correction_note(actor: &Actor, current: &Article, input: &ArticleInput) -> Result<()> {
    if actor.is_import() || current.status != Status::Published {
        return Ok(());
    }
    let text_changed = input.content().text_differs(&current.content());
    let new_note = input
        .correction
        .as_ref()
        .is_some_and(|n| current.correction.as_ref().map(|c| &c.note) != Some(n));
    if text_changed && !new_note {
        let mut errors = dateline_core::FieldErrors::default();
        errors.add(
            "correction",
            "this article is published: say what you corrected (readers see this note with its time)",
        );
        return Err(errors.into());
    }
    Ok(())
}

/// The message for a slug that was asked for and is taken: only a slug made from the title
/// gets a `-2`; one that a writer chose is never silently renamed.
pub(crate) const SLUG_TAKEN: &str =
    "is already used by another article (or redirects to one); choose another";

/// Refuses a requested slug that another article has or redirects from.
async fn require_free_slug(
    tx: &mut dateline_store::WriteTx<'_>,
    slug: &dateline_core::Slug,
    except: Option<ArticleId>,
) -> Result<()> {
    if tx.slug_is_free(slug, except).await? {
        return Ok(());
    }
    let mut errors = dateline_core::FieldErrors::default();
    errors.add("slug", format!("`{slug}` {SLUG_TAKEN}"));
    Err(errors.into())
}

/// The status and publish time a newly written article gets: default published, "now"
/// when no time is given, and a future time on a published article means scheduled.
pub fn initial_status(input: &ArticleInput, now: DateTime<Utc>) -> (Status, Option<DateTime<Utc>>) {
    match input.status.unwrap_or(Status::Published) {
        Status::Published | Status::Scheduled => {
            let at = input.published_at.unwrap_or(now);
            if at > now {
                (Status::Scheduled, Some(at))
            } else {
                (Status::Published, Some(at))
            }
        }
        other => (other, input.published_at),
    }
}

impl App {
    fn validated(&self, mut input: ArticleInput) -> Result<ArticleInput> {
        input.normalise();
        input.validate(&Limits::default())?;
        Ok(input)
    }

    /// Creates an article from `input` (status defaults to published, as in the JSONL format).
    /// The signed-in user who creates it owns it; contributors may only create drafts.
    pub async fn create_article(&self, actor: &Actor, input: ArticleInput) -> Result<Article> {
        actor.require(actor.may_write())?;
        let input = self.validated(input)?;
        let now = Utc::now();
        let (status, published_at) = initial_status(&input, now);
        actor.require(status == Status::Draft || actor.role != Role::Contributor)?;
        let rendering = input.clone();
        let mut record = self
            .off_workers(move || prepare(&rendering, status, published_at, None, now))
            .await?;
        record.owner_id = actor.user_id;
        let mut tx = self.store().begin().await?;
        if input.slug.is_some() {
            require_free_slug(&mut tx, &record.slug, None).await?;
        }
        let article = tx.create(&record, &actor.label, now).await?;
        let touched = tx.commit().await?;
        self.after_change(&touched);
        self.queue_hub_ping(None, &article);
        tracing::info!(article.id = %article.id, article.slug = %article.slug, status = %article.status, actor = %actor.label, "article created");
        Ok(article)
    }

    /// An article in any status but deleted, for someone who may edit it.
    pub async fn article_for_editing(&self, actor: &Actor, id: ArticleId) -> Result<Article> {
        actor.require(actor.may_write())?;
        let article = self.store().article(id).await?;
        actor.require(actor.may_edit(&article))?;
        Ok(article)
    }

    /// What `actor` may do with article `id`. Actors that may not write articles at all get
    /// [`Error::Forbidden`] whether or not the article exists, so the answer reveals nothing
    /// about drafts to them.
    pub async fn permissions(&self, actor: &Actor, id: ArticleId) -> Result<Permissions> {
        actor.require(actor.may_write())?;
        let article = self.store().article(id).await?;
        let edit = actor.may_edit(&article);
        Ok(Permissions {
            edit,
            publish: edit && actor.may_publish(&article),
        })
    }

    /// The article as it is now and every revision of it, newest first, as stored
    /// (snapshots keep Markdown; their HTML is not rendered): one read for a page that shows
    /// or compares revisions.
    pub async fn revision_log(
        &self,
        actor: &Actor,
        id: ArticleId,
    ) -> Result<(Article, Vec<Revision>)> {
        let article = self.article_for_editing(actor, id).await?;
        Ok((article, self.store().revisions(id).await?))
    }

    /// Every revision of an article, newest first, each with its body rendered.
    pub async fn revisions(&self, actor: &Actor, id: ArticleId) -> Result<Vec<Revision>> {
        let (_, mut revisions) = self.revision_log(actor, id).await?;
        for r in &mut revisions {
            let markdown = r.snapshot.body_markdown.clone();
            r.snapshot.body_html = self
                .off_workers(move || dateline_render::render_body(&markdown).html)
                .await?;
        }
        Ok(revisions)
    }

    /// Applies `patch` if it is based on the current version; else `Conflict` with the
    /// current article and nothing written.
    pub async fn update_article(
        &self,
        actor: &Actor,
        id: ArticleId,
        patch: ArticlePatch,
    ) -> Result<Article> {
        actor.require(actor.may_write())?;
        let now = Utc::now();
        let expected = Version(patch.version);
        let mut tx = self.store().begin().await?;
        let current = tx.article(id).await?;
        actor.require(actor.may_edit(&current))?;
        if current.version != expected {
            return Err(Error::Conflict {
                current: Box::new(current),
            });
        }
        let input = self.validated(patch.apply(input_from_article(&current)))?;
        require_correction_note(actor, &current, &input)?;
        let (status, published_at) = match current.status {
            Status::Published | Status::Scheduled => {
                let (s, at) = initial_status(
                    &ArticleInput {
                        status: Some(current.status),
                        ..input.clone()
                    },
                    now,
                );
                (s, at)
            }
            other => (other, input.published_at),
        };
        let (rendering, previous) = (input.clone(), current.correction.clone());
        let record = self
            .off_workers(move || prepare(&rendering, status, published_at, previous.as_ref(), now))
            .await?;
        if input.slug.is_some() && record.slug != current.slug {
            require_free_slug(&mut tx, &record.slug, Some(id)).await?;
        }
        let updated = tx.update(id, expected, &record, &actor.label, now).await?;
        let touched = tx.commit().await?;
        self.after_change(&touched);
        self.queue_hub_ping(Some(&current), &updated);
        tracing::info!(article.id = %id, version = updated.version.0, actor = %actor.label, "article updated");
        Ok(updated)
    }

    /// Publishes now, or schedules when `at` is in the future.
    pub async fn publish_article(
        &self,
        actor: &Actor,
        id: ArticleId,
        at: Option<DateTime<Utc>>,
        version: Option<Version>,
    ) -> Result<Article> {
        let now = Utc::now();
        self.change_status(actor, id, version, now, Actor::may_publish, |current| {
            let at = at.or(match current.status {
                // Re-publishing a withdrawn story keeps its original date.
                Status::Unpublished => current.published_at,
                Status::Scheduled => None,
                _ => current.published_at,
            });
            match at {
                Some(t) if t > now => (Status::Scheduled, Some(t)),
                Some(t) => (Status::Published, Some(t)),
                None => (Status::Published, Some(now)),
            }
        })
        .await
    }
}

/// What unpublishing makes of an article in `status`: a schedule is cancelled back to a
/// draft, anything else is withdrawn.
pub fn unpublished_status(status: Status) -> Status {
    match status {
        Status::Scheduled => Status::Draft,
        _ => Status::Unpublished,
    }
}

impl App {
    /// Withdraws a published article (its URL answers 410) or cancels a schedule.
    pub async fn unpublish_article(
        &self,
        actor: &Actor,
        id: ArticleId,
        version: Option<Version>,
    ) -> Result<Article> {
        self.change_status(
            actor,
            id,
            version,
            Utc::now(),
            Actor::may_publish,
            |current| match unpublished_status(current.status) {
                // Cancelling a schedule forgets its time: "publish" later means now.
                Status::Draft => (Status::Draft, None),
                other => (other, current.published_at),
            },
        )
        .await
    }

    /// Deletes an article: it disappears everywhere; its revisions stay in the store.
    pub async fn delete_article(
        &self,
        actor: &Actor,
        id: ArticleId,
        version: Option<Version>,
    ) -> Result<Article> {
        self.change_status(
            actor,
            id,
            version,
            Utc::now(),
            Actor::may_delete,
            |current| (Status::Deleted, current.published_at),
        )
        .await
    }

    async fn change_status(
        &self,
        actor: &Actor,
        id: ArticleId,
        version: Option<Version>,
        now: DateTime<Utc>,
        allowed: fn(&Actor, &Article) -> bool,
        decide: impl FnOnce(&Article) -> (Status, Option<DateTime<Utc>>),
    ) -> Result<Article> {
        actor.require(actor.may_write())?;
        let mut tx = self.store().begin().await?;
        let current = tx.article(id).await?;
        actor.require(allowed(actor, &current))?;
        if version.is_some_and(|v| v != current.version) {
            return Err(Error::Conflict {
                current: Box::new(current),
            });
        }
        let (status, published_at) = decide(&current);
        if !current.status.can_become(status) {
            return Err(Error::Transition {
                from: current.status,
                to: status,
            });
        }
        let mut record = ArticleRecord::from_article(&current);
        record.status = status;
        record.published_at = published_at;
        let updated = tx
            .update(id, current.version, &record, &actor.label, now)
            .await?;
        let touched = tx.commit().await?;
        self.after_change(&touched);
        self.queue_hub_ping(Some(&current), &updated);
        tracing::info!(article.id = %id, from = %current.status, to = %updated.status, actor = %actor.label, "article status changed");
        Ok(updated)
    }

    /// Drops cached pages for `keys` on this node (other nodes learn from the change
    /// sequence).
    pub fn after_change(&self, keys: &[String]) {
        self.wake_indexer();
        let dropped = self.cache().invalidate(keys);
        tracing::debug!(dropped, "page cache invalidated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let base = ArticleInput {
            title: "Old".into(),
            body: "Body".into(),
            summary: Some("Sum".into()),
            dateline: Some("MUSCAT".into()),
            ..Default::default()
        };
        let patch: ArticlePatch =
            serde_json::from_str(r#"{"version": 3, "title": "New", "summary": null}"#)
                .expect("valid");
        let out = patch.apply(base);
        assert_eq!(out.title, "New");
        assert_eq!(out.summary, None);
        assert_eq!(out.dateline.as_deref(), Some("MUSCAT"));
        assert_eq!(out.body, "Body");
    }

    #[test]
    fn a_future_publish_time_means_scheduled() {
        let now = Utc::now();
        let mut input = ArticleInput {
            title: "t".into(),
            ..Default::default()
        };
        input.published_at = Some(now + chrono::Duration::hours(1));
        assert_eq!(initial_status(&input, now).0, Status::Scheduled);
        input.status = Some(Status::Draft);
        assert_eq!(initial_status(&input, now).0, Status::Draft);
        input.status = None;
        input.published_at = None;
        assert_eq!(initial_status(&input, now), (Status::Published, Some(now)));
    }

    #[test]
    fn prepare_uses_summary_for_teaser_and_uppercases_dateline() {
        let input = ArticleInput {
            title: "Port grows".into(),
            body: "First sentence here. Second one.".into(),
            summary: Some("An editor's *summary*.".into()),
            dateline: Some("Muscat, Oman".into()),
            ..Default::default()
        };
        let now = Utc::now();
        let r = prepare(&input, Status::Published, Some(now), None, now);
        assert_eq!(
            r.teaser, "An editor’s summary.",
            "smart punctuation, as on the page"
        );
        assert_eq!(r.content.dateline.as_deref(), Some("MUSCAT, OMAN"));
        assert_eq!(r.slug.as_str(), "port-grows");
        assert_eq!(r.word_count, 5);
    }
}
