//! The newsroom over real HTTP: CSRF, sessions, reset links, the setup page, cookies, the
//! editor's workflow (autosave, publish, corrections, scheduling), conflicts and merges,
//! history and restore, presence, hostile input and security headers. Sign-in throttling
//! is in `throttle.rs`.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Timelike, Utc};
use dateline_app::Backend;
use dateline_core::Role;
use dateline_testkit::session::{attr, PASSWORD};
use dateline_testkit::{article, backends, SessionClient, TestApp};
use reqwest::Method;
use scraper::{Html, Selector};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

/// Text of the first element matching `selector`.
fn text_of(html: &str, selector: &str) -> Option<String> {
    Html::parse_document(html)
        .select(&sel(selector))
        .next()
        .map(|e| e.text().collect())
}

fn count(html: &str, selector: &str) -> usize {
    Html::parse_document(html).select(&sel(selector)).count()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The article id in `/admin/articles/{id}/edit?…`.
fn id_from_location(loc: &str) -> i64 {
    loc.strip_prefix("/admin/articles/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not an editor location: {loc:?}"))
}

/// Every named input and textarea of the form matching `form`, as the browser would send
/// them (plus nothing for buttons).
fn form_fields(html: &str, form: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let fields = sel(&format!("{form} input[name], {form} textarea[name]"));
    doc.select(&fields)
        .map(|e| {
            let name = e.value().attr("name").unwrap_or_default().to_owned();
            let value = if e.value().name() == "textarea" {
                e.text().collect()
            } else {
                e.value().attr("value").unwrap_or_default().to_owned()
            };
            (name, value)
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// POSTs exactly `pairs` (no CSRF token added).
async fn post_pairs(
    s: &SessionClient,
    path: &str,
    pairs: &[(String, String)],
) -> reqwest::Response {
    s.client
        .post(s.url(path))
        .form(pairs)
        .send()
        .await
        .expect("POST")
}

/// The article as the admin API shows it.
async fn stored(t: &TestApp, key: &str, id: i64) -> Value {
    let (s, a) = t
        .admin(
            key,
            Method::GET,
            &format!("/api/v1/admin/articles/{id}"),
            None,
        )
        .await
        .expect("admin GET");
    assert_eq!(s, 200, "article {id}: {a}");
    a
}

/// A draft written through the app (owned by nobody).
async fn draft(t: &TestApp, title: &str, body: &str) -> i64 {
    let mut input = article(title, body);
    input.status = Some(dateline_core::Status::Draft);
    t.arrange_article(input).await.expect("draft").id.0
}

/// The editor form of an article with only a title and a body.
fn editor_form<'a>(
    version: &'a str,
    title: &'a str,
    body: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("title", title),
        ("body", body),
        ("action", action),
    ]
}

/// A client with no cookie jar and no redirects: cookies are sent by hand, so tests can
/// see and replay exactly what the server set.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The whole `Set-Cookie` line that sets cookie `name`.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(line: &str) -> String {
    line.split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// Signs in by hand (GET the form, POST it with the `dl_csrf` cookie); returns the POST's
/// response.
async fn sign_in_by_hand(
    t: &TestApp,
    c: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    sign_in_by_hand_to(t, c, email, password, "/admin").await
}

async fn sign_in_by_hand_to(
    t: &TestApp,
    c: &reqwest::Client,
    email: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let page = c.get(t.url("/signin")).send().await.expect("GET /signin");
    let form_cookie = set_cookie(&page, "dl_csrf").expect("the sign-in page sets dl_csrf");
    let html = page.text().await.expect("body");
    let token = attr(&html, "form#signin input[name=csrf_token]", "value").expect("token");
    c.post(t.url("/signin"))
        .header("Cookie", format!("dl_csrf={}", cookie_value(&form_cookie)))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .expect("POST /signin")
}

/// A session held by hand: the cookie secret and its CSRF token.
struct RawSession {
    secret: String,
    csrf: String,
}

async fn raw_session(t: &TestApp, email: &str) -> RawSession {
    let c = bare_client();
    let r = sign_in_by_hand(t, &c, email, PASSWORD).await;
    assert_eq!(r.status(), 303, "sign-in");
    let secret = cookie_value(&set_cookie(&r, "dl_session").expect("session cookie"));
    let page = raw_get(t, &secret, "/admin/account").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    let csrf = attr(&html, "meta[name=csrf-token]", "content").expect("csrf meta");
    RawSession { secret, csrf }
}

async fn raw_get(t: &TestApp, secret: &str, path: &str) -> reqwest::Response {
    bare_client()
        .get(t.url(path))
        .header("Cookie", format!("dl_session={secret}"))
        .send()
        .await
        .expect("GET")
}

async fn raw_post(t: &TestApp, s: &RawSession, path: &str) -> reqwest::Response {
    bare_client()
        .post(t.url(path))
        .header("Cookie", format!("dl_session={}", s.secret))
        .form(&[("csrf_token", s.csrf.as_str())])
        .send()
        .await
        .expect("POST")
}

/// Whether a session cookie still signs in: GET /admin answers 200 (else 303 to sign-in).
async fn still_signed_in(t: &TestApp, secret: &str) -> bool {
    let r = raw_get(t, secret, "/admin").await;
    match r.status().as_u16() {
        200 => true,
        303 => {
            assert!(location(&r).starts_with("/signin"), "{}", location(&r));
            false
        }
        other => panic!("GET /admin: unexpected {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn newsroom_forms_without_the_session_s_csrf_token_are_refused_and_write_nothing() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let other = t.signed_in(Role::Editor).await.expect("another editor");
        let id = draft(&t, "Original title", "Original body.").await;
        let path = format!("/admin/articles/{id}");
        let forged = editor_form("1", "Forged title", "Forged body.", "save");

        let wrong = "0".repeat(64);
        for token in [
            None,
            Some(wrong.as_str()),
            Some(""),
            Some(other.csrf.as_str()),
        ] {
            let mut fields = forged.clone();
            if let Some(tok) = token {
                fields.push(("csrf_token", tok));
            }
            let r = ed
                .client
                .post(ed.url(&path))
                .form(&fields)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 403, "save with token {token:?}");
            let body = r.text().await.expect("body");
            assert!(body.contains("csrf_token_invalid"), "{body}");

            let mut create = vec![("title", "Forged draft"), ("body", "x")];
            if let Some(tok) = token {
                create.push(("csrf_token", tok));
            }
            let r = ed
                .client
                .post(ed.url("/admin/articles"))
                .form(&create)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 403, "create with token {token:?}");

            let r = ed
                .client
                .post(ed.url(&format!("{path}/delete")))
                .form(&token.map(|t| vec![("csrf_token", t)]).unwrap_or_default())
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 403, "delete with token {token:?}");

            let r = ed
                .client
                .post(ed.url("/admin/account/signout-everywhere"))
                .form(&token.map(|t| vec![("csrf_token", t)]).unwrap_or_default())
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 403, "sign out everywhere with token {token:?}");
        }
        let a = stored(&t, &key, id).await;
        assert_eq!(
            (a["version"].as_i64(), a["title"].as_str()),
            (Some(1), Some("Original title"))
        );
        assert_eq!(
            t.app
                .store()
                .newsroom_articles(&Default::default())
                .await
                .expect("list")
                .len(),
            1,
            "no draft was created"
        );
        assert_eq!(
            ed.get("/admin").await.expect("get").status(),
            200,
            "still signed in"
        );

        // The admin API with the session cookie but without the header: refused.
        let api = t.url(&format!("/api/v1/admin/articles/{id}"));
        for header in [None, Some(wrong.as_str())] {
            let mut req = ed
                .client
                .patch(&api)
                .header("Accept", "application/json")
                .json(&json!({"version": 1, "title": "Forged by script"}));
            if let Some(h) = header {
                req = req.header("X-CSRF-Token", h);
            }
            let r = t.send(req).await.expect("patch");
            assert_eq!(r.status(), 403, "API with X-CSRF-Token {header:?}");
            let e: Value = r.json().await.expect("json");
            assert_eq!(e["error"]["code"], "csrf_token_invalid");
        }
        let r = t
            .send(
                ed.client
                    .post(t.url("/api/v1/admin/articles"))
                    .json(&json!({"title": "Forged", "body": "b", "status": "draft"})),
            )
            .await
            .expect("post");
        assert_eq!(r.status(), 403);
        assert_eq!(stored(&t, &key, id).await["version"], 1, "nothing written");
        // Reading needs no token.
        let r = t.send(ed.client.get(&api)).await.expect("get");
        assert_eq!(r.status(), 200);

        // With the token the same session may write (the refusals above were the token's).
        let (s, a) = ed
            .api(
                Method::PATCH,
                &format!("/api/v1/admin/articles/{id}"),
                Some(json!({"version": 1, "title": "Fixed by the editor"})),
            )
            .await
            .expect("patch");
        assert_eq!((s, a["version"].as_i64()), (200, Some(2)), "{a}");
        // A bearer key needs no CSRF token at all.
        let (s, a) = t
            .admin(
                &key,
                Method::PATCH,
                &format!("/api/v1/admin/articles/{id}"),
                Some(json!({"version": 2, "title": "Fixed by a key"})),
            )
            .await
            .expect("patch");
        assert_eq!((s, a["version"].as_i64()), (200, Some(3)), "{a}");
    }
}

