//! Sign-in throttling: how many wrong passwords may be tried, for which account, from where.
//!
//! The rule (issue 9). A failed sign-in is counted against three things, within a sliding
//! window of [`THROTTLE_WINDOW_MINUTES`]:
//!
//! 1. **The account from one place** — [`MAX_FAILURES_PER_PLACE`]. The place is the
//!    browser, when it has signed in to that account before and so carries a *device
//!    token* for it (a random secret in an HttpOnly cookie, kept in the store as a hash);
//!    otherwise the client address. Someone guessing at an editor's password from one
//!    address locks only that address out of that account, not the editor at their desk.
//! 2. **The account from anywhere** — [`MAX_FAILURES_PER_ACCOUNT`], a ceiling against
//!    guessing spread over many addresses. It refuses every browser the account does not
//!    know, but not the account's known browsers: the attacker does not have their device
//!    tokens, so distributed guessing cannot lock the owner out of the laptop they use.
//! 3. **The address, across accounts** — [`MAX_FAILURES_PER_ADDRESS`], a ceiling against
//!    one address trying a password on many accounts. Known browsers are exempt from it
//!    and their failures do not count towards it, so a newsroom behind one proxy (or a
//!    proxy without `trust_forwarded_for`, where every request has the proxy's address)
//!    keeps signing in while someone sprays guesses through that address.
//!
//! An attempt is counted *before* its password is checked, so a burst of parallel guesses
//! cannot all slip under a limit while argon2 runs; an attempt that is refused is then
//! forgotten, so hammering a locked form neither extends the lock nor fills the account's
//! or the address's count. A successful sign-in forgets that place's failures (others
//! stay: they may be someone else's) and gives the browser a fresh device token. A
//! password reset through a reset link forgets all of the account's failures, lifting
//! every lock on it.
//!
//! What remains: a browser the account does not know (a new phone, a first sign-in) is
//! refused while an attacker keeps the account ceiling or its address's ceiling full; a
//! reset link or the window's end lifts that, and `trust_forwarded_for` behind a proxy
//! keeps the address ceiling to one address.

use chrono::{DateTime, Duration, Utc};
use dateline_store::sessions::FailureCounts;

use crate::credentials::{self, digest};
use crate::{App, Error, Result};

/// Failed sign-ins for one account from one place (a known browser, or an address)
/// within the window before that place is refused for that account. Five is room for a
/// person's typos and a caps-lock, and leaves a guesser twenty tries an hour.
pub const MAX_FAILURES_PER_PLACE: i64 = 5;

/// Failed sign-ins for one account from everywhere within the window before every browser
/// the account does not know is refused. Fifty is ten places' worth of
/// [`MAX_FAILURES_PER_PLACE`], far above what the owner makes alone, and holds distributed
/// guessing to 200 tries an hour per account however many addresses it comes from.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 50;

/// Failed sign-ins from one address, by browsers unknown to the accounts tried, within
/// the window before that address is refused for every account (known browsers still
/// sign in). Each account adds at most [`MAX_FAILURES_PER_PLACE`] from one address, so a
/// hundred means twenty people who each used up their tries, or about fifty who mistyped
/// twice, in fifteen minutes behind one proxy — more than a newsroom's morning — while a
/// sprayer at one address gets 400 tries an hour across all accounts.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 100;

/// How far back failures count.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// How long a browser stays known to an account after it last signed in.
pub const KNOWN_DEVICE_DAYS: i64 = 90;

/// Which limit refuses an attempt, by the failures counted with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_FAILURES_PER_PLACE`].
    Place,
    /// [`MAX_FAILURES_PER_ACCOUNT`].
    Account,
    /// [`MAX_FAILURES_PER_ADDRESS`].
    Address,
}

