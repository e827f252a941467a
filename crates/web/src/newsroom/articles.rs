//! The newsroom's article pages: the list, the editor (save, autosave, publish, schedule,
//! correct, unpublish, delete), history with word-level diffs, restore, and the conflict
//! view shown when a save was based on an older version.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use dateline_app::articles::Actor;
use dateline_app::editing::{EditorSave, SaveAction};
use dateline_app::newsroom::NewsroomFilter;
use dateline_app::revisions::{self, ArticleFields};
use dateline_core::{Article, ArticleId, FieldErrors, Status, Version};
use serde::Deserialize;
use serde_json::{json, Value};

use super::session::{Editor, EditorForm};
use super::{error_page, page, see_other};
use crate::extract::parse_id;
use crate::views::{human_time, iso_time};
use crate::{WebError, WebState};

fn time_json(t: DateTime<Utc>) -> Value {
    json!({"iso": iso_time(t), "human": human_time(t)})
}

/// Filters of the article list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    q: Option<String>,
    before: Option<String>,
}

const LIST_PAGE: i64 = 50;

fn parse_before(raw: Option<&str>) -> Option<(DateTime<Utc>, ArticleId)> {
    let (t, id) = raw?.split_once('_')?;
    Some((
        DateTime::from_timestamp(t.parse().ok()?, 0)?,
        ArticleId(id.parse().ok()?),
    ))
}

/// `GET /admin`: the newsroom's articles, filterable by status, section, author and title.
pub async fn list(
    State(state): State<WebState>,
    editor: Editor,
    Query(q): Query<ListQuery>,
) -> Response {
    let actor = editor.actor();
    let result = async {
        let non_empty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = non_empty(&q.status).and_then(|s| Status::parse(&s));
        let filter = NewsroomFilter {
            status,
            section: non_empty(&q.section)
                .map(|s| dateline_core::slugify(&s, "section").to_string()),
            author: non_empty(&q.author).map(|s| dateline_core::slugify(&s, "author").to_string()),
            title: non_empty(&q.q).map(|s| s.chars().take(200).collect()),
            owner_id: None,
            before: parse_before(q.before.as_deref()),
            limit: LIST_PAGE + 1,
        };
        let mut items = state.app.newsroom_articles(&actor, filter).await?;
        let more = items.len() as i64 > LIST_PAGE;
        items.truncate(LIST_PAGE as usize);
        let next = more
            .then(|| {
                items
                    .last()
                    .map(|i| format!("{}_{}", i.updated_at.timestamp(), i.id.0))
            })
            .flatten();
        let sections = state.app.section_names(&actor).await?;
        let authors = state.app.author_names(&actor).await?;
        let full_text = full_text_matches(&state, &q, status).await;
        let rows: Vec<Value> = items
            .iter()
            .map(|i| {
                json!({
                    "id": i.id.0,
                    "title": i.title,
                    "status": i.status.as_str(),
                    "section": i.section,
                    "authors": i.authors.join(", "),
                    "owner": i.owner_name,
                    "updated": time_json(i.updated_at),
                    "published": i.published_at.map(time_json),
                    "path": format!("/articles/{}", i.slug),
                    "words": i.word_count,
                })
            })
            .collect();
        let mut next_href = None;
        if let Some(cursor) = next {
            let pairs = [
                ("status", q.status.clone().unwrap_or_default()),
                ("section", q.section.clone().unwrap_or_default()),
                ("author", q.author.clone().unwrap_or_default()),
                ("q", q.q.clone().unwrap_or_default()),
                ("before", cursor),
            ];
            next_href = serde_urlencoded::to_string(pairs)
                .ok()
                .map(|s| format!("/admin?{s}"));
        }
        Ok::<Value, dateline_app::Error>(json!({
            "items": rows,
            "sections": sections,
            "authors": authors,
            "statuses": ["draft", "scheduled", "published", "unpublished"],
            "q": q.q.clone().unwrap_or_default(),
            "status": status.map(|s| s.as_str()).unwrap_or(""),
            "section": q.section.clone().unwrap_or_default(),
            "author": q.author.clone().unwrap_or_default(),
            "next_href": next_href,
            "full_text": full_text,
        }))
    }
    .await;
    match result.map_err(WebError::from).and_then(|ctx| {
        page(
            &state,
            StatusCode::OK,
            "newsroom/list.html",
            Some(&editor),
            ctx,
        )
    }) {
        Ok(r) => r,
        Err(e) => error_page(&state, Some(&editor), e),
    }
}

