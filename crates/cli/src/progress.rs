//! Progress for long work: a bar on a terminal, structured log lines otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dateline_app::import::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Reports progress of a job measured in bytes of input (or records when `total` is 0).
pub struct Reporter {
    bar: Option<ProgressBar>,
    what: &'static str,
    last_log: Mutex<Instant>,
}

impl Reporter {
    /// A reporter for `total` bytes (0 if unknown).
    pub fn new(what: &'static str, total: u64) -> Reporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = if total > 0 {
                ProgressBar::new(total)
            } else {
                ProgressBar::new_spinner()
            };
            let template = if total > 0 {
                "{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)"
            } else {
                "{spinner} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Reporter {
            bar,
            what,
            last_log: Mutex::new(Instant::now()),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn advance(&self, records: usize, bytes: u64) {
        match &self.bar {
            Some(bar) => {
                if bytes > 0 {
                    bar.set_position(bytes);
                }
                bar.set_message(format!("{records} articles"));
            }
            None => {
                let mut last = self.last_log.lock().unwrap_or_else(|p| p.into_inner());
                if last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    tracing::info!(job = self.what, records, bytes, "progress");
                }
            }
        }
    }
}