/// The limit that refuses an attempt whose own failure is already in `counts`, or `None`.
/// A known browser answers only to its own per-place limit.
pub fn refusal(counts: FailureCounts, known_device: bool) -> Option<Limit> {
    if counts.place > MAX_FAILURES_PER_PLACE {
        Some(Limit::Place)
    } else if known_device {
        None
    } else if counts.account > MAX_FAILURES_PER_ACCOUNT {
        Some(Limit::Account)
    } else if counts.address > MAX_FAILURES_PER_ADDRESS {
        Some(Limit::Address)
    } else {
        None
    }
}

/// An attempt let through to the password check, already counted as a failure.
#[derive(Debug)]
pub(crate) struct Admitted {
    email: String,
    address: String,
    /// The hash of the known browser's device token, when it presented a valid one.
    device: Option<String>,
}

impl App {
    /// Counts a sign-in attempt for `email` (normalised) from `address`, with the device
    /// token the browser presented if any, and admits it or refuses it with `Throttled`.
    pub(crate) async fn admit_sign_in(
        &self,
        email: &str,
        address: &str,
        device_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Admitted> {
        let device = match device_token.filter(|t| credentials::is_secret(t)) {
            Some(token) => {
                let hash = digest(token);
                self.store()
                    .is_known_device(&hash, email, now)
                    .await?
                    .then_some(hash)
            }
            None => None,
        };
        let store = self.store();
        let id = store
            .record_sign_in_failure(email, address, device.as_deref(), now)
            .await?;
        let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
        let counts = store
            .sign_in_failures_since(email, address, device.as_deref(), since)
            .await?;
        if let Some(limit) = refusal(counts, device.is_some()) {
            // Refused before any password check: not a guess, so it does not count.
            store.forget_sign_in_failure(id).await?;
            tracing::warn!(
                email.sha256 = %email_digest(email),
                %address,
                known_device = device.is_some(),
                ?limit,
                by_place = counts.place,
                by_account = counts.account,
                by_address = counts.address,
                "sign-in throttled"
            );
            return Err(Error::Throttled {
                retry_after_secs: THROTTLE_WINDOW_MINUTES as u64 * 60,
            });
        }
        Ok(Admitted {
            email: email.to_owned(),
            address: address.to_owned(),
            device,
        })
    }

    /// After the password matched: forgets this place's failures and makes the browser a
    /// known one for `user_id` (replacing the token it presented). Returns the new device
    /// token for its cookie.
    pub(crate) async fn sign_in_succeeded(
        &self,
        admitted: Admitted,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let store = self.store();
        store
            .clear_sign_in_failures(
                &admitted.email,
                &admitted.address,
                admitted.device.as_deref(),
            )
            .await?;
        let token = credentials::new_secret();
        store
            .remember_device(
                &digest(&token),
                user_id,
                admitted.device.as_deref(),
                now,
                now + Duration::days(KNOWN_DEVICE_DAYS),
            )
            .await?;
        Ok(token)
    }
}

/// What logs name a sign-in email by: people type passwords into the email field, and
/// logs should not keep them.
pub(crate) fn email_digest(email: &str) -> String {
    digest(email)[..12].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(place: i64, account: i64, address: i64) -> FailureCounts {
        FailureCounts {
            place,
            account,
            address,
        }
    }

    #[test]
    fn the_sixth_failure_from_one_place_is_refused_known_browser_or_not() {
        assert_eq!(refusal(counts(5, 5, 5), false), None);
        assert_eq!(refusal(counts(6, 6, 6), false), Some(Limit::Place));
        assert_eq!(refusal(counts(6, 6, 0), true), Some(Limit::Place));
    }

    #[test]
    fn the_account_and_address_ceilings_spare_known_browsers() {
        assert_eq!(refusal(counts(1, 50, 100), false), None);
        assert_eq!(refusal(counts(1, 51, 0), false), Some(Limit::Account));
        assert_eq!(refusal(counts(1, 1, 101), false), Some(Limit::Address));
        assert_eq!(refusal(counts(1, 51, 101), true), None);
    }
}
