//! History: every revision with who, when and what changed, word-level diffs between
//! any two, and restoring one as a new revision.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dateline_app::revisions::{self, ArticleFields};
use dateline_core::Version;
use serde::Deserialize;

use super::super::session::{Editor, EditorForm};
use super::super::views::{ArticleHead, DiffPage, HistoryPage, RevisionRow, StatusChange};
use super::super::{error_page, page, see_other};
use crate::extract::parse_id;
use crate::{WebError, WebState};

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
        let summaries = revisions::summarise(&log);
        let view = HistoryPage {
            article: ArticleHead::of(&article),
            revisions: summaries
                .iter()
                .map(|r| RevisionRow {
                    version: r.version.0,
                    actor: &r.actor,
                    at: r.created_at.into(),
                    status: r.status.as_str(),
                    changes: &r.changes,
                    added: r.added,
                    removed: r.removed,
                    current: r.version == article.version,
                })
                .collect(),
            can_restore: actor.may_edit(&article),
        };
        page(&state, StatusCode::OK, Some(&editor), &view)
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
        let view = DiffPage {
            article: ArticleHead::of(&article),
            from: older,
            to: newer,
            diffs: &diffs,
            status_change: (old.status != new.status).then(|| StatusChange {
                from: old.status.as_str(),
                to: new.status.as_str(),
            }),
        };
        page(&state, StatusCode::OK, Some(&editor), &view)
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