/// Published articles whose text (not only the title) matches the list's search, from the
/// search index, when the list is not filtered to unpublished work. A search failure only
/// leaves this part out.
async fn full_text_matches(state: &WebState, q: &ListQuery, status: Option<Status>) -> Vec<Value> {
    let text = q.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() || status.is_some_and(|s| s != Status::Published) {
        return Vec::new();
    }
    let query = dateline_app::reading::SearchQuery {
        text: text.chars().take(200).collect(),
        section: q
            .section
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| dateline_core::slugify(s, "section").to_string()),
        limit: 20,
        ..dateline_app::reading::SearchQuery::default()
    };
    match state.app.search(&query).await {
        Ok((hits, _)) => hits
            .iter()
            .map(|(a, snippet, _)| {
                json!({
                    "id": a.id.0,
                    "title": a.title,
                    "snippet": snippet,
                    "section": a.section.as_ref().map(|s| s.name.as_str()),
                    "published": a.published_at.map(time_json),
                })
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "newsroom full-text search failed");
            Vec::new()
        }
    }
}

/// The editor form: the article's fields plus what the save is based on and what to do.
#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(flatten)]
    fields: ArticleFields,
    /// The version the user started from ("" for a new article).
    #[serde(default)]
    version: String,
    /// save, autosave, publish, schedule, unpublish.
    #[serde(default)]
    action: String,
    /// A new correction note (published articles).
    #[serde(default)]
    correction: String,
    /// `datetime-local` value in the user's zone.
    #[serde(default)]
    publish_at: String,
    /// Minutes to add to local time to get UTC (JavaScript's `getTimezoneOffset`).
    #[serde(default)]
    tz_offset: String,
}

/// The furthest a real time zone is from UTC, in minutes (UTC+14, UTC-12, with room).
const MAX_ZONE_OFFSET_MINUTES: i64 = 14 * 60;

/// The form's `tz_offset`: whole minutes within ±14 hours; empty (no script) is UTC.
fn zone_offset(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(0);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|m| (-MAX_ZONE_OFFSET_MINUTES..=MAX_ZONE_OFFSET_MINUTES).contains(m))
}

/// When a `datetime-local` value in a zone `offset_minutes` behind UTC happens.
fn schedule_time(local: &str, offset_minutes: &str) -> Result<DateTime<Utc>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(offset) = zone_offset(offset_minutes) else {
        errors.add(
            "publish_at",
            "your browser sent a time zone we cannot use; reload the editor and choose the time again",
        );
        return Err(errors);
    };
    let parsed = NaiveDateTime::parse_from_str(local.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local.trim(), "%Y-%m-%dT%H:%M:%S"));
    let utc = parsed.ok().and_then(|t| {
        // Years far outside a newsroom's plans are refused, not overflowed.
        (2000..=9999)
            .contains(&chrono::Datelike::year(&t))
            .then(|| t.and_utc().checked_add_signed(Duration::minutes(offset)))
            .flatten()
    });
    match utc {
        Some(t) => Ok(t),
        None => {
            errors.add("publish_at", "choose a date and time to publish at");
            Err(errors)
        }
    }
}

struct EditorView<'a> {
    article: Option<&'a Article>,
    fields: &'a ArticleFields,
    version: i64,
    errors: Option<&'a FieldErrors>,
    flash: Option<&'a str>,
    /// Why the last related-list change was refused.
    related_error: Option<&'a str>,
    correction_draft: &'a str,
}