#[tokio::test]
async fn the_sign_in_form_needs_its_cookie_and_token_pair() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let (_, email) = t.user(Role::Editor, "Signer").await.expect("user");
    let c = bare_client();
    let token = "a".repeat(64);
    let post = |cookie: Option<String>, token: String| {
        let mut req = c.post(t.url("/signin")).form(&[
            ("csrf_token", token),
            ("email", email.clone()),
            ("password", PASSWORD.to_owned()),
        ]);
        if let Some(cookie) = cookie {
            req = req.header("Cookie", cookie);
        }
        req.send()
    };
    // No cookie at all (a cross-site form).
    let r = post(None, token.clone()).await.expect("post");
    assert_eq!(r.status(), 403);
    assert!(set_cookie(&r, "dl_session").is_none());
    // A cookie that does not match the token.
    let r = post(Some(format!("dl_csrf={}", "b".repeat(64))), token.clone())
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(set_cookie(&r, "dl_session").is_none());
    // Cookie without a token.
    let r = post(Some(format!("dl_csrf={token}")), String::new())
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // The matching pair signs in.
    let r = post(Some(format!("dl_csrf={token}")), token.clone())
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert!(set_cookie(&r, "dl_session").is_some());
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_idle_session_expires() {
    for backend in backends() {
        // Two seconds, not one: sessions are stored with second precision, and signing in
        // must leave at least a second in which the session demonstrably works.
        let t = TestApp::spawn_with(backend, |c| c.session_idle_secs = 2)
            .await
            .expect("app");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let id = draft(&t, "Idle", "Body.").await;
        let api = format!("/api/v1/admin/articles/{id}");
        assert_eq!(ed.get("/admin").await.expect("get").status(), 200);
        tokio::time::sleep(StdDuration::from_millis(3500)).await;
        let r = ed.get("/admin").await.expect("get");
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/signin?next=%2Fadmin");
        let (s, e) = ed.api(Method::GET, &api, None).await.expect("api");
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (401, Some("unauthenticated"))
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let (_, email) = t.user(Role::Editor, "Traveller").await.expect("user");
        let (_, colleague) = t.user(Role::Editor, "Colleague").await.expect("user");
        let laptop = raw_session(&t, &email).await;
        let phone = raw_session(&t, &email).await;
        let theirs = raw_session(&t, &colleague).await;
        assert!(still_signed_in(&t, &phone.secret).await);

        let r = raw_post(&t, &laptop, "/admin/account/signout-everywhere").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/signin");
        // The cookies are replayed by hand: the server itself has forgotten them.
        assert!(
            !still_signed_in(&t, &phone.secret).await,
            "the other device is signed out"
        );
        assert!(!still_signed_in(&t, &laptop.secret).await);
        assert!(
            still_signed_in(&t, &theirs.secret).await,
            "other users keep their sessions"
        );
    }
}

#[tokio::test]
async fn signing_out_ends_only_this_browser_s_session() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let (_, email) = t.user(Role::Author, "Two tabs").await.expect("user");
        let here = raw_session(&t, &email).await;
        let there = raw_session(&t, &email).await;
        let r = raw_post(&t, &here, "/signout").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/signin");
        let cleared = set_cookie(&r, "dl_session").expect("the cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(
            !still_signed_in(&t, &here.secret).await,
            "replaying the old cookie fails"
        );
        assert!(
            still_signed_in(&t, &there.secret).await,
            "the other session lives on"
        );
    }
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_out_old_sessions() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let (_, email) = t.user(Role::Author, "Reset Me").await.expect("user");
        let old_session = raw_session(&t, &email).await;
        let link = t.app.reset_link(&email).await.expect("link");
        let path = link
            .strip_prefix(&t.base_url)
            .unwrap_or_else(|| panic!("{link} is on {}", t.base_url))
            .to_owned();
        let browser = t.anonymous().expect("client");
        let page = browser.get(&path).await.expect("get");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("body");
        assert!(html.contains(&email), "the page names the account");
        let token = attr(&html, "form#reset input[name=csrf_token]", "value").expect("token");

        let r = browser
            .client
            .post(browser.url(&path))
            .form(&[("csrf_token", token.as_str()), ("password", "short")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422, "a short password is refused");
        assert!(
            still_signed_in(&t, &old_session.secret).await,
            "nothing changed yet"
        );

        let new_password = "a completely new passphrase";
        let r = browser
            .client
            .post(browser.url(&path))
            .form(&[("csrf_token", token.as_str()), ("password", new_password)])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 200);

        let c = t.anonymous().expect("client").client;
        let r = t.submit_sign_in(&c, &email, PASSWORD).await.expect("post");
        assert_eq!(r.status(), 401, "the old password no longer works");
        let r = t
            .submit_sign_in(&c, &email, new_password)
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "the new one does");
        assert!(
            !still_signed_in(&t, &old_session.secret).await,
            "old sessions were ended"
        );

        assert_eq!(
            browser.get(&path).await.expect("get").status(),
            404,
            "the link works once"
        );
        let r = browser
            .client
            .post(browser.url(&path))
            .form(&[
                ("csrf_token", token.as_str()),
                ("password", "yet another passphrase"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 404);
        let r = t
            .submit_sign_in(&c, &email, new_password)
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "the spent link changed nothing");
    }
}

