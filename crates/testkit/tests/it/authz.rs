//! The newsroom's authorisation matrix: every admin page, form and admin API endpoint, tried
//! by an anonymous visitor and by a signed-in contributor, author, editor and admin.
//!
//! "Allowed" means: an HTML page answers 200; a form answers 303 to somewhere other than
//! sign-in (or 200 for the users/keys pages, which re-render); an API call answers 200/201
//! (for `…/permissions`: 200 with `"edit": true`). "Denied" means: a signed-in user gets 403
//! (API: 403 with code `forbidden`; permissions: `"edit": false`); an anonymous visitor is
//! sent to `/signin?next=…` (HTML, 303) or gets 401 (API). Every request acts on a fresh
//! article / user / key, and the whole newsroom state (articles with versions and statuses,
//! users, keys) is compared before and after: a denied request must change nothing, an
//! allowed write must change something, an allowed read nothing.

use std::fmt::Write as _;

use dateline_app::articles::Actor;
use dateline_app::newsroom::NewsroomFilter;
use dateline_core::{ArticleId, Role, Status};
use dateline_testkit::{article, backends, SessionClient, TestApp};
use reqwest::Method;
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Contributor,
    Author,
    Editor,
    Admin,
}

use Who::{Admin, Anonymous, Author, Contributor, Editor};

const COLUMNS: [Who; 5] = [Anonymous, Contributor, Author, Editor, Admin];
/// Every signed-in role.
const ALL: &[Who] = &[Contributor, Author, Editor, Admin];
/// An author's own article: the author and the editors.
const AUTHOR_UP: &[Who] = &[Author, Editor, Admin];
/// A contributor's own draft: the contributor and the editors.
const OWNER_C: &[Who] = &[Contributor, Editor, Admin];
const EDITORS: &[Who] = &[Editor, Admin];
const ADMIN: &[Who] = &[Admin];

/// What a row acts on; made fresh for every request.
#[derive(Clone, Copy, Debug)]
enum Target {
    Nothing,
    /// An article created by the signed-in user with `owner` (None: by an API key, so owned
    /// by nobody), as a draft or published.
    Article {
        owner: Option<Role>,
        published: bool,
    },
    /// A contributor account (for `/admin/users/{id}`).
    User,
    /// An API key (for `/admin/keys/{id}/revoke`).
    Key,
}

const C_DRAFT: Target = Target::Article {
    owner: Some(Role::Contributor),
    published: false,
};
const C_PUB: Target = Target::Article {
    owner: Some(Role::Contributor),
    published: true,
};
const A_DRAFT: Target = Target::Article {
    owner: Some(Role::Author),
    published: false,
};
const A_PUB: Target = Target::Article {
    owner: Some(Role::Author),
    published: true,
};
const E_DRAFT: Target = Target::Article {
    owner: Some(Role::Editor),
    published: false,
};
const E_PUB: Target = Target::Article {
    owner: Some(Role::Editor),
    published: true,
};
const NOBODY_DRAFT: Target = Target::Article {
    owner: None,
    published: false,
};

