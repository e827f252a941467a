//! The publication status of an article and which transitions are allowed.

use serde::{Deserialize, Serialize};

/// Where an article is in its life. Only `Published` (with a publish time not in the future)
/// is ever visible to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written; visible to the newsroom only.
    Draft,
    /// Will be published automatically at its `published_at` time.
    Scheduled,
    /// Public.
    Published,
    /// Was public and has been withdrawn; its URL answers 410 Gone.
    Unpublished,
    /// Removed by an editor; kept for its revisions, never shown anywhere.
    Deleted,
}

impl Status {
    /// The stable lowercase name stored in the database and used in the APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
            Status::Deleted => "deleted",
        }
    }

    /// Parses the lowercase name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "scheduled" => Some(Status::Scheduled),
            "published" => Some(Status::Published),
            "unpublished" => Some(Status::Unpublished),
            "deleted" => Some(Status::Deleted),
            _ => None,
        }
    }

    /// Whether an article in this status may be moved to `next`.
    ///
    /// Deleted is final: an editor who wants a deleted article back restores a revision
    /// into a new article (issue 3). Everything else may be published, scheduled or
    /// withdrawn, so a newsroom can fix mistakes in either direction.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        match (self, next) {
            (Deleted, _) => false,
            (_, Deleted) => true,
            (Draft | Unpublished | Scheduled, Published | Scheduled) => true,
            (Published, Unpublished) => true,
            (Scheduled, Draft) => true,
            (Published, Published) => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        for s in [
            Status::Draft,
            Status::Scheduled,
            Status::Published,
            Status::Unpublished,
            Status::Deleted,
        ] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("Published"), None);
    }

    #[test]
    fn deleted_is_final_and_drafts_cannot_be_unpublished() {
        assert!(!Status::Deleted.can_become(Status::Published));
        assert!(!Status::Draft.can_become(Status::Unpublished));
        assert!(Status::Unpublished.can_become(Status::Published));
        assert!(Status::Scheduled.can_become(Status::Published));
    }
}
