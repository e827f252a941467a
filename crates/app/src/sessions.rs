//! Browser sign-in: sessions kept in the store (so every app node honours them), CSRF
//! tokens, sign-in throttling, password-reset links and the first-run setup.
//!
//! Secrets (session cookies, reset tokens) are random 256-bit values handed to the browser
//! once; the store keeps only their SHA-256, so a leaked database does not sign anyone in.

use chrono::{Duration, Utc};
use dateline_core::{FieldErrors, Role};
use dateline_store::accounts::User;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::articles::Actor;
use crate::{App, Error, Result};

/// Failed sign-ins for one account within [`THROTTLE_WINDOW_MINUTES`] before it is locked.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins from one address within the window before it is locked out.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// How far back failures count.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// How long a reset link stays valid.
pub const RESET_LINK_HOURS: i64 = 24;
/// A session's expiry slides forward at most this often (one write per minute, not per
/// request).
const TOUCH_EVERY_SECS: i64 = 60;

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The user.
    pub user: User,
    /// The token every state-changing form and browser API call must carry.
    pub csrf_token: String,
}

impl SignedIn {
    /// The user as the actor of use-cases.
    pub fn actor(&self) -> Actor {
        Actor {
            label: self.user.email.clone(),
            role: self.user.role,
            user_id: Some(self.user.id),
        }
    }
}

