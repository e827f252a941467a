//! The archive's view of the store: every table that holds a newsroom's own data, read
//! row by row in a stable order and written back with the same ids (issue 11, item 6).
//!
//! The table list below is the one place that says what an archive holds. It was made by
//! reading every migration; a new migration that adds a table or a column must add it here
//! too (`every_column_of_the_schema_is_archived_or_named_as_derived` checks the columns).
//! Not archived, on purpose: `changes` (the change sequence, derived from writes),
//! `sessions`, `sign_in_failures`, `sign_in_devices`, `password_resets` and
//! `article_presence` (short-lived, tied to browsers and secrets) and `store_identity`
//! (each database keeps its own, so derived data of the old one is never reused).
//!
//! Records are JSON objects whose keys are the column names (two JSON columns renamed, see
//! `Column`); `serde_json`'s map keeps keys sorted, which makes the field order stable.
//! Times are RFC 3339 UTC strings; JSON-valued columns are embedded as JSON, not as text.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};
use sqlx::any::{Any, AnyRow};
use sqlx::{Row, Transaction};

use crate::binds::{Bind, Sql};
use crate::{Backend, Error, Result, SmallTx, Store};

/// How a column travels in an archive record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    /// An integer; never a floating value.
    Int,
    /// Text.
    Text,
    /// Unix seconds in the store, RFC 3339 UTC (`2026-12-01T07:54:17Z`) in the archive.
    Time,
    /// Text holding JSON in the store, the JSON itself in the archive.
    Json,
}

/// One column of an archived table.
#[derive(Debug, Clone, Copy)]
struct Column {
    /// Column name in the store.
    name: &'static str,
    /// Field name in the archive record (differs only where the store's name says how it
    /// is stored, e.g. `tags_json` → `tags`).
    field: &'static str,
    ty: Type,
    nullable: bool,
    /// A secret (password or key hash): written only when the export asks for secrets.
    secret: bool,
}

const fn col(name: &'static str, ty: Type) -> Column {
    Column {
        name,
        field: name,
        ty,
        nullable: false,
        secret: false,
    }
}

const fn opt(name: &'static str, ty: Type) -> Column {
    Column {
        nullable: true,
        ..col(name, ty)
    }
}

const fn secret(name: &'static str) -> Column {
    Column {
        secret: true,
        ..col(name, Type::Text)
    }
}

const fn renamed(name: &'static str, field: &'static str, ty: Type) -> Column {
    Column {
        field,
        ..col(name, ty)
    }
}

/// How rows of a table are ordered in the archive.
#[derive(Debug, Clone, Copy)]
enum Order {
    /// By the integer primary key `id`, read in pages (the big tables: articles and their
    /// revisions, whose rows hold whole bodies).
    Id,
    /// By these integer columns, read at once (small rows).
    Ints(&'static [&'static str]),
    /// By `article_id`, then by this text column compared as bytes. Sorted here rather than
    /// in SQL: PostgreSQL orders text by the database's locale (which may skip hyphens),
    /// SQLite by bytes, and an archive must not depend on which one wrote it.
    ArticleThenText(&'static str),
}

/// One kind of record: a file of the archive and the table it comes from.
#[derive(Debug)]
pub struct ArchiveKind {
    /// File name inside the archive, e.g. `articles.jsonl`.
    pub file: &'static str,
    table: &'static str,
    columns: &'static [Column],
    order: Order,
    /// The table has a PostgreSQL identity column `id` to move past the imported ids.
    identity: bool,
}

use Type::{Int, Json, Text, Time};