async fn editor_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    view: EditorView<'_>,
) -> Result<Response, WebError> {
    let actor = editor.actor();
    let sections = state.app.section_names(&actor).await?;
    let authors = state.app.author_names(&actor).await?;
    let mut ctx = json!({
        "fields": view.fields,
        "version": view.version,
        "errors": view.errors,
        "flash": view.flash,
        "related_error": view.related_error,
        "sections": sections,
        "authors": authors,
        "correction_draft": view.correction_draft,
        "status": "draft",
        "autosave": false,
    });
    if let Some(a) = view.article {
        let others = state
            .app
            .others_present(editor.signed_in.user.id, a.id)
            .await?;
        let versions: Vec<Value> = state
            .app
            .other_versions(a.id)
            .into_iter()
            .map(|id| json!({"id": id.0}))
            .collect();
        ctx["article"] = json!({
            "id": a.id.0,
            "path": a.path(),
            "public": a.is_public_at(Utc::now()),
            "created": time_json(a.created_at),
            "updated": time_json(a.updated_at),
            "published": a.published_at.map(time_json),
            "publish_at_utc": a.published_at.filter(|_| a.status == Status::Scheduled).map(iso_time),
            "correction": a.correction.as_ref().map(|c| json!({"note": c.note, "at": time_json(c.at)})),
            "word_count": a.word_count,
        });
        ctx["status"] = json!(a.status.as_str());
        ctx["autosave"] = json!(matches!(a.status, Status::Draft | Status::Unpublished));
        ctx["can_publish"] = json!(actor.may_publish(a));
        ctx["can_delete"] = json!(actor.may_delete(a));
        ctx["others"] = json!(others
            .iter()
            .map(|p| json!({"name": p.name, "email": p.email}))
            .collect::<Vec<_>>());
        ctx["other_versions"] = json!(versions);
        ctx["related"] = json!(super::related::panel(state, &actor, a).await?);
    } else {
        ctx["can_publish"] = json!(actor.role >= dateline_core::Role::Author);
    }
    page(state, status, "newsroom/editor.html", Some(editor), ctx)
}

/// `GET /admin/articles/new`.
pub async fn new_page(State(state): State<WebState>, editor: Editor) -> Response {
    let fields = ArticleFields {
        authors: editor.signed_in.user.name.clone(),
        ..ArticleFields::default()
    };
    let view = EditorView {
        article: None,
        fields: &fields,
        version: 0,
        errors: None,
        flash: None,
        related_error: None,
        correction_draft: "",
    };
    editor_page(&state, &editor, StatusCode::OK, view)
        .await
        .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

fn flash_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "Draft created.",
        "saved" => "Saved.",
        "published" => "Published. It is live on the site.",
        "scheduled" => "Scheduled.",
        "unpublished" => "Unpublished. Readers now get “withdrawn” at its address.",
        "restored" => "Revision restored as a new revision.",
        "discarded" => "Your unsaved changes were discarded; this is the current version.",
        "pinned" => "Pinned: it comes first in the related list.",
        "unpinned" => "Unpinned: the related list decides about it again.",
        "excluded" => "Excluded: it no longer appears in the related list.",
        "included" => "The exclusion is lifted.",
        _ => return None,
    })
}

/// `?done=` after a save; `?from_revision=N` loads an old revision into the form.
#[derive(Deserialize)]
pub struct EditQuery {
    done: Option<String>,
    from_revision: Option<i64>,
    related_error: Option<String>,
}

