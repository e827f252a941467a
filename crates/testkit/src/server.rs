//! A real dateline server on `127.0.0.1:0` for HTTP and browser tests.

use std::net::SocketAddr;

use dateline_app::articles::Actor;
use dateline_app::{App, Backend, Config};
use dateline_core::Role;
use serde_json::Value;

use crate::TestDb;

/// A running app: base URL, an HTTP client (cookies on, redirects off) and the app handle
/// for arranging data. Shuts down when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Client for requests.
    pub client: reqwest::Client,
    /// The services handle (store, cache).
    pub app: App,
    /// The database (kept alive for the app's lifetime).
    pub db: TestDb,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    server: Option<tokio::task::JoinHandle<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Spawns an app on `backend` with default test config.
    pub async fn spawn(backend: Backend) -> anyhow::Result<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns an app on `backend`, letting `tweak` adjust the config first.
    pub async fn spawn_with(
        backend: Backend,
        tweak: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestApp> {
        let db = TestDb::create(backend).await?;
        let store = db.store().await?;
        Self::start(db, store, tweak).await
    }

    /// Starts a second node on the same database (scale-out tests).
    pub async fn another_node(&self) -> anyhow::Result<TestApp> {
        self.another_node_with(|_| {}).await
    }

    /// [`TestApp::another_node`] with `tweak` adjusting its config first.
    pub async fn another_node_with(
        &self,
        tweak: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestApp> {
        let db = self.db.shadow()?;
        let store = dateline_app::Store::connect(&db.url).await?;
        Self::start(db, store, tweak).await
    }

    async fn start(
        db: TestDb,
        store: dateline_app::Store,
        tweak: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestApp> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let mut config = Config::new(addr, db.dir.path().to_path_buf());
        config.scheduler_interval_ms = 100;
        config.change_poll_interval_ms = 100;
        config.list_page_size = 5;
        // Debug builds on a busy machine: render slots are shared by every test in the
        // binary, so a small-body save must not time out behind another test's 1 MB render.
        config.render_timeout_ms = 30_000;
        tweak(&mut config);
        let app = App::with_store(config, store);
        app.start_discovery()?;
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let tasks = app.spawn_background(stop_rx.clone());
        let state = dateline_web::WebState::new(app.clone())?;
        let mut rx = stop_rx;
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.changed().await;
            };
            if let Err(e) = dateline_web::serve(state, listener, shutdown).await {
                eprintln!("test server failed: {e}");
            }
        });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(TestApp {
            base_url: format!("http://{addr}"),
            client,
            app,
            db,
            stop: Some(stop),
            server: Some(server),
            tasks,
        })
    }

    /// Stops the node the way `serve` does — the server and then every background task
    /// finish (the related engine is saved) — and hands back its database and data dir.
    pub async fn stop(mut self) -> anyhow::Result<TestDb> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(server) = self.server.take() {
            server.await?;
        }
        for task in std::mem::take(&mut self.tasks) {
            task.await?;
        }
        let db = self.db.take_over()?;
        // Dropping the node releases the search index's lock on the data dir.
        drop(self);
        Ok(db)
    }

    /// Starts a node on a database and data dir that an earlier node left ([`TestApp::stop`]).
    pub async fn resume(db: TestDb) -> anyhow::Result<TestApp> {
        let store = dateline_app::Store::connect(&db.url).await?;
        Self::start(db, store, |_| {}).await
    }

    /// Waits until this node's change follower has applied every committed change, so later
    /// cache assertions are not disturbed by a late invalidation.
    pub async fn settle(&self) -> anyhow::Result<()> {
        // A pass that starts after this call sees every change committed before it; the
        // pass running now may have started earlier, so wait for two to end.
        let target = self.app.cache_follow_passes() + 2;
        for _ in 0..250 {
            if self.app.cache_follow_passes() >= target {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        anyhow::bail!("the change follower did not finish a pass")
    }

    /// Waits until the search index and related engine have applied every committed change.
    pub async fn settle_index(&self) -> anyhow::Result<()> {
        let target = self.app.index_passes() + 2;
        for _ in 0..500 {
            if self.app.discovery_ready() && self.app.index_passes() >= target {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        anyhow::bail!("the indexer did not finish a pass")
    }

    /// Full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// GET `path` (an API response is checked against the OpenAPI document).
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        self.send(self.client.get(self.url(path))).await
    }

    /// Sends `request` (made with any client); a response to an `/api/v1/…` request on this
    /// server is checked against the served OpenAPI document first, and a mismatch is an
    /// error naming the request, the status and each schema violation.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<reqwest::Response> {
        crate::openapi::send_checked(&self.base_url, request).await
    }

    /// GET `path` and parse the JSON body, asserting `expected` status.
    pub async fn get_json(&self, path: &str, expected: u16) -> anyhow::Result<Value> {
        let r = self.get(path).await?;
        let status = r.status().as_u16();
        let body = r.text().await?;
        anyhow::ensure!(
            status == expected,
            "GET {path}: expected {expected}, got {status}: {body}"
        );
        Ok(serde_json::from_str(&body)?)
    }

    /// A fresh API key with `role`.
    pub async fn key(&self, role: Role) -> anyhow::Result<String> {
        Ok(self.app.create_api_key("test", role).await?.1)
    }

    /// Sends `method path` with a bearer key and JSON body; returns status and JSON (checked
    /// against the OpenAPI document).
    pub async fn admin(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = self.send(req).await?;
        let status = r.status().as_u16();
        let text = r.text().await?;
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        };
        Ok((status, json))
    }

    /// Creates (and by default publishes) an article directly through the app.
    pub async fn arrange_article(
        &self,
        input: dateline_core::ArticleInput,
    ) -> anyhow::Result<dateline_core::Article> {
        let actor = Actor::service("test", Role::Editor);
        Ok(self.app.create_article(&actor, input).await?)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A minimal valid article input.
pub fn article(title: &str, body: &str) -> dateline_core::ArticleInput {
    dateline_core::ArticleInput {
        title: title.into(),
        body: body.into(),
        ..Default::default()
    }
}