/// Every kind, in the order an import must write them (referenced rows first).
pub const ARCHIVE_KINDS: &[ArchiveKind] = &[
    ArchiveKind {
        file: "users.jsonl",
        table: "users",
        columns: &[
            col("id", Int),
            col("email", Text),
            col("name", Text),
            col("role", Text),
            secret("password_hash"),
            col("created_at", Time),
            opt("disabled_at", Time),
        ],
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "sections.jsonl",
        table: "sections",
        columns: TERM_COLUMNS,
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "tags.jsonl",
        table: "tags",
        columns: TERM_COLUMNS,
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "authors.jsonl",
        table: "authors",
        columns: TERM_COLUMNS,
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "articles.jsonl",
        table: "articles",
        columns: &[
            col("id", Int),
            col("slug", Text),
            opt("external_id", Text),
            col("title", Text),
            opt("standfirst", Text),
            col("body_markdown", Text),
            // The rendered HTML, teaser and word count are kept, not re-rendered: a newer
            // renderer must not change an archived article's page on the way through.
            col("body_html", Text),
            opt("summary", Text),
            col("teaser", Text),
            opt("dateline", Text),
            opt("section_id", Int),
            // [{slug, name}] in byline/tag order, as the page shows them.
            renamed("tags_json", "tags", Json),
            renamed("authors_json", "authors", Json),
            opt("lead_image_url", Text),
            opt("lead_image_caption", Text),
            opt("lead_image_credit", Text),
            opt("lead_image_alt", Text),
            opt("source", Text),
            opt("correction_note", Text),
            opt("corrected_at", Time),
            col("earlier_corrections", Json),
            col("status", Text),
            col("created_at", Time),
            opt("published_at", Time),
            col("updated_at", Time),
            col("version", Int),
            opt("story_id", Int),
            col("word_count", Int),
            opt("owner_id", Int),
        ],
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "article_tags.jsonl",
        table: "article_tags",
        columns: LINK_TAG_COLUMNS,
        order: Order::Ints(&["article_id", "position", "tag_id"]),
        identity: false,
    },
    ArchiveKind {
        file: "article_authors.jsonl",
        table: "article_authors",
        columns: LINK_AUTHOR_COLUMNS,
        order: Order::Ints(&["article_id", "position", "author_id"]),
        identity: false,
    },
    ArchiveKind {
        file: "revisions.jsonl",
        table: "revisions",
        columns: &[
            col("id", Int),
            col("article_id", Int),
            col("version", Int),
            col("actor", Text),
            col("snapshot", Json),
            col("created_at", Time),
        ],
        order: Order::Id,
        identity: true,
    },
    ArchiveKind {
        file: "slug_redirects.jsonl",
        table: "slug_redirects",
        columns: &[col("old_slug", Text), col("article_id", Int)],
        order: Order::ArticleThenText("old_slug"),
        identity: false,
    },
    ArchiveKind {
        file: "legacy_redirects.jsonl",
        table: "legacy_redirects",
        columns: &[
            col("path", Text),
            col("article_id", Int),
            col("created_at", Time),
        ],
        order: Order::ArticleThenText("path"),
        identity: false,
    },
    ArchiveKind {
        file: "related_overrides.jsonl",
        table: "related_overrides",
        columns: &[
            col("article_id", Int),
            col("related_id", Int),
            col("kind", Text),
            col("position", Int),
        ],
        order: Order::Ints(&["article_id", "related_id"]),
        identity: false,
    },
    ArchiveKind {
        file: "story_decisions.jsonl",
        table: "story_decisions",
        columns: &[
            col("article_a", Int),
            col("article_b", Int),
            col("decision", Text),
            col("decided_by", Text),
            col("decided_at", Time),
        ],
        order: Order::Ints(&["article_a", "article_b"]),
        identity: false,
    },
    ArchiveKind {
        file: "api_keys.jsonl",
        table: "api_keys",
        columns: &[
            col("id", Int),
            col("name", Text),
            col("role", Text),
            col("prefix", Text),
            secret("key_hash"),
            col("created_at", Time),
            opt("revoked_at", Time),
        ],
        order: Order::Id,
        identity: true,
    },
];

const TERM_COLUMNS: &[Column] = &[col("id", Int), col("slug", Text), col("name", Text)];
const LINK_TAG_COLUMNS: &[Column] = &[
    col("article_id", Int),
    col("tag_id", Int),
    col("position", Int),
];
const LINK_AUTHOR_COLUMNS: &[Column] = &[
    col("article_id", Int),
    col("author_id", Int),
    col("position", Int),
];

/// Tables an archive leaves out, and why (see the module docs).
pub const NOT_ARCHIVED: &[(&str, &str)] = &[
    ("changes", "the change sequence is derived from writes"),
    ("sessions", "sign-in sessions are tied to browsers"),
    ("sign_in_failures", "sign-in throttling is short-lived"),
    ("sign_in_devices", "known browsers are tied to cookies"),
    ("password_resets", "reset links are short-lived secrets"),
    ("article_presence", "who has an article open is momentary"),
    ("store_identity", "each database keeps its own identity"),
];

