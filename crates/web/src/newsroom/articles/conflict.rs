//! The conflict view: a save based on an older version shows both versions, what was
//! saved since, a word diff and a three-way merge; nothing is written.

use axum::http::StatusCode;
use axum::response::Response;
use dateline_app::revisions::{self, ArticleFields};
use dateline_core::{Article, Status, Version};

use super::super::page;
use super::super::session::Editor;
use super::super::views::{ConflictArticle, ConflictPage, SavedBy};
use super::save::SaveForm;
use crate::{WebError, WebState};

pub(super) async fn conflict_page(
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
    let summaries = revisions::summarise(&compared);
    let view = ConflictPage {
        article: ConflictArticle {
            id: theirs.id.0,
            published: theirs.status == Status::Published,
        },
        mine: &form.fields,
        theirs: &theirs_fields,
        merged: &merge.fields,
        conflicted: &merge.conflicted,
        diffs: &diffs,
        based_on: based_on.0,
        current_version: theirs.version.0,
        saved_by: summaries
            .iter()
            .filter(|r| r.version > based_on)
            .map(|r| SavedBy {
                version: r.version.0,
                actor: &r.actor,
                at: r.created_at.into(),
                changes: &r.changes,
            })
            .collect(),
        correction_draft: &form.correction,
    };
    page(state, StatusCode::CONFLICT, Some(editor), &view)
}
