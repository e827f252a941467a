//! Sections, tags and authors: found or created by name while an article is written.

use std::collections::HashMap;

use dateline_core::{slugify, Term};
use sqlx::any::Any;
use sqlx::Row;

use crate::rows::slug;
use crate::Result;

/// The three kinds of term, each with its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// `sections`
    Section,
    /// `tags`
    Tag,
    /// `authors`
    Author,
}

impl TermKind {
    pub(crate) fn table(self) -> &'static str {
        match self {
            TermKind::Section => "sections",
            TermKind::Tag => "tags",
            TermKind::Author => "authors",
        }
    }
}

/// Term ids resolved during one transaction, so a bulk import asks once per distinct name.
#[derive(Debug, Default)]
pub(crate) struct TermCache {
    ids: HashMap<(TermKind, String), (i64, Term)>,
}

impl TermCache {
    /// Finds the term whose slug `name` makes, creating it with `name` as display name.
    /// Two names with one slug ("Oman", "OMAN") are the same term; the first name wins.
    pub async fn resolve(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        kind: TermKind,
        name: &str,
    ) -> Result<(i64, Term)> {
        let term_slug = slugify(name, "term");
        let key = (kind, term_slug.as_str().to_owned());
        if let Some(hit) = self.ids.get(&key) {
            return Ok(hit.clone());
        }
        let table = kind.table();
        let found = sqlx::query::<Any>(&format!(
            "SELECT id, slug, name FROM {table} WHERE slug = $1"
        ))
        .bind(term_slug.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let resolved = match found {
            Some(row) => (
                row.try_get::<i64, _>("id")?,
                Term {
                    slug: slug(row.try_get("slug")?)?,
                    name: row.try_get("name")?,
                },
            ),
            None => {
                let row = sqlx::query::<Any>(&format!(
                    "INSERT INTO {table} (slug, name) VALUES ($1, $2) RETURNING id"
                ))
                .bind(term_slug.as_str())
                .bind(name)
                .fetch_one(&mut *conn)
                .await?;
                (
                    row.try_get::<i64, _>("id")?,
                    Term {
                        slug: term_slug,
                        name: name.to_owned(),
                    },
                )
            }
        };
        self.ids.insert(key, resolved.clone());
        Ok(resolved)
    }
}