/// What an imported user's password hash is when the archive carries no secrets: a string
/// no password verifies against (a hash that does not parse matches nothing), so the user
/// signs in again only through a reset link.
pub const NO_PASSWORD: &str = "!archive-without-secrets";

/// The `field` of an [`Error::Invalid`] from [`ArchiveWriter::insert`] that blames the
/// record as a whole rather than one field.
pub const RECORD_FIELD: &str = "";

/// Rows read per page for [`Order::Id`] tables: bounded memory however big the store.
const PAGE: i64 = 500;

impl ArchiveKind {
    /// Looks a kind up by its file name.
    pub fn by_file(file: &str) -> Option<&'static ArchiveKind> {
        ARCHIVE_KINDS.iter().find(|k| k.file == file)
    }

    fn select(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        format!("SELECT {} FROM {}", names.join(", "), self.table)
    }

    /// Turns a row into the archive record (secrets only when `secrets`).
    fn record(&self, row: &AnyRow, secrets: bool) -> Result<Value> {
        let mut out = Map::new();
        for c in self.columns {
            if c.secret && !secrets {
                continue;
            }
            let value = match c.ty {
                Int => row
                    .try_get::<Option<i64>, _>(c.name)?
                    .map_or(Value::Null, Value::from),
                Text => row
                    .try_get::<Option<String>, _>(c.name)?
                    .map_or(Value::Null, Value::from),
                Time => match row.try_get::<Option<i64>, _>(c.name)? {
                    None => Value::Null,
                    Some(secs) => Value::from(rfc3339(secs)?),
                },
                Json => match row.try_get::<Option<String>, _>(c.name)? {
                    None => Value::Null,
                    Some(text) => serde_json::from_str(&text)
                        .map_err(|e| Error::Corrupt(format!("{}.{}: {e}", self.table, c.name)))?,
                },
            };
            out.insert(c.field.to_owned(), value);
        }
        Ok(Value::Object(out))
    }

    /// Checks a record against the columns and turns it into bound values, in column
    /// order. Errors name the field.
    fn binds(&self, record: Map<String, Value>, secrets: bool) -> Result<Vec<Option<Bind>>> {
        let mut record = record;
        let id = record_id(&record);
        let mut binds = Vec::with_capacity(self.columns.len());
        for c in self.columns {
            let invalid = |reason: String| Error::Invalid {
                field: c.field.to_owned(),
                reason,
            };
            if c.secret && !secrets {
                if record.contains_key(c.field) {
                    return Err(invalid(
                        "the manifest says this archive holds no secrets".into(),
                    ));
                }
                binds.push(Some(Bind::Text(match self.table {
                    // key_hash is unique: a placeholder per key that no key hashes to
                    // (a SHA-256 is 64 hex digits), so the key can never be used.
                    "api_keys" => format!("{NO_PASSWORD}:{id}"),
                    _ => NO_PASSWORD.to_owned(),
                })));
                continue;
            }
            let value = record
                .remove(c.field)
                .ok_or_else(|| invalid("missing".into()))?;
            let bind = match (&value, c.ty) {
                (Value::Null, _) if c.nullable => None,
                (Value::Null, _) => return Err(invalid("must not be null".into())),
                (Value::Number(n), Int) => {
                    Some(Bind::Int(n.as_i64().ok_or_else(|| {
                        invalid(format!("{n} is not a whole number"))
                    })?))
                }
                (Value::String(s), Text) => Some(Bind::Text(s.clone())),
                (Value::String(s), Time) => Some(Bind::Int(
                    DateTime::parse_from_rfc3339(s)
                        .map_err(|e| invalid(format!("{s:?} is not an RFC 3339 time: {e}")))?
                        .timestamp(),
                )),
                (v, Json) => Some(Bind::Text(serde_json::to_string(v)?)),
                (v, ty) => {
                    return Err(invalid(format!(
                        "expected {}, found {}",
                        match ty {
                            Int => "a whole number",
                            Text => "a string",
                            Time => "an RFC 3339 time string",
                            Json => "JSON",
                        },
                        kind_of(v)
                    )))
                }
            };
            binds.push(bind);
        }
        if let Some(extra) = record.keys().next() {
            return Err(Error::Invalid {
                field: extra.clone(),
                reason: format!("not a field of {}", self.file),
            });
        }
        Ok(binds)
    }
}

