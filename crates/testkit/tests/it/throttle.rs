//! Sign-in throttling over real HTTP (issue 9): failures counted per (account, place),
//! an account-wide ceiling that browsers which signed in before are exempt from, a
//! per-address ceiling high enough for a newsroom behind one proxy, and reset links that
//! lift the lock.
//!
//! Client addresses: with `trust_forwarded_for` the server takes the last
//! `X-Forwarded-For` entry, so one test can sign in from many addresses; without it every
//! request comes from 127.0.0.1, like a newsroom behind a proxy that is not trusted.
//! Every test runs once per backend (`sqlite::…`, `postgres::…`).

use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::session::{attr, PASSWORD};
use dateline_testkit::TestApp;

/// A browser on the sign-in page: its own cookie jar (so the device cookie a successful
/// sign-in leaves stays with it) and the page's form token.
struct Browser {
    client: reqwest::Client,
    token: String,
    /// `X-Forwarded-For`, when the test app trusts it.
    from: Option<String>,
}

impl Browser {
    async fn open(t: &TestApp, from: Option<&str>) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let page = client
            .get(t.url("/signin"))
            .send()
            .await
            .expect("sign-in page")
            .text()
            .await
            .expect("body");
        let token = attr(&page, "form#signin input[name=csrf_token]", "value")
            .unwrap_or_else(|| panic!("no sign-in form token in {page}"));
        Browser {
            client,
            token,
            from: from.map(str::to_owned),
        }
    }

    /// Posts the sign-in form.
    async fn post(&self, t: &TestApp, email: &str, password: &str) -> reqwest::Response {
        let mut req = self.client.post(t.url("/signin")).form(&[
            ("csrf_token", self.token.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/admin"),
        ]);
        if let Some(from) = &self.from {
            req = req.header("X-Forwarded-For", from);
        }
        req.send().await.expect("post")
    }

    /// Posts the sign-in form; returns the status and whether a session cookie was set.
    async fn sign_in(&self, t: &TestApp, email: &str, password: &str) -> (u16, bool) {
        let r = self.post(t, email, password).await;
        let session = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("dl_session=") && !v.starts_with("dl_session=;"));
        (r.status().as_u16(), session)
    }

    /// Fails `n` times with a wrong password, asserting each is a plain 401 (checked, not
    /// refused).
    async fn fail(&self, t: &TestApp, email: &str, n: usize) {
        for i in 0..n {
            assert_eq!(
                self.sign_in(t, email, "not the password").await,
                (401, false),
                "wrong password #{} for {email} from {:?} is checked, not refused",
                i + 1,
                self.from
            );
        }
    }
}

/// An app that takes the client address from `X-Forwarded-For`.
async fn behind_trusted_proxy(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.trust_forwarded_for = true)
        .await
        .expect("app")
}

/// Ten addresses fail five times each for `email`: fifty failures, the account ceiling,
/// without any one address reaching its own limit.
async fn fail_from_ten_addresses(t: &TestApp, email: &str) {
    for a in 0..10 {
        let attacker = Browser::open(t, Some(&format!("203.0.113.{}", 100 + a))).await;
        attacker.fail(t, email, 5).await;
    }
}

/// Five wrong passwords lock the account at that address, even against the right
/// password, with a `Retry-After`; another account at the address is not affected.
async fn five_wrong_passwords_lock_the_account_at_that_address_even_against_the_right_one(
    backend: Backend,
) {
    let t = TestApp::spawn(backend).await.expect("app");
    let (_, email) = t.user(Role::Author, "Locked").await.expect("user");
    let (_, bystander) = t.user(Role::Author, "Bystander").await.expect("user");
    let b = Browser::open(&t, None).await;
    b.fail(&t, &email, 5).await;
    let r = b.post(&t, &email, PASSWORD).await;
    assert_eq!(r.status(), 429, "the sixth attempt is throttled");
    let retry: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!(retry > 0);
    assert!(
        !r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.as_bytes().starts_with(b"dl_session=")),
        "no session while locked"
    );
    assert_eq!(b.sign_in(&t, &bystander, PASSWORD).await, (303, true));
}

/// A successful sign-in forgets the failures made from that place: four more wrong
/// passwords from a new browser at the same address are still checked, not refused.
async fn a_successful_sign_in_clears_that_place_s_failures(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let (_, email) = t.user(Role::Author, "Forgetful").await.expect("user");
    let b = Browser::open(&t, None).await;
    b.fail(&t, &email, 4).await;
    assert_eq!(b.sign_in(&t, &email, PASSWORD).await, (303, true));
    // A new browser, so the place is the address again (`b` is now a known browser, a
    // place of its own). Had the four failures stayed, the second of these would already
    // be throttled.
    let again = Browser::open(&t, None).await;
    again.fail(&t, &email, 4).await;
    assert_eq!(again.sign_in(&t, &email, PASSWORD).await, (303, true));
}