#[tokio::test]
async fn the_setup_page_creates_the_first_admin_once() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let browser = t.anonymous().expect("client");
        let r = browser.get("/signin").await.expect("get");
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, "/setup".to_owned())
        );
        let page = browser.get("/setup").await.expect("get");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("body");
        let token = attr(&html, "form#setup input[name=csrf_token]", "value").expect("token");

        // Through a reverse proxy on the same machine the peer is loopback too, but the
        // visitor is not: the page is not there for forwarded requests.
        let proxied = browser
            .client
            .get(browser.url("/setup"))
            .header("X-Forwarded-For", "203.0.113.9")
            .send()
            .await
            .expect("get");
        assert_eq!(proxied.status(), 404);
        let r = browser
            .client
            .post(browser.url("/setup"))
            .header("Forwarded", "for=203.0.113.9")
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "intruder@example.test"),
                ("name", "Intruder"),
                ("password", "long enough password"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 404);
        assert_eq!(t.app.store().user_count().await.expect("count"), 0);

        let r = browser
            .client
            .post(browser.url("/setup"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "chief@example.test"),
                ("name", "Chief"),
                ("password", "short"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        assert_eq!(t.app.store().user_count().await.expect("count"), 0);

        let r = browser
            .client
            .post(browser.url("/setup"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "chief@example.test"),
                ("name", "Chief"),
                ("password", "the chief's passphrase"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/admin");
        assert!(
            set_cookie(&r, "dl_session").is_some(),
            "signed in straight away"
        );
        let account = browser.get_text("/admin/account").await.expect("account");
        assert_eq!(
            text_of(&account, "dl.facts dd:nth-of-type(3)").as_deref(),
            Some("admin")
        );

        // Once anyone has an account, the page is gone and sign-in is the way in.
        let other = t.anonymous().expect("client");
        assert_eq!(other.get("/setup").await.expect("get").status(), 404);
        assert_eq!(other.get("/signin").await.expect("get").status(), 200);
        let r = browser
            .client
            .post(browser.url("/setup"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "usurper@example.test"),
                ("name", "Usurper"),
                ("password", "the usurper's passphrase"),
            ])
            .send()
            .await
            .expect("post");
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        assert_eq!(t.app.store().user_count().await.expect("count"), 1);
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax_and_secure_only_behind_https() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let (_, email) = t.user(Role::Editor, "Cookie").await.expect("user");
    let r = sign_in_by_hand(&t, &bare_client(), &email, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let session = set_cookie(&r, "dl_session").expect("session cookie");
    assert!(session.contains("; HttpOnly"), "{session}");
    assert!(session.contains("; SameSite=Lax"), "{session}");
    assert!(!session.contains("Secure"), "plain http: {session}");

    let t = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.base_url = "https://news.example".into()
    })
    .await
    .expect("app");
    let (_, email) = t.user(Role::Editor, "Cookie").await.expect("user");
    let c = bare_client();
    let page = c.get(t.url("/signin")).send().await.expect("get");
    let form_cookie = set_cookie(&page, "dl_csrf").expect("form cookie");
    assert!(
        form_cookie.contains("; Secure") && form_cookie.contains("; HttpOnly"),
        "{form_cookie}"
    );
    let r = sign_in_by_hand(&t, &c, &email, PASSWORD).await;
    assert_eq!(r.status(), 303);
    let session = set_cookie(&r, "dl_session").expect("session cookie");
    for flag in ["; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(session.contains(flag), "{flag} missing: {session}");
    }
}

// ---------------------------------------------------------------------------------------
// The editor's workflow
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_draft_is_autosaved_published_and_corrected_through_the_forms() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let title = "Harbour cranes arrive";
        let r = ed
            .post_form(
                "/admin/articles",
                &[
                    ("title", title),
                    ("body", "The first crane arrived."),
                    ("section", "Business"),
                ],
            )
            .await
            .expect("create");
        assert_eq!(r.status(), 303);
        let loc = location(&r);
        assert!(loc.ends_with("/edit?done=created"), "{loc}");
        let id = id_from_location(&loc);
        let html = ed.get_text(&loc).await.expect("editor");
        assert_eq!(
            attr(&html, "form#editor input#version", "value").as_deref(),
            Some("1")
        );

        // Autosave: the editor's script posts with Accept: application/json.
        let body2 = "The first two cranes arrived.";
        let r = ed
            .client
            .post(ed.url(&format!("/admin/articles/{id}")))
            .header("Accept", "application/json")
            .form(&[
                ("csrf_token", ed.csrf.as_str()),
                ("version", "1"),
                ("title", title),
                ("body", body2),
                ("section", "Business"),
                ("action", "autosave"),
            ])
            .send()
            .await
            .expect("autosave");
        assert_eq!(r.status(), 200);
        let saved: Value = r.json().await.expect("json");
        assert_eq!(saved["version"], 2, "{saved}");
        assert_eq!(saved["status"], "draft");
        assert_eq!(saved["word_count"], 5);
        assert!(saved["saved_at"]
            .as_str()
            .is_some_and(|s| DateTime::parse_from_rfc3339(s).is_ok()));
        let a = stored(&t, &key, id).await;
        assert_eq!(a["body"], body2);
        let public_path = a["path"].as_str().expect("path").to_owned();
        let slug = a["slug"].as_str().expect("slug").to_owned();

        // A draft is nowhere public.
        assert_eq!(t.get(&public_path).await.expect("get").status(), 404);
        let list = t.get_json("/api/v1/articles", 200).await.expect("list");
        assert!(!list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["slug"] == slug.as_str()));

        let r = ed
            .post_form(
                &format!("/admin/articles/{id}"),
                &[
                    ("version", "2"),
                    ("title", title),
                    ("body", body2),
                    ("section", "Business"),
                    ("action", "publish"),
                ],
            )
            .await
            .expect("publish");
        assert_eq!(r.status(), 303);
        assert_eq!(
            location(&r),
            format!("/admin/articles/{id}/edit?done=published")
        );
        assert_eq!(t.get(&public_path).await.expect("get").status(), 200);
        let list = t.get_json("/api/v1/articles", 200).await.expect("list");
        assert!(list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["slug"] == slug.as_str()));

        // Published articles are not autosaved.
        let r = ed
            .client
            .post(ed.url(&format!("/admin/articles/{id}")))
            .header("Accept", "application/json")
            .form(&[
                ("csrf_token", ed.csrf.as_str()),
                ("version", "3"),
                ("title", title),
                ("body", "Autosaved live?"),
                ("section", "Business"),
                ("action", "autosave"),
            ])
            .send()
            .await
            .expect("autosave");
        assert_eq!(r.status(), 400);

        // Changing a published text needs a correction note.
        let body4 = "The first three cranes arrived.";
        let r = ed
            .post_form(
                &format!("/admin/articles/{id}"),
                &[
                    ("version", "3"),
                    ("title", title),
                    ("body", body4),
                    ("section", "Business"),
                    ("action", "save"),
                ],
            )
            .await
            .expect("save");
        assert_eq!(r.status(), 422);
        let html = r.text().await.expect("body");
        assert_eq!(
            count(&html, "#correction-error"),
            1,
            "the note is asked for"
        );
        let a = stored(&t, &key, id).await;
        assert_eq!(
            (a["version"].as_i64(), a["body"].as_str()),
            (Some(3), Some(body2)),
            "nothing written"
        );

        let note = "An earlier version gave the wrong number of cranes.";
        let r = ed
            .post_form(
                &format!("/admin/articles/{id}"),
                &[
                    ("version", "3"),
                    ("title", title),
                    ("body", body4),
                    ("section", "Business"),
                    ("correction", note),
                    ("action", "save"),
                ],
            )
            .await
            .expect("correct");
        assert_eq!(r.status(), 303);
        t.settle().await.expect("settle");
        let page = t
            .get(&public_path)
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        let aside = text_of(&page, "aside.correction").expect("a correction note on the page");
        assert!(aside.contains(note), "{aside}");
        assert!(page.contains(body4));
    }
}

#[tokio::test]
async fn scheduling_takes_the_time_in_the_user_s_zone() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let author = t.signed_in(Role::Author).await.expect("author");
        let r = author
            .post_form(
                "/admin/articles",
                &[("title", "Evening edition"), ("body", "Out tonight.")],
            )
            .await
            .expect("create");
        let id = id_from_location(&location(&r));
        // Two hours ahead, to the minute (the form has minute precision).
        let at = (Utc::now() + Duration::hours(2))
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .expect("whole minute");
        // The user is at UTC+1: getTimezoneOffset() is -60, local time is an hour ahead.
        let local = (at + Duration::minutes(60))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let r = author
            .post_form(
                &format!("/admin/articles/{id}"),
                &[
                    ("version", "1"),
                    ("title", "Evening edition"),
                    ("body", "Out tonight."),
                    ("action", "schedule"),
                    ("publish_at", &local),
                    ("tz_offset", "-60"),
                ],
            )
            .await
            .expect("schedule");
        assert_eq!(r.status(), 303);
        assert_eq!(
            location(&r),
            format!("/admin/articles/{id}/edit?done=scheduled")
        );
        let a = stored(&t, &key, id).await;
        assert_eq!(a["status"], "scheduled");
        let published_at = a["published_at"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .expect("published_at");
        assert_eq!(published_at, at, "local {local} at UTC+1 is {at} UTC");
        assert_eq!(
            t.get(a["path"].as_str().expect("path"))
                .await
                .expect("get")
                .status(),
            404
        );
    }
}

