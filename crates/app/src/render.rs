//! Rendering bodies away from the async workers, within a time budget.
//!
//! Rendering a body is CPU work: linear in its length (see `dateline-render`), but a full
//! 1 MB body still takes tens of milliseconds, and on an async worker that time is taken
//! from every other request the worker serves. So every render on a request path (the
//! editor's preview, create, update, revisions) runs on tokio's blocking pool, at most
//! [`render_slots`] at once, and the caller waits at most `Config::render_timeout_ms` for
//! a slot and the result. A render that overruns is not interrupted (threads cannot be),
//! but it ends on its own because rendering is linear, and it keeps its slot until then,
//! so a flood of previews queues for slots instead of starving the workers of CPU.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use dateline_core::{FieldErrors, Limits};
use tokio::sync::Semaphore;

use crate::articles::Actor;
use crate::{App, Error, Result};

/// Renders that may run at once in this process: one per core.
pub fn render_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(render_slots())));

/// A body rendered for the editor's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// Sanitised HTML, exactly as the article page would show it.
    pub html: String,
    /// Words in the body.
    pub word_count: usize,
}

impl App {
    /// The editor's live preview of `markdown`: the public renderer and sanitiser, run off
    /// the async workers within the render budget.
    pub async fn render_preview(&self, actor: &Actor, markdown: String) -> Result<Preview> {
        actor.require(actor.may_write())?;
        let limit = Limits::default().body_bytes;
        if markdown.len() > limit {
            let mut errors = FieldErrors::default();
            errors.add("body", format!("must be at most {limit} bytes"));
            return Err(Error::Invalid(errors));
        }
        self.off_workers(move || {
            let rendered = dateline_render::render_body(&markdown);
            Preview {
                word_count: dateline_render::word_count(&rendered.plain),
                html: rendered.html,
            }
        })
        .await
    }

    /// Runs `work` (rendering) on the blocking pool once a render slot is free, and waits
    /// for it at most `render_timeout_ms`, slot wait included; past that the caller gets
    /// [`Error::RenderTimeout`] while the work finishes in the background.
    pub(crate) async fn off_workers<T, F>(&self, work: F) -> Result<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let limit_ms = self.config().render_timeout_ms;
        let run = async {
            let slot = SLOTS
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Error::Internal("render slots closed".into()))?;
            tokio::task::spawn_blocking(move || {
                let _slot = slot;
                work()
            })
            .await
            .map_err(|e| Error::Internal(format!("rendering failed: {e}")))
        };
        match tokio::time::timeout(Duration::from_millis(limit_ms), run).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(limit_ms, "render exceeded its time budget");
                Err(Error::RenderTimeout { limit_ms })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use dateline_core::Role;

    use super::*;

    async fn app(render_timeout_ms: u64) -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = crate::Config::new(
            "127.0.0.1:0".parse().expect("addr"),
            PathBuf::from(dir.path()),
        );
        config.render_timeout_ms = render_timeout_ms;
        (App::open(config).await.expect("app"), dir)
    }

    #[tokio::test]
    async fn previews_render_off_the_async_workers() {
        let (app, _dir) = app(10_000).await;
        let editor = Actor::service("key:test", Role::Editor);
        let preview = app
            .render_preview(&editor, "Hello *world*".into())
            .await
            .expect("preview");
        assert_eq!(preview.html, "<p>Hello <em>world</em></p>\n");
        assert_eq!(preview.word_count, 2);
        // The work ran on a blocking-pool thread, not on the thread driving this future.
        let here = std::thread::current().id();
        let there = app
            .off_workers(|| std::thread::current().id())
            .await
            .expect("ran");
        assert_ne!(here, there);
    }

    #[tokio::test]
    async fn an_overrun_is_a_clear_error_and_the_slot_comes_back() {
        let (app, _dir) = app(50).await;
        let err = app
            .off_workers(|| std::thread::sleep(Duration::from_millis(400)))
            .await
            .expect_err("over budget");
        assert!(
            matches!(err, Error::RenderTimeout { limit_ms: 50 }),
            "{err:?}"
        );
        // The slow work keeps its slot until it ends; renders run again after it.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (app, _dir) = self::app(10_000).await;
        assert_eq!(app.off_workers(|| 1).await.expect("ran"), 1);
    }

    #[tokio::test]
    async fn previews_need_a_writer_and_a_body_within_the_limit() {
        let (app, _dir) = app(10_000).await;
        let reader = Actor::service("key:reader", Role::Contributor);
        assert!(matches!(
            app.render_preview(&reader, "x".into()).await,
            Err(Error::Forbidden)
        ));
        let editor = Actor::service("key:test", Role::Editor);
        let too_big = "a".repeat(Limits::default().body_bytes + 1);
        assert!(matches!(
            app.render_preview(&editor, too_big).await,
            Err(Error::Invalid(_))
        ));
    }
}
