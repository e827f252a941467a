//! What the browser editor needs around accounts: sign-in sessions, sign-in throttling
//! (failures and known browsers), password resets, and who has an article open.
//!
//! Like API keys, session and reset tokens arrive here already hashed: the store never sees
//! a token in the clear, so a copy of the database signs nobody in.

use chrono::{DateTime, Duration, Utc};
use dateline_core::ArticleId;
use sqlx::any::Any;
use sqlx::Row;

use crate::accounts::{user_from_row, User, USER_FIELDS};
use crate::rows::time;
use crate::{Error, Result, Store};

/// How long failed sign-ins are kept: [`Store::record_sign_in_failure`] prunes older rows.
const FAILURE_RETENTION: Duration = Duration::days(1);

/// The user columns [`user_from_row`] reads, from `users u`.
const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.role, u.password_hash, u.created_at, u.disabled_at";

/// A live sign-in session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who is signed in (never disabled: a disabled user's sessions are not found).
    pub user: User,
    /// The token forms must echo back (cross-site request forgery protection).
    pub csrf_token: String,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// When the session was last used, as of the last [`Store::touch_session`].
    pub last_seen_at: DateTime<Utc>,
    /// When the session stops working unless touched again.
    pub expires_at: DateTime<Utc>,
}

/// Failed sign-ins within a window, as [`Store::sign_in_failures_since`] counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureCounts {
    /// For the account from one place: a known browser, or an address among browsers the
    /// account does not know.
    pub place: i64,
    /// For the account from anywhere.
    pub account: i64,
    /// From the address, for any account, by browsers the account tried does not know.
    pub address: i64,
}

/// A write naming a row that does not exist (foreign key) reads as `NotFound`.
fn missing_reference(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(db) = &e {
        if db.is_foreign_key_violation() {
            return Error::NotFound;
        }
    }
    Error::from(e)
}

