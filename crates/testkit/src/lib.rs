//! Test support, dev-only: test databases on both backends, a [`TestApp`] serving on
//! `127.0.0.1:0`, loaders for the shared corpus and fixtures, and a headless-Chromium driver.
//! Every `/api/v1/…` response seen through these helpers is checked against the served
//! OpenAPI document ([`openapi`]).
//!
//! Rules every test follows through these helpers: SQLite is a real file with WAL (never
//! `:memory:`); PostgreSQL is the server named by `DATELINE_TEST_DATABASE_URL`, with a fresh
//! database per test; anything missing is a printed skip locally and a failure under
//! `CI=true`.

pub mod browser;
mod db;
pub mod openapi;
mod server;
pub mod session;
pub mod shared;

pub use db::{backends, TestDb};
pub use server::{article, TestApp};
pub use session::SessionClient;

/// Whether we run under CI, where missing prerequisites are failures, not skips.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (locally) or fails (in CI) a test whose prerequisite is missing.
pub fn missing_prerequisite(what: &str) {
    if in_ci() {
        panic!("CI=true and a test prerequisite is missing: {what}");
    }
    eprintln!("SKIPPED: {what}");
}
