//! Newsroom users and API keys. Secrets arrive here already hashed; the store never sees
//! a password or key in the clear.

use chrono::{DateTime, Utc};
use dateline_core::Role;
use sqlx::any::{Any, AnyRow};
use sqlx::Row;

use crate::rows::{opt_time, time};
use crate::{Error, Result, Store};

/// The user columns [`user_from_row`] reads, from `users` without an alias (queries that
/// join name them `u.…`, see `sessions.rs`).
pub(crate) const USER_FIELDS: &str =
    "id, email, name, role, password_hash, created_at, disabled_at";

/// A newsroom user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Sign-in email, unique, lowercased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// PHC string of the argon2id hash.
    pub password_hash: String,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When the account was disabled, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// An API key's stored half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Store id.
    pub id: i64,
    /// What the key is for, as its creator named it.
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// The first characters of the key, to recognise it in lists.
    pub prefix: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

fn role(row: &AnyRow) -> Result<Role> {
    let r: String = row.try_get("role")?;
    Role::parse(&r).ok_or_else(|| Error::Corrupt(format!("role {r:?}")))
}

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: role(row)?,
        password_hash: row.try_get("password_hash")?,
        created_at: time(row.try_get("created_at")?)?,
        disabled_at: opt_time(row.try_get("disabled_at")?)?,
    })
}

fn key_from_row(row: &AnyRow) -> Result<ApiKey> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: role(row)?,
        prefix: row.try_get("prefix")?,
        created_at: time(row.try_get("created_at")?)?,
        revoked_at: opt_time(row.try_get("revoked_at")?)?,
    })
}

impl Store {
    /// Creates a user; `Duplicate { field: "email" }` if the email is taken.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let row = sqlx::query::<Any>(&format!(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {USER_FIELDS}"
        ))
        .bind(email)
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now.timestamp())
        .fetch_one(self.pool())
        .await
        .map_err(|e| match Error::from(e) {
            Error::Duplicate { .. } => Error::Duplicate { field: "email".into() },
            other => other,
        })?;
        user_from_row(&row)
    }

    /// The user with this (lowercased) email.
    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let row = sqlx::query::<Any>(&format!("SELECT {USER_FIELDS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        user_from_row(&row)
    }

    /// The user with this id; `NotFound` if there is none.
    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query::<Any>(&format!("SELECT {USER_FIELDS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        user_from_row(&row)
    }

    /// Changes what a user may do; `NotFound` if there is no such user.
    pub async fn set_user_role(&self, id: i64, role: Role) -> Result<()> {
        let done = sqlx::query::<Any>("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// `Some(at)`: disables the user (keeping an earlier disable time) and deletes all their
    /// sessions, in one transaction. `None`: enables the user again. `NotFound` if there is
    /// no such user (nothing written).
    pub async fn set_user_disabled(&self, id: i64, at: Option<DateTime<Utc>>) -> Result<()> {
        let Some(at) = at else {
            let done = sqlx::query::<Any>("UPDATE users SET disabled_at = NULL WHERE id = $1")
                .bind(id)
                .execute(self.pool())
                .await?;
            if done.rows_affected() == 0 {
                return Err(Error::NotFound);
            }
            return Ok(());
        };
        let mut tx = self.begin_small().await?;
        let done = sqlx::query::<Any>(
            "UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2",
        )
        .bind(at.timestamp())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }

    /// Every user, oldest first.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query::<Any>(&format!("SELECT {USER_FIELDS} FROM users ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Number of users: 0 means a fresh install.
    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query::<Any>("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Stores a new API key by the hash of its secret.
    pub async fn create_api_key(
        &self,
        name: &str,
        role: Role,
        prefix: &str,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiKey> {
        let row = sqlx::query::<Any>(
            "INSERT INTO api_keys (name, role, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, name, role, prefix, created_at, revoked_at",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(prefix)
        .bind(key_hash)
        .bind(now.timestamp())
        .fetch_one(self.pool())
        .await?;
        key_from_row(&row)
    }

    /// The unrevoked key whose secret hashes to `key_hash`.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<ApiKey> {
        let row = sqlx::query::<Any>(
            "SELECT id, name, role, prefix, created_at, revoked_at FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        key_from_row(&row)
    }

    /// Every key, revoked ones included, oldest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query::<Any>(
            "SELECT id, name, role, prefix, created_at, revoked_at FROM api_keys ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// Revokes a key; `NotFound` if no live key has this id.
    pub async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query::<Any>(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}
