//! Saving the editor form: create a draft, save / autosave / publish / schedule /
//! unpublish through `app::editing`, delete. The form's local schedule time is turned into
//! UTC here; every rule about what a save may do lives in the app.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use dateline_app::articles::Actor;
use dateline_app::editing::{EditorSave, SaveAction};
use dateline_app::revisions::ArticleFields;
use dateline_core::{Article, ArticleId, FieldErrors, Status, Version};
use serde::{Deserialize, Serialize};

use super::super::session::{Editor, EditorForm};
use super::super::{error_page, see_other};
use super::conflict::conflict_page;
use super::editor::{editor_page, EditorContent};
use crate::extract::parse_id;
use crate::views::iso_time;
use crate::{WebError, WebState};

/// The editor form: the article's fields plus what the save is based on and what to do.
#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(flatten)]
    pub(super) fields: ArticleFields,
    /// The version the user started from ("" for a new article).
    #[serde(default)]
    pub(super) version: String,
    /// save, autosave, publish, schedule, unpublish.
    #[serde(default)]
    pub(super) action: String,
    /// A new correction note (published articles).
    #[serde(default)]
    pub(super) correction: String,
    /// `datetime-local` value in the user's zone.
    #[serde(default)]
    pub(super) publish_at: String,
    /// Minutes to add to local time to get UTC (JavaScript's `getTimezoneOffset`).
    #[serde(default)]
    pub(super) tz_offset: String,
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
        lead_image_alt: patch.lead_image_alt.clone().flatten(),
        lead_image_caption: patch.lead_image_caption.clone().flatten(),
        lead_image_credit: patch.lead_image_credit.clone().flatten(),
        source: patch.source.clone().flatten(),
        status: Some(Status::Draft),
        ..Default::default()
    };
    match state.app.create_article(&editor.actor(), input).await {
        Ok(a) => see_other(&format!("/admin/articles/{}/edit?done=created", a.id)),
        Err(dateline_app::Error::Invalid(errors)) => {
            let content = EditorContent {
                article: None,
                fields: &form.fields,
                version: 0,
                errors: Some(&errors),
                flash: None,
                related_error: None,
                correction_draft: "",
            };
            editor_page(&state, &editor, StatusCode::UNPROCESSABLE_ENTITY, content)
                .await
                .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
        }
        Err(e) => error_page(&state, Some(&editor), e.into()),
    }
}

/// The answer to a save sent by `editor.js` (autosave, Ctrl+S): what the page updates.
#[derive(Serialize)]
struct Saved {
    version: i64,
    saved_at: String,
    word_count: i64,
    status: &'static str,
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
                return axum::Json(Saved {
                    version: article.version.0,
                    saved_at: iso_time(article.updated_at),
                    word_count: article.word_count,
                    status: article.status.as_str(),
                })
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
                    let content = EditorContent {
                        article: Some(a),
                        fields: &form.fields,
                        version: view_version,
                        errors: Some(&errors),
                        flash: None,
                        related_error: None,
                        correction_draft: &form.correction,
                    };
                    editor_page(&state, &editor, StatusCode::UNPROCESSABLE_ENTITY, content).await
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
}