/// `GET /admin/articles/{id}/edit`.
pub async fn edit(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        // Restoring into a published article changes what readers see: the revision is
        // loaded into the form, to be saved with a correction note like any other change.
        let (article, log) = match q.from_revision {
            Some(_) => state.app.revision_log(&editor.actor(), id).await?,
            None => (state.app.article_for_editing(&editor.actor(), id).await?, Vec::new()),
        };
        let (fields, flash) = match q.from_revision {
            Some(n) => {
                let old = revisions::at_version(&log, Version(n))
                    .ok_or(WebError::App(dateline_app::Error::NotFound))?;
                (
                    ArticleFields::from_article(old),
                    Some("An older revision is loaded below. Say what you corrected, then save to restore it.".to_owned()),
                )
            }
            None => (
                ArticleFields::from_article(&article),
                flash_for(q.done.as_deref()).map(str::to_owned),
            ),
        };
        let view = EditorView {
            article: Some(&article),
            fields: &fields,
            version: article.version.0,
            errors: None,
            flash: flash.as_deref(),
            related_error: q
                .related_error
                .as_deref()
                .and_then(super::related::refusal_message),
            correction_draft: "",
        };
        editor_page(&state, &editor, StatusCode::OK, view).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// `POST /admin/articles`: creates a draft from the editor form.
pub async fn create(
    State(state): State<WebState>,
    EditorForm {
        editor, mut form, ..
    }: EditorForm<SaveForm>,
) -> Response {
    form.fields = std::mem::take(&mut form.fields).with_unix_newlines();
    let patch = form.fields.clone().into_patch(Version(0));
    let input = dateline_core::ArticleInput {
        title: patch.title.clone().unwrap_or_default(),
        body: patch.body.clone().unwrap_or_default(),
        standfirst: patch.standfirst.clone().flatten(),
        summary: patch.summary.clone().flatten(),
        dateline: patch.dateline.clone().flatten(),
        section: patch.section.clone().flatten(),
        tags: patch.tags.clone().unwrap_or_default(),
        authors: patch.authors.clone().unwrap_or_default(),
        lead_image_url: patch.lead_image_url.clone().flatten(),
        lead_image_caption: patch.lead_image_caption.clone().flatten(),
        lead_image_credit: patch.lead_image_credit.clone().flatten(),
        source: patch.source.clone().flatten(),
        status: Some(Status::Draft),
        ..Default::default()
    };
    match state.app.create_article(&editor.actor(), input).await {
        Ok(a) => see_other(&format!("/admin/articles/{}/edit?done=created", a.id)),
        Err(dateline_app::Error::Invalid(errors)) => {
            let view = EditorView {
                article: None,
                fields: &form.fields,
                version: 0,
                errors: Some(&errors),
                flash: None,
                related_error: None,
                correction_draft: "",
            };
            editor_page(&state, &editor, StatusCode::UNPROCESSABLE_ENTITY, view)
                .await
                .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
        }
        Err(e) => error_page(&state, Some(&editor), e.into()),
    }
}

/// `POST /admin/articles/{id}`: save, autosave, publish, schedule or unpublish.
pub async fn save(
    State(state): State<WebState>,
    Path(id): Path<String>,
    EditorForm {
        editor,
        mut form,
        json,
    }: EditorForm<SaveForm>,
) -> Response {
    form.fields = std::mem::take(&mut form.fields).with_unix_newlines();
    let actor = editor.actor();
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return respond_error(&state, &editor, json, e),
    };
    match save_inner(&state, &actor, id, &form).await {
        Ok(article) => {
            if json {
                return axum::Json(json!({
                    "version": article.version.0,
                    "saved_at": iso_time(article.updated_at),
                    "word_count": article.word_count,
                    "status": article.status.as_str(),
                }))
                .into_response();
            }
            let done = match form.action.as_str() {
                "publish" if article.status == Status::Published => "published",
                "publish" | "schedule" if article.status == Status::Scheduled => "scheduled",
                "unpublish" => "unpublished",
                _ => "saved",
            };
            see_other(&format!("/admin/articles/{}/edit?done={done}", id))
        }
        Err(WebError::App(dateline_app::Error::Conflict { current })) if !json => {
            conflict_page(&state, &editor, &form, &current)
                .await
                .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
        }
        Err(WebError::App(dateline_app::Error::Invalid(errors))) if !json => {
            let current = state.app.article_for_editing(&actor, id).await;
            let view_version = form.version.parse().unwrap_or(0);
            let result = match &current {
                Ok(a) => {
                    let view = EditorView {
                        article: Some(a),
                        fields: &form.fields,
                        version: view_version,
                        errors: Some(&errors),
                        flash: None,
                        related_error: None,
                        correction_draft: &form.correction,
                    };
                    editor_page(&state, &editor, StatusCode::UNPROCESSABLE_ENTITY, view).await
                }
                Err(_) => Err(WebError::App(dateline_app::Error::Invalid(errors.clone()))),
            };
            result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
        }
        Err(e) => respond_error(&state, &editor, json, e),
    }
}

fn respond_error(state: &WebState, editor: &Editor, json: bool, e: WebError) -> Response {
    if json {
        e.into_response()
    } else {
        error_page(state, Some(editor), e)
    }
}

