//! The editor's save: one call that checks the version the form was based on, the
//! requested action against the role and the article's status, the editor's own rules
//! (no autosave of published text, no unresolved conflict markers), then writes the text
//! and changes the status through the same use-cases the admin API calls — so the browser
//! and programs obey one set of rules (a published article's text never changes without a
//! correction note, whoever changes it).

use chrono::{DateTime, Utc};
use dateline_core::{Article, ArticleId, FieldErrors, Status, Version};

use crate::articles::Actor;
use crate::revisions::{ArticleFields, CONFLICT_MARKER};
use crate::{App, Error, Result};

/// What a save asks for besides writing the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAction {
    /// Write the text only.
    Save,
    /// Write the text of a draft in the background (refused for published articles).
    Autosave,
    /// Write, then publish now.
    Publish,
    /// Write, then publish at this time; `None` when the form's time could not be read.
    Schedule(Option<DateTime<Utc>>),
    /// Write, then withdraw.
    Unpublish,
}

impl SaveAction {
    /// The action named by the editor form's `action` value (`""` is a plain save).
    pub fn from_form(action: &str, publish_at: Option<DateTime<Utc>>) -> SaveAction {
        match action {
            "autosave" => SaveAction::Autosave,
            "publish" => SaveAction::Publish,
            "schedule" => SaveAction::Schedule(publish_at),
            "unpublish" => SaveAction::Unpublish,
            _ => SaveAction::Save,
        }
    }
}

/// One save from the editor.
#[derive(Debug, Clone)]
pub struct EditorSave {
    /// The version the form was loaded at.
    pub based_on: Version,
    /// Every field as the form holds it.
    pub fields: ArticleFields,
    /// A new correction note ("" for none).
    pub correction: String,
    /// What to do besides writing.
    pub action: SaveAction,
}

/// Whether `body` still holds the markers of an unresolved merge.
pub fn has_conflict_markers(body: &str) -> bool {
    body.lines().any(|l| l.starts_with(CONFLICT_MARKER))
}

impl App {
    /// Saves the editor form for article `id` and carries out its action; nothing is
    /// written when any check fails (version, permission, transition, schedule time,
    /// autosave of a published article, conflict markers, a missing correction note).
    pub async fn save_from_editor(
        &self,
        actor: &Actor,
        id: ArticleId,
        save: EditorSave,
    ) -> Result<Article> {
        let current = self.article_for_editing(actor, id).await?;
        if save.based_on != current.version {
            return Err(Error::Conflict {
                current: Box::new(current),
            });
        }
        // Refuse a status change before writing the text, so a refused action writes nothing.
        let schedule_at = check_action(actor, &current, save.action, Utc::now())?;
        let published = current.status == Status::Published;
        if save.action == SaveAction::Autosave && published {
            return Err(Error::Refused {
                code: "autosave_off",
                message: "published articles are not autosaved; save a correction instead".into(),
            });
        }
        if has_conflict_markers(&save.fields.body) {
            let mut e = FieldErrors::default();
            e.add(
                "body",
                "still holds conflict markers (<<<<<<< … >>>>>>>): choose between the versions first",
            );
            return Err(Error::Invalid(e));
        }
        let changed = save.fields != ArticleFields::from_article(&current);
        let note = save.correction.trim();
        let mut article = current;
        if changed || !note.is_empty() {
            let mut patch = save.fields.into_patch(save.based_on);
            if !note.is_empty() {
                patch.correction = Some(Some(note.to_owned()));
            }
            article = self.update_article(actor, id, patch).await?;
        }
        let version = Some(article.version);
        Ok(match save.action {
            SaveAction::Publish => self.publish_article(actor, id, None, version).await?,
            SaveAction::Schedule(_) => {
                self.publish_article(actor, id, schedule_at, version)
                    .await?
            }
            SaveAction::Unpublish => self.unpublish_article(actor, id, version).await?,
            SaveAction::Save | SaveAction::Autosave => article,
        })
    }
}

/// Whether `action` may happen to `current`, and when, for a schedule.
fn check_action(
    actor: &Actor,
    current: &Article,
    action: SaveAction,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let target = match action {
        SaveAction::Publish => Status::Published,
        SaveAction::Schedule(_) => Status::Scheduled,
        SaveAction::Unpublish => crate::articles::unpublished_status(current.status),
        SaveAction::Save | SaveAction::Autosave => return Ok(None),
    };
    if !actor.may_publish(current) {
        return Err(Error::Forbidden);
    }
    if !current.status.can_become(target) {
        return Err(Error::Transition {
            from: current.status,
            to: target,
        });
    }
    let SaveAction::Schedule(at) = action else {
        return Ok(None);
    };
    let mut e = FieldErrors::default();
    match at {
        None => e.add("publish_at", "choose a date and time to publish at"),
        Some(at) if at <= now => e.add("publish_at", "must be in the future (or use Publish now)"),
        Some(at) => return Ok(Some(at)),
    }
    Err(Error::Invalid(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_are_found_at_line_starts_only() {
        assert!(has_conflict_markers("a\n<<<<<<< ours\nb\n"));
        assert!(!has_conflict_markers("a << b"));
    }

    #[test]
    fn a_schedule_needs_a_readable_future_time() {
        let now = Utc::now();
        let actor = Actor::service("test", dateline_core::Role::Editor);
        let draft: Article = serde_json::from_value(serde_json::json!({
            "id": 1, "slug": "a", "external_id": null, "title": "A", "standfirst": null,
            "body_markdown": "", "body_html": "", "summary": null, "teaser": "", "dateline": null,
            "section": null, "tags": [], "authors": [], "lead_image": null, "source": null,
            "correction": null, "status": "draft", "created_at": now, "published_at": null,
            "updated_at": now, "version": 1, "story_id": 1, "word_count": 0
        }))
        .expect("article");
        let field = |r: Result<Option<DateTime<Utc>>>| match r {
            Err(Error::Invalid(e)) => e.0.contains_key("publish_at"),
            _ => false,
        };
        assert!(field(check_action(
            &actor,
            &draft,
            SaveAction::Schedule(None),
            now
        )));
        let past = now - chrono::Duration::minutes(1);
        assert!(field(check_action(
            &actor,
            &draft,
            SaveAction::Schedule(Some(past)),
            now
        )));
        let later = now + chrono::Duration::hours(1);
        assert_eq!(
            check_action(&actor, &draft, SaveAction::Schedule(Some(later)), now).ok(),
            Some(Some(later))
        );
        assert_eq!(
            check_action(&actor, &draft, SaveAction::Save, now).ok(),
            Some(None)
        );
    }
}