impl Target {
    fn describe(self) -> &'static str {
        match self {
            Target::Nothing => "",
            Target::Article { owner, published } => match (owner, published) {
                (Some(Role::Contributor), false) => " [contributor's draft]",
                (Some(Role::Contributor), true) => " [contributor's, published]",
                (Some(Role::Author), false) => " [author's draft]",
                (Some(Role::Author), true) => " [author's, published]",
                (Some(_), false) => " [editor's draft]",
                (Some(_), true) => " [editor's, published]",
                (None, _) => " [nobody's draft]",
            },
            Target::User => " [another user]",
            Target::Key => " [a key]",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GET an HTML page.
    Page,
    /// POST a newsroom form (with the session's CSRF token).
    Form,
    /// Call the admin API (session cookie + X-CSRF-Token).
    Api,
    /// `GET …/permissions`: always 200 when signed in; the answer is `edit`.
    Permissions,
}

struct Row {
    kind: Kind,
    method: Method,
    /// Path; `{id}` is the target's id.
    path: &'static str,
    /// Form fields, or a JSON body, with `{id}`, `{version}`, `{title}` and `{n}` filled in.
    fields: &'static [(&'static str, &'static str)],
    json: Option<&'static str>,
    target: Target,
    allowed: &'static [Who],
    /// Whether an allowed request changes the newsroom state.
    writes: bool,
}

fn page(path: &'static str, target: Target, allowed: &'static [Who]) -> Row {
    Row {
        kind: Kind::Page,
        method: Method::GET,
        path,
        fields: &[],
        json: None,
        target,
        allowed,
        writes: false,
    }
}

fn form(
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    target: Target,
    allowed: &'static [Who],
) -> Row {
    Row {
        kind: Kind::Form,
        method: Method::POST,
        path,
        fields,
        json: None,
        target,
        allowed,
        writes: true,
    }
}

fn api(
    method: Method,
    path: &'static str,
    json: Option<&'static str>,
    target: Target,
    allowed: &'static [Who],
    writes: bool,
) -> Row {
    Row {
        kind: Kind::Api,
        method,
        path,
        fields: &[],
        json,
        target,
        allowed,
        writes,
    }
}

const SAVE: &[(&str, &str)] = &[
    ("version", "{version}"),
    ("title", "{title} (edited)"),
    ("body", "Matrix body."),
    ("action", "save"),
];
/// A published article's text changes only with a correction note.
const SAVE_CORRECTION: &[(&str, &str)] = &[
    ("version", "{version}"),
    ("title", "{title} (edited)"),
    ("body", "Matrix body."),
    ("correction", "Matrix correction {n}."),
    ("action", "save"),
];
const PUBLISH: &[(&str, &str)] = &[
    ("version", "{version}"),
    ("title", "{title}"),
    ("body", "Matrix body."),
    ("action", "publish"),
];
const UNPUBLISH: &[(&str, &str)] = &[
    ("version", "{version}"),
    ("title", "{title}"),
    ("body", "Matrix body."),
    ("action", "unpublish"),
];
const CREATE: &[(&str, &str)] = &[("title", "{title}"), ("body", "Made through the form.")];
const DELETE: &[(&str, &str)] = &[("version", "{version}")];
const RESTORE: &[(&str, &str)] = &[("revision", "1"), ("based_on", "{version}")];
const ADD_USER: &[(&str, &str)] = &[
    ("email", "matrix-{n}@example.test"),
    ("name", "Matrix {n}"),
    ("role", "contributor"),
    ("password", "a long enough password"),
];
const DISABLE_USER: &[(&str, &str)] = &[("action", "disable")];
const ADD_KEY: &[(&str, &str)] = &[("name", "matrix key {n}"), ("role", "editor")];

fn rows() -> Vec<Row> {
    use Method as M;
    let mut rows = vec![
        page("/admin", Target::Nothing, ALL),
        page("/admin/articles/new", Target::Nothing, ALL),
        form("/admin/articles", CREATE, Target::Nothing, ALL),
    ];
    for (target, allowed) in [
        (C_DRAFT, OWNER_C),
        (A_DRAFT, AUTHOR_UP),
        (E_DRAFT, EDITORS),
        (NOBODY_DRAFT, EDITORS),
        (C_PUB, EDITORS),
        (A_PUB, AUTHOR_UP),
    ] {
        rows.push(page("/admin/articles/{id}/edit", target, allowed));
    }
    for (target, allowed) in [
        (C_DRAFT, OWNER_C),
        (A_DRAFT, AUTHOR_UP),
        (E_DRAFT, EDITORS),
        (NOBODY_DRAFT, EDITORS),
    ] {
        rows.push(form("/admin/articles/{id}", SAVE, target, allowed));
    }
    for (target, allowed) in [(C_PUB, EDITORS), (A_PUB, AUTHOR_UP)] {
        rows.push(form(
            "/admin/articles/{id}",
            SAVE_CORRECTION,
            target,
            allowed,
        ));
    }
    for (target, allowed) in [(C_DRAFT, EDITORS), (A_DRAFT, AUTHOR_UP), (E_DRAFT, EDITORS)] {
        rows.push(form("/admin/articles/{id}", PUBLISH, target, allowed));
    }
    for (target, allowed) in [(C_PUB, EDITORS), (A_PUB, AUTHOR_UP), (E_PUB, EDITORS)] {
        rows.push(form("/admin/articles/{id}", UNPUBLISH, target, allowed));
    }
    for (target, allowed) in [
        (C_DRAFT, OWNER_C),
        (A_DRAFT, AUTHOR_UP),
        (E_DRAFT, EDITORS),
        (C_PUB, EDITORS),
    ] {
        rows.push(form("/admin/articles/{id}/delete", DELETE, target, allowed));
    }
    for (target, allowed) in [(C_DRAFT, OWNER_C), (A_DRAFT, AUTHOR_UP), (E_DRAFT, EDITORS)] {
        rows.push(page("/admin/articles/{id}/history", target, allowed));
        rows.push(page(
            "/admin/articles/{id}/diff?from=1&to=1",
            target,
            allowed,
        ));
        rows.push(form(
            "/admin/articles/{id}/restore",
            RESTORE,
            target,
            allowed,
        ));
    }
    // The editor's related-articles panel is an editors' tool, even on an author's own
    // article. Lifting an exclusion that does not exist succeeds and writes nothing.
    for target in [C_DRAFT, A_DRAFT, E_DRAFT, C_PUB, A_PUB] {
        rows.push(Row {
            writes: false,
            ..form(
                "/admin/articles/{id}/related",
                &[("change", "include:999999")],
                target,
                EDITORS,
            )
        });
    }
    rows.extend([
        page("/admin/account", Target::Nothing, ALL),
        page("/admin/users", Target::Nothing, ADMIN),
        form("/admin/users", ADD_USER, Target::Nothing, ADMIN),
        form("/admin/users/{id}", DISABLE_USER, Target::User, ADMIN),
        page("/admin/keys", Target::Nothing, ADMIN),
        form("/admin/keys", ADD_KEY, Target::Nothing, ADMIN),
        form("/admin/keys/{id}/revoke", &[], Target::Key, ADMIN),
    ]);

    // The admin API, with the browser session.
    rows.push(api(
        M::POST,
        "/api/v1/admin/articles",
        Some(r#"{"title": "{title}", "body": "b", "status": "draft"}"#),
        Target::Nothing,
        ALL,
        true,
    ));
    rows.push(api(
        M::POST,
        "/api/v1/admin/articles",
        Some(r#"{"title": "{title}", "body": "b"}"#),
        Target::Nothing,
        AUTHOR_UP,
        true,
    ));
    for (target, allowed) in [
        (C_DRAFT, OWNER_C),
        (A_DRAFT, AUTHOR_UP),
        (E_DRAFT, EDITORS),
        (C_PUB, EDITORS),
    ] {
        rows.push(api(
            M::GET,
            "/api/v1/admin/articles/{id}",
            None,
            target,
            allowed,
            false,
        ));
        rows.push(api(
            M::PATCH,
            "/api/v1/admin/articles/{id}",
            // A correction note: a published article's text changes only with one.
            Some(r#"{"version": {version}, "title": "{title} (patched)", "correction": "Matrix correction {n}."}"#),
            target,
            allowed,
            true,
        ));
        rows.push(Row {
            kind: Kind::Permissions,
            ..api(
                M::GET,
                "/api/v1/admin/articles/{id}/permissions",
                None,
                target,
                allowed,
                false,
            )
        });
    }
    for (target, allowed) in [(C_DRAFT, OWNER_C), (A_DRAFT, AUTHOR_UP), (E_DRAFT, EDITORS)] {
        rows.push(api(
            M::DELETE,
            "/api/v1/admin/articles/{id}",
            None,
            target,
            allowed,
            true,
        ));
        rows.push(api(
            M::GET,
            "/api/v1/admin/articles/{id}/revisions",
            None,
            target,
            allowed,
            false,
        ));
        rows.push(api(
            M::GET,
            "/api/v1/admin/articles/{id}/related",
            None,
            target,
            allowed,
            false,
        ));
        rows.push(api(
            M::POST,
            "/api/v1/admin/articles/{id}/presence",
            None,
            target,
            allowed,
            false,
        ));
        // Related-list overrides are an editors' tool, even on an author's own article.
        rows.push(api(
            M::PUT,
            "/api/v1/admin/articles/{id}/related",
            Some(r#"{"pin": [], "exclude": []}"#),
            target,
            EDITORS,
            false,
        ));
    }
    for (target, allowed) in [(C_DRAFT, EDITORS), (A_DRAFT, AUTHOR_UP), (E_DRAFT, EDITORS)] {
        rows.push(api(
            M::POST,
            "/api/v1/admin/articles/{id}/publish",
            None,
            target,
            allowed,
            true,
        ));
    }
    for (target, allowed) in [(C_PUB, EDITORS), (A_PUB, AUTHOR_UP), (E_PUB, EDITORS)] {
        rows.push(api(
            M::POST,
            "/api/v1/admin/articles/{id}/unpublish",
            None,
            target,
            allowed,
            true,
        ));
    }
    rows.push(api(
        M::POST,
        "/api/v1/admin/preview",
        Some(r#"{"body": "*hello*"}"#),
        Target::Nothing,
        ALL,
        false,
    ));
    rows.push(api(
        M::GET,
        "/api/v1/admin/tags?q=a",
        None,
        Target::Nothing,
        ALL,
        false,
    ));
    rows
}

fn label(row: &Row) -> String {
    let mut action = row
        .fields
        .iter()
        .find(|(k, _)| *k == "action")
        .map(|(_, v)| format!(" action={v}"))
        .unwrap_or_default();
    if row.fields.iter().any(|(k, _)| *k == "correction") {
        action.push_str("+correction");
    }
    match row.json {
        Some(j) if row.path.ends_with("/articles") && j.contains("draft") => {
            action.push_str(" (draft)");
        }
        Some(_) if row.path.ends_with("/articles") => action.push_str(" (published)"),
        _ => {}
    }
    format!(
        "{} {}{action}{}",
        row.method,
        row.path,
        row.target.describe()
    )
}

/// Everyone who signs in for the matrix.
struct People {
    contributor: SessionClient,
    author: SessionClient,
    editor: SessionClient,
    admin: SessionClient,
    anonymous: SessionClient,
}

impl People {
    fn client(&self, who: Who) -> &SessionClient {
        match who {
            Anonymous => &self.anonymous,
            Contributor => &self.contributor,
            Author => &self.author,
            Editor => &self.editor,
            Admin => &self.admin,
        }
    }

    fn actor(&self, role: Role) -> Actor {
        let s = match role {
            Role::Contributor => &self.contributor,
            Role::Author => &self.author,
            Role::Editor => &self.editor,
            Role::Admin => &self.admin,
        };
        Actor {
            label: s.email.clone(),
            role,
            user_id: Some(s.user_id),
        }
    }
}

/// The values a row's placeholders take for one request.
struct Vars {
    id: i64,
    version: i64,
    title: String,
    n: u32,
}

impl Vars {
    fn fill(&self, s: &str) -> String {
        s.replace("{id}", &self.id.to_string())
            .replace("{version}", &self.version.to_string())
            .replace("{title}", &self.title)
            .replace("{n}", &self.n.to_string())
    }
}

async fn arrange(t: &TestApp, people: &People, target: Target, n: u32) -> Vars {
    let title = format!("Matrix article {n}");
    let (id, version) = match target {
        Target::Nothing => (0, 0),
        Target::Article { owner, published } => {
            let writer = owner.map_or_else(
                || Actor::service("key:matrix", Role::Editor),
                |r| people.actor(r),
            );
            let mut input = article(&title, "Matrix body.");
            // Contributors may only create drafts: theirs are published by an editor.
            let publish_later = published && owner == Some(Role::Contributor);
            input.status = Some(if published && !publish_later {
                Status::Published
            } else {
                Status::Draft
            });
            let mut a = t
                .app
                .create_article(&writer, input)
                .await
                .expect("arrange article");
            if publish_later {
                a = t
                    .app
                    .publish_article(&Actor::service("test", Role::Editor), a.id, None, None)
                    .await
                    .expect("publish the contributor's article");
            }
            (a.id.0, a.version.0)
        }
        Target::User => {
            let (id, _) = t
                .user(Role::Contributor, &format!("Target {n}"))
                .await
                .expect("target user");
            (id, 0)
        }
        Target::Key => {
            let (key, _) = t
                .app
                .create_api_key(&format!("target {n}"), Role::Editor)
                .await
                .expect("target key");
            (key.id, 0)
        }
    };
    Vars {
        id,
        version,
        title,
        n,
    }
}

/// Everything a newsroom request could change: articles (id, version, status), users (id,
/// role, disabled) and keys (id, revoked).
async fn state(t: &TestApp) -> String {
    let store = t.app.store();
    let articles = store
        .newsroom_articles(&NewsroomFilter {
            limit: 500,
            ..NewsroomFilter::default()
        })
        .await
        .expect("articles");
    let mut out = String::new();
    let mut items: Vec<_> = articles
        .iter()
        .map(|a| (a.id.0, a.version.0, a.status.as_str(), a.title.clone()))
        .collect();
    items.sort();
    for i in items {
        let _ = write!(out, "a{}v{}{}:{};", i.0, i.1, i.2, i.3);
    }
    for u in store.users().await.expect("users") {
        let _ = write!(out, "u{}{}{};", u.id, u.role, u.disabled_at.is_some());
    }
    for k in store.api_keys().await.expect("keys") {
        let _ = write!(out, "k{}{};", k.id, k.revoked_at.is_some());
    }
    out
}

struct Observed {
    status: u16,
    location: Option<String>,
    code: Option<String>,
    edit: Option<bool>,
}

impl Observed {
    fn describe(&self) -> String {
        let mut s = self.status.to_string();
        if let Some(l) = &self.location {
            let _ = write!(s, "→{}", l.chars().take(18).collect::<String>());
        }
        if let Some(e) = self.edit {
            let _ = write!(s, " edit={e}");
        }
        if let Some(c) = &self.code {
            if self.status >= 400 {
                let _ = write!(s, " {c}");
            }
        }
        s
    }
}

async fn perform(client: &SessionClient, row: &Row, vars: &Vars) -> Observed {
    let path = vars.fill(row.path);
    match row.kind {
        Kind::Page => {
            let r = client.get(&path).await.expect("GET");
            observed_html(r)
        }
        Kind::Form => {
            let filled: Vec<(String, String)> = row
                .fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), vars.fill(v)))
                .collect();
            let fields: Vec<(&str, &str)> = filled
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = client.post_form(&path, &fields).await.expect("POST");
            observed_html(r)
        }
        Kind::Api | Kind::Permissions => {
            let body = row.json.map(|j| {
                serde_json::from_str::<Value>(&vars.fill(j)).expect("the row's JSON is valid")
            });
            let (status, json) = client
                .api(row.method.clone(), &path, body)
                .await
                .expect("API call");
            Observed {
                status,
                location: None,
                code: json["error"]["code"].as_str().map(str::to_owned),
                edit: json["edit"].as_bool(),
            }
        }
    }
}

fn observed_html(r: reqwest::Response) -> Observed {
    Observed {
        status: r.status().as_u16(),
        location: r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        code: None,
        edit: None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Allow,
    Deny,
    Unexpected,
}

fn verdict(who: Who, kind: Kind, o: &Observed) -> Verdict {
    let to_signin = o
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/signin"));
    if who == Anonymous {
        let denied = match kind {
            Kind::Page => {
                o.status == 303
                    && o.location
                        .as_deref()
                        .is_some_and(|l| l.starts_with("/signin?next="))
            }
            Kind::Form => o.status == 303 && to_signin,
            Kind::Api | Kind::Permissions => o.status == 401,
        };
        return if denied {
            Verdict::Deny
        } else {
            Verdict::Unexpected
        };
    }
    match (kind, o.status) {
        (Kind::Page, 200) => Verdict::Allow,
        (Kind::Form, 200) => Verdict::Allow,
        (Kind::Form, 303) if !to_signin && o.location.is_some() => Verdict::Allow,
        (Kind::Page | Kind::Form, 403) => Verdict::Deny,
        (Kind::Api, 200 | 201) => Verdict::Allow,
        (Kind::Api, 403) if o.code.as_deref() == Some("forbidden") => Verdict::Deny,
        (Kind::Permissions, 200) => match o.edit {
            Some(true) => Verdict::Allow,
            Some(false) => Verdict::Deny,
            None => Verdict::Unexpected,
        },
        _ => Verdict::Unexpected,
    }
}

async fn sign_in_everyone(t: &TestApp) -> People {
    People {
        contributor: t.signed_in(Role::Contributor).await.expect("contributor"),
        author: t.signed_in(Role::Author).await.expect("author"),
        editor: t.signed_in(Role::Editor).await.expect("editor"),
        admin: t.signed_in(Role::Admin).await.expect("admin"),
        anonymous: t.anonymous().expect("anonymous"),
    }
}

#[tokio::test]
async fn every_newsroom_route_allows_exactly_the_roles_it_should() {
    for backend in backends() {
        let t = TestApp::spawn(backend).await.expect("app");
        let people = sign_in_everyone(&t).await;
        let rows = rows();
        let mut n = 0u32;
        let mut table = String::new();
        let mut mismatches = Vec::new();
        let _ = writeln!(
            table,
            "{:<72} | {:<28} | {:<28} | {:<28} | {:<28} | {:<28}",
            "route", "anonymous", "contributor", "author", "editor", "admin"
        );
        for row in &rows {
            let name = label(row);
            let _ = write!(table, "{name:<72}");
            for who in COLUMNS {
                n += 1;
                let vars = arrange(&t, &people, row.target, n).await;
                let before = state(&t).await;
                let observed = perform(people.client(who), row, &vars).await;
                let after = state(&t).await;
                let want = if row.allowed.contains(&who) {
                    Verdict::Allow
                } else {
                    Verdict::Deny
                };
                let got = verdict(who, row.kind, &observed);
                let changed = before != after;
                let effect_problem = match got {
                    Verdict::Allow if row.writes && !changed => Some("allowed but wrote nothing"),
                    Verdict::Allow if !row.writes && changed => Some("a read changed state"),
                    Verdict::Deny | Verdict::Unexpected if changed => {
                        Some("refused but state changed")
                    }
                    _ => None,
                };
                let ok = got == want && effect_problem.is_none();
                let cell = format!(
                    "{}{} {}",
                    if ok { "" } else { "✗ " },
                    match want {
                        Verdict::Allow => "allow",
                        _ => "deny",
                    },
                    observed.describe()
                );
                let _ = write!(table, " | {cell:<28}");
                if !ok {
                    mismatches.push(format!(
                        "{name} as {who:?}: want {want:?}, got {got:?} ({}){}",
                        observed.describe(),
                        effect_problem.map(|p| format!("; {p}")).unwrap_or_default()
                    ));
                }
            }
            let _ = writeln!(table);
        }
        assert!(
            mismatches.is_empty(),
            "authorisation matrix on {backend:?} has {} mismatch(es):\n{}\n\n{table}",
            mismatches.len(),
            mismatches.join("\n")
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_come_back_to_the_page() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let anon = t.anonymous().expect("client");
    let r = anon
        .get("/admin/articles/5/edit?done=saved")
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/signin?next=%2Fadmin%2Farticles%2F5%2Fedit%3Fdone%3Dsaved")
    );
    // The editor's script asks for JSON: it gets 401, not a redirect it cannot follow.
    let r = anon
        .client
        .get(anon.url("/admin/articles/5/edit"))
        .header("Accept", "application/json")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "unauthenticated");
    // A form posted without a session goes to sign-in, then back to the newsroom page the
    // form was on (only /admin pages count).
    let r = anon
        .client
        .post(anon.url("/admin/articles/5"))
        .header("Referer", t.url("/admin/articles/5/edit"))
        .form(&[("title", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/signin?next=%2Fadmin%2Farticles%2F5%2Fedit")
    );
    let r = anon
        .client
        .post(anon.url("/admin/articles/5"))
        .header("Referer", "https://evil.example/phish")
        .form(&[("title", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/signin?next=%2Fadmin")
    );
}

#[tokio::test]
async fn api_keys_below_editor_may_not_touch_articles_at_all() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let editor = t.key(Role::Editor).await.expect("key");
    let (s, a) = t
        .admin(
            &editor,
            Method::POST,
            "/api/v1/admin/articles",
            Some(serde_json::json!({"title": "Key-written", "body": "b", "status": "draft"})),
        )
        .await
        .expect("create");
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    for role in [Role::Contributor, Role::Author] {
        let key = t.key(role).await.expect("key");
        let calls = [
            (Method::GET, format!("/api/v1/admin/articles/{id}"), None),
            (
                Method::PATCH,
                format!("/api/v1/admin/articles/{id}"),
                Some(serde_json::json!({"version": 1, "title": "Hijacked"})),
            ),
            (
                Method::POST,
                format!("/api/v1/admin/articles/{id}/publish"),
                None,
            ),
            (Method::DELETE, format!("/api/v1/admin/articles/{id}"), None),
            (
                Method::POST,
                "/api/v1/admin/articles".to_owned(),
                Some(serde_json::json!({"title": "t", "body": "b", "status": "draft"})),
            ),
            (
                Method::POST,
                "/api/v1/admin/preview".to_owned(),
                Some(serde_json::json!({"body": "x"})),
            ),
        ];
        for (method, path, body) in calls {
            let (s, e) = t
                .admin(&key, method.clone(), &path, body)
                .await
                .expect("call");
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{role} key: {method} {path}"
            );
        }
        // Presence needs a person: even an author key has nobody to check in.
        let (s, _) = t
            .admin(
                &key,
                Method::POST,
                &format!("/api/v1/admin/articles/{id}/presence"),
                None,
            )
            .await
            .expect("presence");
        assert_eq!(s, 403, "{role} key presence");
    }
    let now = t.app.store().article(ArticleId(id)).await.expect("article");
    assert_eq!((now.version.0, now.title.as_str()), (1, "Key-written"));
}