#[tokio::test]
async fn a_refused_schedule_writes_nothing() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let id = draft(&t, "Too late", "Original text.").await;
    let past = (Utc::now() - Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = ed
        .post_form(
            &format!("/admin/articles/{id}"),
            &[
                ("version", "1"),
                ("title", "Too late"),
                ("body", "Edited text."),
                ("action", "schedule"),
                ("publish_at", &past),
                ("tz_offset", "0"),
            ],
        )
        .await
        .expect("schedule");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert_eq!(count(&html, "#publish_at-error"), 1);
    assert!(html.contains("Not saved"));
    let a = stored(&t, &key, id).await;
    assert_eq!(
        (a["version"].as_i64(), a["body"].as_str()),
        (Some(1), Some("Original text.")),
        "the page says 'Not saved', so nothing may have been written"
    );
    assert_eq!(
        attr(&html, "form#editor input#version", "value"),
        a["version"].as_i64().map(|v| v.to_string()),
        "the re-shown form is based on the stored version"
    );
}

/// A hostile time-zone offset is a field error on the editor page, never a panic (which
/// answered 500 with a JSON body on this HTML route).
#[tokio::test]
async fn a_hostile_time_zone_offset_is_a_field_error_not_a_crash() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let id = draft(&t, "Odd zone", "Original text.").await;
    let tomorrow = (Utc::now() + Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    for offset in [
        "-9223372036854775808",
        "9223372036854775807",
        "99999999999999999999",
        "-841",
        "841",
        "sixty",
        "60.5",
    ] {
        let r = ed
            .post_form(
                &format!("/admin/articles/{id}"),
                &[
                    ("version", "1"),
                    ("title", "Odd zone"),
                    ("body", "Edited text."),
                    ("action", "schedule"),
                    ("publish_at", &tomorrow),
                    ("tz_offset", offset),
                ],
            )
            .await
            .expect("schedule");
        assert_eq!(r.status(), 422, "tz_offset={offset}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .expect("ct")
                .starts_with("text/html"),
            "tz_offset={offset}: {:?}",
            r.headers()["content-type"]
        );
        let html = r.text().await.expect("body");
        assert_eq!(count(&html, "#publish_at-error"), 1, "tz_offset={offset}");
        assert!(html.contains("Not saved"), "tz_offset={offset}");
        let a = stored(&t, &key, id).await;
        assert_eq!(
            (a["version"].as_i64(), a["status"].as_str()),
            (Some(1), Some("draft")),
            "tz_offset={offset}: nothing written"
        );
    }
    // The furthest real zones still work: UTC+14 (Kiribati) is getTimezoneOffset() -840.
    let r = ed
        .post_form(
            &format!("/admin/articles/{id}"),
            &[
                ("version", "1"),
                ("title", "Odd zone"),
                ("body", "Edited text."),
                ("action", "schedule"),
                ("publish_at", &tomorrow),
                ("tz_offset", "-840"),
            ],
        )
        .await
        .expect("schedule");
    assert_eq!(r.status(), 303);
    assert_eq!(stored(&t, &key, id).await["status"], "scheduled");
}

#[tokio::test]
async fn a_contributor_s_refused_publish_writes_nothing() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let c = t.signed_in(Role::Contributor).await.expect("contributor");
    let r = c
        .post_form(
            "/admin/articles",
            &[("title", "My scoop"), ("body", "First draft.")],
        )
        .await
        .expect("create");
    let id = id_from_location(&location(&r));
    let r = c
        .post_form(
            &format!("/admin/articles/{id}"),
            &editor_form("1", "My scoop", "Second draft.", "publish"),
        )
        .await
        .expect("publish");
    assert_eq!(r.status(), 403);
    let a = stored(&t, &key, id).await;
    assert_eq!(a["status"], "draft");
    assert_eq!(
        (a["version"].as_i64(), a["body"].as_str()),
        (Some(1), Some("First draft.")),
        "a refused request must not write"
    );
}

// ---------------------------------------------------------------------------------------
// Conflicts
// ---------------------------------------------------------------------------------------

const BASE_BODY: &str = "Para one.\n\nPara two.\n\nPara three.\n";

#[tokio::test]
async fn a_stale_save_shows_both_versions_and_a_clean_merge_writing_nothing() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ann = t.signed_in(Role::Editor).await.expect("ann");
        let bo = t.signed_in(Role::Editor).await.expect("bo");
        let id = draft(&t, "Port strike talks", BASE_BODY).await;
        let path = format!("/admin/articles/{id}");
        for s in [&ann, &bo] {
            let html = s.get_text(&format!("{path}/edit")).await.expect("editor");
            assert_eq!(attr(&html, "input#version", "value").as_deref(), Some("1"));
        }
        let ann_body = "Para one, edited by Ann.\n\nPara two.\n\nPara three.\n";
        let bo_body = "Para one.\n\nPara two.\n\nPara three, edited by Bo.\n";
        let r = ann
            .post_form(
                &path,
                &editor_form("1", "Port strike talks", ann_body, "save"),
            )
            .await
            .expect("ann");
        assert_eq!(r.status(), 303);

        let r = bo
            .post_form(
                &path,
                &editor_form("1", "Port strike talks", bo_body, "save"),
            )
            .await
            .expect("bo");
        assert_eq!(r.status(), 409);
        let html = r.text().await.expect("body");
        assert!(html.contains("edited by Ann") && html.contains("edited by Bo"));
        let saved_by: Vec<String> = scraper::Html::parse_document(&html)
            .select(&scraper::Selector::parse("ul.saved-by li").expect("selector"))
            .map(|li| li.text().collect())
            .collect();
        assert_eq!(saved_by.len(), 1, "{saved_by:?}");
        assert!(
            saved_by[0].ends_with(": Body"),
            "Ann's save changed the body, it did not create the article: {saved_by:?}"
        );
        let merge = form_fields(&html, "form#merge-form");
        assert_eq!(
            field(&merge, "body"),
            Some("Para one, edited by Ann.\n\nPara two.\n\nPara three, edited by Bo.\n"),
            "a clean three-way merge"
        );
        assert_eq!(
            field(&merge, "version"),
            Some("2"),
            "the merge is based on Ann's version"
        );
        assert_eq!(count(&html, "form#keep-mine-form"), 1);
        assert_eq!(
            attr(&html, "a#discard-mine", "href"),
            Some(format!("{path}/edit?done=discarded"))
        );
        let a = stored(&t, &key, id).await;
        assert_eq!(
            (a["version"].as_i64(), a["body"].as_str()),
            (Some(2), Some(ann_body)),
            "nothing of Bo's was written"
        );

        let mut send = merge.clone();
        send.push(("action".into(), "save".into()));
        let r = post_pairs(&bo, &path, &send).await;
        assert_eq!(r.status(), 303);
        let a = stored(&t, &key, id).await;
        assert_eq!(a["version"], 3);
        let body = a["body"].as_str().expect("body");
        assert!(
            body.contains("edited by Ann") && body.contains("edited by Bo"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn overlapping_edits_are_marked_and_cannot_be_saved_with_markers() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ann = t.signed_in(Role::Editor).await.expect("ann");
        let bo = t.signed_in(Role::Editor).await.expect("bo");
        let id = draft(&t, "Port strike talks", BASE_BODY).await;
        let path = format!("/admin/articles/{id}");
        let r = ann
            .post_form(
                &path,
                &editor_form(
                    "1",
                    "Port strike talks",
                    "Para one.\n\nPara two, Ann's take.\n\nPara three.\n",
                    "save",
                ),
            )
            .await
            .expect("ann");
        assert_eq!(r.status(), 303);
        let r = bo
            .post_form(
                &path,
                &editor_form(
                    "1",
                    "Port strike talks",
                    "Para one.\n\nPara two, Bo's take.\n\nPara three.\n",
                    "save",
                ),
            )
            .await
            .expect("bo");
        assert_eq!(r.status(), 409);
        let html = r.text().await.expect("body");
        let merge = form_fields(&html, "form#merge-form");
        let body = field(&merge, "body").expect("merge body");
        assert!(body.contains("<<<<<<<"), "{body}");
        assert!(
            body.contains("Ann's take") && body.contains("Bo's take"),
            "{body}"
        );

        let mut send = merge.clone();
        send.push(("action".into(), "save".into()));
        let r = post_pairs(&bo, &path, &send).await;
        assert_eq!(r.status(), 422, "markers left in the body are refused");
        let a = stored(&t, &key, id).await;
        assert_eq!(a["version"], 2);
        assert!(!a["body"].as_str().expect("body").contains("<<<<<<<"));

        // "Save my version as a new revision" puts Bo's text on top of Ann's.
        let mut mine = form_fields(&html, "form#keep-mine-form");
        assert_eq!(field(&mine, "version"), Some("2"));
        mine.push(("action".into(), "save".into()));
        let r = post_pairs(&bo, &path, &mine).await;
        assert_eq!(r.status(), 303);
        let a = stored(&t, &key, id).await;
        assert_eq!(
            (a["version"].as_i64(), a["body"].as_str()),
            (
                Some(3),
                Some("Para one.\n\nPara two, Bo's take.\n\nPara three.\n")
            )
        );
    }
}