/// Attempts are counted before the password is checked: of sixteen parallel guesses from
/// sixteen new browsers at one address, at most five reach the check.
async fn a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(backend: Backend) {
    let t = TestApp::spawn(backend).await.expect("app");
    let (_, email) = t.user(Role::Editor, "Target").await.expect("user");
    let mut browsers = Vec::new();
    for _ in 0..16 {
        browsers.push(Browser::open(&t, None).await);
    }
    let t = std::sync::Arc::new(t);
    let guesses: Vec<_> = browsers
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let (t, email) = (t.clone(), email.clone());
            tokio::spawn(async move { b.sign_in(&t, &email, &format!("guess number {i}")).await })
        })
        .collect();
    let (mut checked, mut throttled) = (0, 0);
    for g in guesses {
        match g.await.expect("join") {
            (401, false) => checked += 1,
            (429, false) => throttled += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} passwords were checked in the burst"
    );
    assert_eq!(checked + throttled, 16);
}

/// (a) An attacker who knows an editor's email cannot lock the editor out from elsewhere.
async fn an_attacker_failing_from_one_address_does_not_lock_the_editor_out_elsewhere(
    backend: Backend,
) {
    let t = behind_trusted_proxy(backend).await;
    let (_, editor) = t.user(Role::Editor, "Named Editor").await.expect("user");
    let attacker = Browser::open(&t, Some("203.0.113.66")).await;
    attacker.fail(&t, &editor, 5).await;
    assert_eq!(
        attacker.sign_in(&t, &editor, PASSWORD).await,
        (429, false),
        "the attacker's address is refused for this account, even the right password"
    );
    // A browser that never signed in before, from the newsroom's address.
    let newsroom = Browser::open(&t, Some("198.51.100.7")).await;
    assert_eq!(newsroom.sign_in(&t, &editor, PASSWORD).await, (303, true));
}

/// (b) Guessing spread over many addresses meets the account-wide ceiling: fifty failures
/// in the window, then the account is refused from every address it has not signed in
/// from before.
async fn fifty_failures_from_ten_addresses_refuse_the_account_from_every_new_browser(
    backend: Backend,
) {
    let t = behind_trusted_proxy(backend).await;
    let (_, editor) = t.user(Role::Editor, "Targeted").await.expect("user");
    let (_, colleague) = t.user(Role::Editor, "Colleague").await.expect("user");
    fail_from_ten_addresses(&t, &editor).await;
    for from in ["198.51.100.7", "203.0.113.100", "192.0.2.1"] {
        let b = Browser::open(&t, Some(from)).await;
        assert_eq!(
            b.sign_in(&t, &editor, PASSWORD).await,
            (429, false),
            "refused from {from}"
        );
    }
    // Only that account: a colleague at one of the attacking addresses signs in.
    let b = Browser::open(&t, Some("203.0.113.100")).await;
    assert_eq!(b.sign_in(&t, &colleague, PASSWORD).await, (303, true));
}

/// A browser that has signed in to the account before is not locked out by the account
/// ceiling (the attacker does not have its device cookie), but gets five tries of its own.
async fn a_browser_that_signed_in_before_keeps_its_own_five_tries_under_the_ceiling(
    backend: Backend,
) {
    let t = behind_trusted_proxy(backend).await;
    let (_, editor) = t.user(Role::Editor, "Regular").await.expect("user");
    let laptop = Browser::open(&t, Some("198.51.100.7")).await;
    assert_eq!(laptop.sign_in(&t, &editor, PASSWORD).await, (303, true));
    fail_from_ten_addresses(&t, &editor).await;
    let new_phone = Browser::open(&t, Some("198.51.100.7")).await;
    assert_eq!(
        new_phone.sign_in(&t, &editor, PASSWORD).await,
        (429, false),
        "a new browser is refused, even at the laptop's address"
    );
    assert_eq!(
        laptop.sign_in(&t, &editor, PASSWORD).await,
        (303, true),
        "the laptop signs in through the account-wide lock"
    );
    laptop.fail(&t, &editor, 5).await;
    assert_eq!(
        laptop.sign_in(&t, &editor, PASSWORD).await,
        (429, false),
        "the laptop's own five tries are spent"
    );
}