impl Store {
    /// Stores a new session for `user_id` by the hash of its token; `NotFound` if there is
    /// no such user. Also drops that user's expired sessions, so the table stays bounded.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user_id)
            .bind(now.timestamp())
            .execute(self.pool())
            .await?;
        sqlx::query::<Any>(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now.timestamp())
        .bind(now.timestamp())
        .bind(expires_at.timestamp())
        .execute(self.pool())
        .await
        .map_err(missing_reference)?;
        Ok(())
    }

    /// The session whose token hashes to `token_hash`. `NotFound` if there is none, if it
    /// has expired (`expires_at <= now`) or if its user is disabled.
    pub async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Session> {
        let row = sqlx::query::<Any>(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.created_at AS session_created_at, \
             s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now.timestamp())
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        Ok(Session {
            user: user_from_row(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: time(row.try_get("session_created_at")?)?,
            last_seen_at: time(row.try_get("last_seen_at")?)?,
            expires_at: time(row.try_get("expires_at")?)?,
        })
    }

    /// Slides a session's expiry: sets `last_seen_at` to `now` and `expires_at`. `NotFound`
    /// if the session does not exist or has already expired (an expired session is never
    /// revived).
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query::<Any>(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 \
             WHERE token_hash = $3 AND expires_at > $4",
        )
        .bind(now.timestamp())
        .bind(expires_at.timestamp())
        .bind(token_hash)
        .bind(now.timestamp())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Ends one session (signing out). Ending a session that does not exist is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query::<Any>("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of a user ("sign out everywhere"); returns how many there were.
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        let done = sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Remembers a sign-in attempt for `email` (as typed, normalised by the caller) from
    /// client `address` — and from the known browser whose device token hashes to
    /// `device`, if any — as a failure until it is forgotten. Returns its id, for
    /// [`Store::forget_sign_in_failure`]. Also prunes failures older than one day, so the
    /// table stays bounded.
    pub async fn record_sign_in_failure(
        &self,
        email: &str,
        address: &str,
        device: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query::<Any>(
            "INSERT INTO sign_in_failures (email, address, device, at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(email)
        .bind(address)
        .bind(device)
        .bind(now.timestamp())
        .fetch_one(self.pool())
        .await?;
        sqlx::query::<Any>("DELETE FROM sign_in_failures WHERE at < $1")
            .bind((now - FAILURE_RETENTION).timestamp())
            .execute(self.pool())
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Forgets one recorded attempt (one that was refused before its password was
    /// checked). Not an error if it is already gone.
    pub async fn forget_sign_in_failure(&self, id: i64) -> Result<()> {
        sqlx::query::<Any>("DELETE FROM sign_in_failures WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Failed sign-ins at or after `since`, counted three ways: for `email` from this place
    /// (the known browser `device` if given, else `address` among browsers not known to the
    /// account), for `email` from anywhere, and from `address` by browsers not known to the
    /// account they tried.
    pub async fn sign_in_failures_since(
        &self,
        email: &str,
        address: &str,
        device: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<FailureCounts> {
        // The place: the known browser's failures, or the address's among unknown browsers.
        let place = match device {
            Some(_) => "device = $3",
            None => "device IS NULL AND address = $2",
        };
        let row = sqlx::query::<Any>(&format!(
            "SELECT \
             (SELECT COUNT(*) FROM sign_in_failures \
              WHERE email = $1 AND at >= $4 AND {place}) AS by_place, \
             (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at >= $4) AS by_account, \
             (SELECT COUNT(*) FROM sign_in_failures \
              WHERE address = $2 AND device IS NULL AND at >= $4) AS by_address"
        ))
        .bind(email)
        .bind(address)
        .bind(device.unwrap_or_default())
        .bind(since.timestamp())
        .fetch_one(self.pool())
        .await?;
        Ok(FailureCounts {
            place: row.try_get("by_place")?,
            account: row.try_get("by_account")?,
            address: row.try_get("by_address")?,
        })
    }

    /// Forgets the failed sign-ins of `email` from one place (the known browser `device` if
    /// given, else `address` among unknown browsers), after a successful sign-in there.
    /// Failures from other places stay: they may be someone else's guesses.
    pub async fn clear_sign_in_failures(
        &self,
        email: &str,
        address: &str,
        device: Option<&str>,
    ) -> Result<()> {
        let done = match device {
            Some(device) => {
                sqlx::query::<Any>("DELETE FROM sign_in_failures WHERE email = $1 AND device = $2")
                    .bind(email)
                    .bind(device)
            }
            None => sqlx::query::<Any>(
                "DELETE FROM sign_in_failures \
                 WHERE email = $1 AND address = $2 AND device IS NULL",
            )
            .bind(email)
            .bind(address),
        };
        done.execute(self.pool()).await?;
        Ok(())
    }

    /// Remembers a browser that signed in as `user_id`, by the hash of its device token,
    /// until `expires_at`; `NotFound` if there is no such user. Drops the row of
    /// `replaces` (the token the browser presented, now superseded) and the user's expired
    /// rows.
    pub async fn remember_device(
        &self,
        token_hash: &str,
        user_id: i64,
        replaces: Option<&str>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<Any>(
            "DELETE FROM sign_in_devices WHERE user_id = $1 AND (expires_at <= $2 OR token_hash = $3)",
        )
        .bind(user_id)
        .bind(now.timestamp())
        .bind(replaces.unwrap_or_default())
        .execute(self.pool())
        .await?;
        self.insert_user_token("sign_in_devices", token_hash, user_id, now, expires_at)
            .await
    }

    /// Whether the device token hashing to `token_hash` belongs to a browser that signed
    /// in to the account with `email` and has not expired (`expires_at > now`).
    pub async fn is_known_device(
        &self,
        token_hash: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let row = sqlx::query::<Any>(
            "SELECT COUNT(*) AS n FROM sign_in_devices d JOIN users u ON u.id = d.user_id \
             WHERE d.token_hash = $1 AND u.email = $2 AND d.expires_at > $3",
        )
        .bind(token_hash)
        .bind(email)
        .bind(now.timestamp())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Stores a password-reset token for `user_id` by its hash; `NotFound` if there is no
    /// such user. Also drops expired reset tokens of every user.
    pub async fn create_password_reset(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<Any>("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now.timestamp())
            .execute(self.pool())
            .await?;
        self.insert_user_token("password_resets", token_hash, user_id, now, expires_at)
            .await
    }

    /// Inserts a token kept by its hash for `user_id` into `table`, one of the tables with
    /// the columns `token_hash, user_id, created_at, expires_at` (`password_resets`,
    /// `sign_in_devices`); `NotFound` if there is no such user.
    async fn insert_user_token(
        &self,
        table: &'static str,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<Any>(&format!(
            "INSERT INTO {table} (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)"
        ))
        .bind(token_hash)
        .bind(user_id)
        .bind(now.timestamp())
        .bind(expires_at.timestamp())
        .execute(self.pool())
        .await
        .map_err(missing_reference)?;
        Ok(())
    }

    /// The user of an unexpired, unused reset token. `NotFound` otherwise, and also when the
    /// user is disabled.
    pub async fn password_reset_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User> {
        let row = sqlx::query::<Any>(&format!(
            "SELECT {USER_COLUMNS} FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 \
             AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now.timestamp())
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        user_from_row(&row)
    }

    /// Spends a reset token, in one transaction: checks that it is unexpired and unused and
    /// its user enabled (else `NotFound`, nothing written), marks it (and any other unused
    /// token of that user) used, sets the user's password hash, deletes all the user's
    /// sessions and forgets the account's failed sign-ins. Returns the user as updated.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        new_password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let mut tx = self.begin_small().await?;
        // The conditional UPDATE is the check: of two concurrent uses only one matches.
        let spent = sqlx::query::<Any>(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 \
             AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL) \
             RETURNING user_id",
        )
        .bind(now.timestamp())
        .bind(token_hash)
        .bind(now.timestamp())
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(Error::NotFound)?;
        let user_id: i64 = spent.try_get("user_id")?;
        sqlx::query::<Any>(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
        let row = sqlx::query::<Any>(&format!(
            "UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING {USER_FIELDS}"
        ))
        .bind(new_password_hash)
        .bind(user_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let user = user_from_row(&row)?;
        sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        // The reset link lifts the sign-in lock it was made to lift: the account's failures
        // from every place are forgotten with the old password.
        sqlx::query::<Any>("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(&user.email)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Notes that `user_id` has article `article_id` open at `now` (insert or update).
    /// `NotFound` if the article or user does not exist.
    pub async fn mark_presence(
        &self,
        article_id: ArticleId,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<Any>(
            "INSERT INTO article_presence (article_id, user_id, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(article_id.0)
        .bind(user_id)
        .bind(now.timestamp())
        .execute(self.pool())
        .await
        .map_err(missing_reference)?;
        Ok(())
    }

    /// Enabled users seen on the article at or after `since`, except `except_user` (the one
    /// asking), ordered by name: `(user_id, name, email)`.
    pub async fn presence(
        &self,
        article_id: ArticleId,
        except_user: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query::<Any>(
            "SELECT u.id, u.name, u.email FROM article_presence p JOIN users u ON u.id = p.user_id \
             WHERE p.article_id = $1 AND p.user_id <> $2 AND p.seen_at >= $3 \
             AND u.disabled_at IS NULL ORDER BY u.name, u.id",
        )
        .bind(article_id.0)
        .bind(except_user)
        .bind(since.timestamp())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("email")?)))
            .collect()
    }

    /// Forgets that `user_id` has the article open (the editor was closed). Not an error if
    /// there was nothing to forget.
    pub async fn clear_presence(&self, article_id: ArticleId, user_id: i64) -> Result<()> {
        sqlx::query::<Any>("DELETE FROM article_presence WHERE article_id = $1 AND user_id = $2")
            .bind(article_id.0)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
