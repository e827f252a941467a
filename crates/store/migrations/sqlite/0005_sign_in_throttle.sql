-- Sign-in throttling per (account, place) and known browsers (issue 9). SQLite flavour.
-- Twin: ../postgres/0005_sign_in_throttle.sql (keep them paired).
-- The rule and its numbers are in crates/app/src/throttle.rs.

-- The known browser a failed sign-in came from (the hash of its device token), or NULL
-- when it came from a browser that has not signed in to that account before. A known
-- browser's failures are counted per browser, not per address, and do not count towards
-- its address's ceiling.
ALTER TABLE sign_in_failures ADD COLUMN device TEXT;

-- Browsers that have signed in to an account: a random token in an HttpOnly cookie,
-- kept here only as its SHA-256. Presenting it exempts that account's sign-in from the
-- account-wide and per-address ceilings (an attacker does not have it), not from its own
-- per-browser limit. One row per browser; a sign-in replaces the row of the token it
-- presented. Expired rows of a user are dropped when the user signs in again.
CREATE TABLE sign_in_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sign_in_devices_by_user ON sign_in_devices (user_id, expires_at);
