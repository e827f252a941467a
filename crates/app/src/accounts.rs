//! Users and API keys: creating them and checking credentials.

use chrono::Utc;
use dateline_core::{FieldErrors, Role};
use dateline_store::accounts::{ApiKey, User};

use crate::articles::Actor;
use crate::credentials::{self, digest, KEY_PREFIX};
use crate::{App, Error, Result};

impl App {
    /// Creates a user with an argon2id-hashed password.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<User> {
        let email = email.trim().to_lowercase();
        let mut errors = FieldErrors::default();
        if !email.contains('@') || email.len() > 254 || email.chars().any(char::is_whitespace) {
            errors.add("email", "must be an email address");
        }
        if name.trim().is_empty() {
            errors.add("name", "must not be empty");
        } else if name.chars().count() > 200 {
            errors.add("name", "must be at most 200 characters");
        }
        if let Err(Error::Invalid(e)) = credentials::check_password(password) {
            for (field, message) in e.0 {
                errors.add(&field, message);
            }
        }
        errors.into_result()?;
        let hash = credentials::hash_password(password).await?;
        Ok(self
            .store()
            .create_user(&email, name.trim(), role, &hash, Utc::now())
            .await?)
    }

    /// Checks an email and password; `Unauthenticated` for any mismatch (without saying
    /// which part was wrong).
    pub async fn verify_password(&self, email: &str, password: &str) -> Result<User> {
        let user = match self
            .store()
            .user_by_email(&email.trim().to_lowercase())
            .await
        {
            Ok(u) => u,
            Err(dateline_store::Error::NotFound) => {
                // Spends the same time as a real check, so response times do not reveal
                // which emails have accounts.
                credentials::verify_password(password, None).await?;
                return Err(Error::Unauthenticated);
            }
            Err(e) => return Err(e.into()),
        };
        let matches =
            credentials::verify_password(password, Some(user.password_hash.clone())).await?;
        if user.disabled_at.is_some() || !matches {
            return Err(Error::Unauthenticated);
        }
        Ok(user)
    }

    /// Makes a new API key. The secret is returned once and stored only as a hash.
    pub async fn create_api_key(&self, name: &str, role: Role) -> Result<(ApiKey, String)> {
        if name.trim().is_empty() {
            let mut errors = FieldErrors::default();
            errors.add("name", "must not be empty");
            return Err(errors.into());
        }
        let secret = credentials::new_api_key();
        let prefix = secret[..KEY_PREFIX.len() + 8].to_owned();
        let key = self
            .store()
            .create_api_key(name.trim(), role, &prefix, &digest(&secret), Utc::now())
            .await?;
        tracing::info!(key.id = key.id, key.name = %key.name, role = %role, "API key created");
        Ok((key, secret))
    }

    /// The actor behind a bearer key, or `Unauthenticated`.
    pub async fn authenticate_key(&self, secret: &str) -> Result<Actor> {
        if !secret.starts_with(KEY_PREFIX) || secret.len() > 200 {
            return Err(Error::Unauthenticated);
        }
        match self.store().api_key_by_hash(&digest(secret)).await {
            Ok(key) => Ok(Actor::service(&format!("key:{}", key.name), key.role)),
            Err(dateline_store::Error::NotFound) => Err(Error::Unauthenticated),
            Err(e) => Err(e.into()),
        }
    }
}

/// API keys as an admin manages them.
impl App {
    /// Every API key (never the secret), for an admin.
    pub async fn api_keys(&self, actor: &Actor) -> Result<Vec<ApiKey>> {
        crate::sessions::require_admin(actor)?;
        Ok(self.store().api_keys().await?)
    }

    /// Revokes key `id`, for an admin; it stops working at once on every node.
    pub async fn revoke_api_key(&self, actor: &Actor, id: i64) -> Result<()> {
        crate::sessions::require_admin(actor)?;
        Ok(self.store().revoke_api_key(id, Utc::now()).await?)
    }
}
