//! Fresh test databases.

use dateline_app::Backend;
use dateline_app::Store;
use rand::Rng;
use sqlx::Connection;

/// The backends to run a store test on: SQLite always, PostgreSQL when
/// `DATELINE_TEST_DATABASE_URL` is set (required under CI).
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if std::env::var("DATELINE_TEST_DATABASE_URL").is_ok() {
        out.push(Backend::Postgres);
    } else {
        crate::missing_prerequisite(
            "DATELINE_TEST_DATABASE_URL is not set; PostgreSQL half of the test not run",
        );
    }
    out
}

/// A database for one test, removed when dropped.
pub struct TestDb {
    /// URL to connect to.
    pub url: String,
    /// Backend.
    pub backend: Backend,
    /// Holds the SQLite file (and serves as the test's data dir).
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Moves this database out, leaving an empty stand-in that owns nothing.
    pub fn take_over(&mut self) -> anyhow::Result<TestDb> {
        let stand_in = TestDb {
            url: String::new(),
            backend: self.backend,
            dir: tempfile::tempdir()?,
            pg: None,
        };
        Ok(std::mem::replace(self, stand_in))
    }

    /// Creates an empty database on `backend`.
    pub async fn create(backend: Backend) -> anyhow::Result<TestDb> {
        let dir = tempfile::tempdir()?;
        match backend {
            Backend::Sqlite => {
                let url = Store::sqlite_url_for(dir.path());
                Ok(TestDb {
                    url,
                    backend,
                    dir,
                    pg: None,
                })
            }
            Backend::Postgres => {
                let admin = std::env::var("DATELINE_TEST_DATABASE_URL")?;
                let name = format!("dl_test_{:016x}", rand::thread_rng().gen::<u64>());
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                let url = replace_db_name(&admin, &name);
                Ok(TestDb {
                    url,
                    backend,
                    dir,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    /// Another handle on the same database (own temp dir) that does not drop it.
    pub(crate) fn shadow(&self) -> anyhow::Result<TestDb> {
        Ok(TestDb {
            url: self.url.clone(),
            backend: self.backend,
            dir: tempfile::tempdir()?,
            pg: None,
        })
    }

    /// Connects a store (running migrations).
    pub async fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::connect(&self.url).await?)
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee: use a small thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced_keeping_options() {
        assert_eq!(
            super::replace_db_name(
                "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable",
                "t1"
            ),
            "postgres://u:p@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(
            super::replace_db_name("postgres://u@h/postgres", "t2"),
            "postgres://u@h/t2"
        );
    }
}
