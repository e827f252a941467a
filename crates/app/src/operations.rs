//! Figures for the people who run a node (`/metrics`): where the change followers stand,
//! what the caches and engines hold, how the database pool is used.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::{App, Result};

/// The two followers of the change sequence on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follower {
    /// The page-cache follower (`follower.rs`).
    PageCache,
    /// The indexer of search and related articles (`discovery/indexer.rs`).
    Discovery,
}

impl Follower {
    /// The label value in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Follower::PageCache => "page_cache",
            Follower::Discovery => "search_related",
        }
    }
}

/// Last cursor position each follower reached; -1 before its first read.
#[derive(Debug)]
pub(crate) struct Positions {
    page_cache: AtomicI64,
    discovery: AtomicI64,
}

impl Default for Positions {
    fn default() -> Positions {
        Positions {
            page_cache: AtomicI64::new(-1),
            discovery: AtomicI64::new(-1),
        }
    }
}

/// A follower's place in the change sequence.
#[derive(Debug, Clone, Copy)]
pub struct FollowerFigures {
    /// Which follower.
    pub follower: Follower,
    /// Its cursor position; `None` before it first read the sequence.
    pub position: Option<i64>,
    /// Committed changes it has not applied yet (the sequence's end minus its position).
    pub lag: Option<i64>,
}

/// What a node holds and how far behind it is, read at one moment.
#[derive(Debug, Clone)]
pub struct NodeFigures {
    /// The highest committed position of the change sequence.
    pub change_horizon: i64,
    /// Each follower's place.
    pub followers: [FollowerFigures; 2],
    /// Pages in the page cache and their bytes (as charged to its budget).
    pub page_cache_entries: usize,
    /// See [`NodeFigures::page_cache_entries`].
    pub page_cache_bytes: usize,
    /// The page cache's budget in bytes.
    pub page_cache_budget: usize,
    /// Documents in the search index (0 before it is open).
    pub search_documents: u64,
    /// Articles in the related-articles engine.
    pub related_articles: usize,
    /// Database connections open, and idle among them.
    pub pool_connections: u32,
    /// See [`NodeFigures::pool_connections`].
    pub pool_idle: usize,
    /// Whether the node is ready to serve readers (`/readyz`).
    pub ready: bool,
}

impl App {
    pub(crate) fn note_position(&self, follower: Follower, position: i64) {
        let slot = match follower {
            Follower::PageCache => &self.inner.positions.page_cache,
            Follower::Discovery => &self.inner.positions.discovery,
        };
        slot.store(position, Ordering::Release);
    }

    /// This node's figures now (one cheap query: the sequence's end).
    pub async fn node_figures(&self) -> Result<NodeFigures> {
        let change_horizon = self.store().change_horizon().await?;
        let follower = |follower: Follower, slot: &AtomicI64| {
            let position = Some(slot.load(Ordering::Acquire)).filter(|p| *p >= 0);
            FollowerFigures {
                follower,
                position,
                lag: position.map(|p| (change_horizon - p).max(0)),
            }
        };
        let positions = &self.inner.positions;
        let (page_cache_entries, page_cache_bytes) = self.cache().stats();
        let (pool_connections, pool_idle) = self.store().pool_use();
        Ok(NodeFigures {
            change_horizon,
            followers: [
                follower(Follower::PageCache, &positions.page_cache),
                follower(Follower::Discovery, &positions.discovery),
            ],
            page_cache_entries,
            page_cache_bytes,
            page_cache_budget: self.config().page_cache_bytes,
            search_documents: self.search_document_count(),
            related_articles: self.related_article_count(),
            pool_connections,
            pool_idle,
            ready: self.readiness().is_ready(),
        })
    }
}