// ---------------------------------------------------------------------------------------
// History, diff, restore
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn history_lists_each_save_diffs_show_changed_words_and_restore_adds_a_version() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let v1 = "The port handled 4 million tonnes.";
        let r = ed
            .post_form(
                "/admin/articles",
                &[("title", "Port volumes"), ("body", v1)],
            )
            .await
            .expect("create");
        let id = id_from_location(&location(&r));
        let path = format!("/admin/articles/{id}");
        let r = ed
            .post_form(
                &path,
                &editor_form(
                    "1",
                    "Port volumes",
                    "The port handled 5 million tonnes.",
                    "save",
                ),
            )
            .await
            .expect("v2");
        assert_eq!(r.status(), 303);
        let r = ed
            .post_form(
                &path,
                &editor_form(
                    "2",
                    "Port volumes rise",
                    "The port handled 5 million tonnes.",
                    "save",
                ),
            )
            .await
            .expect("v3");
        assert_eq!(r.status(), 303);

        let r = ed.get(&format!("{path}/history")).await.expect("history");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("body");
        let doc = Html::parse_document(&html);
        let rows: Vec<String> = doc
            .select(&sel("table.revisions tbody tr"))
            .map(|tr| tr.text().collect())
            .collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(
            rows.iter().all(|r| r.contains(&ed.email)),
            "who saved: {rows:?}"
        );
        let versions: Vec<_> = doc
            .select(&sel("table.revisions tbody tr"))
            .filter_map(|tr| tr.value().attr("data-version"))
            .collect();
        assert_eq!(versions, ["3", "2", "1"]);

        let r = ed
            .get(&format!("{path}/diff?from=1&to=2"))
            .await
            .expect("diff");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("body");
        let doc = Html::parse_document(&html);
        let del: String = doc
            .select(&sel(".diff-text del"))
            .flat_map(|e| e.text())
            .collect();
        let ins: String = doc
            .select(&sel(".diff-text ins"))
            .flat_map(|e| e.text())
            .collect();
        assert_eq!(
            (del.trim(), ins.trim()),
            ("4", "5"),
            "only the changed word is marked"
        );

        let r = ed
            .post_form(
                &format!("{path}/restore"),
                &[("revision", "1"), ("based_on", "3")],
            )
            .await
            .expect("restore");
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), format!("{path}/edit?done=restored"));
        let a = stored(&t, &key, id).await;
        assert_eq!(a["version"], 4, "a new version");
        assert_eq!(
            (a["title"].as_str(), a["body"].as_str()),
            (Some("Port volumes"), Some(v1))
        );

        let r = ed
            .post_form(
                &format!("{path}/restore"),
                &[("revision", "2"), ("based_on", "3")],
            )
            .await
            .expect("restore");
        assert_eq!(
            r.status(),
            409,
            "restoring on a stale version is a conflict"
        );
        assert_eq!(stored(&t, &key, id).await["version"], 4);
    }
}

// ---------------------------------------------------------------------------------------
// Presence and permissions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn editors_see_who_else_has_the_article_open() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let ann = t.signed_in(Role::Editor).await.expect("ann");
        // A hostile display name must come out as text.
        let bo_name = "Bo <img src=x onerror=alert(1)>";
        let (bo_id, bo_email) = t.user(Role::Editor, bo_name).await.expect("bo");
        let bo = t.sign_in_as(bo_id, &bo_email).await.expect("bo");
        let id = draft(&t, "Shared story", "Text.").await;
        let presence = format!("/api/v1/admin/articles/{id}/presence");

        let (s, a) = ann
            .api(Method::POST, &presence, None)
            .await
            .expect("ann checks in");
        assert_eq!(
            (s, a["others"].as_array().map(Vec::len)),
            (200, Some(0)),
            "{a}"
        );
        let (s, b) = bo
            .api(Method::POST, &presence, None)
            .await
            .expect("bo checks in");
        assert_eq!(s, 200);
        let others: Vec<_> = b["others"]
            .as_array()
            .expect("others")
            .iter()
            .map(|p| p["email"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(others, [ann.email.as_str()]);

        let html = ann
            .get_text(&format!("/admin/articles/{id}/edit"))
            .await
            .expect("editor");
        let doc = Html::parse_document(&html);
        let p = doc.select(&sel("#presence")).next().expect("#presence");
        assert!(
            p.value().attr("hidden").is_none(),
            "shown when someone else is in"
        );
        let text: String = p.text().collect();
        assert!(text.contains(&bo_email) && text.contains(bo_name), "{text}");
        assert_eq!(count(&html, "[onerror]"), 0);
    }
}

#[tokio::test]
async fn the_edit_link_permission_answers_per_user() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let owner = t.signed_in(Role::Contributor).await.expect("owner");
    let stranger = t.signed_in(Role::Contributor).await.expect("stranger");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let r = owner
        .post_form("/admin/articles", &[("title", "Mine"), ("body", "x")])
        .await
        .expect("create");
    let id = id_from_location(&location(&r));
    let path = format!("/api/v1/admin/articles/{id}/permissions");
    let (s, p) = ed.api(Method::GET, &path, None).await.expect("editor");
    assert_eq!(s, 200);
    assert_eq!(
        p,
        json!({"edit": true, "publish": true, "edit_url": format!("/admin/articles/{id}/edit")})
    );
    let (s, p) = owner.api(Method::GET, &path, None).await.expect("owner");
    assert_eq!(
        (s, p["edit"].as_bool(), p["publish"].as_bool()),
        (200, Some(true), Some(false))
    );
    let (s, p) = stranger
        .api(Method::GET, &path, None)
        .await
        .expect("stranger");
    assert_eq!(
        (s, p["edit"].as_bool(), p["edit_url"].is_null()),
        (200, Some(false), true)
    );
    let (s, _) = t
        .anonymous()
        .expect("anon")
        .api(Method::GET, &path, None)
        .await
        .expect("anon");
    assert_eq!(s, 401);
}

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

const XSS_FIELDS: [(&str, &str); 12] = [
    ("title", "<script>alert(1)</script> \"quoted\" & 'single'"),
    ("standfirst", "\"><img src=x onerror=alert(2)>"),
    ("dateline", "</textarea><script>alert(3)</script>"),
    ("section", "<svg onload=alert(4)>"),
    ("tags", "<b onmouseover=alert(5)>tag</b>"),
    ("authors", "\"><script>alert(6)</script>"),
    ("summary", "javascript:alert(7)"),
    ("lead_image_url", "https://img.example/a.jpg?q='onerror='alert(8)"),
    ("lead_image_caption", "<iframe src=javascript:alert(9)></iframe>"),
    ("lead_image_credit", "'); alert(10); //"),
    ("source", "<a href=\"javascript:alert(11)\">src</a>"),
    ("body", "Intro.\n\n<script>alert(12)</script>\n\n[click me](javascript:alert(13))\n\n<img src=x onerror=alert(14)>\n\n<a href=\"JaVaScRiPt:alert(15)\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n"),
];

