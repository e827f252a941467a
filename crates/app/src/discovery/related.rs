//! Related articles as readers and editors get them: the engine's ranking, editors' pins
//! and exclusions on top, one article per story.

use std::collections::HashSet;

use chrono::Utc;
use dateline_core::{Article, ArticleId};

use super::{RelatedChange, RelatedOverview};
use crate::{App, Error, Result};

impl App {
    /// Up to `limit` related public articles with their scores, best first; never the
    /// article itself, its own story, or two versions of one story. Editors' pins come
    /// first (score 1.0) and their exclusions never appear.
    pub async fn related_articles(
        &self,
        article: &Article,
        limit: usize,
    ) -> Result<Vec<(Article, f32)>> {
        let (pins, excludes) = self.store().related_overrides(article.id).await?;
        self.related_with_overrides(article, limit, &pins, &excludes)
            .await
    }

    /// [`App::related_articles`] with the article's pins and exclusions already read.
    async fn related_with_overrides(
        &self,
        article: &Article,
        limit: usize,
        pins: &[ArticleId],
        excludes: &[ArticleId],
    ) -> Result<Vec<(Article, f32)>> {
        let ranked = self.ranked_related(article.id);
        let mut ids: Vec<ArticleId> = pins
            .iter()
            .copied()
            .filter(|p| !excludes.contains(p))
            .collect();
        for r in &ranked {
            let id = ArticleId(r.id);
            if !excludes.contains(&id) && !ids.contains(&id) {
                ids.push(id);
            }
        }
        let articles = self
            .store()
            .public_summaries_by_ids(&ids, Utc::now())
            .await?;
        let mut stories = std::collections::HashSet::from([self.story_id(article.id)]);
        let mut out = Vec::with_capacity(limit);
        for mut a in articles {
            if a.id == article.id {
                continue;
            }
            self.set_story(&mut a);
            if !stories.insert(a.story_id) {
                continue;
            }
            let score = if pins.contains(&a.id) {
                1.0
            } else {
                ranked
                    .iter()
                    .find(|r| r.id == a.id.0)
                    .map_or(0.0, |r| r.score)
            };
            out.push((a, score));
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// The engine's full ranked list for `id` (up to its `max_related`): precomputed by the
    /// indexer when an article it concerns changed (`indexer.rs`), otherwise ranked on the
    /// first request after start or a bulk change and kept (`Engine::related` costs about
    /// 1 ms at 100,000 articles).
    fn ranked_related(&self, id: ArticleId) -> Vec<dateline_related::Related> {
        let memo = &self.inner.discovery.related_memo;
        let generation = match memo.lock().unwrap_or_else(|p| p.into_inner()).lookup(id.0) {
            Ok(hit) => return hit,
            Err(generation) => generation,
        };
        let ranked = {
            let engine = self
                .inner
                .discovery
                .related
                .read()
                .unwrap_or_else(|p| p.into_inner());
            engine.related(id.0, usize::MAX)
        };
        memo.lock()
            .unwrap_or_else(|p| p.into_inner())
            .keep(generation, id.0, ranked.clone());
        ranked
    }

    /// Whether the related list of `id` is ranked and kept, ready for the next page
    /// render without ranking on the request path (for tests and diagnostics).
    pub fn related_list_is_ready(&self, id: ArticleId) -> bool {
        self.inner
            .discovery
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .lookup(id.0)
            .is_ok()
    }

    /// Ids of the articles whose memoised list names one of `ids` (so is stale once they
    /// changed or went).
    pub(super) fn memoised_lists_naming(&self, ids: &HashSet<i64>) -> Vec<i64> {
        self.inner
            .discovery
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .naming(ids)
    }

    /// After an engine change: drops the memoised lists of and naming `changed`, and keeps
    /// `fresh` (ranked by the engine as it is now); every other list stays.
    pub(super) fn refresh_ranked_related(
        &self,
        changed: &HashSet<i64>,
        fresh: Vec<(i64, Vec<dateline_related::Related>)>,
    ) {
        self.inner
            .discovery
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .refresh(changed, fresh);
    }

    /// Forgets every memoised ranking; called after a bulk engine change.
    pub(super) fn forget_ranked_related(&self) {
        self.inner
            .discovery
            .related_memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .forget();
    }

    /// The editors' pinned (in order) and excluded related articles of `id`, for someone
    /// who may edit it.
    pub async fn related_overrides(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        self.article_for_editing(actor, id).await?;
        Ok(self.store().related_overrides(id).await?)
    }

    /// The article an editor means by `reference` when pinning: its number (`1234`,
    /// `#1234`) in any status but deleted, or its public address (full URL, path or slug).
    pub async fn find_article_by_reference(
        &self,
        actor: &crate::articles::Actor,
        reference: &str,
    ) -> Result<Option<ArticleId>> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let reference = reference.trim();
        let number = reference.trim_start_matches('#');
        if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            return match number.parse::<i64>().map(ArticleId) {
                Ok(id) => Ok(self.article_unless_deleted(id).await?.map(|a| a.id)),
                Err(_) => Ok(None),
            };
        }
        let path = reference.split_once("://").map_or(reference, |(_, rest)| {
            rest.find('/').map_or("", |i| &rest[i..])
        });
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let Some(slug) = path.split('/').rfind(|s| !s.is_empty()) else {
            return Ok(None);
        };
        match self.store().public_article(slug, Utc::now()).await {
            Ok(a) => Ok(Some(a.id)),
            Err(dateline_store::Error::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Sets the editors' pinned (in order) and excluded related articles of `id`.
    pub async fn set_related_overrides(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
        pins: Vec<ArticleId>,
        excludes: Vec<ArticleId>,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let mut errors = dateline_core::FieldErrors::default();
        for (field, list) in [("pin", &pins), ("exclude", &excludes)] {
            if list.len() > 20 {
                errors.add(field, "at most 20 articles");
            } else if list.contains(&id) {
                errors.add(field, "an article cannot be related to itself");
            }
        }
        if pins.iter().any(|p| excludes.contains(p)) {
            errors.add("exclude", "an article cannot be both pinned and excluded");
        }
        errors.into_result()?;
        for (field, list) in [("pin", &pins), ("exclude", &excludes)] {
            for other in list.iter() {
                match self.store().article(*other).await {
                    Ok(_) => {}
                    Err(dateline_store::Error::NotFound) => {
                        let mut e = dateline_core::FieldErrors::default();
                        e.add(field, format!("no article {other}"));
                        return Err(Error::Invalid(e));
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        }
        let mut tx = self.store().begin().await?;
        tx.set_related_overrides(id, &pins, &excludes, Utc::now())
            .await?;
        tx.commit().await?;
        self.after_change(&[format!("article:{id}")]);
        Ok(self.store().related_overrides(id).await?)
    }

    /// Applies one editor's change to the related list of `id` (see [`RelatedChange`]):
    /// pinning an excluded article lifts its exclusion and excluding a pinned one unpins it.
    pub async fn change_related_overrides(
        &self,
        actor: &crate::articles::Actor,
        id: ArticleId,
        change: RelatedChange,
    ) -> Result<(Vec<ArticleId>, Vec<ArticleId>)> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let (mut pins, mut excludes) = self.store().related_overrides(id).await?;
        match change {
            RelatedChange::Pin(other) => {
                excludes.retain(|e| *e != other);
                if !pins.contains(&other) {
                    pins.push(other);
                }
            }
            RelatedChange::Unpin(other) => pins.retain(|p| *p != other),
            RelatedChange::Exclude(other) => {
                pins.retain(|p| *p != other);
                if !excludes.contains(&other) {
                    excludes.push(other);
                }
            }
            RelatedChange::Include(other) => excludes.retain(|e| *e != other),
        }
        self.set_related_overrides(actor, id, pins, excludes).await
    }

    /// What an editor sees of an article's related list: the first `limit` items as readers
    /// get them (pins first), and every pinned and excluded article whatever its status.
    pub async fn related_overview(
        &self,
        actor: &crate::articles::Actor,
        article: &Article,
        limit: usize,
    ) -> Result<RelatedOverview> {
        if !actor.role.is_editorial() {
            return Err(Error::Forbidden);
        }
        let (pins, excludes) = self.store().related_overrides(article.id).await?;
        let shown = self
            .related_with_overrides(article, limit, &pins, &excludes)
            .await?;
        let mut pinned = Vec::with_capacity(pins.len());
        for id in pins {
            pinned.push((id, self.article_unless_deleted(id).await?));
        }
        let mut excluded = Vec::with_capacity(excludes.len());
        for id in excludes {
            excluded.push((id, self.article_unless_deleted(id).await?));
        }
        Ok(RelatedOverview {
            shown,
            pinned,
            excluded,
        })
    }

    async fn article_unless_deleted(&self, id: ArticleId) -> Result<Option<Article>> {
        match self.store().article(id).await {
            Ok(a) => Ok(Some(a)),
            Err(dateline_store::Error::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The story cluster of an article: shared by all its near-duplicate versions.
    pub fn story_id(&self, id: ArticleId) -> i64 {
        let engine = self
            .inner
            .discovery
            .related
            .read()
            .unwrap_or_else(|p| p.into_inner());
        engine.story_id(id.0).unwrap_or(id.0)
    }

    /// Other public versions of the same story.
    pub fn other_versions(&self, id: ArticleId) -> Vec<ArticleId> {
        let engine = self
            .inner
            .discovery
            .related
            .read()
            .unwrap_or_else(|p| p.into_inner());
        engine
            .story_members(id.0)
            .into_iter()
            .filter(|m| *m != id.0)
            .map(ArticleId)
            .collect()
    }

    /// Sets `article.story_id` from the engine.
    pub fn set_story(&self, article: &mut Article) {
        article.story_id = self.story_id(article.id);
    }
}

impl App {
    /// Articles in this node's related-articles engine.
    pub fn related_article_count(&self) -> usize {
        self.inner
            .discovery
            .related
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}
