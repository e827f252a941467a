//! The editor page: a new article's empty form, an existing article's form with its
//! status, presence, other versions and related-articles panel.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use dateline_app::revisions::{self, ArticleFields};
use dateline_core::{Article, FieldErrors, Role, Status, Version};
use serde::Deserialize;

use super::super::related;
use super::super::session::Editor;
use super::super::views::{
    CorrectionView, EditorArticle, EditorPage, IdView, PresentView, StoryDecisionView, TimeView,
};
use super::super::{error_page, page};
use crate::extract::parse_id;
use crate::views::iso_time;
use crate::{WebError, WebState};

/// What the editor page's form holds and says, as the handler that shows it decided.
pub(super) struct EditorContent<'a> {
    /// The stored article; `None` for a new one.
    pub(super) article: Option<&'a Article>,
    pub(super) fields: &'a ArticleFields,
    pub(super) version: i64,
    pub(super) errors: Option<&'a FieldErrors>,
    pub(super) flash: Option<&'a str>,
    /// Why the last related-list change was refused.
    pub(super) related_error: Option<&'a str>,
    pub(super) correction_draft: &'a str,
}

/// The editor page showing `content`, with the section and author choices, who else is
/// editing, the story's other versions and (for editorial roles) the related panel.
pub(super) async fn editor_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    content: EditorContent<'_>,
) -> Result<Response, WebError> {
    let actor = editor.actor();
    let sections = state.app.section_names(&actor).await?;
    let authors = state.app.author_names(&actor).await?;
    let (others, other_versions, related, story_decisions) = match content.article {
        Some(a) => (
            state
                .app
                .others_present(editor.signed_in.user.id, a.id)
                .await?,
            state.app.other_versions(a.id),
            related::overview(state, &actor, a).await?,
            if actor.role.is_editorial() {
                state.app.story_decisions_of(a.id).await?
            } else {
                Vec::new()
            },
        ),
        None => (Vec::new(), Vec::new(), None, Vec::new()),
    };
    let view = EditorPage {
        fields: content.fields,
        version: content.version,
        errors: content.errors,
        flash: content.flash,
        related_error: content.related_error,
        sections: &sections,
        authors: &authors,
        correction_draft: content.correction_draft,
        status: content.article.map_or("draft", |a| a.status.as_str()),
        // Published and scheduled text changes only by a deliberate save.
        autosave: content
            .article
            .is_some_and(|a| matches!(a.status, Status::Draft | Status::Unpublished)),
        can_publish: match content.article {
            Some(a) => actor.may_publish(a),
            None => actor.role >= Role::Author,
        },
        can_delete: content.article.is_some_and(|a| actor.may_delete(a)),
        article: content.article.map(|a| EditorArticle {
            id: a.id.0,
            path: a.path(),
            public: a.is_public_at(Utc::now()),
            updated: a.updated_at.into(),
            published: a.published_at.map(TimeView::from),
            publish_at_utc: a
                .published_at
                .filter(|_| a.status == Status::Scheduled)
                .map(iso_time),
            correction: a.correction.as_ref().map(|c| CorrectionView {
                note: &c.note,
                at: c.at.into(),
            }),
            word_count: a.word_count,
        }),
        others: others
            .iter()
            .map(|p| PresentView {
                name: &p.name,
                email: &p.email,
            })
            .collect(),
        other_versions: other_versions
            .iter()
            .map(|id| IdView { id: id.0 })
            .collect(),
        story_decisions: story_decisions
            .iter()
            .map(|(id, together)| StoryDecisionView {
                id: id.0,
                together: *together,
            })
            .collect(),
        related: related
            .as_ref()
            .map(|o| related::panel(o, state.app.config().related_count)),
    };
    page(state, status, Some(editor), &view)
}

/// `GET /admin/articles/new`.
pub async fn new_page(State(state): State<WebState>, editor: Editor) -> Response {
    let fields = ArticleFields {
        authors: editor.signed_in.user.name.clone(),
        ..ArticleFields::default()
    };
    let content = EditorContent {
        article: None,
        fields: &fields,
        version: 0,
        errors: None,
        flash: None,
        related_error: None,
        correction_draft: "",
    };
    editor_page(&state, &editor, StatusCode::OK, content)
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
        "merged" => "Merged: the two are one story everywhere, also after reindexing.",
        "split" => "Split: the two are never shown as one story.",
        "forgotten" => "Your story decision is withdrawn: dateline decides about the two again.",
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
        let content = EditorContent {
            article: Some(&article),
            fields: &fields,
            version: article.version.0,
            errors: None,
            flash: flash.as_deref(),
            related_error: q
                .related_error
                .as_deref()
                .and_then(related::refusal_message),
            correction_draft: "",
        };
        editor_page(&state, &editor, StatusCode::OK, content).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}