fn record_id(record: &Map<String, Value>) -> String {
    record
        .get("id")
        .map(Value::to_string)
        .unwrap_or_else(|| "?".into())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn rfc3339(secs: i64) -> Result<String> {
    Ok(crate::rows::time(secs)?.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A consistent read of the whole store for an export: one read transaction, so an export
/// taken while the site runs is a single point in time.
pub struct ArchiveReader {
    tx: Transaction<'static, Any>,
}

/// Where an export stands in one kind's rows.
#[derive(Debug, Default, Clone, Copy)]
pub struct ArchiveCursor {
    after: Option<i64>,
    done: bool,
}

impl ArchiveReader {
    /// The next rows of `kind` (empty when there are no more), as archive records.
    pub async fn next_rows(
        &mut self,
        kind: &ArchiveKind,
        cursor: &mut ArchiveCursor,
        secrets: bool,
    ) -> Result<Vec<Value>> {
        if cursor.done {
            return Ok(Vec::new());
        }
        let rows = match kind.order {
            Order::Id => {
                let mut sql = Sql::new(&kind.select());
                sql.push(" WHERE id > ")
                    .bind(Bind::Int(cursor.after.unwrap_or(i64::MIN)))
                    .push(" ORDER BY id LIMIT ")
                    .bind(Bind::Int(PAGE));
                let rows = sql.query().fetch_all(&mut *self.tx).await?;
                match rows.last() {
                    Some(last) => cursor.after = Some(last.try_get("id")?),
                    None => cursor.done = true,
                }
                rows
            }
            Order::Ints(columns) => {
                cursor.done = true;
                sqlx::query::<Any>(&format!(
                    "{} ORDER BY {}",
                    kind.select(),
                    columns.join(", ")
                ))
                .fetch_all(&mut *self.tx)
                .await?
            }
            Order::ArticleThenText(text) => {
                cursor.done = true;
                let rows = sqlx::query::<Any>(&kind.select())
                    .fetch_all(&mut *self.tx)
                    .await?;
                let mut keyed = Vec::with_capacity(rows.len());
                for row in rows {
                    let key = (
                        row.try_get::<i64, _>("article_id")?,
                        row.try_get::<String, _>(text)?,
                    );
                    keyed.push((key, row));
                }
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                keyed.into_iter().map(|(_, row)| row).collect()
            }
        };
        rows.iter().map(|r| kind.record(r, secrets)).collect()
    }

    /// Ends the read.
    pub async fn finish(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// One transaction that writes a whole archive into an empty store, or nothing.
pub struct ArchiveWriter<'a> {
    tx: SmallTx<'a>,
    backend: Backend,
}

impl ArchiveWriter<'_> {
    /// Writes one record of `kind`. Errors name the field when one is to blame; the caller
    /// adds file and line. After an error the transaction is spoiled: drop it.
    pub async fn insert(
        &mut self,
        kind: &ArchiveKind,
        record: Map<String, Value>,
        secrets: bool,
    ) -> Result<()> {
        let binds = kind.binds(record, secrets)?;
        let names: Vec<&str> = kind.columns.iter().map(|c| c.name).collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        // Same text for every row of a kind, so each connection prepares it once.
        let text = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            kind.table,
            names.join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query::<Any>(&text);
        for (b, c) in binds.into_iter().zip(kind.columns) {
            q = match (b, c.ty) {
                (Some(Bind::Int(v)), _) => q.bind(v),
                (Some(Bind::Text(v)), _) => q.bind(v),
                // A NULL must carry its column's type: PostgreSQL refuses text into BIGINT.
                (None, Int | Time) => q.bind(None::<i64>),
                (None, Text | Json) => q.bind(None::<String>),
            };
        }
        q.execute(&mut *self.tx.tx).await.map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::Invalid {
                field: "id".into(),
                reason: "refers to a record the archive does not hold (or holds later)".into(),
            },
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                sqlx::Error::Database(db).into()
            }
            // Any other refusal by the database (a CHECK such as an unknown status or
            // role) is this record's fault; no field is named (see `RECORD_FIELD`).
            sqlx::Error::Database(db) => Error::Invalid {
                field: RECORD_FIELD.into(),
                reason: format!("refused by the database: {}", db.message()),
            },
            other => other.into(),
        })?;
        Ok(())
    }

    /// Moves PostgreSQL's identity sequences past the imported ids (an insert with explicit
    /// ids does not advance them; the next new article would clash), then commits.
    pub async fn commit(mut self) -> Result<()> {
        if self.backend == Backend::Postgres {
            for kind in ARCHIVE_KINDS.iter().filter(|k| k.identity) {
                let t = kind.table;
                sqlx::query::<Any>(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
                ))
                .fetch_one(&mut *self.tx.tx)
                .await?;
            }
        }
        // SQLite's INTEGER PRIMARY KEY hands out max(rowid) + 1: nothing to move.
        self.tx.commit().await
    }
}

