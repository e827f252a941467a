//! Reader search: the tantivy index of public articles on this node.

use std::sync::atomic::Ordering;

use chrono::Utc;
use dateline_core::{Article, ArticleId};
use dateline_search::{SearchIndex, SearchPage, SearchQuery};

use crate::{App, Error, Result};

impl App {
    /// Opens this node's search index (in `data_dir/search`) so that searches and the
    /// indexer can run. Fails with a clear error if another process holds it.
    pub fn start_discovery(&self) -> Result<()> {
        if self.inner.discovery.search.get().is_some() {
            return Ok(());
        }
        let dir = self.config().data_dir.join("search");
        let (index, fresh) = SearchIndex::open(&dir).map_err(|e| match e {
            dateline_search::Error::Locked(at) => Error::Startup(format!(
                "the search index at {at} is in use by another dateline process (stop `dateline serve` first)"
            )),
            other => Error::Internal(other.to_string()),
        })?;
        self.inner
            .discovery
            .search_fresh
            .store(fresh, Ordering::Release);
        let _ = self.inner.discovery.search.set(index);
        Ok(())
    }

    pub(super) fn search_index(&self) -> Result<&SearchIndex> {
        self.inner
            .discovery
            .search
            .get()
            .ok_or_else(|| Error::Unavailable("search is not running on this node".into()))
    }

    /// Runs a reader's search; hits are public articles with highlighted snippets.
    pub async fn search(
        &self,
        query: &SearchQuery,
    ) -> Result<(Vec<(Article, String, f32)>, SearchPage)> {
        let index = self.search_index()?;
        let page = index
            .search(query)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let ids: Vec<ArticleId> = page.hits.iter().map(|h| ArticleId(h.id)).collect();
        // Read back through the public path: an article unpublished a moment ago and not
        // yet removed from the index is dropped here.
        let articles = self
            .store()
            .public_summaries_by_ids(&ids, Utc::now())
            .await?;
        let mut out = Vec::with_capacity(articles.len());
        for mut a in articles {
            if let Some(hit) = page.hits.iter().find(|h| h.id == a.id.0) {
                self.set_story(&mut a);
                out.push((a, hit.snippet_html.clone(), hit.score));
            }
        }
        Ok((out, page))
    }
}

impl App {
    /// Documents in this node's search index (0 before it is open).
    pub fn search_document_count(&self) -> u64 {
        self.inner
            .discovery
            .search
            .get()
            .map_or(0, SearchIndex::len)
    }
}
