//! Positional parameters for SQL built at run time (`$1`, `$2`, … on both backends).

use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

/// One bound value.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// SQL text plus its parameters, numbered as they are pushed.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            binds: Vec::new(),
        }
    }

    /// Appends raw SQL.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
        self
    }

    /// Appends "and the article `a` has the author with slug `author`".
    pub fn by_author(&mut self, author: &str) -> &mut Self {
        self.push(
            " AND a.id IN (SELECT aa.article_id FROM article_authors aa \
             JOIN authors p ON p.id = aa.author_id WHERE p.slug = ",
        )
        .bind(Bind::Text(author.to_owned()))
        .push(")")
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for b in &self.binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}