/// Sets a new password through a reset link, as the account's owner would.
async fn reset_password(t: &TestApp, email: &str, new_password: &str) {
    let link = t.app.reset_link(email).await.expect("link");
    let path = link.strip_prefix(&t.base_url).expect("link on this app");
    let reset = t.anonymous().expect("client");
    let page = reset.get_text(path).await.expect("reset page");
    let token = attr(&page, "form#reset input[name=csrf_token]", "value").expect("token");
    let r = reset
        .client
        .post(reset.url(path))
        .form(&[("csrf_token", token.as_str()), ("password", new_password)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200, "password changed");
}

/// (c) A reset link lifts the lock it was meant to lift: the owner who locked their
/// account at their own desk sets a new password and signs in there at once.
async fn a_reset_link_lifts_the_lock_at_the_owner_s_address(backend: Backend) {
    let t = behind_trusted_proxy(backend).await;
    let (_, editor) = t.user(Role::Editor, "Forgetful").await.expect("user");
    let desk = Browser::open(&t, Some("198.51.100.7")).await;
    desk.fail(&t, &editor, 5).await;
    assert_eq!(desk.sign_in(&t, &editor, PASSWORD).await, (429, false));
    let new_password = "a brand new passphrase";
    reset_password(&t, &editor, new_password).await;
    assert_eq!(desk.sign_in(&t, &editor, new_password).await, (303, true));
}

/// A reset link also lifts the account-wide lock: every failure of the account, from
/// every address, is forgotten when the new password is set.
async fn a_reset_link_lifts_the_account_wide_lock(backend: Backend) {
    let t = behind_trusted_proxy(backend).await;
    let (_, editor) = t.user(Role::Editor, "Locked Out").await.expect("user");
    fail_from_ten_addresses(&t, &editor).await;
    let attacked = Browser::open(&t, Some("203.0.113.100")).await;
    assert_eq!(
        attacked.sign_in(&t, &editor, PASSWORD).await,
        (429, false),
        "locked by the ceiling and, at this address, by its own five failures"
    );
    let new_password = "a brand new passphrase";
    reset_password(&t, &editor, new_password).await;
    assert_eq!(
        attacked.sign_in(&t, &editor, new_password).await,
        (303, true),
        "an address that was locked signs in"
    );
    let elsewhere = Browser::open(&t, Some("192.0.2.1")).await;
    assert_eq!(
        elsewhere.sign_in(&t, &editor, new_password).await,
        (303, true),
        "and so does a new browser anywhere"
    );
}

/// (d) Behind a proxy that is not trusted, everyone shares one address: twenty-five
/// accounts failing twice each (fifty failures) do not lock out a twenty-sixth person.
async fn twenty_five_accounts_failing_behind_one_proxy_do_not_lock_out_a_twenty_sixth(
    backend: Backend,
) {
    let t = TestApp::spawn(backend).await.expect("app");
    let (_, late) = t.user(Role::Author, "Twenty Sixth").await.expect("user");
    for i in 0..25 {
        let b = Browser::open(&t, None).await;
        b.fail(&t, &format!("reporter-{i}@example.test"), 2).await;
    }
    let b = Browser::open(&t, None).await;
    assert_eq!(b.sign_in(&t, &late, PASSWORD).await, (303, true));
}

/// The per-address ceiling still stops spraying from one address: after a hundred failures
/// a new browser there is refused for any account, while a browser that signed in to its
/// account before is not.
async fn a_hundred_failures_from_one_address_refuse_new_browsers_there_but_not_known_ones(
    backend: Backend,
) {
    let t = TestApp::spawn(backend).await.expect("app");
    let (_, regular) = t.user(Role::Author, "Regular").await.expect("user");
    let (_, newcomer) = t.user(Role::Author, "Newcomer").await.expect("user");
    let desk = Browser::open(&t, None).await;
    assert_eq!(desk.sign_in(&t, &regular, PASSWORD).await, (303, true));
    let sprayer = Browser::open(&t, None).await;
    for i in 0..25 {
        sprayer
            .fail(&t, &format!("staff-{i}@example.test"), 4)
            .await;
    }
    assert_eq!(
        sprayer
            .sign_in(&t, "staff-99@example.test", "not the password")
            .await,
        (429, false),
        "the hundred-and-first failure from the address is refused"
    );
    let fresh = Browser::open(&t, None).await;
    assert_eq!(
        fresh.sign_in(&t, &newcomer, PASSWORD).await,
        (429, false),
        "a new browser at the address is refused"
    );
    assert_eq!(
        desk.sign_in(&t, &regular, PASSWORD).await,
        (303, true),
        "a browser that signed in before is not"
    );
}

/// One `#[tokio::test]` per backend for each scenario above, so a failure names its backend
/// and the two run in parallel.
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(dateline_app::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if std::env::var("DATELINE_TEST_DATABASE_URL").is_err() {
                        dateline_testkit::missing_prerequisite(
                            "DATELINE_TEST_DATABASE_URL is not set; PostgreSQL test not run",
                        );
                        return;
                    }
                    super::$name(dateline_app::Backend::Postgres).await;
                }
            )*
        }
    };
}

per_backend!(
    five_wrong_passwords_lock_the_account_at_that_address_even_against_the_right_one,
    a_successful_sign_in_clears_that_place_s_failures,
    a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit,
    an_attacker_failing_from_one_address_does_not_lock_the_editor_out_elsewhere,
    fifty_failures_from_ten_addresses_refuse_the_account_from_every_new_browser,
    a_browser_that_signed_in_before_keeps_its_own_five_tries_under_the_ceiling,
    a_reset_link_lifts_the_lock_at_the_owner_s_address,
    a_reset_link_lifts_the_account_wide_lock,
    twenty_five_accounts_failing_behind_one_proxy_do_not_lock_out_a_twenty_sixth,
    a_hundred_failures_from_one_address_refuse_new_browsers_there_but_not_known_ones,
);
