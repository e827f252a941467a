//! Newsroom users for HTTP tests: accounts made through the app, signed in through the real
//! sign-in form, each with its own cookie jar.

use dateline_core::Role;
use serde_json::Value;

use crate::TestApp;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A browser-like client signed in as one user: its own cookies, and the CSRF token the
/// newsroom pages carry.
pub struct SessionClient {
    /// The client, with this user's cookies.
    pub client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The user's id.
    pub user_id: i64,
    /// The user's email.
    pub email: String,
}

/// The value of `attr` on the first element matching `selector` in `html`.
pub fn attr(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_owned)
}

fn new_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

impl TestApp {
    /// Creates a user with `role` and a unique email; returns (id, email).
    pub async fn user(&self, role: Role, name: &str) -> anyhow::Result<(i64, String)> {
        let email = format!(
            "{}-{}@example.test",
            name.to_lowercase().replace(' ', "."),
            rand::random::<u32>()
        );
        let user = self.app.create_user(&email, name, role, PASSWORD).await?;
        Ok((user.id, email))
    }

    /// Submits the sign-in form as a browser would; returns the response.
    pub async fn submit_sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> anyhow::Result<reqwest::Response> {
        let page = client.get(self.url("/signin")).send().await?.text().await?;
        let token = attr(&page, "form#signin input[name=csrf_token]", "value")
            .ok_or_else(|| anyhow::anyhow!("no sign-in form token in {page}"))?;
        Ok(client
            .post(self.url("/signin"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
                ("next", "/admin"),
            ])
            .send()
            .await?)
    }

    /// Signs in an existing user through the form.
    pub async fn sign_in_as(&self, user_id: i64, email: &str) -> anyhow::Result<SessionClient> {
        let client = new_client()?;
        let r = self.submit_sign_in(&client, email, PASSWORD).await?;
        anyhow::ensure!(
            r.status().as_u16() == 303,
            "sign-in failed: {} {}",
            r.status(),
            r.text().await?
        );
        let mut s = SessionClient {
            client,
            base_url: self.base_url.clone(),
            csrf: String::new(),
            user_id,
            email: email.to_owned(),
        };
        s.refresh_csrf().await?;
        Ok(s)
    }

    /// A new user with `role`, signed in.
    pub async fn signed_in(&self, role: Role) -> anyhow::Result<SessionClient> {
        let (id, email) = self.user(role, &format!("Test {role}")).await?;
        self.sign_in_as(id, &email).await
    }

    /// A client with no session at all.
    pub fn anonymous(&self) -> anyhow::Result<SessionClient> {
        Ok(SessionClient {
            client: new_client()?,
            base_url: self.base_url.clone(),
            csrf: String::new(),
            user_id: 0,
            email: String::new(),
        })
    }
}

impl SessionClient {
    /// Full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Reads the session's CSRF token from the newsroom's account page.
    pub async fn refresh_csrf(&mut self) -> anyhow::Result<()> {
        let page = self.get_text("/admin/account").await?;
        self.csrf = attr(&page, "meta[name=csrf-token]", "content")
            .ok_or_else(|| anyhow::anyhow!("no CSRF token on the account page: {page}"))?;
        Ok(())
    }

    /// GET `path` (an API response is checked against the OpenAPI document).
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        self.send(self.client.get(self.url(path))).await
    }

    /// Sends `request`; an API response is checked against the OpenAPI document.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<reqwest::Response> {
        crate::openapi::send_checked(&self.base_url, request).await
    }

    /// GET `path` as text.
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        Ok(self.get(path).await?.text().await?)
    }

    /// POSTs a form with this session's CSRF token added.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        all.extend_from_slice(fields);
        self.send(self.client.post(self.url(path)).form(&all)).await
    }

    /// Calls the admin API with the session cookie and the CSRF header; returns status and
    /// JSON (`Null` for an empty body), checked against the OpenAPI document.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = self.send(req).await?;
        let status = r.status().as_u16();
        let text = r.text().await?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, json))
    }
}
