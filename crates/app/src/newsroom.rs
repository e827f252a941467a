//! The newsroom's view of its own work: the article list (every status but deleted),
//! suggestions for the editor's fields, and who else has an article open.

use chrono::{Duration, Utc};
use dateline_core::ArticleId;
pub use dateline_store::newsroom::{NewsroomFilter, NewsroomItem};

use crate::articles::Actor;
use crate::{App, Error, Result};

/// Someone counts as "also editing" for this long after their editor last checked in
/// (the editor checks in every 15 seconds).
pub const PRESENCE_SECS: i64 = 45;

/// Another person who has an article open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

impl App {
    /// Articles the actor may work on, newest change first. Contributors and authors see
    /// their own; editors and admins everyone's.
    pub async fn newsroom_articles(
        &self,
        actor: &Actor,
        mut filter: NewsroomFilter,
    ) -> Result<Vec<NewsroomItem>> {
        if !actor.role.is_editorial() {
            filter.owner_id = Some(actor.user_id.ok_or(Error::Forbidden)?);
        }
        filter.limit = filter.limit.clamp(1, 200);
        Ok(self.store().newsroom_articles(&filter).await?)
    }

    /// Existing tags starting with `prefix`, for the editor's suggestions.
    pub async fn tag_suggestions(&self, actor: &Actor, prefix: &str) -> Result<Vec<String>> {
        actor.require(actor.may_write())?;
        let prefix: String = prefix.trim().chars().take(100).collect();
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store().tag_names_starting(&prefix, 10).await?)
    }

    /// Every section name, for the editor's picker.
    pub async fn section_names(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(actor.may_write())?;
        Ok(self.store().section_names().await?)
    }

    /// Every byline name, for the editor's suggestions.
    pub async fn author_names(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(actor.may_write())?;
        Ok(self.store().author_names().await?)
    }

    /// Records that the actor has the article open and returns who else has.
    pub async fn check_in(&self, actor: &Actor, id: ArticleId) -> Result<Vec<Present>> {
        let user_id = actor.user_id.ok_or(Error::Forbidden)?;
        self.article_for_editing(actor, id).await?;
        let now = Utc::now();
        self.store().mark_presence(id, user_id, now).await?;
        self.others_present(user_id, id).await
    }

    /// Who else has had the article open in the last [`PRESENCE_SECS`].
    pub async fn others_present(&self, user_id: i64, id: ArticleId) -> Result<Vec<Present>> {
        let since = Utc::now() - Duration::seconds(PRESENCE_SECS);
        Ok(self
            .store()
            .presence(id, user_id, since)
            .await?
            .into_iter()
            .map(|(_, name, email)| Present { name, email })
            .collect())
    }
}
