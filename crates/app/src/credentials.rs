//! Credentials: the password policy, argon2id hashing and verification, random secrets
//! (API keys, session, reset, CSRF and device tokens) and the SHA-256 digest under which
//! the store keeps every secret.
//!
//! Everything here is free of the store and of `App`: `accounts` and `sessions` both use
//! it, and neither needs the other for it. argon2 costs tens of milliseconds of CPU, so
//! [`hash_password`] and [`verify_password`] always run on tokio's blocking pool, never on
//! an async worker.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use dateline_core::FieldErrors;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Longest password accepted, in bytes: argon2 takes any length, but a megabyte-long
/// "password" is a way to make every sign-in expensive, not a password.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Prefix of every API key, so leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "dl_";

/// Bytes of randomness in every secret [`new_secret`] makes (256 bits).
const SECRET_BYTES: usize = 32;

/// Length of a [`new_secret`] in characters (hex, two per byte).
pub const SECRET_CHARS: usize = SECRET_BYTES * 2;

/// Checks a new password against the policy: at least [`MIN_PASSWORD_CHARS`] characters,
/// at most [`MAX_PASSWORD_BYTES`] bytes. The error names the field `password`.
pub fn check_password(password: &str) -> Result<()> {
    let mut errors = FieldErrors::default();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if password.len() > MAX_PASSWORD_BYTES {
        errors.add(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        );
    }
    Ok(errors.into_result()?)
}

/// The argon2id PHC string of `password`, with a fresh random salt. Runs on the blocking
/// pool.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
}

fn hash_now(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))?
        .to_string())
}

/// Whether `password` matches the PHC string `hash`. Runs on the blocking pool.
///
/// With `hash` `None` (no such account) it spends the same time hashing and answers
/// `false`, so response times do not reveal which emails have accounts. A hash that does
/// not parse matches nothing.
pub async fn verify_password(password: &str, hash: Option<String>) -> Result<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }),
        None => {
            let _ = hash_now(&password);
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("password verification task failed: {e}")))
}

/// A random 256-bit secret from the operating system's generator, hex-encoded
/// ([`SECRET_CHARS`] characters): session cookies, reset links, CSRF and device tokens.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new API key: [`KEY_PREFIX`] followed by a [`new_secret`].
pub fn new_api_key() -> String {
    format!("{KEY_PREFIX}{}", new_secret())
}

/// Whether `s` has the shape of a [`new_secret`] (64 hex digits), checked before any
/// lookup so junk never reaches the store.
pub fn is_secret(s: &str) -> bool {
    s.len() == SECRET_CHARS && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The lowercase hex SHA-256 of `secret`: how the store keeps API keys, session, reset and
/// device tokens (a copy of the database then signs nobody in), and how logs name a
/// sign-in email without keeping a password typed into the wrong field.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two tokens in time independent of where they differ; two empty tokens do not
/// match.
pub fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password_error(password: &str) -> Option<String> {
        match check_password(password) {
            Ok(()) => None,
            Err(Error::Invalid(e)) => Some(format!("{e:?}")),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn the_policy_wants_ten_characters_not_ten_bytes_and_at_most_1024_bytes() {
        assert!(password_error("123456789").is_some_and(|e| e.contains("at least 10")));
        assert_eq!(password_error("1234567890"), None);
        // Ten characters of two bytes each: long enough.
        assert_eq!(password_error("éééééééééé"), None);
        // Nine characters of four bytes each: too short, though 36 bytes.
        assert!(password_error(&"🔑".repeat(9)).is_some());
        assert_eq!(password_error(&"a".repeat(MAX_PASSWORD_BYTES)), None);
        assert!(password_error(&"a".repeat(MAX_PASSWORD_BYTES + 1))
            .is_some_and(|e| e.contains("at most 1024")));
        let err = check_password("short").expect_err("too short");
        assert!(matches!(err, Error::Invalid(ref f) if f.0.contains_key("password")));
    }

    #[test]
    fn the_digest_is_lowercase_hex_sha256() {
        // FIPS 180-2 test vector.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password("correct horse battery").await.expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(hash.clone()))
            .await
            .expect("verify"));
        assert!(
            !verify_password("correct horse batterY", Some(hash.clone()))
                .await
                .expect("verify")
        );
        // Salted: the same password hashes differently each time.
        assert_ne!(
            hash_password("correct horse battery").await.expect("hash"),
            hash
        );
        assert!(
            !verify_password("anything", Some("not a phc string".into()))
                .await
                .expect("verify")
        );
        assert!(!verify_password("anything", None).await.expect("verify"));
    }

    #[test]
    fn secrets_are_64_hex_chars_and_differ() {
        let secrets: std::collections::HashSet<String> = (0..100).map(|_| new_secret()).collect();
        assert_eq!(secrets.len(), 100);
        for s in &secrets {
            assert_eq!(s.len(), 64);
            assert!(s
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
            assert!(is_secret(s));
        }
        assert!(!is_secret(&"g".repeat(64)));
        assert!(!is_secret(&"a".repeat(63)));
    }

    #[test]
    fn api_keys_carry_the_prefix_and_a_secret() {
        let (a, b) = (new_api_key(), new_api_key());
        assert_ne!(a, b);
        let rest = a.strip_prefix(KEY_PREFIX).expect("prefix");
        assert!(is_secret(rest), "{a}");
    }

    #[test]
    fn tokens_match_only_when_equal_and_non_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", ""));
    }
}