/// The form as the app's [`EditorSave`]; a version that is not a number is a field error.
fn editor_save(form: &SaveForm) -> Result<EditorSave, WebError> {
    let based_on = Version(form.version.trim().parse().map_err(|_| {
        let mut e = FieldErrors::default();
        e.add("version", "missing; reload the editor");
        dateline_app::Error::Invalid(e)
    })?);
    let publish_at = schedule_time(&form.publish_at, &form.tz_offset).ok();
    Ok(EditorSave {
        based_on,
        fields: form.fields.clone(),
        correction: form.correction.clone(),
        action: SaveAction::from_form(&form.action, publish_at),
    })
}

async fn save_inner(
    state: &WebState,
    actor: &Actor,
    id: ArticleId,
    form: &SaveForm,
) -> Result<Article, WebError> {
    let save = editor_save(form)?;
    Ok(state.app.save_from_editor(actor, id, save).await?)
}

async fn conflict_page(
    state: &WebState,
    editor: &Editor,
    form: &SaveForm,
    theirs: &Article,
) -> Result<Response, WebError> {
    let actor = editor.actor();
    let based_on = Version(form.version.trim().parse().unwrap_or(0));
    let (_, log) = state.app.revision_log(&actor, theirs.id).await?;
    let base = ArticleFields::from_article(revisions::at_version(&log, based_on).unwrap_or(theirs));
    let theirs_fields = ArticleFields::from_article(theirs);
    let merge = revisions::three_way(&base, &form.fields, &theirs_fields);
    let diffs = revisions::diff_fields(&theirs_fields, &form.fields);
    // Only the revisions saved since the user's version are listed; each is compared with
    // the one before it, so the user's own version stays in the slice as the baseline.
    let newer = log.iter().take_while(|r| r.version > based_on).count();
    let compared: Vec<_> = log.into_iter().take(newer + 1).collect();
    let saved_by: Vec<Value> = revisions::summarise(&compared)
        .iter()
        .filter(|r| r.version > based_on)
        .map(|r| json!({"version": r.version.0, "actor": r.actor, "at": time_json(r.created_at), "changes": r.changes}))
        .collect();
    let ctx = json!({
        "article": {"id": theirs.id.0, "status": theirs.status.as_str(), "published": theirs.status == Status::Published},
        "mine": form.fields,
        "theirs": theirs_fields,
        "merged": merge.fields,
        "conflicted": merge.conflicted,
        "diffs": diffs,
        "based_on": based_on.0,
        "current_version": theirs.version.0,
        "saved_by": saved_by,
        "correction_draft": form.correction,
    });
    page(
        state,
        StatusCode::CONFLICT,
        "newsroom/conflict.html",
        Some(editor),
        ctx,
    )
}

/// Only the version the delete is based on.
#[derive(Deserialize)]
pub struct VersionForm {
    version: Option<i64>,
}