/// No script but the site's own files and JSON-LD data, no event-handler attributes, no
/// `javascript:` links, no frames or SVG.
fn assert_no_injected_markup(html: &str, what: &str) {
    let doc = Html::parse_document(html);
    for s in doc.select(&sel("script")) {
        let src = s.value().attr("src");
        let own_file = src.is_some_and(|s| s.starts_with("/static/") && s.contains(".js"));
        let data = src.is_none() && s.value().attr("type") == Some("application/ld+json");
        assert!(own_file || data, "{what}: injected script {}", s.html());
    }
    for e in doc.select(&sel("*")) {
        for (name, value) in e.value().attrs() {
            assert!(
                !name.to_ascii_lowercase().starts_with("on"),
                "{what}: <{} {name}={value:?}>",
                e.value().name()
            );
            if matches!(name, "href" | "src" | "action" | "formaction") {
                assert!(
                    !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                    "{what}: {name}={value:?}"
                );
            }
        }
    }
    for tag in ["iframe", "svg", "object", "embed"] {
        assert_eq!(count(html, tag), 0, "{what}: injected <{tag}>");
    }
}

#[tokio::test]
async fn hostile_text_is_stored_verbatim_and_rendered_inert() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let r = ed
            .post_form("/admin/articles", &XSS_FIELDS)
            .await
            .expect("create");
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let id = id_from_location(&location(&r));

        let a = stored(&t, &key, id).await;
        let get = |k: &str| a[k].as_str().map(str::to_owned);
        for (name, value) in XSS_FIELDS {
            let got = match name {
                "tags" | "authors" => a[name][0].as_str().map(str::to_owned),
                _ => get(name),
            };
            // The dateline is a place line: stored in capitals, otherwise as typed.
            let want = if name == "dateline" {
                value.to_uppercase()
            } else {
                value.to_owned()
            };
            assert_eq!(
                got.as_deref(),
                Some(want.as_str()),
                "{name} stored verbatim"
            );
        }

        let html = ed
            .get_text(&format!("/admin/articles/{id}/edit"))
            .await
            .expect("editor");
        assert_no_injected_markup(&html, "editor page");
        assert_eq!(
            attr(&html, "input#title", "value").as_deref(),
            Some(XSS_FIELDS[0].1)
        );
        assert_eq!(
            text_of(&html, "textarea#body").as_deref(),
            Some(XSS_FIELDS[11].1)
        );
        assert_eq!(
            attr(&html, "input#lead_image_url", "value").as_deref(),
            Some(XSS_FIELDS[7].1)
        );
        let list = ed.get_text("/admin").await.expect("list");
        assert_no_injected_markup(&list, "article list");
        let history = ed
            .get_text(&format!("/admin/articles/{id}/history"))
            .await
            .expect("history");
        assert_no_injected_markup(&history, "history");

        let (s, _) = t
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{id}/publish"),
                None,
            )
            .await
            .expect("publish");
        assert_eq!(s, 200);
        let path = a["path"].as_str().expect("path");
        let r = t.get(path).await.expect("public page");
        assert_eq!(r.status(), 200);
        let page = r.text().await.expect("body");
        assert_no_injected_markup(&page, "public page");
        assert_eq!(
            text_of(&page, "h1.headline").as_deref(),
            Some(XSS_FIELDS[0].1)
        );
        assert_eq!(
            attr(&page, ".lead-image img", "src").as_deref(),
            Some(XSS_FIELDS[7].1)
        );
        let ld: Value = serde_json::from_str(
            &text_of(&page, "script[type='application/ld+json']").expect("JSON-LD"),
        )
        .expect("JSON-LD parses");
        assert_eq!(ld["headline"], XSS_FIELDS[0].1);
    }
}

#[tokio::test]
async fn a_script_url_as_lead_image_is_refused_by_the_form() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let r = ed
        .post_form(
            "/admin/articles",
            &[
                ("title", "Picture"),
                ("body", "x"),
                ("lead_image_url", "javascript:alert(1)"),
            ],
        )
        .await
        .expect("create");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert_eq!(count(&html, "#lead_image_url-error"), 1);
    assert_no_injected_markup(&html, "refused form");
    assert!(t
        .app
        .store()
        .newsroom_articles(&Default::default())
        .await
        .expect("list")
        .is_empty());
}

#[tokio::test]
async fn sql_metacharacters_in_titles_and_the_title_search_are_plain_text() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let nasty = "'; DROP TABLE articles; --";
        let r = ed
            .post_form("/admin/articles", &[("title", nasty), ("body", "x")])
            .await
            .expect("create");
        assert_eq!(r.status(), 303);
        let r = ed
            .post_form(
                "/admin/articles",
                &[("title", "Harmless headline"), ("body", "y")],
            )
            .await
            .expect("create");
        assert_eq!(r.status(), 303);

        let q: String = url_query(nasty);
        let r = ed.get(&format!("/admin?q={q}")).await.expect("search");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("body");
        let rows: Vec<String> = Html::parse_document(&html)
            .select(&sel("table.articles tbody tr"))
            .map(|tr| tr.text().collect())
            .collect();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(rows[0].contains(nasty));
        assert_eq!(
            attr(&html, "input#f-q", "value").as_deref(),
            Some(nasty),
            "the search box keeps the query"
        );

        // LIKE wildcards are literal too.
        for wildcard in ["%", "_"] {
            let html = ed
                .get_text(&format!("/admin?q={}", url_query(wildcard)))
                .await
                .expect("search");
            assert_eq!(
                count(&html, "table.articles tbody tr"),
                0,
                "{wildcard:?} matches no title"
            );
        }
        let html = ed.get_text("/admin").await.expect("list");
        assert_eq!(
            count(&html, "table.articles tbody tr"),
            2,
            "the table is intact"
        );
    }
}