/// A random 256-bit secret, hex-encoded.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What logs name a sign-in email by: people type passwords into the email field, and
/// logs should not keep them.
fn email_digest(email: &str) -> String {
    digest(email)[..12].to_owned()
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl App {
    fn session_lifetime(&self) -> Duration {
        Duration::seconds(self.config().session_idle_secs as i64)
    }

    /// Signs in with email and password from `address`. Refused with `Throttled` after too
    /// many recent failures for the account or the address (checked before the password,
    /// so a locked account cannot be probed); a wrong password counts as a failure.
    /// Returns the session secret for the cookie.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
    ) -> Result<(String, SignedIn)> {
        let email = email.trim().to_lowercase();
        let now = Utc::now();
        let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
        let who = email_digest(&email);
        // The attempt is counted before the password is checked, so a burst of parallel
        // guesses cannot all slip under the limit while argon2 runs: the sixth sees six.
        self.store()
            .record_sign_in_failure(&email, address, now)
            .await?;
        let (by_account, by_address) = self
            .store()
            .sign_in_failures_since(&email, address, since)
            .await?;
        if by_account > MAX_FAILURES_PER_ACCOUNT || by_address > MAX_FAILURES_PER_ADDRESS {
            tracing::warn!(email.sha256 = %who, %address, by_account, by_address, "sign-in throttled");
            return Err(Error::Throttled {
                retry_after_secs: THROTTLE_WINDOW_MINUTES as u64 * 60,
            });
        }
        let user = match self.verify_password(&email, password).await {
            Ok(user) => user,
            Err(Error::Unauthenticated) => {
                tracing::info!(email.sha256 = %who, %address, "sign-in failed");
                return Err(Error::Unauthenticated);
            }
            Err(e) => return Err(e),
        };
        // Success: this attempt and the account's earlier failures no longer count.
        self.store().clear_sign_in_failures(&email).await?;
        let secret = new_secret();
        let csrf_token = new_secret();
        self.store()
            .create_session(
                &digest(&secret),
                user.id,
                &csrf_token,
                now,
                now + self.session_lifetime(),
            )
            .await?;
        tracing::info!(user.id = user.id, "signed in");
        Ok((secret, SignedIn { user, csrf_token }))
    }

    /// The session behind a cookie secret; `Unauthenticated` when it is unknown, expired
    /// or its user disabled. Slides the expiry forward on use.
    pub async fn session(&self, secret: &str) -> Result<SignedIn> {
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Unauthenticated);
        }
        let now = Utc::now();
        let hash = digest(secret);
        let session = match self.store().session(&hash, now).await {
            Ok(s) => s,
            Err(dateline_store::Error::NotFound) => return Err(Error::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
            self.store()
                .touch_session(&hash, now, now + self.session_lifetime())
                .await?;
        }
        Ok(SignedIn {
            user: session.user,
            csrf_token: session.csrf_token,
        })
    }

    /// Ends one session.
    pub async fn sign_out(&self, secret: &str) -> Result<()> {
        Ok(self.store().delete_session(&digest(secret)).await?)
    }

    /// Ends every session of a user, on every device; returns how many there were.
    pub async fn sign_out_everywhere(&self, user_id: i64) -> Result<u64> {
        let n = self.store().delete_user_sessions(user_id).await?;
        tracing::info!(user.id = user_id, sessions = n, "signed out everywhere");
        Ok(n)
    }

    /// Makes a one-time password-reset link for the account with `email` (printed by
    /// `dateline user reset-link`; no mail server needed). Returns the full URL.
    pub async fn reset_link(&self, email: &str) -> Result<String> {
        let user = self
            .store()
            .user_by_email(&email.trim().to_lowercase())
            .await?;
        let token = new_secret();
        let now = Utc::now();
        self.store()
            .create_password_reset(
                &digest(&token),
                user.id,
                now,
                now + Duration::hours(RESET_LINK_HOURS),
            )
            .await?;
        tracing::info!(user.id = user.id, "password reset link made");
        Ok(format!("{}/reset/{token}", self.config().base_url))
    }

    /// The account a reset token belongs to, if it is still usable.
    pub async fn reset_token_user(&self, token: &str) -> Result<User> {
        Ok(self
            .store()
            .password_reset_user(&digest(token), Utc::now())
            .await?)
    }

    /// Sets a new password with a reset token (once), signing the user out everywhere.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<User> {
        check_password(new_password)?;
        let hash = hash_password_blocking(new_password).await?;
        let user = self
            .store()
            .use_password_reset(&digest(token), &hash, Utc::now())
            .await?;
        tracing::info!(user.id = user.id, "password reset");
        Ok(user)
    }

    /// Whether nobody has an account yet (the one-time setup page is open).
    pub async fn needs_setup(&self) -> Result<bool> {
        Ok(self.store().user_count().await? == 0)
    }

    /// Creates the first admin on an empty install; `Forbidden` once any user exists.
    pub async fn set_up_first_admin(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<User> {
        if !self.needs_setup().await? {
            return Err(Error::Forbidden);
        }
        let user = self.create_user(email, name, Role::Admin, password).await?;
        // Two racing setup requests: keep the first admin, refuse the second.
        if self.store().users().await?.first().map(|u| u.id) != Some(user.id) {
            self.store()
                .set_user_disabled(user.id, Some(Utc::now()))
                .await?;
            return Err(Error::Forbidden);
        }
        Ok(user)
    }

    /// Users, for admins.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        require_admin(actor)?;
        Ok(self.store().users().await?)
    }

    /// Changes a user's role (admins only; an admin cannot demote themself, so an install
    /// always keeps one).
    pub async fn set_user_role(&self, actor: &Actor, user_id: i64, role: Role) -> Result<()> {
        require_admin(actor)?;
        if actor.user_id == Some(user_id) && role != Role::Admin {
            let mut errors = FieldErrors::default();
            errors.add("role", "you cannot take away your own admin role");
            return Err(errors.into());
        }
        self.store().set_user_role(user_id, role).await?;
        self.store().delete_user_sessions(user_id).await?;
        tracing::info!(user.id = user_id, %role, actor = %actor.label, "role changed");
        Ok(())
    }

    /// Disables (signing out everywhere) or re-enables a user (admins only, not themself).
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: i64,
        disabled: bool,
    ) -> Result<()> {
        require_admin(actor)?;
        if actor.user_id == Some(user_id) {
            let mut errors = FieldErrors::default();
            errors.add("user", "you cannot disable your own account");
            return Err(errors.into());
        }
        self.store()
            .set_user_disabled(user_id, disabled.then(Utc::now))
            .await?;
        tracing::info!(user.id = user_id, disabled, actor = %actor.label, "account status changed");
        Ok(())
    }

    /// Creates a user on behalf of an admin.
    pub async fn add_user(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<User> {
        require_admin(actor)?;
        self.create_user(email, name, role, password).await
    }

    /// A reset link for any user, made by an admin (to hand over in person).
    pub async fn reset_link_for(&self, actor: &Actor, user_id: i64) -> Result<String> {
        require_admin(actor)?;
        let user = self.store().user(user_id).await?;
        self.reset_link(&user.email).await
    }
}

/// Refuses anyone but an admin.
pub fn require_admin(actor: &Actor) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < crate::accounts::MIN_PASSWORD_CHARS {
        let mut errors = FieldErrors::default();
        errors.add(
            "password",
            format!(
                "must be at least {} characters",
                crate::accounts::MIN_PASSWORD_CHARS
            ),
        );
        return Err(errors.into());
    }
    if password.len() > 1024 {
        let mut errors = FieldErrors::default();
        errors.add("password", "must be at most 1024 bytes");
        return Err(errors.into());
    }
    Ok(())
}

/// argon2id PHC string of `password`.
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))?
        .to_string())
}

/// [`hash_password`] on a blocking thread: argon2 takes tens of milliseconds of CPU, which
/// would stall every other request on the async worker.
pub async fn hash_password_blocking(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_when_equal_and_non_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn secrets_are_64_hex_chars_and_differ() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
