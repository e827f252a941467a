//! dateline's domain: what an article is and the rules it obeys.
//!
//! Owns the types every other crate speaks in (`Article`, `Status`, `Slug`, typed ids,
//! `Version`) and the validation of article input (`ArticleInput::validate`). It must never
//! do I/O — no clock reads except through arguments, no files, no network — so the rules
//! stay cheap to test. Start reading at [`article`].

pub mod article;
pub mod content;
pub mod input;
pub mod legacy;
pub mod slug;
pub mod status;

pub use article::{
    article_path, change_keys, Article, ArticleId, Correction, LeadImage, Term, Version,
};
pub use content::ArticleContent;
pub use input::{ArticleInput, FieldErrors, Limits};
pub use legacy::legacy_path;
pub use slug::{slugify, Slug, SlugError};
pub use status::Status;

/// Roles of users and API keys, from least to most power (DESIGN.md "What an editor does").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes own drafts.
    Contributor,
    /// Also publishes own articles.
    Author,
    /// Everything editorial: all articles, sections, tags.
    Editor,
    /// Also users, keys and settings.
    Admin,
}

impl Role {
    /// The stable lowercase name used in the store, CLI and API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Parses the lowercase name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "contributor" => Some(Role::Contributor),
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role may edit and publish any article, not only its own.
    pub fn is_editorial(self) -> bool {
        self >= Role::Editor
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