fn url_query(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn a_form_larger_than_the_request_limit_is_refused_with_413() {
    let t = TestApp::spawn_with(Backend::Sqlite, |c| c.max_request_bytes = 64 * 1024)
        .await
        .expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let big = "word ".repeat(20_000);
    let r = ed
        .post_form("/admin/articles", &[("title", "Too big"), ("body", &big)])
        .await
        .expect("create");
    assert_eq!(r.status(), 413);
    assert!(t
        .app
        .store()
        .newsroom_articles(&Default::default())
        .await
        .expect("list")
        .is_empty());
    let id = draft(&t, "Small", "Small body.").await;
    let r = ed
        .post_form(
            &format!("/admin/articles/{id}"),
            &editor_form("1", "Small", &big, "save"),
        )
        .await
        .expect("save");
    assert_eq!(r.status(), 413);
    assert_eq!(stored(&t, &key, id).await["version"], 1);
}

#[tokio::test]
async fn a_form_with_invalid_utf8_is_refused_or_saved_with_replacement_characters() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let key = t.key(Role::Editor).await.expect("key");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let raw: Vec<u8> = [
        format!("csrf_token={}&title=Caf", ed.csrf).as_bytes(),
        b"\xe9+raw&body=Bytes+\xff\xfe+here",
    ]
    .concat();
    let encoded = format!(
        "csrf_token={}&title=Caf%E9+encoded&body=Bytes+%FF%FE+here",
        ed.csrf
    )
    .into_bytes();
    for (what, bytes) in [("raw bytes", raw), ("percent-encoded bytes", encoded)] {
        let r = ed
            .client
            .post(ed.url("/admin/articles"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(bytes)
            .send()
            .await
            .expect("post");
        let status = r.status().as_u16();
        assert!(status < 500, "{what}: {status}");
        if status == 303 {
            let a = stored(&t, &key, id_from_location(&location(&r))).await;
            let title = a["title"].as_str().expect("title");
            assert!(title.starts_with("Caf\u{FFFD}"), "{what}: {title:?}");
            assert!(a["body"].as_str().expect("body").contains('\u{FFFD}'));
        } else {
            assert!((400..500).contains(&status), "{what}: {status}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Security headers
// ---------------------------------------------------------------------------------------

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn assert_security_headers(r: &reqwest::header::HeaderMap, what: &str) {
    let csp = header(r, "content-security-policy");
    assert!(!csp.is_empty(), "{what}: no CSP");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_owned)
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: CSP without script-src or default-src: {csp}"));
    assert!(
        !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
        "{what}: {scripts}"
    );
    assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
    let referrer = header(r, "referrer-policy");
    assert!(
        !referrer.is_empty() && referrer != "unsafe-url",
        "{what}: referrer {referrer:?}"
    );
    let framing = header(r, "x-frame-options").eq_ignore_ascii_case("deny")
        || directive("frame-ancestors").is_some_and(|d| d.contains("'none'"));
    assert!(framing, "{what}: framing allowed");
    assert!(
        header(r, "cache-control").contains("no-store"),
        "{what}: cache-control {:?}",
        header(r, "cache-control")
    );
}

#[tokio::test]
async fn every_newsroom_response_carries_the_security_headers() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let ed = t.signed_in(Role::Editor).await.expect("editor");
    let other = t.signed_in(Role::Editor).await.expect("other editor");
    let contributor = t.signed_in(Role::Contributor).await.expect("contributor");
    let anon = t.anonymous().expect("anon");
    let id = draft(&t, "Headers", "Body.").await;
    let path = format!("/admin/articles/{id}");

    let mut checked = Vec::new();
    let r = anon.get("/signin").await.expect("signin");
    assert_eq!(r.status(), 200);
    checked.push(("sign-in page", r));
    let r = ed.get(&format!("{path}/edit")).await.expect("editor");
    assert_eq!(r.status(), 200);
    checked.push(("editor", r));
    let r = ed.get("/admin").await.expect("list");
    assert_eq!(r.status(), 200);
    checked.push(("list", r));
    let r = ed.get(&format!("{path}/history")).await.expect("history");
    assert_eq!(r.status(), 200);
    checked.push(("history", r));
    let r = contributor.get("/admin/users").await.expect("403");
    assert_eq!(r.status(), 403);
    checked.push(("403 page", r));
    let r = ed.get("/admin/articles/999999/edit").await.expect("404");
    assert_eq!(r.status(), 404);
    checked.push(("404 page", r));
    let r = ed
        .post_form(&path, &editor_form("1", "Headers", "Saved first.", "save"))
        .await
        .expect("save");
    assert_eq!(r.status(), 303);
    let r = other
        .post_form(&path, &editor_form("1", "Headers", "Saved second.", "save"))
        .await
        .expect("conflict");
    assert_eq!(r.status(), 409);
    checked.push(("409 conflict page", r));
    let r = ed
        .post_form(&path, &editor_form("2", "", "No title.", "save"))
        .await
        .expect("422");
    assert_eq!(r.status(), 422);
    checked.push(("422 editor page", r));
    let r = t
        .send(
            anon.client
                .get(anon.url(&format!("/api/v1/admin/articles/{id}"))),
        )
        .await
        .expect("401");
    assert_eq!(r.status(), 401);
    checked.push(("401 JSON", r));
    let r = t
        .send(
            ed.client
                .patch(ed.url(&format!("/api/v1/admin/articles/{id}")))
                .json(&json!({"version": 2, "title": "x"})),
        )
        .await
        .expect("403 JSON");
    assert_eq!(r.status(), 403);
    checked.push(("403 CSRF JSON", r));
    let r = ed
        .client
        .post(ed.url(&path))
        .form(&[("title", "x")])
        .send()
        .await
        .expect("csrf form");
    assert_eq!(r.status(), 403);
    checked.push(("403 CSRF form", r));
    let r = anon.get("/reset/0000").await.expect("expired link");
    assert_eq!(r.status(), 404);
    checked.push(("expired reset link", r));
    for (what, r) in &checked {
        assert_security_headers(r.headers(), what);
    }
}

#[test]
fn the_header_check_rejects_weak_policies() {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let make = |pairs: &[(&'static str, &'static str)]| {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    };
    let good = [
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("cache-control", "no-store"),
    ];
    assert_security_headers(&make(&good), "good");
    let weakened: [(&'static str, &'static str); 5] = [
        (
            "content-security-policy",
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
        ("content-security-policy", "script-src 'self'"),
        ("x-content-type-options", "sniff"),
        ("referrer-policy", "unsafe-url"),
        ("cache-control", "public, max-age=60"),
    ];
    for (name, value) in weakened {
        let mut h = make(&good);
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            assert_security_headers(&h, "probe");
        }))
        .is_err();
        assert!(caught, "{name}: {value} passed the check");
    }
}

#[test]
fn the_injection_check_catches_what_it_looks_for() {
    assert_no_injected_markup(
        "<script src=\"/static/site.js?v=1\" defer></script><script type=\"application/ld+json\">{}</script><p>&lt;script&gt;</p>",
        "clean",
    );
    for bad in [
        "<script>alert(1)</script>",
        "<script src=\"https://evil.example/x.js\"></script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\" JavaScript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg><circle/></svg>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_injected_markup(bad, "probe")).is_err();
        assert!(caught, "{bad} passed the check");
    }
}

// ---------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_role_change_or_disabling_ends_the_user_s_sessions() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let admin = t.signed_in(Role::Admin).await.expect("admin");
        let (id, email) = t.user(Role::Editor, "Changing").await.expect("user");
        let before = raw_session(&t, &email).await;
        let r = admin
            .post_form(
                &format!("/admin/users/{id}"),
                &[("action", "role"), ("role", "contributor")],
            )
            .await
            .expect("role");
        assert_eq!(r.status(), 200);
        assert!(
            !still_signed_in(&t, &before.secret).await,
            "signed out on a role change"
        );
        let after = raw_session(&t, &email).await;
        let html = raw_get(&t, &after.secret, "/admin/account")
            .await
            .text()
            .await
            .expect("body");
        assert_eq!(
            text_of(&html, "dl.facts dd:nth-of-type(3)").as_deref(),
            Some("contributor")
        );

        let r = admin
            .post_form(&format!("/admin/users/{id}"), &[("action", "disable")])
            .await
            .expect("disable");
        assert_eq!(r.status(), 200);
        assert!(
            !still_signed_in(&t, &after.secret).await,
            "signed out when disabled"
        );
        let r = sign_in_by_hand(&t, &bare_client(), &email, PASSWORD).await;
        assert_eq!(r.status(), 401, "a disabled account cannot sign in");
        let r = admin
            .post_form(&format!("/admin/users/{id}"), &[("action", "enable")])
            .await
            .expect("enable");
        assert_eq!(r.status(), 200);
        let r = sign_in_by_hand(&t, &bare_client(), &email, PASSWORD).await;
        assert_eq!(r.status(), 303);

        // An admin cannot lock themself out.
        let r = admin
            .post_form(
                &format!("/admin/users/{}", admin.user_id),
                &[("action", "disable")],
            )
            .await
            .expect("disable self");
        assert_eq!(r.status(), 422);
        assert_eq!(admin.get("/admin").await.expect("get").status(), 200);
    }
}

#[tokio::test]
async fn sign_in_returns_to_newsroom_pages_only() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let (_, email) = t.user(Role::Editor, "Returning").await.expect("user");
    for (next, want) in [
        ("/admin/articles/new", "/admin/articles/new"),
        ("https://evil.example/admin", "/admin"),
        ("//evil.example/admin", "/admin"),
        ("/admin\\@evil.example", "/admin"),
        ("/", "/admin"),
    ] {
        let r = sign_in_by_hand_to(&t, &bare_client(), &email, PASSWORD, next).await;
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(location(&r), want, "next={next}");
    }
}