impl Store {
    /// Opens a consistent read of the whole store for an export.
    pub async fn archive_reader(&self) -> Result<ArchiveReader> {
        let mut tx = self.pool().begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query::<Any>("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        // SQLite: a deferred transaction reads one WAL snapshot from its first read on.
        Ok(ArchiveReader { tx })
    }

    /// Opens the transaction an archive is imported in, after checking that the store
    /// holds no newsroom data (an archive restores a whole newsroom; merging two would
    /// clash on ids). Returns `Error::Invalid { field: "store" }` when it is not empty.
    pub async fn archive_writer(&self) -> Result<ArchiveWriter<'_>> {
        let mut tx = self.begin_small().await?;
        for kind in ARCHIVE_KINDS {
            let found = sqlx::query::<Any>(&format!("SELECT 1 FROM {} LIMIT 1", kind.table))
                .fetch_optional(&mut *tx.tx)
                .await?;
            if found.is_some() {
                return Err(Error::Invalid {
                    field: "store".into(),
                    reason: format!(
                        "the store is not empty ({} has rows); an archive is imported only \
                         into an empty store",
                        kind.table
                    ),
                });
            }
        }
        Ok(ArchiveWriter {
            tx,
            backend: self.backend,
        })
    }

    /// Rows per archived table, for tests and checks after an import.
    pub async fn archive_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for kind in ARCHIVE_KINDS {
            let row = sqlx::query::<Any>(&format!("SELECT COUNT(*) FROM {}", kind.table))
                .fetch_one(self.pool())
                .await?;
            out.push((kind.file, row.try_get::<i64, _>(0)?));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `CREATE TABLE` and `ADD COLUMN` of the SQLite migrations, as `table.column`.
    fn schema_columns() -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migrations dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        let mut out = BTreeSet::new();
        for file in files {
            let sql = std::fs::read_to_string(&file).expect("migration");
            let mut table: Option<String> = None;
            for line in sql.lines() {
                let line = line.trim();
                if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                    table = rest.split_whitespace().next().map(str::to_owned);
                } else if line.starts_with(')') {
                    table = None;
                } else if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
                    let mut words = rest.split_whitespace();
                    let t = words.next().expect("table");
                    let c = words.nth(2).expect("column");
                    out.insert(format!("{t}.{c}"));
                } else if let Some(t) = &table {
                    let word = line.split_whitespace().next().unwrap_or_default();
                    let keyword =
                        ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "--", ""].contains(&word);
                    if !keyword {
                        out.insert(format!("{t}.{word}"));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_column_of_the_schema_is_archived_or_named_as_derived() {
        let mut archived = BTreeSet::new();
        for kind in ARCHIVE_KINDS {
            for c in kind.columns {
                archived.insert(format!("{}.{}", kind.table, c.name));
            }
        }
        let skipped: BTreeSet<&str> = NOT_ARCHIVED.iter().map(|(t, _)| *t).collect();
        for column in schema_columns() {
            let table = column.split('.').next().unwrap_or_default();
            assert!(
                archived.contains(&column) || skipped.contains(table),
                "{column} is neither in the archive nor in NOT_ARCHIVED"
            );
        }
        assert!(
            archived.is_subset(&schema_columns()),
            "archive names a column the schema lacks"
        );
    }

    #[test]
    fn a_time_is_rfc3339_utc_and_back() {
        let s = rfc3339(1_764_575_657).expect("time");
        assert_eq!(s, "2025-12-01T07:54:17Z");
        let kind = ArchiveKind::by_file("sections.jsonl").expect("kind");
        let mut bad = Map::new();
        bad.insert("id".into(), Value::from(1.5));
        bad.insert("slug".into(), "x".into());
        bad.insert("name".into(), "X".into());
        assert!(
            matches!(kind.binds(bad, false), Err(Error::Invalid { field, .. }) if field == "id")
        );
    }
}