/// `POST /admin/articles/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    Path(id): Path<String>,
    EditorForm { editor, form, .. }: EditorForm<VersionForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .app
            .delete_article(&editor.actor(), id, form.version.map(Version))
            .await?;
        Ok::<_, WebError>(see_other("/admin"))
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// `GET /admin/articles/{id}/history`.
pub async fn history(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let actor = editor.actor();
        let (article, log) = state.app.revision_log(&actor, id).await?;
        let rows: Vec<Value> = revisions::summarise(&log)
            .iter()
            .map(|r| {
                json!({
                    "version": r.version.0,
                    "actor": r.actor,
                    "at": time_json(r.created_at),
                    "status": r.status.as_str(),
                    "changes": r.changes,
                    "added": r.added,
                    "removed": r.removed,
                    "current": r.version == article.version,
                })
            })
            .collect();
        page(
            &state,
            StatusCode::OK,
            "newsroom/history.html",
            Some(&editor),
            json!({
                "article": {"id": id.0, "title": article.title, "version": article.version.0, "published": article.status == Status::Published},
                "revisions": rows,
                "can_restore": actor.may_edit(&article),
            }),
        )
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// `?from=&to=` of the diff page.
#[derive(Deserialize)]
pub struct DiffQuery {
    from: i64,
    to: i64,
}

/// `GET /admin/articles/{id}/diff?from=A&to=B`: a word-level diff of two revisions.
pub async fn diff(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
    q: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let Query(q) = q.map_err(|e| WebError::BadRequest {
            code: "invalid_query",
            message: format!("choose two revisions to compare ({})", e.body_text()),
        })?;
        let actor = editor.actor();
        let (article, log) = state.app.revision_log(&actor, id).await?;
        let (older, newer) = (q.from.min(q.to), q.from.max(q.to));
        let found = |v| {
            revisions::at_version(&log, Version(v))
                .ok_or(WebError::App(dateline_app::Error::NotFound))
        };
        let (old, new) = (found(older)?, found(newer)?);
        let diffs = revisions::diff_fields(
            &ArticleFields::from_article(old),
            &ArticleFields::from_article(new),
        );
        let status_change = (old.status != new.status)
            .then(|| json!({"from": old.status.as_str(), "to": new.status.as_str()}));
        page(
            &state,
            StatusCode::OK,
            "newsroom/diff.html",
            Some(&editor),
            json!({
                "article": {"id": id.0, "title": article.title, "version": article.version.0},
                "from": older,
                "to": newer,
                "diffs": diffs,
                "status_change": status_change,
            }),
        )
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// The restore form: which revision, and the version the user saw as current.
#[derive(Deserialize)]
pub struct RestoreForm {
    revision: i64,
    based_on: i64,
}

/// `POST /admin/articles/{id}/restore`.
pub async fn restore(
    State(state): State<WebState>,
    Path(id): Path<String>,
    EditorForm { editor, form, .. }: EditorForm<RestoreForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .app
            .restore_revision(
                &editor.actor(),
                id,
                Version(form.revision),
                Version(form.based_on),
            )
            .await?;
        Ok::<_, WebError>(see_other(&format!(
            "/admin/articles/{id}/edit?done=restored"
        )))
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_time_converts_the_user_s_zone_to_utc() {
        // Berlin in winter is UTC+1: getTimezoneOffset() is -60.
        let t = schedule_time("2026-12-01T09:30", "-60").expect("valid");
        assert_eq!(iso_time(t), "2026-12-01T08:30:00Z");
        let t = schedule_time("2026-12-01T09:30", "300").expect("valid");
        assert_eq!(iso_time(t), "2026-12-01T14:30:00Z");
        assert!(schedule_time("tomorrow", "0").is_err());
        assert!(schedule_time("2026-12-01T09:30", "100000").is_err());
        // No script: the hidden field's default, or nothing at all, is UTC.
        let t = schedule_time("2026-12-01T09:30", "").expect("valid");
        assert_eq!(iso_time(t), "2026-12-01T09:30:00Z");
        let t = schedule_time("2026-12-01T09:30", " -840 ").expect("UTC+14");
        assert_eq!(iso_time(t), "2026-11-30T19:30:00Z");
        assert!(schedule_time("2026-12-01T09:30", "840").is_ok());
        // chrono reads signed years; they are refused, not overflowed.
        assert!(schedule_time("+262142-12-31T23:59", "960").is_err());
    }

    #[test]
    fn zone_offsets_are_parsed_not_trusted() {
        for good in ["0", "-60", "300", "-840", "840", "+60", ""] {
            assert!(zone_offset(good).is_some(), "{good:?}");
        }
        for bad in [
            "-9223372036854775808",
            "9223372036854775807",
            "99999999999999999999",
            "-841",
            "841",
            "sixty",
            "60.5",
            "0x10",
            "--60",
        ] {
            assert_eq!(zone_offset(bad), None, "{bad:?}");
            let e = schedule_time("2026-12-01T09:30", bad).expect_err(bad);
            assert!(e.0.contains_key("publish_at"), "{bad:?}");
        }
    }

    #[test]
    fn conflict_markers_are_found_at_line_starts_only() {
        assert!(dateline_app::editing::has_conflict_markers(
            "a\n<<<<<<< ours\nb\n"
        ));
        assert!(!dateline_app::editing::has_conflict_markers("a << b"));
    }
}
