//! The editor's "Related articles" panel: what readers get under the article, and the
//! editors' pins and exclusions (the same overrides as `PUT /api/v1/admin/articles/{id}/related`).
//! Plain forms: one button per change, so it works without JavaScript.

use axum::extract::{Path, State};
use axum::response::Response;
use dateline_app::articles::Actor;
use dateline_app::discovery::{RelatedChange, RelatedOverview, StoryChange};
use dateline_core::{Article, ArticleId};
use serde::Deserialize;

use super::session::EditorForm;
use super::views::{RelatedListed, RelatedPanel, RelatedShown, TimeView};
use super::{error_page, see_other};
use crate::extract::parse_id;
use crate::{WebError, WebState};

/// How many items the panel lists: the ones readers see and the next few in line.
const PANEL_ITEMS: usize = 10;

/// What the panel shows for `article`, or `None` for roles that may not change it.
pub(super) async fn overview(
    state: &WebState,
    actor: &Actor,
    article: &Article,
) -> Result<Option<RelatedOverview>, WebError> {
    if !actor.role.is_editorial() {
        return Ok(None);
    }
    Ok(Some(
        state
            .app
            .related_overview(actor, article, PANEL_ITEMS)
            .await?,
    ))
}

/// The panel's view of `overview`; readers see the first `count` of `shown`.
pub(super) fn panel(overview: &RelatedOverview, count: usize) -> RelatedPanel<'_> {
    let shown_ids: Vec<ArticleId> = overview.shown.iter().map(|(a, _)| a.id).collect();
    let shown = overview
        .shown
        .iter()
        .map(|(a, score)| RelatedShown {
            id: a.id.0,
            title: &a.title,
            section: a.section.as_ref().map(|s| s.name.as_str()),
            published: a.published_at.map(TimeView::from),
            pinned: overview.pinned.iter().any(|(id, _)| *id == a.id),
            score: format!("{score:.2}"),
        })
        .collect();
    // Pins readers see are in `shown` already; the rest (unpublished, deleted) are listed
    // apart so they can still be unpinned.
    RelatedPanel {
        count,
        shown,
        pinned_elsewhere: listed(&overview.pinned, &shown_ids),
        excluded: listed(&overview.excluded, &[]),
    }
}

/// Pinned or excluded articles not in `skip`; a deleted one keeps its number.
fn listed<'a>(
    items: &'a [(ArticleId, Option<Article>)],
    skip: &[ArticleId],
) -> Vec<RelatedListed<'a>> {
    items
        .iter()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, a)| RelatedListed {
            id: id.0,
            title: a.as_ref().map(|a| a.title.as_str()),
            status: a.as_ref().map_or("deleted", |a| a.status.as_str()),
        })
        .collect()
}

/// `POST /admin/articles/{id}/related`: one change, from a list button (`change`) or from
/// the "another article" form (`article` and `op`).
#[derive(Deserialize)]
pub struct RelatedForm {
    /// `pin:ID`, `unpin:ID`, `exclude:ID`, `include:ID`, or for the story `split:ID`
    /// (not the same story), `merge:ID` and `forget:ID` (withdraw a story decision).
    change: Option<String>,
    /// An article's address on the site, its slug, or its number.
    article: Option<String>,
    /// What to do with `article`: `pin` (the default), `exclude` or `merge` (same story).
    op: Option<String>,
}

/// One change the panel asks for: to the related list, or to the article's story.
#[derive(Debug, Clone, Copy)]
enum PanelChange {
    Related(RelatedChange),
    Story(StoryChange),
}

/// Why a change was not made, as the `related_error` code the editor page explains.
type Refusal = &'static str;

/// The editor page's text for a `related_error` code.
pub(super) fn refusal_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "not-found" => "No published article was found at that address.",
        "missing" => "Give the address of the article to pin or exclude.",
        "invalid" => "That change was not made: an article cannot be related to itself or be its own story, and at most 20 articles can be pinned or excluded.",
        _ => return None,
    })
}

/// `POST /admin/articles/{id}/related`.
pub async fn change(
    State(state): State<WebState>,
    Path(id): Path<String>,
    EditorForm { editor, form, .. }: EditorForm<RelatedForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let actor = editor.actor();
        if !actor.role.is_editorial() {
            return Err(WebError::App(dateline_app::Error::Forbidden));
        }
        state.app.article_for_editing(&actor, id).await?;
        let back = |query: String| see_other(&format!("/admin/articles/{id}/edit?{query}#related"));
        let change = match requested_change(&state, &actor, &form).await? {
            Ok(change) => change,
            Err(code) => return Ok(back(format!("related_error={code}"))),
        };
        let outcome = match change {
            PanelChange::Related(c) => state
                .app
                .change_related_overrides(&actor, id, c)
                .await
                .map(|_| ()),
            PanelChange::Story(c) => state.app.change_story(&actor, id, c).await,
        };
        match outcome {
            Ok(()) => Ok(back(format!("done={}", done_code(change)))),
            Err(dateline_app::Error::Invalid(_)) => Ok(back("related_error=invalid".into())),
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

fn done_code(change: PanelChange) -> &'static str {
    match change {
        PanelChange::Related(RelatedChange::Pin(_)) => "pinned",
        PanelChange::Related(RelatedChange::Unpin(_)) => "unpinned",
        PanelChange::Related(RelatedChange::Exclude(_)) => "excluded",
        PanelChange::Related(RelatedChange::Include(_)) => "included",
        PanelChange::Story(StoryChange::Merge(_)) => "merged",
        PanelChange::Story(StoryChange::Split(_)) => "split",
        PanelChange::Story(StoryChange::Forget(_)) => "forgotten",
    }
}

fn change_of(op: &str, id: ArticleId) -> Result<PanelChange, Refusal> {
    Ok(match op {
        "pin" => PanelChange::Related(RelatedChange::Pin(id)),
        "unpin" => PanelChange::Related(RelatedChange::Unpin(id)),
        "exclude" => PanelChange::Related(RelatedChange::Exclude(id)),
        "include" => PanelChange::Related(RelatedChange::Include(id)),
        "merge" => PanelChange::Story(StoryChange::Merge(id)),
        "split" => PanelChange::Story(StoryChange::Split(id)),
        "forget" => PanelChange::Story(StoryChange::Forget(id)),
        _ => return Err("invalid"),
    })
}

async fn requested_change(
    state: &WebState,
    actor: &dateline_app::articles::Actor,
    form: &RelatedForm,
) -> Result<Result<PanelChange, Refusal>, WebError> {
    if let Some(change) = form.change.as_deref() {
        let parsed = change
            .split_once(':')
            .and_then(|(op, id)| Some((op, ArticleId(id.trim().parse().ok()?))));
        return Ok(match parsed {
            Some((op, id)) => change_of(op, id),
            None => Err("invalid"),
        });
    }
    let reference = form.article.as_deref().map(str::trim).unwrap_or_default();
    if reference.is_empty() {
        return Ok(Err("missing"));
    }
    let Some(id) = state
        .app
        .find_article_by_reference(actor, reference)
        .await?
    else {
        return Ok(Err("not-found"));
    };
    Ok(change_of(form.op.as_deref().unwrap_or("pin"), id))
}
