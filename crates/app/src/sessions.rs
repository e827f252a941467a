//! Browser sign-in: sessions kept in the store (so every app node honours them), CSRF
//! tokens, password-reset links and the first-run setup. Sign-in throttling is in
//! [`crate::throttle`].
//!
//! Secrets (session cookies, reset tokens) are random 256-bit values handed to the browser
//! once; the store keeps only their SHA-256, so a leaked database does not sign anyone in.

use chrono::{Duration, Utc};
use dateline_core::{FieldErrors, Role};
use dateline_store::accounts::User;

use crate::articles::Actor;
use crate::credentials::{self, digest, new_secret};
use crate::throttle::email_digest;
use crate::{App, Error, Result};

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

/// A sign-in that succeeded: what the browser keeps. Its `Debug` leaves the secrets out.
#[derive(Clone)]
pub struct NewSession {
    /// The session secret, for the session cookie.
    pub secret: String,
    /// Who signed in.
    pub signed_in: SignedIn,
    /// The browser's new device token, for its cookie: it makes the browser known to the
    /// account (see [`crate::throttle`]).
    pub device_token: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("user", &self.signed_in.user.id)
            .finish_non_exhaustive()
    }
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

impl App {
    fn session_lifetime(&self) -> Duration {
        Duration::seconds(self.config().session_idle_secs as i64)
    }

    /// Signs in with email and password from `address`, in a browser that presented
    /// `device_token` (the cookie a previous sign-in left), if any. Refused with
    /// `Throttled` by the rule in [`crate::throttle`] (checked before the password, so a
    /// locked account cannot be probed); a wrong password counts as a failure.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
        device_token: Option<&str>,
    ) -> Result<NewSession> {
        let email = email.trim().to_lowercase();
        let now = Utc::now();
        let admitted = self
            .admit_sign_in(&email, address, device_token, now)
            .await?;
        let user = match self.verify_password(&email, password).await {
            Ok(user) => user,
            Err(Error::Unauthenticated) => {
                tracing::info!(email.sha256 = %email_digest(&email), %address, "sign-in failed");
                return Err(Error::Unauthenticated);
            }
            Err(e) => return Err(e),
        };
        let device_token = self.sign_in_succeeded(admitted, user.id, now).await?;
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
        Ok(NewSession {
            secret,
            signed_in: SignedIn { user, csrf_token },
            device_token,
        })
    }

    /// The session behind a cookie secret; `Unauthenticated` when it is unknown, expired
    /// or its user disabled. Slides the expiry forward on use.
    pub async fn session(&self, secret: &str) -> Result<SignedIn> {
        if !credentials::is_secret(secret) {
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
        credentials::check_password(new_password)?;
        let hash = credentials::hash_password(new_password).await?;
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
