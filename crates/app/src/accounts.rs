//! Users and API keys: creating them and checking credentials.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use chrono::Utc;
use dateline_core::{FieldErrors, Role};
use dateline_store::accounts::{ApiKey, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::articles::Actor;
use crate::{App, Error, Result};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Prefix of every API key, so leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "dl_";

fn hash_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

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
        if let Err(Error::Invalid(e)) = crate::sessions::check_password(password) {
            for (field, message) in e.0 {
                errors.add(&field, message);
            }
        }
        errors.into_result()?;
        let hash = crate::sessions::hash_password_blocking(password).await?;
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
                // Spend the same time as a real check so response times do not reveal
                // which emails have accounts.
                let password = password.to_owned();
                let _ =
                    tokio::task::spawn_blocking(move || crate::sessions::hash_password(&password))
                        .await;
                return Err(Error::Unauthenticated);
            }
            Err(e) => return Err(e.into()),
        };
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let password = password.to_owned();
        let hash = user.password_hash.clone();
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
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
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = format!("{KEY_PREFIX}{}", hex::encode(bytes));
        let prefix = secret[..KEY_PREFIX.len() + 8].to_owned();
        let key = self
            .store()
            .create_api_key(name.trim(), role, &prefix, &hash_key(&secret), Utc::now())
            .await?;
        tracing::info!(key.id = key.id, key.name = %key.name, role = %role, "API key created");
        Ok((key, secret))
    }

    /// The actor behind a bearer key, or `Unauthenticated`.
    pub async fn authenticate_key(&self, secret: &str) -> Result<Actor> {
        if !secret.starts_with(KEY_PREFIX) || secret.len() > 200 {
            return Err(Error::Unauthenticated);
        }
        match self.store().api_key_by_hash(&hash_key(secret)).await {
            Ok(key) => Ok(Actor::service(&format!("key:{}", key.name), key.role)),
            Err(dateline_store::Error::NotFound) => Err(Error::Unauthenticated),
            Err(e) => Err(e.into()),
        }
    }
}