#[tokio::test]
async fn the_newsroom_list_searches_titles_of_all_work_and_the_text_of_published_articles() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let mut draft = article("Zanzibar ferry timetable", "Draft text.");
        draft.status = Some(dateline_core::Status::Draft);
        t.arrange_article(draft).await.expect("draft");
        t.arrange_article(article(
            "Ferry services resume",
            "Boats to Zanzibar sail again after the storm.",
        ))
        .await
        .expect("published");
        t.arrange_article(article("Harbour dues rise", "Nothing about islands."))
            .await
            .expect("other");
        t.settle_index().await.expect("index");
        let page = ed.get_text("/admin?q=zanzibar").await.expect("list");
        let titles: Vec<String> = Html::parse_document(&page)
            .select(&sel("table.articles tbody td:first-child > a:first-child"))
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(
            titles,
            vec!["Zanzibar ferry timetable".to_owned()],
            "{page}"
        );
        let hits: Vec<String> = Html::parse_document(&page)
            .select(&sel(".full-text .search-hits li > a"))
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(hits, vec!["Ferry services resume".to_owned()], "{page}");
        assert!(
            count(&page, ".full-text .snippet b") >= 1,
            "the match is highlighted: {page}"
        );
        // Filtered to drafts, only titles are searched.
        let drafts = ed
            .get_text("/admin?q=zanzibar&status=draft")
            .await
            .expect("list");
        assert_eq!(count(&drafts, ".full-text"), 0);
    }
}

#[tokio::test]
async fn publishing_after_cancelling_a_schedule_publishes_now() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let key = t.key(Role::Editor).await.expect("key");
        let ed = t.signed_in(Role::Editor).await.expect("editor");
        let r = ed
            .post_form(
                "/admin/articles",
                &[("title", "Budget day"), ("body", "Text.")],
            )
            .await
            .expect("create");
        let id = id_from_location(&location(&r));
        let later = (Utc::now() + Duration::hours(3))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let path = format!("/admin/articles/{id}");
        for (version, action) in [("1", "schedule"), ("2", "unpublish"), ("3", "publish")] {
            let r = ed
                .post_form(
                    &path,
                    &[
                        ("version", version),
                        ("title", "Budget day"),
                        ("body", "Text."),
                        ("action", action),
                        ("publish_at", later.as_str()),
                        ("tz_offset", "0"),
                    ],
                )
                .await
                .expect("post");
            assert_eq!(r.status(), 303, "{action}");
        }
        let (s, a) = t
            .admin(
                &key,
                Method::GET,
                &format!("/api/v1/admin/articles/{id}"),
                None,
            )
            .await
            .expect("get");
        assert_eq!(s, 200);
        assert_eq!(a["status"], "published", "{a}");
        let at: DateTime<Utc> = a["published_at"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("published_at");
        assert!(
            (Utc::now() - at).num_seconds().abs() < 60,
            "published now, not at the cancelled time: {at}"
        );
    }
}

/// Every newsroom page, in each state a request can put it in, rendered by the real server.
/// The newsroom's templates are strict about undefined names, so a name a template reads
/// that its view does not provide answers 500 here instead of an empty field.
#[tokio::test]
async fn every_newsroom_page_renders_every_name_its_template_reads() {
    let t = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let admin = t.signed_in(Role::Admin).await.expect("admin");
    let other = t.signed_in(Role::Editor).await.expect("editor");
    let contributor = t.signed_in(Role::Contributor).await.expect("contributor");
    let anon = t.anonymous().expect("anon");
    let id = draft(&t, "Every page", "First words.").await;
    let path = format!("/admin/articles/{id}");

    let mut pages: Vec<(&str, reqwest::Response, u16)> = Vec::new();
    pages.push(("sign-in", anon.get("/signin").await.expect("signin"), 200));
    let r = anon
        .send(anon.client.post(anon.url("/signin")).form(&[
            ("email", "nobody@example.test"),
            ("password", "wrong password"),
        ]))
        .await
        .expect("refused sign-in");
    pages.push(("sign-in without its form token", r, 403));
    let r = sign_in_by_hand(&t, &bare_client(), &admin.email, "not the password").await;
    pages.push(("sign-in, wrong password", r, 401));
    pages.push((
        "expired reset link",
        anon.get("/reset/0000").await.expect("reset"),
        404,
    ));
    pages.push(("list", admin.get("/admin").await.expect("list"), 200));
    pages.push((
        "list, filtered and searched",
        admin
            .get("/admin?q=every&status=draft&section=news&author=x")
            .await
            .expect("list"),
        200,
    ));
    pages.push((
        "new article",
        admin.get("/admin/articles/new").await.expect("new"),
        200,
    ));
    let r = admin
        .post_form("/admin/articles", &editor_form("", "", "", "save"))
        .await
        .expect("refused create");
    pages.push(("new article, refused", r, 422));
    pages.push((
        "editor, draft",
        admin.get(&format!("{path}/edit")).await.expect("edit"),
        200,
    ));
    let r = admin
        .post_form(&path, &editor_form("1", "", "No title.", "save"))
        .await
        .expect("refused save");
    pages.push(("editor, refused save", r, 422));
    let r = admin
        .post_form(
            &path,
            &editor_form("1", "Every page", "Second words.", "publish"),
        )
        .await
        .expect("publish");
    assert_eq!(r.status(), 303, "publish");
    pages.push((
        "editor, published, with flash",
        admin
            .get(&format!("{path}/edit?done=published"))
            .await
            .expect("edit"),
        200,
    ));
    pages.push((
        "editor, an old revision loaded",
        admin
            .get(&format!("{path}/edit?from_revision=1"))
            .await
            .expect("edit"),
        200,
    ));
    pages.push((
        "editor, refused related change",
        admin
            .get(&format!("{path}/edit?related_error=not-found"))
            .await
            .expect("edit"),
        200,
    ));
    let r = other
        .post_form(
            &path,
            &editor_form("1", "Every page", "Stale words.", "save"),
        )
        .await
        .expect("conflict");
    pages.push(("conflict", r, 409));
    pages.push((
        "history",
        admin
            .get(&format!("{path}/history"))
            .await
            .expect("history"),
        200,
    ));
    pages.push((
        "diff",
        admin
            .get(&format!("{path}/diff?from=1&to=2"))
            .await
            .expect("diff"),
        200,
    ));
    pages.push((
        "account",
        admin.get("/admin/account").await.expect("account"),
        200,
    ));
    pages.push((
        "users",
        admin.get("/admin/users").await.expect("users"),
        200,
    ));
    let new_user = [
        ("email", "new@example.test"),
        ("name", "New"),
        ("role", "author"),
        ("password", "a long enough password"),
    ];
    let r = admin
        .post_form("/admin/users", &new_user)
        .await
        .expect("add");
    pages.push(("users, account created", r, 200));
    let r = admin
        .post_form("/admin/users", &new_user)
        .await
        .expect("dup");
    pages.push(("users, duplicate email", r, 409));
    let r = admin
        .post_form(
            "/admin/users",
            &[
                ("email", ""),
                ("name", ""),
                ("role", "author"),
                ("password", ""),
            ],
        )
        .await
        .expect("refused");
    pages.push(("users, refused form", r, 422));
    let r = admin
        .post_form(
            &format!("/admin/users/{}", other.user_id),
            &[("action", "reset_link")],
        )
        .await
        .expect("reset link");
    pages.push(("users, reset link", r, 200));
    pages.push(("keys", admin.get("/admin/keys").await.expect("keys"), 200));
    let r = admin
        .post_form("/admin/keys", &[("name", "wire"), ("role", "editor")])
        .await
        .expect("new key");
    pages.push(("keys, new key", r, 200));
    pages.push((
        "403 page",
        contributor.get("/admin/users").await.expect("403"),
        403,
    ));
    pages.push((
        "404 page",
        admin.get("/admin/articles/999999/edit").await.expect("404"),
        404,
    ));

    for (what, r, want) in pages {
        let status = r.status().as_u16();
        let body = r.text().await.expect("body");
        assert_eq!(status, want, "{what}: {body}");
        assert!(
            body.contains(r#"<body class="newsroom">"#) && body.trim_end().ends_with("</html>"),
            "{what}: not a whole newsroom page: {body}"
        );
    }
}
